"""A size-bounded local directory of adapters, least recently used evicted first.

``entries/<quoted name>/`` holds one adapter. A fill downloads into ``incoming/<random>/`` and renames that into
place, so an entry is either complete or absent (a crash leaves only ``incoming/`` debris, cleared at start).
Concurrent ``get`` calls for the same name share one fill (a lock per name); different names fill in parallel.
Recency is the entry's ``.last_used`` marker time, so the order survives a restart. When the entries exceed
``max_bytes`` after a fill, the least recently used others are deleted until they fit (the new entry always stays).

vLLM keeps the path of an adapter it has loaded and re-reads it when the adapter comes back from its own LRU; size the
cache to hold at least ``--max-cpu-loras`` adapters so an adapter vLLM still knows is not evicted from disk.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from typing import Callable
from urllib.parse import quote

LAST_USED = ".last_used"


class AdapterCache:
    def __init__(self, root: str, max_bytes: int, clock: Callable[[], float] = time.time):
        if max_bytes < 1:
            raise ValueError(f"the adapter cache bound must be a positive number of bytes, got {max_bytes}")
        self.root, self.max_bytes, self.clock = os.path.abspath(root), max_bytes, clock
        self.entries_dir = os.path.join(self.root, "entries")
        self.incoming_dir = os.path.join(self.root, "incoming")
        os.makedirs(self.entries_dir, exist_ok=True)
        shutil.rmtree(self.incoming_dir, ignore_errors=True)
        os.makedirs(self.incoming_dir, exist_ok=True)
        self._lock = threading.Lock()  # guards _name_locks and eviction
        self._name_locks: dict[str, threading.Lock] = {}

    def path_of(self, name: str) -> str:
        return os.path.join(self.entries_dir, quote(name, safe=""))

    def _name_lock(self, name: str) -> threading.Lock:
        with self._lock:
            return self._name_locks.setdefault(name, threading.Lock())

    def _touch(self, path: str) -> None:
        marker = os.path.join(path, LAST_USED)
        with open(marker, "w"):
            pass
        t = self.clock()
        os.utime(marker, (t, t))

    def get(self, name: str, fill: Callable[[str], None]) -> str:
        """The local directory of ``name``; on a miss ``fill(directory)`` writes the adapter into a fresh directory
        (raising leaves the cache unchanged)."""
        path = self.path_of(name)
        with self._name_lock(name):
            if os.path.isdir(path):
                self._touch(path)
                return path
            staging = os.path.join(self.incoming_dir, uuid.uuid4().hex)
            os.makedirs(staging)
            try:
                fill(staging)
                self._touch(staging)
                os.rename(staging, path)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        self._evict(keep=path)
        return path

    def remove(self, name: str) -> None:
        with self._name_lock(name):
            shutil.rmtree(self.path_of(name), ignore_errors=True)

    def entries(self) -> list[tuple[str, float, int]]:
        """(path, last used, bytes) of every entry, least recently used first."""
        out = []
        for n in os.listdir(self.entries_dir):
            p = os.path.join(self.entries_dir, n)
            try:
                used = os.stat(os.path.join(p, LAST_USED)).st_mtime
            except OSError:
                used = 0.0
            size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(p) for f in fs)
            out.append((p, used, size))
        return sorted(out, key=lambda e: e[1])

    def _evict(self, keep: str) -> None:
        with self._lock:
            entries = self.entries()
            total = sum(e[2] for e in entries)
            for path, _, size in entries:
                if total <= self.max_bytes:
                    break
                if path == keep:
                    continue
                shutil.rmtree(path, ignore_errors=True)
                total -= size
