"""Preemption: SIGTERM checkpoints and exits 75; a rerun on the same output_dir resumes exactly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import torch
from trainer_testlib import child_env, load_adapter_weights, lora_spec, read_jsonl, write_spec

# Same seed, same data order, RNG (LoRA dropout) restored from the checkpoint: on CPU in fp32 the resumed run
# reproduces the uninterrupted one; we allow 1e-6 absolute for kernel-level nondeterminism.
WEIGHTS_ATOL = 1e-6


def test_sigterm_then_rerun_matches_uninterrupted_run(lora_run, tiny_llama3, tmp_path):
    """Given the LoRA job of test_train_sft (seed 7, dropout 0.05, checkpoints every 3 steps), when it receives
    SIGTERM after its first checkpoint, then it saves a checkpoint at the step it was on, emits `stopped` naming it
    and exits 75; when rerun with the same output_dir, it emits `started` with resumed_from_step, finishes with exit
    0, metrics.jsonl has iterations 1..20 with no gap or repeat, the trained-token count matches, and the final
    adapter equals the uninterrupted run's within 1e-6."""
    out = tmp_path / "out"
    spec = write_spec(tmp_path / "spec.json", lora_spec(tiny_llama3, out, checkpoint_steps=3))
    cmd = [sys.executable, "-m", "vpctune_trainer", "run", "--spec", str(spec)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env())
    first = []
    for line in proc.stdout:
        ev = json.loads(line)
        first.append(ev)
        if ev["type"] == "checkpoint":
            # freeze it, queue SIGTERM, let it go: the handler runs mid-training, never after the end
            os.kill(proc.pid, signal.SIGSTOP)
            os.kill(proc.pid, signal.SIGTERM)
            os.kill(proc.pid, signal.SIGCONT)
            break
    first += [json.loads(l) for l in proc.stdout]
    assert proc.wait(timeout=300) == 75
    stopped = first[-1]
    assert stopped["type"] == "stopped"
    k = stopped["step"]
    assert 3 <= k < 20
    assert stopped["checkpoint"] == f"checkpoints/step-{k}"
    assert first[-2] == {**first[-2], "type": "checkpoint", "step": k, "path": f"checkpoints/step-{k}"}
    assert (out / "checkpoints" / f"step-{k}" / "optimizer.pt").exists()
    assert not (out / "adapter").exists() and not (out / "manifest.json").exists()
    assert [m["iteration"] for m in read_jsonl(out / "metrics.jsonl")] == list(range(1, k + 1))

    second = subprocess.run(cmd, capture_output=True, text=True, env=child_env(), timeout=300)
    assert second.returncode == 0, second.stderr[-3000:]
    events = [json.loads(l) for l in second.stdout.splitlines()]
    assert events[0]["type"] == "started" and events[0]["resumed_from_step"] == k
    assert [e["step"] for e in events if e["type"] == "progress"] == list(range(k + 1, 21))
    assert events[-1]["type"] == "finished"
    assert read_jsonl(out / "events.jsonl") == first + events  # appended, so a controller can re-attach

    metrics = read_jsonl(out / "metrics.jsonl")
    reference = read_jsonl(lora_run["out"] / "metrics.jsonl")
    assert [m["iteration"] for m in metrics] == list(range(1, 21))
    assert [m["trained_tokens"] for m in metrics] == [m["trained_tokens"] for m in reference]
    for a, b in zip(metrics, reference):
        assert abs(a["train_loss"] - b["train_loss"]) < 1e-4
    assert metrics[-1]["time_since_job_start"] >= metrics[k - 1]["time_since_job_start"]

    got = load_adapter_weights(out / "adapter")
    want = load_adapter_weights(lora_run["out"] / "adapter")
    assert got.keys() == want.keys()
    for name in want:
        torch.testing.assert_close(got[name], want[name], atol=WEIGHTS_ATOL, rtol=0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert f"checkpoints/step-{k}" in manifest["checkpoints"] and manifest["steps"] == 20


def test_resume_drops_metrics_written_after_the_checkpoint(tmp_path):
    """Given metrics.jsonl lines beyond the checkpoint being resumed (a run killed with SIGKILL after step 5 but
    with its last checkpoint at 3), when the job resumes, then lines after step 3 are dropped so none repeats."""
    from vpctune_trainer.train import truncate_metrics

    (tmp_path / "metrics.jsonl").write_text("".join(json.dumps({"iteration": i}) + "\n" for i in range(1, 6)))
    truncate_metrics(str(tmp_path), 3)
    assert [m["iteration"] for m in read_jsonl(tmp_path / "metrics.jsonl")] == [1, 2, 3]


def test_latest_checkpoint_ignores_unfinished_ones(tmp_path):
    """Given checkpoints/step-3 (complete), step-6 (no vpctune_state.json: the save was cut short) and a
    transformers checkpoint-9 folder (never renamed), then the job resumes from step-3."""
    from vpctune_trainer.train import latest_checkpoint

    for name, files in {"step-3": ["trainer_state.json", "vpctune_state.json"], "step-6": ["trainer_state.json"],
                        "checkpoint-9": ["trainer_state.json", "vpctune_state.json"]}.items():
        d = tmp_path / "checkpoints" / name
        d.mkdir(parents=True)
        for f in files:
            (d / f).write_text("{}")
    assert latest_checkpoint(str(tmp_path)) == (3, str(tmp_path / "checkpoints" / "step-3"))


def test_sigterm_before_the_first_step_exits_75_without_a_checkpoint(tiny_llama3, tmp_path, monkeypatch):
    """Given a job that receives SIGTERM while it is still loading the model (sent from inside from_pretrained, so
    the timing is deterministic; run in process), then it emits `stopped` at step 0 with checkpoint null, exits 75,
    trains nothing, and restores the previous SIGTERM handler afterwards."""
    import io

    import transformers

    from vpctune_trainer.runner import run

    real = transformers.AutoModelForCausalLM.from_pretrained

    def preempted(*a, **kw):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*a, **kw)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", preempted)
    before = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "out"
    spec = write_spec(tmp_path / "spec.json", lora_spec(tiny_llama3, out))
    stream, real_stdout = io.StringIO(), sys.stdout
    sys.stdout = stream
    try:
        code = run(str(spec))
    finally:
        sys.stdout = real_stdout
    events = [json.loads(l) for l in stream.getvalue().splitlines()]
    assert code == 75
    assert [e["type"] for e in events] == ["stopped"]
    assert (events[0]["step"], events[0]["checkpoint"]) == (0, None)
    assert not (out / "checkpoints").exists() and not (out / "metrics.jsonl").exists()
    assert signal.getsignal(signal.SIGTERM) == before
