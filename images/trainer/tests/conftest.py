"""Fixtures: the tiny models (built offline once per session) and one shared LoRA run."""

from __future__ import annotations

import pytest
from trainer_testlib import _torch_threads, lora_spec, run_cli, write_spec


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


@pytest.fixture(scope="session")
def lora_run(tiny_llama3, tmp_path_factory):
    """One uninterrupted LoRA SFT run (checkpoints every 3 steps and at each epoch end), shared by the end-to-end
    test and the resume test's reference."""
    out = tmp_path_factory.mktemp("lora-run") / "out"
    spec = write_spec(out.parent / "spec.json", lora_spec(tiny_llama3, out, checkpoint_steps=3))
    proc = run_cli(["run", "--spec", str(spec)])
    return {"proc": proc, "out": out, "spec": spec}
