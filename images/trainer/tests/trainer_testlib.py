"""Helpers for the trainer tests. A uniquely named module (not conftest) so that it cannot clash with another
image's test helpers when pytest collects several test directories at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for MASTER_PORT or a local server)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def distributed_lora_spec(tiny: str, tmp_path: Path, name: str, hyperparameters: dict, checkpoint_steps: int):
    """A LoRA spec without dropout (no random numbers drawn while training, so runs over different process layouts
    are comparable), written to ``tmp_path/<name>.json``; returns (spec path, output dir)."""
    spec = lora_spec(tiny, tmp_path / name, adapter={"type": "lora", "r": 8, "dropout": 0},
                     checkpoint_steps=checkpoint_steps)
    spec["method"]["supervised"]["hyperparameters"] = hyperparameters
    return write_spec(tmp_path / f"{name}.json", spec), tmp_path / name
