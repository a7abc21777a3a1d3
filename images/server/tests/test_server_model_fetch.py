"""The launcher fetches the base model's weights named by a platform storage URL (``<storage URL>/models/<id>/``) into
a local directory before vLLM starts (model_fetch.py): S3 through boto3 against moto's server; local paths, hub ids
and ``file://`` storage are served in place; an empty prefix falls back to the hub id. vLLM itself is not run: the
launcher's ``execv`` is captured."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from server_testlib import moto_s3_server

from vpctune_lora_resolver import launch, model_fetch
from vpctune_lora_resolver.model_fetch import local_model
from vpctune_lora_resolver.object_stores import LocalDirectoryStore

SERVED = "vpctune/tiny-chat"
FILES = {"config.json": b'{"model_type": "llama"}', "model.safetensors": b"\1" * 2048, "tokenizer/tokenizer.json": b"{}"}


def _upload(s3, bucket: str, prefix: str) -> None:
    s3.create_bucket(Bucket=bucket)
    for name, data in FILES.items():
        s3.put_object(Bucket=bucket, Key=prefix + name, Body=data)


def test_a_bucket_model_is_downloaded_once_into_the_models_dir_and_served_from_there(tmp_path):
    # GIVEN the base's weights under models/<id>/ of an S3 bucket with a platform prefix (moto)
    import boto3

    url = f"s3://acme/platform/models/{SERVED}/"
    logged: list[str] = []
    with moto_s3_server():
        _upload(boto3.client("s3"), "acme", f"platform/models/{SERVED}/")
        # WHEN the launcher resolves it twice (a restarted container in the same pod)
        first = local_model(url, SERVED, str(tmp_path / "models"), log=logged.append)
        second = local_model(url, SERVED, str(tmp_path / "models"), log=logged.append)
    # THEN both are the same local directory holding every object, and the second downloaded nothing
    assert first == second == str(tmp_path / "models" / "acme%2Fplatform%2Fmodels%2Fvpctune%2Ftiny-chat%2F")
    assert {str(p.relative_to(first)): p.read_bytes() for p in Path(first).rglob("*") if p.is_file() and p.name != model_fetch.COMPLETE_MARKER} == FILES
    assert logged == [f"downloaded 3 objects ({sum(map(len, FILES.values()))} bytes) of {url} into {first}", f"{url} is already in {first}"]
    assert [n for n in os.listdir(tmp_path / "models") if n.startswith(".incoming-")] == []


def test_paths_hub_ids_and_local_storage_are_served_in_place_and_an_empty_prefix_falls_back_to_the_hub(tmp_path):
    # GIVEN local storage holding the base, and a store that holds nothing under the named prefix
    (tmp_path / "storage" / "models" / "m").mkdir(parents=True)
    asked: list[str] = []

    def empty_store(location):
        asked.append(location.prefix)
        return LocalDirectoryStore(str(tmp_path / "empty"))

    logged: list[str] = []
    # WHEN a path, a hub id, a file:// URL and an empty bucket prefix are resolved
    out = [local_model(m, SERVED, str(tmp_path / "models"), store_of=empty_store, log=logged.append)
           for m in ("/models/m", "meta-llama/Llama-3.1-8B-Instruct", f"file://{tmp_path}/storage/models/m/", "gs://b/models/m/")]
    # THEN the first three are served as they are, the last by its served id from the hub; only the bucket was listed
    assert out == ["/models/m", "meta-llama/Llama-3.1-8B-Instruct", f"{tmp_path}/storage/models/m/", SERVED]
    assert asked == ["models/m/"]
    assert logged == [f"no objects under gs://b/models/m/; serving {SERVED!r} from the model hub"]
    assert not (tmp_path / "models").exists()


class _Store(LocalDirectoryStore):
    def __init__(self, listing: dict[str, int], fail_on: str | None = None, root: str = "/nonexistent"):
        super().__init__(root)
        self.listing, self.fail_on = listing, fail_on

    def list(self, prefix):
        return self.listing

    def download(self, key, path):
        if key == self.fail_on:
            raise OSError("connection reset by peer")
        Path(path).write_bytes(b"x" * self.listing[key])


@pytest.mark.parametrize("listing,fail_on,message", [
    ({"models/m/config.json": 2, "models/m/w.bin": 3}, "models/m/w.bin",
     "downloading models/m/w.bin of s3://b/models/m/ failed: connection reset by peer"),
    ({"models/m/config.json": 2, "models/m/../../etc/passwd": 3}, None,
     "refusing the storage key suffix '../../etc/passwd': not a plain relative path"),
])
def test_a_failed_or_unsafe_download_leaves_nothing_behind(tmp_path, listing, fail_on, message):
    # GIVEN a bucket listing whose download fails, or which holds a key that would leave the directory
    # WHEN it is fetched
    with pytest.raises(RuntimeError) as e:
        local_model("s3://b/models/m/", SERVED, str(tmp_path / "models"), store_of=lambda _: _Store(listing, fail_on), log=lambda _: None)
    # THEN the error names the key and why, and neither a model directory nor a staging directory is left
    assert str(e.value) == message
    assert os.listdir(tmp_path / "models") == []


def test_the_launcher_fetches_the_model_then_execs_vllm_with_the_local_copy(tmp_path, monkeypatch, capsys):
    # GIVEN the serving config the chart passes (the base's bucket URL), a bucket holding it, and a stand-in vllm
    import boto3

    execs: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(launch.shutil, "which", lambda name: "/opt/vllm/bin/vllm" if name == "vllm" else None)
    monkeypatch.setattr(launch.os, "execv", lambda path, args: execs.append((path, args)))
    config = {"model": f"s3://acme/models/{SERVED}/", "servedModelName": SERVED, "tensorParallelSize": 2,
              "modelsDir": str(tmp_path / "models")}
    monkeypatch.setenv("VPCTUNE_SERVING_CONFIG", json.dumps(config))
    with moto_s3_server():
        _upload(boto3.client("s3"), "acme", f"models/{SERVED}/")
        # WHEN the launcher runs
        code = launch.main([])
    # THEN vllm is exec'd on the downloaded copy, sharded over 2 GPUs
    local = str(tmp_path / "models" / "acme%2Fmodels%2Fvpctune%2Ftiny-chat%2F")
    assert code == 1 and execs == [("/opt/vllm/bin/vllm", [
        "/opt/vllm/bin/vllm", "serve", local, "--served-model-name", SERVED, "--port", "8000", "--tensor-parallel-size", "2",
        "--enable-lora", "--max-loras", "4", "--max-lora-rank", "16", "--max-cpu-loras", "16"])]
    assert (Path(local) / "model.safetensors").read_bytes() == FILES["model.safetensors"]
    assert "downloaded 3 objects" in capsys.readouterr().err


def test_the_launcher_refuses_a_bad_config_before_downloading_and_reports_a_failed_download(tmp_path, monkeypatch, capsys):
    # GIVEN a config with a bad field, and a good one whose download fails
    monkeypatch.setattr(launch.os, "execv", lambda path, args: pytest.fail("vllm must not start"))
    bad = {"model": "s3://acme/models/m/", "servedModelName": "m", "tensorParallelSize": 0, "modelsDir": str(tmp_path / "models")}
    failing = {**bad, "tensorParallelSize": 1}
    monkeypatch.setattr(model_fetch, "store_for", lambda location: _Store({"models/m/w.bin": 3}, "models/m/w.bin"))
    # WHEN the launcher runs with each
    monkeypatch.setenv("VPCTUNE_SERVING_CONFIG", json.dumps(bad))
    bad_code, bad_err = launch.main([]), capsys.readouterr().err
    nothing_fetched = not (tmp_path / "models").exists()
    monkeypatch.setenv("VPCTUNE_SERVING_CONFIG", json.dumps(failing))
    fetch_code, fetch_err = launch.main([]), capsys.readouterr().err
    # THEN the bad config is exit 2 naming the field, before anything is downloaded; the failed download is exit 1
    assert (bad_code, bad_err) == (2, "vpctune-vllm-launch: tensorParallelSize is 0; allowed: an integer >= 1 and <= 64\n")
    assert nothing_fetched
    assert (fetch_code, fetch_err) == (1, "vpctune-vllm-launch: the base model could not be fetched: downloading models/m/w.bin "
                                          "of s3://acme/models/m/ failed: connection reset by peer\n")
