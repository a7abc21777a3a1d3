"""``python -m vpctune_trainer run --spec SPEC.json``: the job, from spec to manifest, with the exit-code contract.

Exit codes: 0 finished; 2 invalid spec or data (nothing trained); 75 stopped by SIGTERM after a checkpoint; 1 any
other failure (cuda_required, internal).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import tempfile
import time
import traceback

from .events import EventWriter
from .plan import CudaRequired, Env, build_plan
from .signals import StopFlag
from .spec import SpecError, parse_spec, resolve_hyperparameters
from .storage import OutputSync, is_uri, stage_in

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_STOPPED = 0, 1, 2, 75


class DataError(Exception):
    def __init__(self, param: str, problems: list):
        self.param = param
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


def _quiet():
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import datasets
        import transformers

        transformers.utils.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        datasets.disable_progress_bars()
        datasets.utils.logging.set_verbosity_error()
    except Exception:  # pragma: no cover
        pass


def _wait_for(path: str, timeout: float = 3600):
    t0 = time.time()
    while not os.path.exists(path):
        if time.time() - t0 > timeout:
            raise TimeoutError(f"timed out waiting for {path}")
        time.sleep(0.5)


def load_data(path: str, kind: str, tokenizer, context_length, model_max: int, param: str, min_examples: int):
    """Validates and tokenizes a data file. Returns (records, lengths, encoded_or_None, resolved context length)."""
    from .chat import dpo_length, encode_sft
    from .validation import Problem, to_conversation, validate_file

    problems, examples = validate_file(path, kind, min_examples=min_examples)
    if problems:
        raise DataError(param, problems)
    records = [to_conversation(e.data, kind) for e in examples]
    if kind == "sft":
        encoded = [encode_sft(tokenizer, r["messages"]) for r in records]
        lengths = [e.n_tokens for e in encoded]
    else:
        encoded = None
        lengths = [dpo_length(tokenizer, r["prompt"], r["chosen"], r["rejected"]) for r in records]
    limit = context_length if context_length != "auto" else model_max
    too_long = [Problem(f"line {ex.line}: example has {n} tokens; the context length is {limit}", ex.line)
                for ex, n in zip(examples, lengths) if n > limit]
    if too_long:
        raise DataError(param, too_long[:20])
    return records, lengths, encoded, examples


def run(spec_path: str) -> int:
    # first, before the heavy imports: a SIGTERM while staging or loading stops the job before its first step
    stop = StopFlag().install()
    # stdout carries events only: anything else a library prints goes to stderr
    event_stream = sys.stdout
    sys.stdout = sys.stderr
    try:
        _quiet()
        return _run_job(spec_path, event_stream, stop)
    finally:
        _leave_process_group()
        sys.stdout = event_stream
        stop.uninstall()


def _leave_process_group():
    """Destroys the torch.distributed process group before the interpreter exits. Left to interpreter shutdown, gloo's
    process group can be torn down while its threads still run, and the process aborts (``terminate called without an
    active exception``, SIGABRT) after the job has finished: torchrun then reports the whole run as failed. Measured on
    the two-process CPU test (test_trainer_ddp.py): 3 aborts in 5 runs without this, none in 8 with it."""
    dist = sys.modules.get("torch.distributed")
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return
    try:
        dist.destroy_process_group()
    except Exception:  # noqa: BLE001 - the job's outcome is already decided and reported
        traceback.print_exc(file=sys.stderr)


def _run_job(spec_path: str, event_stream, stop) -> int:
    env = Env.detect()
    is_main = env.rank == 0
    events = EventWriter(None, enabled=is_main, stream=event_stream)

    def fail(code: str, message: str, param=None, exit_code=EXIT_FAILED, **extra) -> int:
        events.emit("failed", code=code, message=message, param=param, **extra)
        return exit_code

    try:
        with open(spec_path, encoding="utf-8") as f:
            raw = json.load(f)
    except (OSError, ValueError) as e:
        return fail("invalid_spec", f"cannot read the spec {spec_path}: {e}", None, EXIT_INVALID)
    try:
        spec = parse_spec(raw)
    except SpecError as e:
        return fail("invalid_spec", e.message, e.param, EXIT_INVALID)

    sync = None
    try:
        # one staging directory per job and node: every local rank derives the same one
        staging = os.environ.get("VPCTUNE_STAGING_DIR") or os.path.join(
            tempfile.gettempdir(), "vpctune-" + hashlib.sha1(os.path.abspath(spec_path).encode()).hexdigest()[:12])
        os.makedirs(staging, exist_ok=True)
        output_dir = os.path.join(staging, "output") if is_uri(spec.output_dir) else spec.output_dir
        os.makedirs(output_dir, exist_ok=True)
        if is_uri(spec.output_dir):
            sync = OutputSync(spec.output_dir, output_dir)
        events = EventWriter(output_dir, enabled=is_main, stream=event_stream)

        plan = build_plan(spec, env)  # fails fast (cuda_required) before anything is downloaded or loaded

        # local rank 0 downloads (a previous attempt's outputs, then the inputs); the node's other ranks wait for it
        marker = os.path.join(staging, f".staged-{os.getppid()}.json")
        if env.local_rank == 0:
            if sync is not None:
                sync.pull()
            staged = {
                "base": stage_in(spec.base_model, staging, "base_model"),
                "train": stage_in(spec.training_file, staging, "training_file.jsonl"),
                "valid": stage_in(spec.validation_file, staging, "validation_file.jsonl")
                if spec.validation_file else None,
            }
            if env.world_size > 1:
                with open(marker + ".tmp", "w") as f:
                    json.dump(staged, f)
                os.replace(marker + ".tmp", marker)
        else:
            _wait_for(marker)
            with open(marker) as f:
                staged = json.load(f)
        base, train_path, valid_path = staged["base"], staged["train"], staged["valid"]

        from transformers import AutoConfig

        from .chat import load_tokenizer

        config = AutoConfig.from_pretrained(base)
        plan = build_plan(spec, env, model_type=config.model_type)
        tokenizer = load_tokenizer(base)
        model_max = int(getattr(config, "max_position_embeddings", 0) or 10**9)
        kind = "sft" if spec.method == "supervised" else "dpo"
        cl = spec.context_length
        if cl != "auto" and cl > model_max:
            return fail("invalid_spec", f"context_length {cl} is larger than the model's {model_max} positions",
                        "context_length", EXIT_INVALID)
        try:
            train = load_data(train_path, kind, tokenizer, cl, model_max, "training_file", 10)
            valid = (load_data(valid_path, kind, tokenizer, cl, model_max, "validation_file", 1)
                     if valid_path else None)
        except DataError as e:
            return fail("invalid_data", str(e), e.param, EXIT_INVALID,
                        errors=[{"message": p.message, "line": p.line} for p in e.problems])
        context_length = cl if cl != "auto" else max(train[1] + (valid[1] if valid else []))

        try:
            hp = resolve_hyperparameters(spec, len(train[0]), env.world_size)
        except SpecError as e:
            return fail("invalid_spec", e.message, e.param, EXIT_INVALID)

        return _train(spec, env, plan, events, sync, output_dir, base, tokenizer, train, valid, hp,
                      context_length, stop)
    except CudaRequired as e:
        code = fail("cuda_required", e.message, e.param)
    except Exception as e:  # noqa: BLE001 - reported as an event, details on stderr
        traceback.print_exc(file=sys.stderr)
        code = fail("internal", f"{type(e).__name__}: {e}", None)
    if sync is not None and is_main:
        try:
            sync.push()
        except Exception:  # pragma: no cover
            traceback.print_exc(file=sys.stderr)
    return code


def _train(spec, env, plan, events, sync, output_dir, base, tokenizer, train, valid, hp, context_length,
           stop) -> int:
    import torch
    from transformers import AutoModelForCausalLM, set_seed

    from .packing import build_schedule, eval_micro_batches
    from .train import JobContext, any_rank, latest_checkpoint, run_dpo, run_sft, truncate_metrics

    is_main = env.rank == 0
    torch.set_num_threads(int(os.environ.get("VPCTUNE_TORCH_THREADS", torch.get_num_threads())))
    records, lengths, encoded, _ = train

    resume = latest_checkpoint(output_dir)
    prior_elapsed = prior_tokens = 0
    if resume:
        with open(os.path.join(resume[1], "vpctune_state.json")) as f:
            st = json.load(f)
        prior_elapsed, prior_tokens = st["elapsed"], st["trained_tokens"]
        if is_main:
            truncate_metrics(output_dir, resume[0])

    row_tokens = int(os.environ.get("VPCTUNE_ROW_TOKENS", plan.row_tokens))
    rows_per_mb = int(os.environ.get("VPCTUNE_ROWS_PER_MICRO_BATCH", plan.rows_per_micro_batch))
    B, E, W = hp["batch_size"], hp["n_epochs"], env.world_size
    schedule = None
    if spec.method == "supervised":
        schedule = build_schedule(encoded, B, E, spec.seed, W, row_tokens, rows_per_mb, tokenizer.pad_token_id)
        spe, total = schedule.steps_per_epoch, schedule.total_steps
    else:
        per_device = B // W
        spe = math.ceil(math.ceil(len(records) / per_device) / W)
        total = spe * E

    ctx = JobContext(
        output_dir=output_dir, events=events, hyperparameters=hp, n_epochs=E, steps_per_epoch=spe,
        total_steps=total, method=spec.method, has_validation=valid is not None, is_main=is_main, stop=stop,
        tokens_per_step=schedule.tokens_per_step if schedule else None, checkpoint_steps=spec.checkpoint_steps,
        resumed_from_step=resume[0] if resume else None, prior_elapsed=prior_elapsed, prior_tokens=prior_tokens,
        sync=sync,
    )

    set_seed(spec.seed)
    # Frozen base weights (LoRA/QLoRA) load in the training precision; weights that are trained (full) stay fp32
    # masters with bf16/fp16 autocast (TrainingArguments bf16/fp16) for the compute.
    dtype = torch.float32 if spec.adapter_type == "full" else plan.torch_dtype
    load_kwargs = {"dtype": dtype, "attn_implementation": plan.attn_implementation}
    if plan.quantization:
        load_kwargs["quantization_config"] = plan.bnb_config()
    model = AutoModelForCausalLM.from_pretrained(base, **load_kwargs)
    model.config.use_cache = False
    lora = None
    if spec.adapter_type in ("lora", "qlora"):
        from peft import LoraConfig, get_peft_model

        if plan.quantization:
            from peft import prepare_model_for_kbit_training

            model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
        lora = LoraConfig(r=spec.lora_r, lora_alpha=spec.lora_alpha, lora_dropout=spec.lora_dropout,
                          target_modules=spec.target_modules, task_type="CAUSAL_LM", bias="none")
        if spec.method == "supervised":
            model = get_peft_model(model, lora)
            model.peft_config["default"].base_model_name_or_path = spec.base_model
        # DPO: trl wraps the model itself from the config. Handing it a PeftModel makes trl add a "ref" adapter, and
        # transformers then resumes only that adapter from a checkpoint, not the trained one.

    resume_path = resume[1] if resume else None
    if any_rank(stop.requested):  # SIGTERM before the first step: nothing new to save
        if is_main:
            events.emit("stopped", step=resume[0] if resume else 0,
                        checkpoint=f"checkpoints/step-{resume[0]}" if resume else None)
        return EXIT_STOPPED
    if spec.method == "supervised":
        ev = eval_micro_batches(valid[2], row_tokens, rows_per_mb, W, tokenizer.pad_token_id) if valid else None
        trainer = run_sft(model, tokenizer, schedule, ev, ctx, plan, spec.seed, resume_path)
    else:
        ref_model = None
        if spec.adapter_type == "full":
            ref_model = AutoModelForCausalLM.from_pretrained(base, **load_kwargs)
        trainer = run_dpo(model, ref_model, tokenizer, records, valid[0] if valid else None, ctx, plan, spec.seed,
                          resume_path, context_length, peft_config=lora, base_model_name=spec.base_model)

    steps_now = trainer.state.global_step
    if ctx.stopped_at is not None:
        if is_main:
            events.emit("stopped", step=ctx.stopped_at, checkpoint=f"checkpoints/step-{ctx.stopped_at}")
            if sync:
                sync.push()
        return EXIT_STOPPED

    trained_tokens = ctx.trained_tokens(steps_now, trainer.state)
    if spec.adapter_type in ("lora", "qlora"):
        out_rel = "adapter"
        if is_main:
            trainer.model.save_pretrained(os.path.join(output_dir, out_rel), safe_serialization=True)
    else:
        out_rel = "model"
        trainer.save_model(os.path.join(output_dir, out_rel))  # every rank takes part under FSDP
        if is_main:
            tokenizer.save_pretrained(os.path.join(output_dir, out_rel))
    if is_main:
        ckpts = []
        root = os.path.join(output_dir, "checkpoints")
        for name in os.listdir(root) if os.path.isdir(root) else []:
            if name.startswith("step-") and name[5:].isdigit():
                ckpts.append(int(name[5:]))
        manifest = {
            "format_version": 1,
            "base_model": spec.base_model,
            "method": spec.method,
            "adapter_type": spec.adapter_type,
            "output": out_rel,
            "trained_tokens": trained_tokens,
            "steps": steps_now,
            "hyperparameters": hp,
            "metrics_file": "metrics.jsonl",
            "checkpoints": [f"checkpoints/step-{s}" for s in sorted(ckpts)],
            "context_length": context_length,
            "seed": spec.seed,
        }
        if spec.model is not None:
            manifest["model"] = spec.model
        if spec.fine_tuned_model is not None:
            manifest["fine_tuned_model"] = spec.fine_tuned_model
        if spec.publish_dir is not None:
            from .publish import publish

            publish(out_rel, os.path.join(output_dir, out_rel), spec.model, spec.publish_dir)
            manifest["published"] = spec.publish_dir
        if schedule is not None:
            manifest["packing"] = {
                "row_tokens": row_tokens, "rows_per_micro_batch": schedule.rows_per_micro_batch,
                "gradient_accumulation_steps": schedule.accumulation, "padding_tokens": schedule.padding_tokens,
                "padding_fraction": schedule.padding_fraction, "attn_implementation": plan.attn_implementation,
            }
        with open(os.path.join(output_dir, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
        events.emit("finished", trained_tokens=trained_tokens, manifest="manifest.json")
        if sync:
            sync.push()
    return EXIT_OK
