"""LoRA and full supervised fine-tuning of the tiny model, end to end through the CLI, checked against the
contract: events, metrics.jsonl, checkpoints, adapter / full weights, manifest."""

from __future__ import annotations

import json
import math
import os

import torch
from trainer_testlib import FIXTURES, lora_spec, read_jsonl, run_cli, stdout_events, write_spec

# Merged weights (W + s*B@A) vs base + adapter computed separately, fp32 on CPU.
MERGE_ATOL = 1e-5
HP = {"n_epochs": 4, "batch_size": 4, "learning_rate_multiplier": 25.0, "learning_rate": 2e-4 * 25}


def _encoded_fixture(model_dir):
    from vpctune_trainer.chat import encode_sft, load_tokenizer

    tok = load_tokenizer(model_dir)
    files = ("sft-good.jsonl", "sft-valid.jsonl")
    return [encode_sft(tok, json.loads(l)["messages"]) for f in files for l in (FIXTURES / f).read_text().splitlines()]


def _events_in_order(events):
    types = [e["type"] for e in events]
    assert types[0] == "started" and types[-1] == "finished"
    for e in events:
        assert isinstance(e["time"], float)
    return types


def test_lora_sft_end_to_end(lora_run, tiny_llama3):
    """Given a LoRA spec on the tiny llama3 model (20 examples, batch 4, 4 epochs, a validation file), when the job
    runs, then it exits 0 and: stdout holds only JSON events (started, progress, metrics, checkpoint, finished) that
    equal events.jsonl; there are 20 optimizer steps and one metrics line per step with the contract's fields;
    valid_loss/perplexity appear exactly at each epoch end; the final train loss is at most 50% of the first; the
    manifest names the adapter, checkpoints and resolved hyperparameters."""
    proc, out = lora_run["proc"], lora_run["out"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = stdout_events(proc)
    assert events == read_jsonl(out / "events.jsonl")
    types = _events_in_order(events)
    started = events[0]
    assert started == {**started, "total_steps": 20, "n_epochs": 4, "resumed_from_step": None, "hyperparameters": HP}
    assert isinstance(started["pid"], int)
    progress = [e for e in events if e["type"] == "progress"]
    assert [p["step"] for p in progress] == list(range(1, 21))
    assert all(p["total_steps"] == 20 and p["tokens_per_second"] > 0 and p["eta_seconds"] >= 0 for p in progress)
    assert progress[-1]["epoch"] == 4.0 and progress[-1]["eta_seconds"] == 0

    metrics = read_jsonl(out / "metrics.jsonl")
    assert [m["iteration"] for m in metrics] == list(range(1, 21))
    assert [{k: v for k, v in e.items() if k not in ("type", "time")} for e in events if e["type"] == "metrics"] \
        == metrics
    for m in metrics:
        assert set(m) == {"epoch", "iteration", "train_loss", "trained_tokens", "valid_loss", "perplexity",
                          "hyperparameters", "time_since_job_start"}
        assert m["hyperparameters"] == HP and m["epoch"] == m["iteration"] / 5
        epoch_end = m["iteration"] % 5 == 0
        assert (m["valid_loss"] is not None) == epoch_end and (m["perplexity"] is not None) == epoch_end
        if epoch_end:
            assert math.isclose(m["perplexity"], math.exp(m["valid_loss"]), rel_tol=1e-9)
    tokens = [m["trained_tokens"] for m in metrics]
    assert tokens == sorted(tokens) and tokens[4] * 4 == tokens[-1]  # every epoch sees every example once
    assert metrics[-1]["train_loss"] <= 0.5 * metrics[0]["train_loss"]
    assert metrics[-1]["valid_loss"] < metrics[4]["valid_loss"]

    ckpt_events = [e for e in events if e["type"] == "checkpoint"]
    expected_steps = [3, 5, 6, 9, 10, 12, 15, 18, 20]  # checkpoint_steps=3 and every epoch end
    assert [(e["step"], e["path"]) for e in ckpt_events] == [(s, f"checkpoints/step-{s}") for s in expected_steps]
    assert sorted(os.listdir(out / "checkpoints")) == sorted(f"step-{s}" for s in expected_steps)
    for f in ("adapter_model.safetensors", "optimizer.pt", "scheduler.pt", "rng_state.pth", "trainer_state.json"):
        assert (out / "checkpoints" / "step-20" / f).exists()

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest == {
        "format_version": 1, "base_model": tiny_llama3, "method": "supervised", "adapter_type": "lora",
        "output": "adapter", "trained_tokens": tokens[-1], "steps": 20, "hyperparameters": HP,
        "metrics_file": "metrics.jsonl", "checkpoints": [f"checkpoints/step-{s}" for s in expected_steps],
        "context_length": manifest["context_length"], "seed": 7,
        "packing": {"row_tokens": 512, "rows_per_micro_batch": 1, "gradient_accumulation_steps": 1,
                    "padding_tokens": 0, "padding_fraction": 0.0, "attn_implementation": "sdpa"},
    }
    assert manifest["context_length"] == max(e.n_tokens for e in _encoded_fixture(tiny_llama3))
    assert events[-1]["trained_tokens"] == tokens[-1] and events[-1]["manifest"] == "manifest.json"
    assert {"adapter_config.json", "adapter_model.safetensors"} <= set(os.listdir(out / "adapter"))
    assert json.loads((out / "adapter" / "adapter_config.json").read_text())["r"] == 8


def test_lora_adapter_reloads_and_merges_to_the_same_logits(lora_run, tiny_llama3):
    """Given the finished LoRA adapter, when it is loaded onto the base model with peft and then merged into the
    weights, then both give the same logits within 1e-5, the adapter changes the base model's logits, and it targets
    every linear layer of the decoder (q,k,v,o,gate,up,down) but not lm_head."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = lora_run["out"]
    tok = AutoTokenizer.from_pretrained(tiny_llama3)
    ids = tok.apply_chat_template([{"role": "user", "content": "Describe the apple."}], add_generation_prompt=True,
                                  return_tensors="pt", return_dict=True)["input_ids"]
    base = AutoModelForCausalLM.from_pretrained(tiny_llama3).eval()
    with torch.no_grad():
        base_logits = base(input_ids=ids).logits
    peft_model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama3), out / "adapter").eval()
    cfg = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert {m.rsplit(".", 1)[-1] for m in cfg["target_modules"]} == {
        "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    assert len(cfg["target_modules"]) == 7 * 2  # both layers, never lm_head
    with torch.no_grad():
        adapted = peft_model(input_ids=ids).logits
        merged = peft_model.merge_and_unload().eval()(input_ids=ids).logits
    torch.testing.assert_close(merged, adapted, atol=MERGE_ATOL, rtol=0)
    assert (adapted - base_logits).abs().max() > 1e-2


def test_full_fine_tuning_end_to_end(tiny_chatml, tmp_path):
    """Given a full fine-tuning spec on the tiny chatml (Qwen2-style) model without a validation file, when the job
    runs, then it exits 0, the final loss is at most 50% of the first, valid_loss stays null, the full weights and
    tokenizer in output_dir/model reload with from_pretrained and differ from the base, and the manifest says
    adapter_type full / output model with the full-fine-tuning base learning rate (2e-5 x multiplier)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "out"
    spec = lora_spec(tiny_chatml, out, adapter={"type": "full"})
    del spec["validation_file"]
    spec["method"]["supervised"]["hyperparameters"] = {"n_epochs": 3, "batch_size": 4, "learning_rate_multiplier": 100}
    proc = run_cli(["run", "--spec", str(write_spec(tmp_path / "spec.json", spec))])
    assert proc.returncode == 0, proc.stderr[-3000:]
    _events_in_order(stdout_events(proc))
    metrics = read_jsonl(out / "metrics.jsonl")
    assert len(metrics) == 15
    assert metrics[-1]["train_loss"] <= 0.5 * metrics[0]["train_loss"]
    assert all(m["valid_loss"] is None and m["perplexity"] is None for m in metrics)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["adapter_type"], manifest["output"]) == ("full", "model")
    assert math.isclose(manifest["hyperparameters"]["learning_rate"], 2e-5 * 100)
    model = AutoModelForCausalLM.from_pretrained(out / "model")
    base = AutoModelForCausalLM.from_pretrained(tiny_chatml)
    assert type(model).__name__ == "Qwen2ForCausalLM"
    assert AutoTokenizer.from_pretrained(out / "model").chat_template == AutoTokenizer.from_pretrained(tiny_chatml).chat_template
    diff = max((a - b).abs().max().item() for a, b in zip(model.state_dict().values(), base.state_dict().values()))
    assert diff > 1e-3
    assert not (out / "adapter").exists()
