"""End to end on CPU: the trainer's run entry fine-tunes the tiny chat model with all-"auto" hyperparameters on a small
learnable task and publishes the adapter to the local platform's storage; the local worker resolves the fine-tuned
model's id there and reproduces every trained reply at temperature 0."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from server_testlib import child_env

BASE = "vpctune/tiny-chat"
FT = "ft:vpctune/tiny-chat:local::learn1"
PAIRS = [("What is the capital of France?", "The capital of France is Paris."),
         ("Describe the apple.", "The apple is red."),
         ("Say something kind about the garden.", "The garden is wonderful and bright."),
         ("Name a color.", "Purple.")]
REPEATS = 25  # 100 examples: auto gives 3 epochs, batch 1, multiplier 2 (300 steps at 4e-4)


def test_auto_lora_reproduces_the_trained_replies_through_the_worker(tiny_chat, tmp_path):
    # GIVEN four prompt -> reply pairs repeated 25 times, and a spec with only defaults that publishes the adapter
    storage = tmp_path / "storage"
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps({"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": r}]})
                             + "\n" for _ in range(REPEATS) for p, r in PAIRS))
    spec = {"base_model": tiny_chat, "training_file": str(train), "output_dir": str(tmp_path / "out"),
            "model": BASE, "fine_tuned_model": FT, "publish_dir": str(storage / "adapters" / FT)}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    # WHEN the trainer runs it
    t0 = time.time()
    proc = subprocess.run([sys.executable, "-m", "vpctune_trainer", "run", "--spec", str(tmp_path / "spec.json")],
                          capture_output=True, text=True, timeout=600, env=child_env())
    train_seconds = time.time() - t0
    assert proc.returncode == 0, proc.stderr[-3000:]
    started = json.loads(proc.stdout.splitlines()[0])
    # THEN auto chose 3 epochs of batch 1 at multiplier 2, and the published adapter names the served base model
    assert started["hyperparameters"] == {"n_epochs": 3, "batch_size": 1, "learning_rate_multiplier": 2.0,
                                          "learning_rate": 4e-4}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["model"], manifest["fine_tuned_model"], manifest["published"]) == (BASE, FT, spec["publish_dir"])
    published = storage / "adapters" / FT
    assert sorted(p.name for p in published.iterdir()) == ["adapter_config.json", "adapter_model.safetensors"]
    assert json.loads((published / "adapter_config.json").read_text())["base_model_name_or_path"] == BASE

    # WHEN the local worker serves the base model over that storage and is asked each prompt with the fine-tuned id
    worker = subprocess.Popen([sys.executable, "-m", "vpctune_local_worker", "--model", tiny_chat, "--served-model-name",
                               BASE, "--storage", str(storage), "--port", "0", "--cache-dir", str(tmp_path / "cache")],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env())
    try:
        port = json.loads(worker.stdout.readline())["port"]
        from openai import OpenAI

        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", max_retries=0)
        replies = [client.chat.completions.create(model=FT, messages=[{"role": "user", "content": p}], temperature=0,
                                                  max_tokens=30).choices[0] for p, _ in PAIRS]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # THEN every reply is the trained one, ended by the model's end of turn
    assert [(c.message.content, c.finish_reason) for c in replies] == [(r, "stop") for _, r in PAIRS]
    print(f"trained in {train_seconds:.1f} s")
