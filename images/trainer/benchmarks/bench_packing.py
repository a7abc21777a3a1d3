"""Benchmark (not CI): effective (non-pad) tokens/s of the vpctune trainer (packed, padding-free) vs a plain
transformers Trainer with naive padding (each batch padded to its longest example), same tiny model, same data,
same hyperparameters, same machine, in the same invocation.

    .venv/bin/python images/trainer/benchmarks/bench_packing.py [--examples 400] [--batch-size 16] [--epochs 1]
        [--hidden 256] [--layers 4] [--threads 2] [--json OUT.json]

Effective tokens are the real tokens of the examples (prompt and answer; padding excluded). Time is the training
loop only (after the model is loaded; for our trainer from the Trainer's train-begin to train-end callbacks, which
includes its epoch-end checkpoint), measured both as wall time and as the process's CPU time (all threads). On a
shared machine the wall time swings with other load; the CPU-time ratio is the steadier figure. Both run in this
one process, alternating, --repeats times each; the run with the least CPU time counts. The padding fraction is pad
tokens / all tokens fed to the model.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time

WORDS = ["apple", "river", "stone", "cloud", "tiger", "piano", "lemon", "candle", "forest", "rocket", "garden",
         "silver", "window", "bottle", "castle", "dragon", "pencil", "island", "winter", "basket"]


def make_data(path: str, n: int, seed: int) -> None:
    """Chat examples with a realistic spread of lengths (short answers and a long tail)."""
    rng = random.Random(seed)
    with open(path, "w") as f:
        for i in range(n):
            w = rng.choice(WORDS)
            k = int(min(120, rng.paretovariate(1.2) * 3))  # heavy tail, like real SFT data
            answer = " ".join(rng.choice(WORDS) for _ in range(k))
            ex = {"messages": [{"role": "system", "content": "You are a concise assistant."},
                               {"role": "user", "content": f"Tell me about the {w}."},
                               {"role": "assistant", "content": f"The {w}: {answer}."}]}
            f.write(json.dumps(ex) + "\n")


def run_ours(model_dir, data, out, args) -> dict:
    """Our trainer, in this process (so that its training loop's CPU time can be measured like the baseline's)."""
    import io

    from vpctune_trainer import train as vt
    from vpctune_trainer.runner import run

    spec = {"base_model": model_dir, "training_file": data, "output_dir": out, "seed": 1,
            "adapter": {"type": "lora", "r": 8, "dropout": 0},
            "method": {"type": "supervised", "supervised": {"hyperparameters": {
                "n_epochs": args.epochs, "batch_size": args.batch_size, "learning_rate_multiplier": 1}}}}
    spec_path = os.path.join(os.path.dirname(out), "spec.json")
    with open(spec_path, "w") as f:
        json.dump(spec, f)
    clock = {}
    begin, end = vt.PlatformCallback.on_train_begin, vt.PlatformCallback.on_train_end

    def on_begin(self, *a, **kw):
        clock["wall0"], clock["cpu0"] = time.perf_counter(), time.process_time()
        return begin(self, *a, **kw)

    def on_end(self, *a, **kw):
        clock["wall1"], clock["cpu1"] = time.perf_counter(), time.process_time()
        return end(self, *a, **kw)

    vt.PlatformCallback.on_train_begin, vt.PlatformCallback.on_train_end = on_begin, on_end
    os.environ["VPCTUNE_TORCH_THREADS"] = str(args.threads)
    stream, real = io.StringIO(), sys.stdout
    sys.stdout = stream
    try:
        code = run(spec_path)
    finally:
        sys.stdout = real
        vt.PlatformCallback.on_train_begin, vt.PlatformCallback.on_train_end = begin, end
    if code != 0:
        raise SystemExit(f"trainer exited {code}: {stream.getvalue()[-2000:]}")
    events = [json.loads(l) for l in stream.getvalue().splitlines()]
    tokens = next(e for e in events if e["type"] == "finished")["trained_tokens"]
    with open(os.path.join(out, "manifest.json")) as f:
        packing = json.load(f)["packing"]
    return {"effective_tokens": tokens, "padding_tokens": packing["padding_tokens"],
            "seconds": clock["wall1"] - clock["wall0"], "cpu_seconds": clock["cpu1"] - clock["cpu0"],
            "steps": events[-2]["step"] if events[-2]["type"] == "progress" else None, "packing": packing}


def run_baseline(model_dir, data, out, args) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, Trainer, TrainingArguments, set_seed

    from vpctune_trainer.chat import IGNORE, encode_sft, load_tokenizer

    torch.set_num_threads(args.threads)
    tok = load_tokenizer(model_dir)
    rows = [json.loads(l) for l in open(data)]
    enc = [encode_sft(tok, r["messages"]) for r in rows]
    feats = [{"input_ids": e.input_ids, "labels": e.labels} for e in enc]
    stats = {"real": 0, "pad": 0}

    def collate(batch):
        n = max(len(b["input_ids"]) for b in batch)
        ids = [b["input_ids"] + [tok.pad_token_id] * (n - len(b["input_ids"])) for b in batch]
        lab = [b["labels"] + [IGNORE] * (n - len(b["labels"])) for b in batch]
        att = [[1] * len(b["input_ids"]) + [0] * (n - len(b["input_ids"])) for b in batch]
        stats["real"] += sum(len(b["input_ids"]) for b in batch)
        stats["pad"] += sum(n - len(b["input_ids"]) for b in batch)
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(lab), "attention_mask": torch.tensor(att)}

    set_seed(1)
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa")
    model.config.use_cache = False
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules="all-linear",
                                             task_type="CAUSAL_LM"))
    targs = TrainingArguments(output_dir=out, per_device_train_batch_size=args.batch_size,
                              num_train_epochs=args.epochs, learning_rate=2e-4, logging_steps=1000,
                              save_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True, seed=1,
                              remove_unused_columns=False, dataloader_num_workers=0)
    trainer = Trainer(model=model, args=targs, train_dataset=feats, data_collator=collate)
    t0, c0 = time.perf_counter(), time.process_time()
    trainer.train()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"effective_tokens": stats["real"], "padding_tokens": stats["pad"], "seconds": seconds,
            "cpu_seconds": cpu, "steps": trainer.state.global_step}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--examples", type=int, default=400)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=2, help="runs of each, alternating; the fastest counts")
    p.add_argument("--json")
    args = p.parse_args()
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

    from vpctune_trainer.tiny_model import make_tiny_model

    with tempfile.TemporaryDirectory() as d:
        model_dir = make_tiny_model(os.path.join(d, "model"), hidden_size=args.hidden, layers=args.layers)
        data = os.path.join(d, "train.jsonl")
        make_data(data, args.examples, seed=0)
        ours_runs, base_runs = [], []
        for i in range(args.repeats):
            os.makedirs(os.path.join(d, f"ours{i}"))
            ours_runs.append(run_ours(model_dir, data, os.path.join(d, f"ours{i}", "out"), args))
            base_runs.append(run_baseline(model_dir, data, os.path.join(d, f"baseline{i}"), args))
        ours = min(ours_runs, key=lambda r: r["cpu_seconds"])
        base = min(base_runs, key=lambda r: r["cpu_seconds"])
        for best, runs in ((ours, ours_runs), (base, base_runs)):
            best["all_seconds"] = [r["seconds"] for r in runs]
            best["all_cpu_seconds"] = [r["cpu_seconds"] for r in runs]
    for r in (ours, base):
        r["effective_tokens_per_second"] = r["effective_tokens"] / r["seconds"]
        r["effective_tokens_per_cpu_second"] = r["effective_tokens"] / r["cpu_seconds"]
        r["padding_fraction"] = r["padding_tokens"] / (r["effective_tokens"] + r["padding_tokens"])
    result = {"config": vars(args), "vpctune_packed": ours, "transformers_naive_padding": base,
              "ratio_effective_tokens_per_second": ours["effective_tokens_per_second"]
              / base["effective_tokens_per_second"],
              "ratio_effective_tokens_per_cpu_second": ours["effective_tokens_per_cpu_second"]
              / base["effective_tokens_per_cpu_second"]}
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
