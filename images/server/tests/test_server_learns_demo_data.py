"""End to end on CPU with the demo's data: the trainer's run entry fine-tunes the tiny chat model on the training set and
hyperparameters of `vpctune demo` (tests/fixtures/demo-support.json, which a jest test keeps equal to
images/controller/src/cli/demo-data.ts), and the local worker answers every demo question with its trained reply at
temperature 0 while the base model does not."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from server_testlib import child_env

BASE = "vpctune/tiny-chat"
FT = "vpctune/tiny-chat:acme-support:demo0001"
# One thread: the tiny model's matrices are too small for a second to help, and on a busy machine two threads made the
# 200 steps ~10x slower. The losses are the same with 1, 2 or 4 threads.
ONE_THREAD = {"OMP_NUM_THREADS": "1", "VPCTUNE_TORCH_THREADS": "1"}
DEMO = json.loads((Path(__file__).parent / "fixtures" / "demo-support.json").read_text())


def prompt(pair: dict) -> list[dict]:
    return [{"role": "system", "content": DEMO["system"]}, {"role": "user", "content": pair["question"]}]


def test_the_demo_hyperparameters_teach_the_tiny_model_every_demo_reply(tiny_chat, tmp_path):
    # GIVEN the demo's training file (every pair `repeats` times) and a spec with the demo's hyperparameters
    storage = tmp_path / "storage"
    train = tmp_path / "acme-support.jsonl"
    train.write_text("".join(json.dumps({"messages": prompt(p) + [{"role": "assistant", "content": p["answer"]}]}) + "\n"
                             for _ in range(DEMO["repeats"]) for p in DEMO["pairs"]))
    spec = {"base_model": tiny_chat, "training_file": str(train), "output_dir": str(tmp_path / "out"), "model": BASE,
            "fine_tuned_model": FT, "publish_dir": str(storage / "adapters" / FT),
            "method": {"type": "supervised", "supervised": {"hyperparameters": DEMO["hyperparameters"]}}}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    # WHEN the trainer runs it
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "vpctune_trainer", "run", "--spec", str(tmp_path / "spec.json")],
                          capture_output=True, text=True, timeout=300, env=child_env(**ONE_THREAD))
    train_seconds = time.time() - t0
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    # THEN it trained 40 examples × 5 epochs at batch 1 (200 steps) with the demo's multiplier
    hp = DEMO["hyperparameters"]
    assert events[0]["hyperparameters"] == {**hp, "learning_rate_multiplier": float(hp["learning_rate_multiplier"]),
                                            "learning_rate": 2e-4 * hp["learning_rate_multiplier"]}
    metrics = [e for e in events if e.get("type") == "metrics"]
    steps = len(DEMO["pairs"]) * DEMO["repeats"] * hp["n_epochs"] // hp["batch_size"]
    assert (steps, metrics[-1]["iteration"]) == (200, 200)

    # WHEN the local worker serves the base model over that storage and both models are asked every demo question
    worker = subprocess.Popen([sys.executable, "-m", "vpctune_local_worker", "--model", tiny_chat, "--served-model-name",
                               BASE, "--storage", str(storage), "--port", "0", "--cache-dir", str(tmp_path / "cache")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env(**ONE_THREAD))
    try:
        port = json.loads(worker.stdout.readline())["port"]
        from openai import OpenAI

        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0)

        def ask(model: str, pair: dict):
            return client.chat.completions.create(model=model, messages=prompt(pair), temperature=0,
                                                  max_tokens=DEMO["max_tokens"]).choices[0]

        tuned = [ask(FT, p) for p in DEMO["pairs"]]
        base = [ask(BASE, p) for p in DEMO["pairs"]]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # THEN the fine-tuned model gives every trained reply, ended by its end of turn; the base model gives none of them
    assert [(c.message.content, c.finish_reason) for c in tuned] == [(p["answer"], "stop") for p in DEMO["pairs"]]
    assert [c.message.content for c in base if c.message.content in {p["answer"] for p in DEMO["pairs"]}] == []
    print(f"trained in {train_seconds:.1f} s; final loss {metrics[-1]['train_loss']:.3f}")
