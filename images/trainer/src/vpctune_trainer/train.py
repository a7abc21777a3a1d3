"""Training with transformers' Trainer (SFT, packed) and trl's DPOTrainer, sharing one callback for the platform
glue: events, metrics.jsonl, checkpoint naming, epoch-end validation and SIGTERM handling.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field

import torch
from transformers import Trainer, TrainerCallback, TrainingArguments

from .chat import IGNORE
from .events import EventWriter
from .packing import collate_packed
from .signals import StopFlag  # noqa: F401 (re-exported)

STATE_FILE = "vpctune_state.json"


def dist_ready() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def any_rank(flag: bool) -> bool:
    if not dist_ready():
        return flag
    t = torch.tensor([1 if flag else 0], dtype=torch.long)
    if torch.distributed.get_backend() == "nccl":
        t = t.cuda()
    torch.distributed.all_reduce(t, op=torch.distributed.ReduceOp.MAX)
    return bool(t.item())


def barrier():
    if dist_ready():
        torch.distributed.barrier()


@dataclass
class JobContext:
    output_dir: str
    events: EventWriter
    hyperparameters: dict
    n_epochs: int
    steps_per_epoch: int
    total_steps: int
    method: str
    has_validation: bool
    is_main: bool
    stop: StopFlag
    tokens_per_step: list[int] | None = None  # SFT: exact; DPO: None (uses state.num_input_tokens_seen)
    checkpoint_steps: int | None = None
    resumed_from_step: int | None = None
    prior_elapsed: float = 0.0
    prior_tokens: int = 0
    sync: object | None = None  # storage.OutputSync
    started_at: float = field(default_factory=time.time)
    checkpoints: list[str] = field(default_factory=list)
    stopped_at: int | None = None

    def elapsed(self) -> float:
        return self.prior_elapsed + (time.time() - self.started_at)

    def trained_tokens(self, step: int, state=None) -> int:
        if self.tokens_per_step is not None:
            return int(sum(self.tokens_per_step[:step]))
        return int(getattr(state, "num_input_tokens_seen", 0) or 0)


def checkpoint_dir(output_dir: str, step: int) -> str:
    return os.path.join(output_dir, "checkpoints", f"step-{step}")


def latest_checkpoint(output_dir: str) -> tuple[int, str] | None:
    root = os.path.join(output_dir, "checkpoints")
    if not os.path.isdir(root):
        return None
    best = None
    for name in os.listdir(root):
        if not name.startswith("step-"):
            continue
        try:
            step = int(name[5:])
        except ValueError:
            continue
        path = os.path.join(root, name)
        if os.path.exists(os.path.join(path, STATE_FILE)) and os.path.exists(os.path.join(path, "trainer_state.json")):
            if best is None or step > best[0]:
                best = (step, path)
    return best


def truncate_metrics(output_dir: str, upto_step: int) -> None:
    """Drops metrics lines after the checkpoint being resumed (written after it by an attempt that died)."""
    path = os.path.join(output_dir, "metrics.jsonl")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    keep = [l for l in lines if json.loads(l)["iteration"] <= upto_step]
    if len(keep) != len(lines):
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(keep)


class PlatformCallback(TrainerCallback):
    def __init__(self, ctx: JobContext):
        self.ctx = ctx
        self.pending: dict | None = None
        self.last_time = self.t_begin = time.time()
        self.start_step: int | None = None
        self.start_tokens = 0

    # --- lifecycle
    def on_train_begin(self, args, state, control, **kw):
        c = self.ctx
        if c.tokens_per_step is None and state.max_steps:
            # DPO: trl/accelerate decide the batches; take their step count
            c.total_steps = state.max_steps
            c.steps_per_epoch = max(1, math.ceil(state.max_steps / c.n_epochs))
        if c.is_main:
            c.events.emit("started", total_steps=c.total_steps, n_epochs=c.n_epochs,
                          resumed_from_step=c.resumed_from_step, hyperparameters=c.hyperparameters, pid=os.getpid())
        self.last_time = self.t_begin = time.time()

    def on_step_end(self, args, state, control, **kw):
        c = self.ctx
        step = state.global_step
        if self.start_step is None:
            self.start_step = step - 1
            self.start_tokens = c.trained_tokens(step - 1, state) if c.tokens_per_step is not None else 0
        stop = any_rank(c.stop.requested)
        epoch_end = step % c.steps_per_epoch == 0 or step == c.total_steps
        if epoch_end and c.has_validation:
            control.should_evaluate = True
        if stop or epoch_end or (c.checkpoint_steps and step % c.checkpoint_steps == 0):
            control.should_save = True
        if stop and step < c.total_steps:
            control.should_training_stop = True
            c.stopped_at = step
        if c.is_main:
            now = time.time()
            tokens = c.trained_tokens(step, state)
            done = tokens - self.start_tokens if c.tokens_per_step is not None else tokens - c.prior_tokens
            elapsed = max(now - self.t_begin, 1e-9)  # training time of this process (not loading)
            steps_done = step - self.start_step
            eta = (c.total_steps - step) * elapsed / max(steps_done, 1)
            c.events.emit("progress", step=step, total_steps=c.total_steps, epoch=step / c.steps_per_epoch,
                          tokens_per_second=done / elapsed, eta_seconds=eta)
            if c.sync is not None:
                try:
                    c.sync.push_progress()  # throttled; a controller reading the bucket sees progress between checkpoints
                except Exception:  # noqa: BLE001 - an upload hiccup must not stop training; the next push retries
                    traceback.print_exc(file=sys.stderr)

    def on_log(self, args, state, control, logs=None, **kw):
        c = self.ctx
        if not logs or "loss" not in logs or not c.is_main:
            return
        step = state.global_step
        record = {
            "epoch": step / c.steps_per_epoch,
            "iteration": step,
            "train_loss": float(logs["loss"]),
            "trained_tokens": c.trained_tokens(step, state),
            "valid_loss": None,
            "perplexity": None,
            "hyperparameters": c.hyperparameters,
            "time_since_job_start": c.elapsed(),
        }
        if control.should_evaluate:
            self.pending = record
        else:
            self._write(record)

    def on_evaluate(self, args, state, control, metrics=None, **kw):
        c = self.ctx
        if not c.is_main or self.pending is None:
            return
        loss = float(metrics["eval_loss"])
        self.pending["valid_loss"] = loss
        if c.method == "supervised":
            self.pending["perplexity"] = math.exp(loss) if loss < 700 else None
        self._write(self.pending)
        self.pending = None

    def _write(self, record: dict):
        c = self.ctx
        with open(os.path.join(c.output_dir, "metrics.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(record, separators=(",", ":")) + "\n")
        c.events.emit("metrics", **record)

    def on_save(self, args, state, control, **kw):
        c = self.ctx
        step = state.global_step
        barrier()  # every rank has written its part (rng_state_{rank}.pth, shards)
        if c.is_main:
            src = os.path.join(args.output_dir, f"checkpoint-{step}")
            dst = checkpoint_dir(c.output_dir, step)
            with open(os.path.join(src, STATE_FILE), "w") as f:
                json.dump({"step": step, "elapsed": c.elapsed(), "trained_tokens": c.trained_tokens(step, state)}, f)
            if os.path.exists(dst):
                shutil.rmtree(dst)
            os.replace(src, dst)  # the rename commits the checkpoint; a half-written one is never resumed
            rel = os.path.relpath(dst, c.output_dir).replace(os.sep, "/")
            c.checkpoints.append(rel)
            c.events.emit("checkpoint", step=step, path=rel)
            if c.sync is not None:
                c.sync.push()
        barrier()

    def on_train_end(self, args, state, control, **kw):
        if self.pending is not None and self.ctx.is_main:
            self._write(self.pending)
            self.pending = None


# ---------------------------------------------------------------- SFT

class CpuDdpResumeFix:
    """transformers loads the optimizer state with ``map_location=args.device`` when several processes train; on
    CPU that device is ``cpu:<rank>``, which torch.load cannot restore to ("don't know how to restore data location
    ... tagged with cpu:0"), so a multi-process CPU job could not resume. Map it to plain "cpu" while loading."""

    def _load_optimizer_and_scheduler(self, checkpoint):
        if checkpoint is None or self.args.device.type != "cpu":
            return super()._load_optimizer_and_scheduler(checkpoint)
        real_load = torch.load

        def load(*a, **kw):
            loc = kw.get("map_location")
            if isinstance(loc, torch.device) and loc.type == "cpu":
                kw["map_location"] = "cpu"
            return real_load(*a, **kw)

        torch.load = load
        try:
            return super()._load_optimizer_and_scheduler(checkpoint)
        finally:
            torch.load = real_load


class PackedSFTTrainer(CpuDdpResumeFix, Trainer):
    """transformers.Trainer over pre-packed rows in a fixed, seeded order (see packing.py)."""

    def __init__(self, *a, eval_batches=None, **kw):
        super().__init__(*a, **kw)
        self.vpctune_eval_batches = eval_batches

    def _get_train_sampler(self, train_dataset=None):
        return torch.utils.data.SequentialSampler(train_dataset if train_dataset is not None else self.train_dataset)

    def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval"):
        """Token-weighted mean loss over the validation file (exact across processes)."""
        batches = self.vpctune_eval_batches[self.args.process_index]
        model = self.model_wrapped if self.model_wrapped is not None else self.model
        was_training = model.training
        model.eval()
        total = torch.zeros(2, dtype=torch.float64, device=self.args.device)
        with torch.no_grad():
            for mb in batches:
                batch = {k: v.to(self.args.device) for k, v in collate_packed([mb]).items() if torch.is_tensor(v)}
                logits = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"],
                               use_cache=False).logits.float()  # no cache: the packed mask needs none
                labels = batch["labels"][:, 1:]
                ce = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]),
                                                       labels.reshape(-1), ignore_index=IGNORE, reduction="sum")
                total[0] += ce.double()
                total[1] += (labels != IGNORE).sum()
        if dist_ready():
            torch.distributed.all_reduce(total)
        if was_training:
            model.train()
        metrics = {f"{metric_key_prefix}_loss": float(total[0] / total[1])}
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics


def _quiet_trainer(trainer):
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(PrinterCallback)  # it prints log dicts on stdout, which carries only events
    trainer.remove_callback(ProgressCallback)


class RowDataset(torch.utils.data.Dataset):
    def __init__(self, rows):
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]


def base_training_args(ctx: JobContext, plan, seed: int, lr: float, **extra) -> dict:
    args = dict(
        output_dir=os.path.join(ctx.output_dir, "checkpoints"),
        learning_rate=lr,
        lr_scheduler_type="linear",
        warmup_steps=0,
        weight_decay=0.0,
        max_grad_norm=1.0,
        optim="adamw_torch",
        logging_strategy="steps",
        logging_steps=1,
        save_strategy="no",  # the callback decides (epoch ends, checkpoint_steps, SIGTERM)
        eval_strategy="no",
        report_to=[],
        seed=seed,
        data_seed=seed,
        disable_tqdm=True,
        dataloader_num_workers=0,
        log_level="warning",
    )
    args.update(plan.training_args)
    args.update(extra)
    return args


def run_sft(model, tokenizer, schedule, eval_batches, ctx: JobContext, plan, seed: int, resume: str | None):
    kwargs = base_training_args(
        ctx, plan, seed, ctx.hyperparameters["learning_rate"],
        per_device_train_batch_size=1,
        per_device_eval_batch_size=1,
        gradient_accumulation_steps=schedule.accumulation,
        max_steps=schedule.total_steps,
        remove_unused_columns=False,
        average_tokens_across_devices=True,
    )
    args = TrainingArguments(**kwargs)
    trainer = PackedSFTTrainer(
        model=model,
        args=args,
        train_dataset=RowDataset(schedule.micro_batches),
        data_collator=lambda feats: collate_packed(feats),
        processing_class=tokenizer,
        callbacks=[PlatformCallback(ctx)],
        eval_batches=eval_batches,
    )
    _quiet_trainer(trainer)
    trainer.train(resume_from_checkpoint=resume)
    return trainer


# ---------------------------------------------------------------- DPO

def run_dpo(model, ref_model, tokenizer, train_rows, eval_rows, ctx: JobContext, plan, seed: int,
            resume: str | None, context_length: int, peft_config=None, base_model_name: str | None = None):
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

    hp = ctx.hyperparameters
    kwargs = base_training_args(
        ctx, plan, seed, hp["learning_rate"],
        per_device_train_batch_size=hp["batch_size"] // plan.world_size,
        per_device_eval_batch_size=max(1, hp["batch_size"] // plan.world_size),
        num_train_epochs=hp["n_epochs"],
        beta=hp["beta"],
        max_length=context_length,
        include_num_input_tokens_seen="non_padding",
    )
    args = DPOConfig(**kwargs)

    class VpctuneDPOTrainer(CpuDdpResumeFix, DPOTrainer):
        pass

    trainer = VpctuneDPOTrainer(
        model=model,
        ref_model=ref_model,
        args=args,
        train_dataset=Dataset.from_list(train_rows),
        eval_dataset=Dataset.from_list(eval_rows) if eval_rows else None,
        processing_class=tokenizer,
        callbacks=[PlatformCallback(ctx)],
        peft_config=peft_config,
    )
    if peft_config is not None and base_model_name:
        trainer.model.peft_config["default"].base_model_name_or_path = base_model_name
    _quiet_trainer(trainer)
    trainer.train(resume_from_checkpoint=resume)
    return trainer
