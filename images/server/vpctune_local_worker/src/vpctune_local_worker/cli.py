"""``python -m vpctune_local_worker --model DIR --served-model-name ID [--storage URL] …``: serves until killed.
Prints one JSON line on stdout when it listens: ``{"event": "listening", "host": …, "port": …}``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile


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
    args = p.parse_args(argv)
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
