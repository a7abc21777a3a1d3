"""A CPU worker started by a controller that is then killed (-9) must not live on holding the model and its port: it
exits once it has been re-parented. Runs the real argument parser with a model path that does not exist, so nothing
heavy loads: the watcher is started first."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1]
PYTHONPATH = os.pathsep.join(str(p) for p in (SRC / "vpctune_local_worker" / "src", SRC / "vpctune_lora_resolver" / "src"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie counts as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def _start_worker_from_a_parent_that_dies(tmp: Path, extra: list[str]) -> int:
    # GIVEN a parent process that starts a worker (which then blocks reading a FIFO, so it stays up) and then dies
    fifo = tmp / f"block-{len(extra)}"
    os.mkfifo(fifo)
    parent = textwrap.dedent(f"""
        import subprocess, sys
        import os
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.argv = ['w'] + {extra!r}; "
            "import vpctune_local_worker.cli as c; "
            f"c.exit_when_orphaned({{os.getpid()}}, 0.2) if '--outlive-parent' not in sys.argv else None; "
            "open({str(fifo)!r}).read()"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(child.pid, flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", parent], env={**os.environ, "PYTHONPATH": PYTHONPATH}, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_worker_exits_when_its_parent_is_gone(tmp_path: Path):
    pid = _start_worker_from_a_parent_that_dies(tmp_path, [])
    # (and a worker asked to outlive its parent stays: the same setup, the watcher not started)
    stays = _start_worker_from_a_parent_that_dies(tmp_path, ["--outlive-parent"])
    # WHEN its parent has exited THEN the worker ends within a few polls
    deadline = time.time() + 10
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.1)
    assert not _alive(pid)
    assert _alive(stays)
    os.kill(stays, 9)


def test_cli_starts_the_watcher_unless_asked_to_outlive_the_parent():
    # GIVEN the CLI's source WHEN read THEN the watcher starts before anything is loaded, and --outlive-parent skips it
    src = (SRC / "vpctune_local_worker" / "src" / "vpctune_local_worker" / "cli.py").read_text()
    parse, watch, load = src.index("args = p.parse_args(argv)"), src.index("exit_when_orphaned(args.parent_pid)"), src.index("from .model_host import ModelHost")
    assert parse < watch < load
    assert "if not args.outlive_parent:" in src
