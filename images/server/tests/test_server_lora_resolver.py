"""The resolver core: adapters under adapters/<id>/ of the platform's storage, fetched into a bounded local cache.
S3 runs against moto's S3 server on 127.0.0.1 through boto3 (real SDK, real HTTP); local-directory storage is the
local platform's layout; concurrency and eviction use a counting store over a local directory."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from server_testlib import moto_s3_server, write_fake_adapter

from vpctune_lora_resolver import AdapterRejected, AdapterResolver, ResolverSettings
from vpctune_lora_resolver.object_stores import LocalDirectoryStore
from vpctune_lora_resolver.storage_location import StorageKind, StorageLocation, parse_storage_url

BASE = "vpctune/tiny-chat"
FT = "ft:vpctune/tiny-chat:acme::abc123"


class CountingStore(LocalDirectoryStore):
    """A local-directory store that counts downloads and can be slowed down, to observe concurrent fills."""

    def __init__(self, root, delay: float = 0.0):
        super().__init__(root)
        self.delay, self.downloads, self._lock = delay, [], threading.Lock()

    def download(self, key, path):
        time.sleep(self.delay)
        with self._lock:
            self.downloads.append(key)
        super().download(key, path)


def _resolver(storage: Path, cache: Path, store=None, max_bytes=10**9, rank=16) -> AdapterResolver:
    return AdapterResolver(ResolverSettings(storage_url=str(storage), cache_dir=str(cache), cache_max_bytes=max_bytes,
                                            max_lora_rank=rank), store=store)


def test_parse_storage_url_forms():
    # GIVEN the platform's storage URL forms
    # WHEN they are parsed
    # THEN bucket, prefix, Azure account/container and local directories come out as the controller reads them
    assert parse_storage_url("s3://acme-artifacts/platform") == StorageLocation(StorageKind.S3, "acme-artifacts", "platform/")
    assert parse_storage_url("gs://acme") == StorageLocation(StorageKind.GCS, "acme", "")
    assert parse_storage_url("az://acmestore/artifacts/p/q") == StorageLocation(
        StorageKind.AZURE, "artifacts", "p/q/", account="acmestore")
    assert parse_storage_url("file:///srv/vpctune") == StorageLocation(StorageKind.LOCAL, directory="/srv/vpctune")
    assert parse_storage_url("s3://b/p").adapter_prefix(FT) == f"p/adapters/{FT}/"
    with pytest.raises(ValueError) as e:
        parse_storage_url("az://acmestore")
    assert str(e.value) == "storage URL 'az://acmestore' names no container; allowed: az://ACCOUNT/CONTAINER[/PREFIX]"
    with pytest.raises(ValueError) as e:
        parse_storage_url("http://x/y")
    assert str(e.value) == ("unsupported storage URL scheme 'http://' in 'http://x/y'; allowed: s3://BUCKET[/PREFIX], "
                            "gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX], file:///DIR or a directory path")


def test_fetches_an_adapter_from_s3_into_the_cache(tmp_path):
    # GIVEN an adapter published under adapters/<id>/ of an S3 bucket (moto), and the platform's storage URL with a prefix
    import boto3

    local = write_fake_adapter(tmp_path / "adapter", BASE, r=8)
    with moto_s3_server():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="acme")
        for f in local.iterdir():
            s3.upload_file(str(f), "acme", f"platform/adapters/{FT}/{f.name}")
        resolver = AdapterResolver(ResolverSettings(storage_url="s3://acme/platform", cache_dir=str(tmp_path / "cache")))
        # WHEN it is resolved twice, and an id with no adapter once
        first = resolver.resolve(BASE, FT)
        second = resolver.resolve(BASE, FT)
        missing = resolver.resolve(BASE, "ft:vpctune/tiny-chat:acme::nothing")
    # THEN the first call downloads it into the cache, the second is a cache hit, the unknown id resolves to None
    assert first == second == str(tmp_path / "cache" / "entries" / "ft%3Avpctune%2Ftiny-chat%3Aacme%3A%3Aabc123")
    assert resolver.downloads == 1
    assert (Path(first) / "adapter_model.safetensors").read_bytes() == (local / "adapter_model.safetensors").read_bytes()
    assert json.loads((Path(first) / "adapter_config.json").read_text())["base_model_name_or_path"] == BASE
    assert missing is None
    assert os.listdir(tmp_path / "cache" / "incoming") == []


def test_refuses_an_adapter_for_another_base_model_or_a_higher_rank(tmp_path):
    # GIVEN local-directory storage holding an adapter of another base model and one of rank 64
    storage = tmp_path / "storage"
    write_fake_adapter(storage / "adapters" / "ft:other", "meta-llama/Llama-3.1-8B-Instruct")
    write_fake_adapter(storage / "adapters" / "ft:wide", BASE, r=64)
    store = CountingStore(storage)
    resolver = _resolver(storage, tmp_path / "cache", store=store, rank=16)
    # WHEN they are resolved for a server of vpctune/tiny-chat with max LoRA rank 16
    with pytest.raises(AdapterRejected) as other:
        resolver.resolve(BASE, "ft:other")
    with pytest.raises(AdapterRejected) as wide:
        resolver.resolve(BASE, "ft:wide")
    # THEN each is refused naming the adapter, its value and what the server allows; only their configs were read,
    # and nothing was cached
    assert str(other.value) == ("adapter 'ft:other' was trained on base model 'meta-llama/Llama-3.1-8B-Instruct'; "
                                "this server serves 'vpctune/tiny-chat'")
    assert str(wide.value) == "adapter 'ft:wide' has rank 64; this server's max LoRA rank is 16"
    assert store.downloads == ["adapters/ft:other/adapter_config.json", "adapters/ft:wide/adapter_config.json"]
    assert os.listdir(tmp_path / "cache" / "entries") == []


def test_refuses_an_adapter_without_weights_and_a_path_escape(tmp_path):
    # GIVEN an adapter whose weights file is missing, and names that would escape adapters/
    storage = tmp_path / "storage"
    broken = write_fake_adapter(storage / "adapters" / "ft:broken", BASE)
    (broken / "adapter_model.safetensors").unlink()
    write_fake_adapter(storage / "secret", BASE)
    resolver = _resolver(storage, tmp_path / "cache")
    # WHEN they are resolved
    with pytest.raises(AdapterRejected) as e:
        resolver.resolve(BASE, "ft:broken")
    # THEN the broken one is refused with what is missing, and the escaping names resolve to nothing
    assert str(e.value) == ("adapter 'ft:broken' lacks adapter_model.safetensors; an adapter needs adapter_config.json, "
                            "adapter_model.safetensors")
    assert resolver.resolve(BASE, "../secret") is None and resolver.resolve(BASE, "a/./b") is None


def test_bounded_cache_evicts_the_least_recently_used_adapter(tmp_path):
    # GIVEN three adapters of ~1000 bytes each and a cache bounded to hold two
    storage = tmp_path / "storage"
    for name in ("ft:a", "ft:b", "ft:c"):
        write_fake_adapter(storage / "adapters" / name, BASE)
    clock = iter(range(1_000_000, 2_000_000, 10))
    resolver = _resolver(storage, tmp_path / "cache", max_bytes=2600)
    resolver.cache.clock = lambda: float(next(clock))
    # WHEN a and b are fetched, a is used again, then c is fetched
    path_a = resolver.resolve(BASE, "ft:a")
    path_b = resolver.resolve(BASE, "ft:b")
    resolver.resolve(BASE, "ft:a")
    path_c = resolver.resolve(BASE, "ft:c")
    # THEN b (the least recently used) was evicted, a and c stay; fetching b again downloads it again and evicts a
    assert os.path.isdir(path_a) and os.path.isdir(path_c) and not os.path.exists(path_b)
    assert resolver.downloads == 3
    resolver.resolve(BASE, "ft:b")
    assert resolver.downloads == 4
    assert sorted(os.listdir(tmp_path / "cache" / "entries")) == ["ft%3Ab", "ft%3Ac"]


def test_concurrent_resolves_of_one_adapter_download_it_once(tmp_path):
    # GIVEN an adapter in a store whose downloads are slow
    storage = tmp_path / "storage"
    write_fake_adapter(storage / "adapters" / "ft:a", BASE)
    store = CountingStore(storage, delay=0.2)
    resolver = _resolver(storage, tmp_path / "cache", store=store)
    results, errors = [], []

    def resolve():
        try:
            results.append(resolver.resolve(BASE, "ft:a"))
        except Exception as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    # WHEN eight threads resolve it at once
    threads = [threading.Thread(target=resolve) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # THEN every thread gets the same directory and each file was downloaded exactly once
    assert errors == [] and len(set(results)) == 1 and len(results) == 8
    assert sorted(store.downloads) == ["adapters/ft:a/adapter_config.json", "adapters/ft:a/adapter_model.safetensors"]
    assert resolver.downloads == 1


def test_settings_from_the_environment():
    # GIVEN the serving image's environment
    env = {"VPCTUNE_STORAGE_URL": "gs://acme/p", "VPCTUNE_LORA_CACHE_DIR": "/cache", "VPCTUNE_LORA_CACHE_MAX_BYTES": "1000",
           "VPCTUNE_MAX_LORA_RANK": "64"}
    # WHEN settings are read from it; and from environments missing the URL or with a bad bound
    # THEN the values are taken, and the bad ones are refused naming the variable and the value
    assert ResolverSettings.from_env(env) == ResolverSettings("gs://acme/p", "/cache", 1000, 64)
    with pytest.raises(ValueError) as e:
        ResolverSettings.from_env({})
    assert str(e.value) == "VPCTUNE_STORAGE_URL is required: the platform's storage URL the adapters are under"
    with pytest.raises(ValueError) as e:
        ResolverSettings.from_env({**env, "VPCTUNE_LORA_CACHE_MAX_BYTES": "10GB"})
    assert str(e.value) == "VPCTUNE_LORA_CACHE_MAX_BYTES must be a positive integer, got '10GB'"
