"""Two "nodes" on one machine through `python -m vpctune_trainer launch`, with the rendezvous environment a Kubernetes
Indexed Job and its headless Service give each pod (NNODES, NODE_RANK or JOB_COMPLETION_INDEX, MASTER_ADDR,
MASTER_PORT): torchrun on CPU (gloo), one process per node, each node with its own staging directory as on separate
machines. What this does not cover: separate hosts and network, GPUs, NCCL, EFA."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import torch
from trainer_testlib import child_env, distributed_lora_spec, free_port, load_adapter_weights, read_jsonl, run_cli

HP = {"n_epochs": 2, "batch_size": 6, "learning_rate_multiplier": 25}




def test_two_nodes_from_the_indexed_job_environment_train_one_model(tiny_llama3, tmp_path):
    """Given a LoRA job with 20 examples and a global batch of 6 over 2 epochs (dropout 0), when it runs as two nodes
    of one process each, node 0 from NODE_RANK=0 and node 1 from JOB_COMPLETION_INDEX=1 (NODE_RANK unset, as an
    Indexed Job gives it), both with NNODES=2 and the same MASTER_ADDR/MASTER_PORT, and separately as one process,
    then: both nodes exit 0; only node 0 (global rank 0) prints events; ceil(20/6)=4 steps per epoch (8 in all);
    every step's trained tokens are identical to the one-process run, losses agree to 1e-5 relative and the adapters
    within 5e-4: the two nodes trained one model together."""
    env = child_env(OMP_NUM_THREADS=1, VPCTUNE_TORCH_THREADS=1)
    spec1, out1 = distributed_lora_spec(tiny_llama3, tmp_path, "one", HP, 3)
    one = run_cli(["run", "--spec", str(spec1)], env=env, timeout=400)
    assert one.returncode == 0, one.stderr[-4000:]

    spec2, out2 = distributed_lora_spec(tiny_llama3, tmp_path, "two", HP, 3)
    common = {**env, "NNODES": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(free_port())}
    node_env = [
        {**common, "NODE_RANK": "0", "VPCTUNE_STAGING_DIR": str(tmp_path / "node-0")},
        {**{k: v for k, v in common.items() if k != "NODE_RANK"}, "JOB_COMPLETION_INDEX": "1",
         "VPCTUNE_STAGING_DIR": str(tmp_path / "node-1")},
    ]
    cmd = [sys.executable, "-m", "vpctune_trainer", "launch", "--spec", str(spec2), "--nproc-per-node", "1"]
    nodes = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e) for e in node_env]
    outs = [n.communicate(timeout=400) for n in nodes]
    for n, (_, err) in zip(nodes, outs):
        assert n.returncode == 0, err[-4000:]
    events = [json.loads(l) for l in outs[0][0].splitlines() if l.strip()]
    assert outs[1][0].strip() == ""  # node 1 holds rank 1: it prints nothing
    assert events[0]["type"] == "started" and events[0]["total_steps"] == 8 == 2 * math.ceil(20 / 6)
    assert events[-1]["type"] == "finished"
    assert read_jsonl(out2 / "events.jsonl") == events

    m1, m2 = read_jsonl(out1 / "metrics.jsonl"), read_jsonl(out2 / "metrics.jsonl")
    assert [m["iteration"] for m in m2] == list(range(1, 9))
    assert [m["trained_tokens"] for m in m1] == [m["trained_tokens"] for m in m2]
    for a, b in zip(m1, m2):
        assert math.isclose(a["train_loss"], b["train_loss"], rel_tol=1e-5)
    w1, w2 = load_adapter_weights(out1 / "adapter"), load_adapter_weights(out2 / "adapter")
    for name in w1:
        torch.testing.assert_close(w2[name], w1[name], atol=5e-4, rtol=0)
