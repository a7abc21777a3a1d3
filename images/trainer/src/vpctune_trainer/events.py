"""Progress events: one JSON object per line on stdout and appended to ``output_dir/events.jsonl``.

Only the main process (rank 0) writes. Every event has ``type`` and ``time`` (unix seconds, float).
"""

from __future__ import annotations

import json
import math
import os
import sys
import time


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


class EventWriter:
    def __init__(self, output_dir: str | None, enabled: bool = True, stream=None):
        self.enabled = enabled
        self.stream = stream or sys.stdout
        self.path = os.path.join(output_dir, "events.jsonl") if output_dir else None
        self.last: dict | None = None

    def emit(self, type_: str, **fields) -> dict:
        event = {"type": type_, "time": time.time(), **_clean(fields)}
        self.last = event
        if not self.enabled:
            return event
        line = json.dumps(event, separators=(",", ":"))
        self.stream.write(line + "\n")
        self.stream.flush()
        if self.path:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        return event


def read_events(output_dir: str) -> list[dict]:
    path = os.path.join(output_dir, "events.jsonl")
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]
