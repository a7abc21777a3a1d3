"""Two-process data parallelism on CPU (torchrun, gloo) through `python -m vpctune_trainer launch`."""

from __future__ import annotations

import json
import math
import socket

import torch
from trainer_testlib import child_env, load_adapter_weights, lora_spec, read_jsonl, run_cli, stdout_events, write_spec

# One process vs two (gloo all-reduce of gradients and token counts): the same global-token-mean loss, different
# summation order. Over 8 Adam steps at lr 5e-3 the adapters agree to ~4e-5; we allow 2e-4 on weights and 1e-5
# relative on losses.
WEIGHTS_ATOL = 2e-4
LOSS_RTOL = 1e-5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_ddp_matches_one_process(tiny_llama3, tmp_path):
    """Given a LoRA job with 20 examples and a global batch of 6 (dropout 0, so both runs draw no random numbers
    while training), when it runs as 2 processes through `launch --nproc-per-node 2` and as 1 process, then both exit
    0, both take ceil(20/6)=4 optimizer steps per epoch (8 in all), rank 0 alone writes events, every step's
    trained-token count is identical (each example counted once across both ranks), the logged losses and the
    validation losses agree to 1e-5 relative, and the final adapters agree within 2e-4: the processes trained one
    model together rather than each alone on its half."""
    hp = {"n_epochs": 2, "batch_size": 6, "learning_rate_multiplier": 25}
    runs = {}
    for n in (1, 2):
        out = tmp_path / f"out{n}"
        spec = lora_spec(tiny_llama3, out, adapter={"type": "lora", "r": 8, "dropout": 0})
        spec["method"]["supervised"]["hyperparameters"] = hp
        path = write_spec(tmp_path / f"spec{n}.json", spec)
        env = child_env(OMP_NUM_THREADS=1, VPCTUNE_TORCH_THREADS=1, MASTER_PORT=_free_port())
        args = ["launch", "--spec", str(path), "--nproc-per-node", "2"] if n == 2 else ["run", "--spec", str(path)]
        proc = run_cli(args, env=env, timeout=400)
        assert proc.returncode == 0, proc.stderr[-4000:]
        runs[n] = (proc, out)

    for n, (proc, out) in runs.items():
        events = stdout_events(proc)
        assert events == read_jsonl(out / "events.jsonl")
        assert [e["type"] for e in events].count("started") == 1  # only rank 0 writes
        assert events[0]["total_steps"] == 8 == 2 * math.ceil(20 / 6)
        assert [e["step"] for e in events if e["type"] == "progress"] == list(range(1, 9))

    m1, m2 = (read_jsonl(runs[n][1] / "metrics.jsonl") for n in (1, 2))
    assert [m["trained_tokens"] for m in m1] == [m["trained_tokens"] for m in m2]
    for a, b in zip(m1, m2):
        assert math.isclose(a["train_loss"], b["train_loss"], rel_tol=LOSS_RTOL)
        assert (a["valid_loss"] is None) == (b["valid_loss"] is None)
        if a["valid_loss"] is not None:
            assert math.isclose(a["valid_loss"], b["valid_loss"], rel_tol=LOSS_RTOL)
    w1, w2 = (load_adapter_weights(runs[n][1] / "adapter") for n in (1, 2))
    for k in w1:
        torch.testing.assert_close(w2[k], w1[k], atol=WEIGHTS_ATOL, rtol=0)
    assert json.loads((runs[2][1] / "manifest.json").read_text())["steps"] == 8
