"""``python -m vpctune_local_worker --model DIR --served-model-name ID [--storage URL] …``: serves until killed.
Prints one JSON line on stdout when it listens: ``{"event": "listening", "host": …, "port": …}``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time


def exit_when_orphaned(parent: int, poll_seconds: float = 1.0) -> threading.Thread:
    """Ends this process once it is no longer the child of ``parent`` (it is re-parented when that process is gone,
    also if that happened before this call): a controller killed with -9 cannot stop its worker, which would otherwise
    keep the model in memory and its port open forever."""

    def watch() -> None:
        while True:
            time.sleep(poll_seconds)
            if os.getppid() != parent:
                os._exit(0)

    t = threading.Thread(target=watch, name="exit-when-orphaned", daemon=True)
    t.start()
    return t


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="vpctune_local_worker", description=__doc__)
    p.add_argument("--model", required=True, help="the base model's directory (from_pretrained)")
    p.add_argument("--served-model-name", required=True, help="the base model's id as clients name it")
    p.add_argument("--storage", help="the platform's storage URL; unknown model names are looked up under adapters/")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    p.add_argument("--max-loras", type=int, default=4, help="adapters loaded at once (least recently used unloaded)")
    p.add_argument("--max-lora-rank", type=int, default=512)
    p.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "vpctune-local-worker-adapters"))
    p.add_argument("--cache-max-bytes", type=int, default=2 * 1024**3)
    p.add_argument("--parent-pid", type=int, default=os.getppid(),
                   help="the process whose end ends the worker (default: the one that started it)")
    p.add_argument("--outlive-parent", action="store_true",
                   help="keep serving after the parent process has gone (by default the worker exits with it)")
    args = p.parse_args(argv)
    if not args.outlive_parent:
        exit_when_orphaned(args.parent_pid)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    from .http_server import make_server
    from .model_host import ModelHost

    resolve = None
    if args.storage:
        from vpctune_lora_resolver import AdapterResolver, ResolverSettings

        core = AdapterResolver(ResolverSettings(storage_url=args.storage, cache_dir=args.cache_dir,
                                                cache_max_bytes=args.cache_max_bytes, max_lora_rank=args.max_lora_rank))
        resolve = lambda name: core.resolve(args.served_model_name, name)  # noqa: E731
    host = ModelHost(args.model, args.served_model_name, max_loaded=args.max_loras, max_lora_rank=args.max_lora_rank,
                     resolve=resolve)
    server = make_server(host, args.host, args.port)
    sys.stdout.write(json.dumps({"event": "listening", "host": args.host, "port": server.server_address[1]}) + "\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
