"""The resolver core: a fine-tuned model's name -> a local directory vLLM (or the local worker) loads the adapter from.

``resolve(base_model, name)`` returns ``None`` when the storage has no ``adapters/<name>/`` (vLLM then tries its other
resolvers and answers "model not found"), raises ``AdapterRejected`` when it has one that cannot be served here
(another base model, a rank above the server's max, a missing or broken file), else returns the cached directory.
The adapter's configuration is downloaded and checked before its weights.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

from .adapter_cache import AdapterCache
from .adapter_check import ADAPTER_CONFIG, AdapterRejected, check_adapter_config, check_adapter_dir, read_adapter_config
from .object_stores import ObjectStore, store_for
from .storage_location import parse_storage_url

STORAGE_URL_ENV = "VPCTUNE_STORAGE_URL"
CACHE_DIR_ENV = "VPCTUNE_LORA_CACHE_DIR"
CACHE_MAX_BYTES_ENV = "VPCTUNE_LORA_CACHE_MAX_BYTES"
MAX_LORA_RANK_ENV = "VPCTUNE_MAX_LORA_RANK"
DEFAULT_CACHE_DIR = "/var/cache/vpctune/adapters"
DEFAULT_CACHE_MAX_BYTES = 20 * 1024**3
DEFAULT_MAX_LORA_RANK = 16  # vLLM's own default for --max-lora-rank


@dataclass(frozen=True)
class ResolverSettings:
    storage_url: str
    cache_dir: str = DEFAULT_CACHE_DIR
    cache_max_bytes: int = DEFAULT_CACHE_MAX_BYTES
    max_lora_rank: int = DEFAULT_MAX_LORA_RANK

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "ResolverSettings":
        """``VPCTUNE_STORAGE_URL`` (required), ``VPCTUNE_LORA_CACHE_DIR`` (default /var/cache/vpctune/adapters),
        ``VPCTUNE_LORA_CACHE_MAX_BYTES`` (default 20 GiB), ``VPCTUNE_MAX_LORA_RANK`` (default 16, as vLLM's)."""
        url = environ.get(STORAGE_URL_ENV, "")
        if not url:
            raise ValueError(f"{STORAGE_URL_ENV} is required: the platform's storage URL the adapters are under")
        return cls(storage_url=url, cache_dir=environ.get(CACHE_DIR_ENV) or DEFAULT_CACHE_DIR,
                   cache_max_bytes=_positive_int(environ, CACHE_MAX_BYTES_ENV, DEFAULT_CACHE_MAX_BYTES),
                   max_lora_rank=_positive_int(environ, MAX_LORA_RANK_ENV, DEFAULT_MAX_LORA_RANK))


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive integer, got {raw!r}")
    return int(raw)


class _NotInStorage(Exception):
    pass


def valid_adapter_name(name: str) -> bool:
    """A fine-tuned model id usable as a storage key (``ft:vpctune/tiny-chat:acme::x1`` is): no empty, ``.`` or ``..``
    path parts, no backslash."""
    return bool(name) and "\\" not in name and all(p not in ("", ".", "..") for p in name.split("/"))


class AdapterResolver:
    def __init__(self, settings: ResolverSettings, store: ObjectStore | None = None):
        self.settings = settings
        self.location = parse_storage_url(settings.storage_url)
        self.store = store if store is not None else store_for(self.location)
        self.cache = AdapterCache(settings.cache_dir, settings.cache_max_bytes)
        self.downloads = 0  # adapters fetched from storage (not cache hits)

    def resolve(self, base_model: str, name: str) -> str | None:
        if not valid_adapter_name(name):
            return None
        try:
            path = self.cache.get(name, lambda staging: self._fill(base_model, name, staging))
        except _NotInStorage:
            return None
        try:
            check_adapter_dir(name, path, base_model, self.settings.max_lora_rank)
        except AdapterRejected:
            self.cache.remove(name)  # cached for another server configuration
            raise
        return path

    def _fill(self, base_model: str, name: str, staging: str) -> None:
        prefix = self.location.adapter_prefix(name)
        objects = self.store.list(prefix)
        if not objects:
            raise _NotInStorage(name)
        config_key = prefix + ADAPTER_CONFIG
        if config_key not in objects:
            raise AdapterRejected(f"adapter {name!r} has no {ADAPTER_CONFIG} under {prefix}")
        config_path = os.path.join(staging, ADAPTER_CONFIG)
        self.store.download(config_key, config_path)
        check_adapter_config(name, read_adapter_config(name, config_path), base_model, self.settings.max_lora_rank)
        for key in sorted(objects):
            rel = key[len(prefix):]
            if key == config_key or not rel or rel.endswith("/"):
                continue
            target = os.path.join(staging, *rel.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            self.store.download(key, target)
        check_adapter_dir(name, staging, base_model, self.settings.max_lora_rank)
        self.downloads += 1
