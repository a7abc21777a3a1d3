"""Shared fixtures: the tiny models (built offline once per session) and helpers to run the trainer CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "test" / "fixtures" / "training-data"
# Two cores are shared with other suites: keep every training process to one or two threads.
THREADS = "2"

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _torch_threads():
    import torch

    torch.set_num_threads(int(THREADS))


@pytest.fixture(scope="session")
def tiny_llama3(tmp_path_factory) -> str:
    from vpctune_trainer.tiny_model import make_tiny_model

    _torch_threads()
    return make_tiny_model(str(tmp_path_factory.mktemp("tiny-llama3")), template="llama3")


@pytest.fixture(scope="session")
def tiny_chatml(tmp_path_factory) -> str:
    from vpctune_trainer.tiny_model import make_tiny_model

    _torch_threads()
    return make_tiny_model(str(tmp_path_factory.mktemp("tiny-chatml")), template="chatml")


def child_env(**extra) -> dict:
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": THREADS, "VPCTUNE_TORCH_THREADS": THREADS, "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def write_spec(path: Path, spec: dict) -> Path:
    path.write_text(json.dumps(spec))
    return path


def run_cli(args: list[str], timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vpctune_trainer", *args], capture_output=True, text=True,
                          timeout=timeout, env=env or child_env())


def stdout_events(proc: subprocess.CompletedProcess) -> list[dict]:
    """Every stdout line must be one JSON event."""
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def read_jsonl(path) -> list[dict]:
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def lora_spec(base: str, out: Path, **over) -> dict:
    spec = {
        "base_model": base,
        "training_file": str(FIXTURES / "sft-good.jsonl"),
        "validation_file": str(FIXTURES / "sft-valid.jsonl"),
        "method": {"type": "supervised", "supervised": {"hyperparameters": {
            "n_epochs": 4, "batch_size": 4, "learning_rate_multiplier": 25}}},
        "adapter": {"type": "lora", "r": 8},
        "seed": 7,
        "output_dir": str(out),
    }
    spec.update(over)
    return spec


def load_adapter_weights(path) -> dict:
    from safetensors.torch import load_file

    return load_file(os.path.join(path, "adapter_model.safetensors"))


@pytest.fixture(scope="session")
def lora_run(tiny_llama3, tmp_path_factory):
    """One uninterrupted LoRA SFT run (checkpoints every 3 steps and at each epoch end), shared by the end-to-end
    test and the resume test's reference."""
    out = tmp_path_factory.mktemp("lora-run") / "out"
    spec = write_spec(out.parent / "spec.json", lora_spec(tiny_llama3, out, checkpoint_steps=3))
    proc = run_cli(["run", "--spec", str(spec)])
    return {"proc": proc, "out": out, "spec": spec}
