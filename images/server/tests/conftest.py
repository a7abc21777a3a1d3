"""Fixtures of the serving tests: the tiny chat model (built offline once per session)."""

from __future__ import annotations

import pytest
import server_testlib  # noqa: F401 - puts the packages' sources on sys.path


@pytest.fixture(scope="session")
def tiny_chat(tmp_path_factory) -> str:
    import torch
    from vpctune_trainer.tiny_model import make_tiny_model

    torch.set_num_threads(int(server_testlib.THREADS))
    return make_tiny_model(str(tmp_path_factory.mktemp("tiny-chat")))
