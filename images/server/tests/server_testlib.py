"""Helpers for the serving tests. A uniquely named module (not conftest) so that it cannot clash with the trainer's
test helpers when pytest collects both test directories at once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1]
REPO = SERVER.parents[1]
# The packages are not installed in the trainer's venv by scripts/ensure-trainer-env.cjs (yet): import them from source.
SOURCE_DIRS = [str(SERVER / "vpctune_lora_resolver" / "src"), str(SERVER / "vpctune_local_worker" / "src"),
               str(REPO / "images" / "trainer" / "src")]
for _d in SOURCE_DIRS:
    if _d not in sys.path:
        sys.path.insert(0, _d)

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # peft looks a base model's name up on the hub unless told not to
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
THREADS = "2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextmanager
def moto_s3_server():
    """moto's S3 server on 127.0.0.1, with boto3 pointed at it through the environment."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = {**AWS, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        wait_for_port(port, proc=proc)
        yield env["AWS_ENDPOINT_URL"]
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        proc.terminate()
        proc.wait(timeout=10)


def write_fake_adapter(directory: Path, base_model: str, r: int = 8, weights: bytes = b"\0" * 1000) -> Path:
    """An adapter in vLLM's layout whose weights are opaque bytes (the resolver never parses them)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "adapter_config.json").write_text(json.dumps(
        {"peft_type": "LORA", "base_model_name_or_path": base_model, "r": r, "lora_alpha": 2 * r,
         "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM"}))
    (directory / "adapter_model.safetensors").write_bytes(weights)
    return directory


def child_env(**extra) -> dict:
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": THREADS, "VPCTUNE_TORCH_THREADS": THREADS, "PYTHONUNBUFFERED": "1",
                "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error",
                "PYTHONPATH": os.pathsep.join(SOURCE_DIRS + [env.get("PYTHONPATH", "")]).rstrip(os.pathsep)})
    env.update({k: str(v) for k, v in extra.items()})
    return env
