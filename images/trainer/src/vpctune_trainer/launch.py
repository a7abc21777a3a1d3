"""``python -m vpctune_trainer launch --spec SPEC.json``: torchrun over this node's GPUs and, for multi-node jobs,
the standard rendezvous environment a Kubernetes Indexed Job with a headless Service provides:

* ``NNODES`` (default 1), ``NODE_RANK`` (default ``JOB_COMPLETION_INDEX``, then 0),
* ``MASTER_ADDR`` (e.g. ``<job>-0.<headless service>``; default 127.0.0.1), ``MASTER_PORT`` (default 29500).

torchrun reports any non-zero worker exit as its own failure, so the exit code is mapped back from the job's last
event: ``stopped`` -> 75, ``failed`` invalid_spec/invalid_data -> 2, ``finished`` -> 0.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys


def torchrun_command(spec_path: str, env: dict, nproc_per_node: int | str | None = None, gpus: int = 0) -> list[str]:
    nnodes = int(env.get("NNODES", "1"))
    node_rank = int(env.get("NODE_RANK", env.get("JOB_COMPLETION_INDEX", "0")))
    nproc = int(nproc_per_node) if nproc_per_node not in (None, "") else max(1, gpus)
    cmd = [sys.executable, "-m", "torch.distributed.run", f"--nnodes={nnodes}", f"--nproc_per_node={nproc}",
           f"--node_rank={node_rank}", f"--master_addr={env.get('MASTER_ADDR', '127.0.0.1')}",
           f"--master_port={env.get('MASTER_PORT', '29500')}"]
    if nnodes > 1:
        cmd.append("--max_restarts=0")
    cmd += ["-m", "vpctune_trainer", "run", "--spec", spec_path]
    return cmd


def _last_event(spec_path: str) -> dict | None:
    try:
        with open(spec_path) as f:
            out = json.load(f).get("output_dir", "")
        if "://" in out:  # an object-store output: its local mirror (see runner.py)
            import hashlib
            import tempfile

            staging = os.environ.get("VPCTUNE_STAGING_DIR") or os.path.join(
                tempfile.gettempdir(), "vpctune-" + hashlib.sha1(os.path.abspath(spec_path).encode()).hexdigest()[:12])
            out = os.path.join(staging, "output")
        with open(os.path.join(out, "events.jsonl")) as f:
            lines = [l for l in f if l.strip()]
        return json.loads(lines[-1]) if lines else None
    except (OSError, ValueError, AttributeError):
        return None


def launch(spec_path: str, nproc_per_node=None) -> int:
    gpus = 0
    try:
        import torch

        gpus = torch.cuda.device_count()
    except Exception:  # pragma: no cover
        pass
    cmd = torchrun_command(spec_path, dict(os.environ), nproc_per_node, gpus)
    child = subprocess.Popen(cmd)

    def forward(signum, frame):
        # Kubernetes sends SIGTERM to the entrypoint (this process); torchrun passes it on to every worker, which
        # checkpoints at the end of its current step (torchrun kills workers still alive 30 s later)
        child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    rc = child.wait()
    if rc == 0:
        return 0
    ev = _last_event(spec_path)
    if ev and ev.get("type") == "stopped":
        return 75
    if ev and ev.get("type") == "failed" and ev.get("code") in ("invalid_spec", "invalid_data"):
        return 2
    return rc if rc not in (0, 75, 2) else 1
