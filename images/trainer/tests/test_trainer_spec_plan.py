"""Spec parsing, "auto" hyperparameters, and the training plan for machines we do not have here (CUDA, several
GPUs): QLoRA, FSDP and flash-attention are configured and asserted; without CUDA they stop with cuda_required."""

from __future__ import annotations

import io
import json
import sys

import pytest
import torch
from trainer_testlib import FIXTURES, REPO, write_spec

from vpctune_trainer.launch import torchrun_command
from vpctune_trainer.plan import CudaRequired, Env, build_plan
from vpctune_trainer.spec import (SpecError, auto_batch_size, auto_lr_multiplier, auto_n_epochs, parse_spec,
                                  resolve_hyperparameters)

BASE = {"base_model": "/models/x", "training_file": "/data/t.jsonl", "output_dir": "/out"}
GPU = Env(cuda=True, bf16=True, world_size=1, flash_attn=True, bitsandbytes=True)
CPU = Env(cuda=False, bf16=False)


def spec(**over):
    return parse_spec({**BASE, **over})


@pytest.mark.parametrize("over,param,message", [
    ({"base_model": None}, "base_model", "base_model is required"),
    ({"learning_rate": 1}, "learning_rate", "learning_rate is not a spec field; allowed: base_model, training_file, "
     "validation_file, method, adapter, context_length, seed, output_dir, checkpoint_steps, model, fine_tuned_model, "
     "publish_dir"),
    ({"publish_dir": "s3://b/adapters/ft:x/", "model": "vpctune/tiny-chat"}, "fine_tuned_model",
     "fine_tuned_model is required with publish_dir"),
    ({"publish_dir": "s3://b/adapters/ft:x/", "fine_tuned_model": "ft:x"}, "model", "model is required with publish_dir"),
    ({"publish_dir": "s3://b/models/ft:x/", "model": "m", "fine_tuned_model": "ft:x"}, "publish_dir",
     "publish_dir 's3://b/models/ft:x/' must end with adapters/ft:x/ (adapter.type 'lora' publishes under adapters/)"),
    ({"publish_dir": "s3://b/adapters/ft:x/", "model": "m", "fine_tuned_model": "ft:x", "adapter": {"type": "full"}},
     "publish_dir", "publish_dir 's3://b/adapters/ft:x/' must end with models/ft:x/ (adapter.type 'full' publishes "
     "under models/)"),
    ({"publish_dir": "s3://b/adapters/../x/", "model": "m", "fine_tuned_model": "../x"}, "fine_tuned_model",
     "fine_tuned_model '../x' is not a valid storage key segment: no empty, '.' or '..' path parts and no backslash"),
    ({"method": {"type": "ppo"}}, "method.type", "method.type must be \"supervised\" or \"dpo\", got 'ppo'"),
    ({"method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 0}}}},
     "method.supervised.hyperparameters.n_epochs",
     'method.supervised.hyperparameters.n_epochs must be "auto" or a positive integer, got 0'),
    ({"method": {"type": "supervised", "supervised": {"hyperparameters": {"beta": 0.1}}}},
     "method.supervised.hyperparameters.beta", "method.supervised.hyperparameters.beta is not a hyperparameter; "
     "allowed: n_epochs, batch_size, learning_rate_multiplier"),
    ({"method": {"type": "dpo", "dpo": {"hyperparameters": {"beta": -1}}}}, "method.dpo.hyperparameters.beta",
     'method.dpo.hyperparameters.beta must be "auto" or a positive number, got -1'),
    ({"adapter": {"type": "prefix"}}, "adapter.type", 'adapter.type must be "lora", "qlora" or "full", got \'prefix\''),
    ({"adapter": {"type": "full", "r": 0}}, "adapter.r", "adapter.r must be a positive integer, got 0"),
    ({"adapter": {"type": "lora", "dropout": 1}}, "adapter.dropout", "adapter.dropout must be a number in [0, 1), got 1"),
    ({"context_length": "long"}, "context_length", "context_length must be \"auto\" or an integer >= 8, got 'long'"),
])
def test_spec_errors_name_the_field(over, param, message):
    """Given a spec with one bad field, when it is parsed, then the error names the field (param) and says what is
    allowed."""
    with pytest.raises(SpecError) as e:
        spec(**over)
    assert (e.value.param, e.value.message) == (param, message)


def test_serving_fields_are_parsed():
    """Given a spec naming the served base model, the fine-tuned model and where to publish it, then they are kept."""
    s = spec(model="vpctune/tiny-chat", fine_tuned_model="ft:vpctune/tiny-chat:acme::abc",
             publish_dir="s3://bucket/adapters/ft:vpctune/tiny-chat:acme::abc/")
    assert (s.model, s.fine_tuned_model, s.publish_dir) == (
        "vpctune/tiny-chat", "ft:vpctune/tiny-chat:acme::abc", "s3://bucket/adapters/ft:vpctune/tiny-chat:acme::abc/")
    assert spec().publish_dir is None


def test_full_accepts_and_ignores_lora_fields():
    """Given adapter full with the LoRA fields the controller always sends, then the spec is accepted (they are
    only used by lora/qlora)."""
    s = spec(adapter={"type": "full", "r": 16, "alpha": 32, "dropout": 0.05, "target_modules": "all-linear"})
    assert s.adapter_type == "full"


def test_spec_defaults_and_openai_method_shape():
    """Given a minimal spec, then it is LoRA SFT with every hyperparameter auto, r 16 / alpha 32 / dropout 0.05 on
    all linear layers, context length auto, seed 42; and OpenAI's method shape is read for DPO."""
    s = spec()
    assert (s.method, s.adapter_type, s.n_epochs, s.batch_size, s.learning_rate_multiplier) == \
        ("supervised", "lora", "auto", "auto", "auto")
    assert (s.lora_r, s.lora_alpha, s.lora_dropout, s.target_modules) == (16, 32, 0.05, "all-linear")
    assert (s.context_length, s.seed, s.checkpoint_steps) == ("auto", 42, None)
    d = spec(method={"type": "dpo", "dpo": {"hyperparameters": {"beta": 0.2, "batch_size": 8}}},
             adapter={"type": "lora", "r": 4})
    assert (d.method, d.beta, d.batch_size, d.lora_r, d.lora_alpha) == ("dpo", 0.2, 8, 4, 8)


@pytest.mark.parametrize("n,epochs,batch,mult", [
    (10, 10, 1, 2.0), (20, 5, 1, 2.0), (50, 3, 1, 2.0), (1000, 3, 2, 0.5), (4000, 3, 8, 1.0),
    (20000, 1, 32, 2.0), (100000, 1, 64, 2.0),
])
def test_auto_hyperparameters_follow_dataset_size(n, epochs, batch, mult):
    """Given n examples and all-auto hyperparameters, then epochs aim at ~100 examples seen for small files (max 25)
    and at most 25,000 for large ones, batch is ~0.2% of n as a power of two in [1, 64], and the learning-rate
    multiplier is 2 below 1,000 examples, else scales with sqrt(batch/8) in [0.5, 2]."""
    assert (auto_n_epochs(n), auto_batch_size(n), auto_lr_multiplier(auto_batch_size(n), n)) == (epochs, batch, mult)


def test_auto_epochs_match_the_rows_the_controller_is_tested_against():
    """Given the shared rows of test/fixtures/auto-hyperparameters.json (the controller mirrors this rule for a queued
    job's estimated_finish), then auto_n_epochs gives each row's epochs."""
    rows = json.loads((REPO / "test" / "fixtures" / "auto-hyperparameters.json").read_text())["n_epochs"]
    assert len(rows) >= 10
    assert [auto_n_epochs(r["examples"]) for r in rows] == [r["n_epochs"] for r in rows]


def test_auto_learning_rate_multipliers_match_the_shared_rows():
    """Given the shared rows of test/fixtures/auto-hyperparameters.json (learning_rate_multiplier), when the auto batch
    size and multiplier are computed for each row's examples, then they equal the row's."""
    rows = json.loads((REPO / "test" / "fixtures" / "auto-hyperparameters.json").read_text())["learning_rate_multiplier"]
    assert len(rows) >= 10
    got = [{"examples": r["examples"], "batch_size": auto_batch_size(r["examples"]),
            "learning_rate_multiplier": auto_lr_multiplier(auto_batch_size(r["examples"]), r["examples"])} for r in rows]
    assert got == rows


def test_resolved_hyperparameters_and_base_learning_rates():
    """Given resolved hyperparameters, then learning_rate = base x multiplier with bases lora/qlora 2e-4, full 2e-5,
    DPO lora 5e-5 / full 1e-6; beta defaults to 0.1; auto batch is at least the number of processes and a multiple
    of it; an explicit batch smaller than the process count is refused."""
    assert resolve_hyperparameters(spec(), 20) == {"n_epochs": 5, "batch_size": 1, "learning_rate_multiplier": 2.0,
                                                   "learning_rate": 4e-4}
    full = spec(adapter={"type": "full"}, method={"type": "supervised", "supervised": {"hyperparameters": {
        "learning_rate_multiplier": 2, "batch_size": 8, "n_epochs": 1}}})
    assert resolve_hyperparameters(full, 100)["learning_rate"] == pytest.approx(4e-5)
    dpo = spec(method={"type": "dpo"})
    assert resolve_hyperparameters(dpo, 4000) == {"n_epochs": 3, "batch_size": 8, "learning_rate_multiplier": 1.0,
                                                  "learning_rate": 5e-5, "beta": 0.1}
    assert resolve_hyperparameters(spec(), 20, world_size=3)["batch_size"] == 3
    small = spec(method={"type": "supervised", "supervised": {"hyperparameters": {"batch_size": 2}}})
    with pytest.raises(SpecError, match=r"batch_size 2 is smaller than the number of processes \(4\)"):
        resolve_hyperparameters(small, 100, world_size=4)


def test_qlora_plan_on_a_gpu():
    """Given adapter qlora on a CUDA machine with bf16, then the model is loaded 4-bit NF4 with double quantization
    and bf16 compute (bitsandbytes via transformers' BitsAndBytesConfig), with gradient checkpointing, bf16 training
    and flash-attention 2."""
    p = build_plan(spec(adapter={"type": "qlora"}), GPU, "llama")
    assert (p.device, p.precision, p.attn_implementation, p.parallelism) == ("cuda", "bf16", "flash_attention_2", "single")
    assert p.quantization == {"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": True,
                              "bnb_4bit_compute_dtype": "bfloat16"}
    q = p.bnb_config()
    assert (q.load_in_4bit, q.bnb_4bit_quant_type, q.bnb_4bit_use_double_quant, q.bnb_4bit_compute_dtype) == \
        (True, "nf4", True, torch.bfloat16)
    assert p.training_args["bf16"] is True and p.training_args["gradient_checkpointing"] is True
    assert p.torch_dtype == torch.bfloat16


def test_full_fine_tuning_on_several_gpus_uses_fsdp():
    """Given adapter full on 16 processes with CUDA, then training is FSDP2 (full sharding, transformer-layer
    wrapping of LlamaDecoderLayer, full state dict for a loadable model, rank-0 loading, activation checkpointing),
    and transformers accepts the configuration (TrainingArguments builds accelerate's FSDP plugin arguments)."""
    from transformers import TrainingArguments

    p = build_plan(spec(adapter={"type": "full"}), Env(cuda=True, bf16=True, world_size=16), "llama")
    assert p.parallelism == "fsdp" and p.attn_implementation == "sdpa"
    assert p.training_args["fsdp"] is True
    assert p.training_args["fsdp_config"] == {
        "version": 2, "reshard_after_forward": True, "state_dict_type": "FULL_STATE_DICT",
        "cpu_ram_efficient_loading": True, "activation_checkpointing": True,
        "auto_wrap_policy": "TRANSFORMER_BASED_WRAP", "transformer_layer_cls_to_wrap": ["LlamaDecoderLayer"]}
    args = {**p.training_args, "bf16": False, "use_cpu": True}  # bf16 cannot be validated without a GPU
    ta = TrainingArguments(output_dir="/tmp/vpctune-fsdp-check", **args)
    assert ta.fsdp_plugin_args == {
        "fsdp_version": 2, "auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
        "transformer_cls_names_to_wrap": "LlamaDecoderLayer", "cpu_ram_efficient_loading": True,
        "state_dict_type": "FULL_STATE_DICT", "activation_checkpointing": True, "reshard_after_forward": True}


def test_lora_plans_cpu_gpu_and_ddp():
    """Given LoRA, then CPU trains fp32 with SDPA (exact packed mask), a GPU without bf16 uses fp16, and several
    processes use DDP over gloo on CPU / nccl on GPU."""
    assert (lambda p: (p.precision, p.attn_implementation, p.training_args["use_cpu"]))(build_plan(spec(), CPU)) == \
        ("fp32", "sdpa", True)
    assert build_plan(spec(), Env(cuda=True, bf16=False)).precision == "fp16"
    ddp = build_plan(spec(), Env(cuda=False, bf16=False, world_size=2))
    assert (ddp.parallelism, ddp.training_args["ddp_backend"]) == ("ddp", "gloo")
    assert build_plan(spec(), Env(cuda=True, bf16=True, world_size=8)).training_args["ddp_backend"] == "nccl"


@pytest.mark.parametrize("adapter,env,message", [
    ("qlora", CPU, 'adapter.type "qlora" needs a CUDA GPU: 4-bit NF4 quantization (bitsandbytes) runs only on CUDA, '
                   "and this machine has none"),
    ("full", Env(cuda=False, bf16=False, world_size=2),
     'adapter.type "full" on 2 processes shards the model with FSDP, which needs CUDA GPUs, and this machine has '
     "none; run full fine-tuning as one process on CPU or on GPUs"),
])
def test_cuda_only_paths_stop_without_cuda(adapter, env, message):
    """Given a path that needs CUDA (QLoRA; FSDP full fine-tuning) on a machine without it, then planning stops with
    CudaRequired naming adapter.type. (These paths are not run here: this machine has no GPU.)"""
    with pytest.raises(CudaRequired) as e:
        build_plan(spec(adapter={"type": adapter}), env)
    assert (e.value.param, e.value.message) == ("adapter.type", message)


def _run_in_process(spec_path):
    """`run` in this process; returns its exit code and the events it printed."""
    from vpctune_trainer.runner import run

    real, sys.stdout = sys.stdout, io.StringIO()
    try:
        code = run(str(spec_path))
        text = sys.stdout.getvalue()
    finally:
        sys.stdout = real
    return code, [json.loads(l) for l in text.splitlines()]


def test_qlora_run_on_this_machine_fails_with_cuda_required(tiny_llama3, tmp_path):
    """Given a QLoRA job on this CPU-only machine, when it runs, then it emits failed/cuda_required with the message,
    exits 1, and trains nothing."""
    out = tmp_path / "out"
    path = write_spec(tmp_path / "s.json", {"base_model": tiny_llama3, "training_file": str(FIXTURES / "sft-good.jsonl"),
                                           "output_dir": str(out), "adapter": {"type": "qlora"}})
    code, (ev,) = _run_in_process(path)
    assert code == 1
    assert (ev["type"], ev["code"], ev["param"]) == ("failed", "cuda_required", "adapter.type")
    assert ev["message"].startswith('adapter.type "qlora" needs a CUDA GPU')
    assert not (out / "checkpoints").exists()


def test_invalid_spec_run_exit_2(tmp_path):
    """Given a spec with an unknown hyperparameter, when it runs, then failed/invalid_spec names the field, exit 2."""
    path = write_spec(tmp_path / "s.json", {**BASE, "output_dir": str(tmp_path / "o"), "method": {
        "type": "supervised", "supervised": {"hyperparameters": {"epochs": 3}}}})
    code, (ev,) = _run_in_process(path)
    assert code == 2 and ev["code"] == "invalid_spec"
    assert ev["param"] == "method.supervised.hyperparameters.epochs"


def test_torchrun_command_from_indexed_job_environment():
    """Given the environment of pod 2 of a 4-node Kubernetes Indexed Job (JOB_COMPLETION_INDEX, MASTER_ADDR of
    pod 0 through the headless Service), then launch runs torchrun with 8 processes per node (the GPUs), node rank
    2, the rendezvous address and port, and no restarts (a restart is the controller's decision)."""
    env = {"NNODES": "4", "JOB_COMPLETION_INDEX": "2", "MASTER_ADDR": "ft-abc-0.ft-abc", "MASTER_PORT": "29400"}
    cmd = torchrun_command("/spec.json", env, None, gpus=8)
    assert cmd[1:] == ["-m", "torch.distributed.run", "--nnodes=4", "--nproc_per_node=8", "--node_rank=2",
                       "--master_addr=ft-abc-0.ft-abc", "--master_port=29400", "--max_restarts=0",
                       "-m", "vpctune_trainer", "run", "--spec", "/spec.json"]
    single = torchrun_command("/spec.json", {}, None, gpus=0)
    assert "--nproc_per_node=1" in single and "--node_rank=0" in single and "--master_addr=127.0.0.1" in single


def test_fsdp_full_fine_tuning_on_two_cpu_processes_fails_with_cuda_required(tiny_llama3, tmp_path):
    """Given full fine-tuning launched on 2 processes on this CPU-only machine (FSDP would be needed), when it runs
    through `launch`, then rank 0 emits one failed/cuda_required event naming adapter.type, nothing is trained, and
    the exit code is 1."""
    import socket

    from trainer_testlib import child_env, read_jsonl, run_cli, stdout_events

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    path = write_spec(tmp_path / "s.json", {"base_model": tiny_llama3, "output_dir": str(out),
                                           "training_file": str(FIXTURES / "sft-good.jsonl"),
                                           "adapter": {"type": "full"}})
    proc = run_cli(["launch", "--spec", str(path), "--nproc-per-node", "2"],
                   env=child_env(OMP_NUM_THREADS=1, VPCTUNE_TORCH_THREADS=1, MASTER_PORT=port))
    assert proc.returncode == 1
    (ev,) = stdout_events(proc)
    assert (ev["type"], ev["code"], ev["param"]) == ("failed", "cuda_required", "adapter.type")
    assert ev["message"].startswith('adapter.type "full" on 2 processes shards the model with FSDP')
    assert read_jsonl(out / "events.jsonl") == [ev]
    assert not (out / "checkpoints").exists()
