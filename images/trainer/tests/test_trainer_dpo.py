"""DPO (trl's DPOTrainer) on a small preference file in OpenAI's format."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import torch
from trainer_testlib import (FIXTURES, child_env, load_adapter_weights, read_jsonl, run_cli, stdout_events,
                             write_spec)


def _dpo_spec(base, out):
    return {"base_model": base, "training_file": str(FIXTURES / "dpo-good.jsonl"),
            "validation_file": str(FIXTURES / "dpo-good.jsonl"),
            "method": {"type": "dpo", "dpo": {"hyperparameters": {
                "n_epochs": 2, "batch_size": 4, "learning_rate_multiplier": 20, "beta": 0.1}}},
            "adapter": {"type": "lora", "r": 8}, "seed": 3, "checkpoint_steps": 2, "output_dir": str(out)}


@pytest.fixture(scope="module")
def dpo_run(tiny_llama3, tmp_path_factory):
    d = tmp_path_factory.mktemp("dpo")
    proc = run_cli(["run", "--spec", str(write_spec(d / "spec.json", _dpo_spec(tiny_llama3, d / "out")))])
    return proc, d / "out"


def _seq_logp(model, tok, prompt, answer):
    text_p = tok.apply_chat_template(prompt, tokenize=False, add_generation_prompt=True)
    text = tok.apply_chat_template(prompt + answer, tokenize=False)
    ids = tok(text, add_special_tokens=False, return_tensors="pt")["input_ids"]
    n_prompt = len(tok(text_p, add_special_tokens=False)["input_ids"])
    with torch.no_grad():
        logits = model(input_ids=ids).logits[0, :-1].float()
    logp = torch.log_softmax(logits, -1).gather(-1, ids[0, 1:, None])[:, 0]
    return logp[n_prompt - 1:].sum().item()


def test_dpo_reward_margin_grows(tiny_llama3, dpo_run):
    """Given 20 preference pairs (preferred: a kind sentence; non-preferred: "No.") and a LoRA DPO spec with beta
    0.1, when the job runs, then it exits 0 with the contract's events, trl's logged chosen-vs-rejected reward margin
    grows from 0 at the first step to clearly positive at the end, valid_loss (the DPO loss on the validation file)
    is reported at each epoch end with perplexity null, and, checked independently with the saved adapter, the
    implicit reward beta*(log pi/pi_ref(chosen) - log pi/pi_ref(rejected)) is positive on every training pair."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    proc, out = dpo_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = stdout_events(proc)
    assert events[0]["type"] == "started" and events[0]["total_steps"] == 10
    assert events[0]["hyperparameters"] == {"n_epochs": 2, "batch_size": 4, "learning_rate_multiplier": 20.0,
                                            "learning_rate": 5e-5 * 20, "beta": 0.1}
    assert events[-1]["type"] == "finished"

    metrics = read_jsonl(out / "metrics.jsonl")
    assert [m["iteration"] for m in metrics] == list(range(1, 11))
    assert [m["valid_loss"] is not None for m in metrics] == [i % 5 == 0 for i in range(1, 11)]
    assert all(m["perplexity"] is None for m in metrics)
    assert metrics[-1]["train_loss"] < metrics[0]["train_loss"]
    assert metrics[-1]["trained_tokens"] > metrics[0]["trained_tokens"] > 0

    state = json.loads((out / "checkpoints" / "step-10" / "trainer_state.json").read_text())
    margins = [h["rewards/margins"] for h in state["log_history"] if "rewards/margins" in h and "loss" in h]
    assert len(margins) == 10
    assert abs(margins[0]) < 1e-6 and margins[-1] > 0.5
    assert sum(margins[5:]) > sum(margins[:5])

    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["method"], manifest["output"], manifest["hyperparameters"]["beta"]) == ("dpo", "adapter", 0.1)

    tok = AutoTokenizer.from_pretrained(tiny_llama3)
    ref = AutoModelForCausalLM.from_pretrained(tiny_llama3).eval()
    policy = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_llama3), out / "adapter").eval()
    for line in (FIXTURES / "dpo-good.jsonl").read_text().splitlines()[:6]:
        ex = json.loads(line)
        prompt = ex["input"]["messages"]
        ch, rj = ex["preferred_output"], ex["non_preferred_output"]
        margin = 0.1 * ((_seq_logp(policy, tok, prompt, ch) - _seq_logp(ref, tok, prompt, ch))
                        - (_seq_logp(policy, tok, prompt, rj) - _seq_logp(ref, tok, prompt, rj)))
        assert margin > 0


def test_dpo_sigterm_and_resume_matches_uninterrupted(tiny_llama3, dpo_run, tmp_path):
    """Given the same DPO job, when it gets SIGTERM after its first checkpoint (exit 75) and is rerun, then it
    resumes from that checkpoint (the trained adapter, not a fresh one: trl is given the LoRA config rather than a
    wrapped model, so the checkpoint holds one adapter), its metrics cover iterations 1..10 once, and its final
    adapter equals the uninterrupted run's within 1e-6."""
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "vpctune_trainer", "run", "--spec",
           str(write_spec(tmp_path / "spec.json", _dpo_spec(tiny_llama3, out)))]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=child_env())
    for line in proc.stdout:
        if json.loads(line)["type"] == "checkpoint":
            os.kill(proc.pid, signal.SIGSTOP)
            os.kill(proc.pid, signal.SIGTERM)
            os.kill(proc.pid, signal.SIGCONT)
            break
    rest = [json.loads(l) for l in proc.stdout]
    assert proc.wait(timeout=300) == 75 and rest[-1]["type"] == "stopped"
    k = rest[-1]["step"]
    second = run_cli(cmd[3:])
    assert second.returncode == 0, second.stderr[-3000:]
    assert stdout_events(second)[0]["resumed_from_step"] == k
    metrics, reference = read_jsonl(out / "metrics.jsonl"), read_jsonl(dpo_run[1] / "metrics.jsonl")
    assert [m["iteration"] for m in metrics] == list(range(1, 11))
    for a, b in zip(metrics, reference):
        assert abs(a["train_loss"] - b["train_loss"]) < 1e-5
    got, want = load_adapter_weights(out / "adapter"), load_adapter_weights(dpo_run[1] / "adapter")
    assert got.keys() == want.keys()
    for name in want:
        torch.testing.assert_close(got[name], want[name], atol=1e-6, rtol=0)
