"""Object-store inputs and outputs. S3 runs against moto's S3 server on 127.0.0.1 through boto3 (real SDK, real
HTTP). google-cloud-storage and azure-storage-blob cannot be installed on this machine (not in the wheel mirror),
so GCS and Azure Blob are tested through the same ObjectStore interface with in-memory fakes of the SDK client
calls we make; the real SDK code paths are not exercised here."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from trainer_testlib import FIXTURES, REPO, child_env, free_port, lora_spec, read_jsonl, run_cli, stdout_events, write_spec

from vpctune_trainer import storage
from vpctune_trainer.storage import AzureBlobStore, GCSStore, OutputSync, parse_uri, set_store, stage_in

AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}



@pytest.fixture(scope="module")
def moto_s3():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    env = {**AWS, "AWS_ENDPOINT_URL": url}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield url
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        proc.terminate()
        proc.wait(timeout=10)


def _s3():
    import boto3

    return boto3.client("s3")


def test_parse_uri():
    """Given object-store URIs, then scheme, bucket (Azure: account and container) and key are split, and a local path
    is not a URI."""
    assert parse_uri("s3://bkt/jobs/ft-1/") == storage.Uri("s3", "bkt", "jobs/ft-1")
    assert parse_uri("gs://bkt/files/file-1") == storage.Uri("gs", "bkt", "files/file-1")
    assert parse_uri("az://acct1/container/models/m") == storage.Uri("az", "container", "models/m", account="acct1")
    assert not storage.is_uri("/data/x.jsonl")
    with pytest.raises(ValueError) as e:
        parse_uri("http://x/y")
    assert str(e.value) == ("http://x/y is not a cloud storage URL; allowed: s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], "
                            "az://ACCOUNT/CONTAINER[/PREFIX]")


STORAGE_URLS = json.loads((REPO / "test" / "fixtures" / "storage-urls.json").read_text())


@pytest.mark.parametrize("case", STORAGE_URLS["valid"], ids=lambda c: c["url"])
def test_storage_urls_read_as_the_controller_reads_them(case):
    """Given a URL of the fixture the controller's profiles are tested with (test/platform/storage-urls.test.ts), when
    the trainer parses it, then scheme, account, bucket (container) and prefix are the fixture's, and the URL written
    back is its canonical form."""
    uri = parse_uri(case["url"])
    assert (uri.scheme, uri.account, uri.bucket, uri.key) == (case["scheme"], case.get("account"), case["bucket"],
                                                              case["prefix"])
    assert str(uri) == case["canonical"]


@pytest.mark.parametrize("case", STORAGE_URLS["invalid"], ids=lambda c: c["url"])
def test_invalid_storage_urls_get_the_controllers_message(case):
    """Given a malformed URL of the shared fixture, when the trainer parses it, then the error is the controller's
    message, word for word."""
    with pytest.raises(ValueError) as e:
        parse_uri(case["url"])
    assert str(e.value) == case["message"]


def test_azure_endpoint_comes_from_the_url_account_unless_overridden():
    """Given az://ACCOUNT/… URLs, then the Blob endpoint is https://ACCOUNT.blob.core.windows.net; with
    AZURE_STORAGE_ACCOUNT_URL set (Azurite), that endpoint is used instead."""
    assert storage.azure_account_url("acmeftdata", {}) == "https://acmeftdata.blob.core.windows.net"
    assert storage.azure_account_url("devstoreaccount1", {"AZURE_STORAGE_ACCOUNT_URL": "http://127.0.0.1:10000/devstoreaccount1"}) == \
        "http://127.0.0.1:10000/devstoreaccount1"


def test_azure_store_is_built_for_the_account_the_url_names(monkeypatch):
    """Given the azure SDK modules (stand-ins recording what they are given: the real SDKs are not installable here)
    and no connection string, when the store for az://acmeftdata/artifacts/jobs/j1 is made, then its client points at
    https://acmeftdata.blob.core.windows.net with the workload identity credential."""
    import types

    made = {}

    class BlobServiceClient:
        def __init__(self, account_url, credential):
            made.update(account_url=account_url, credential=credential)

    blob = types.ModuleType("azure.storage.blob")
    blob.BlobServiceClient = BlobServiceClient
    identity = types.ModuleType("azure.identity")
    identity.DefaultAzureCredential = lambda: "workload-identity"
    for name, module in {"azure": types.ModuleType("azure"), "azure.storage": types.ModuleType("azure.storage"),
                         "azure.storage.blob": blob, "azure.identity": identity}.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.delenv("AZURE_STORAGE_ACCOUNT_URL", raising=False)
    store = storage.store_for(parse_uri("az://acmeftdata/artifacts/jobs/j1"))
    assert isinstance(store, AzureBlobStore) and store.account == "acmeftdata"
    assert made == {"account_url": "https://acmeftdata.blob.core.windows.net", "credential": "workload-identity"}


def test_job_with_s3_inputs_and_outputs(moto_s3, tiny_llama3, tmp_path):
    """Given the base model, training and validation files in moto's S3 (bucket layout models/, files/) and an
    s3:// output_dir under jobs/<id>/, when the job runs, then it stages the inputs, trains, and the bucket holds
    events.jsonl, metrics.jsonl, manifest.json, the adapter and every checkpoint under jobs/<id>/, with the same
    events as stdout."""
    s3 = _s3()
    s3.create_bucket(Bucket="vpctune")
    for f in Path(tiny_llama3).iterdir():
        s3.upload_file(str(f), "vpctune", f"models/vpctune/tiny-chat/{f.name}")
    s3.upload_file(str(FIXTURES / "sft-good.jsonl"), "vpctune", "files/file-train")
    s3.upload_file(str(FIXTURES / "sft-valid.jsonl"), "vpctune", "files/file-valid")
    spec = lora_spec("s3://vpctune/models/vpctune/tiny-chat", "s3://vpctune/jobs/ftjob-1/",
                     training_file="s3://vpctune/files/file-train", validation_file="s3://vpctune/files/file-valid")
    spec["method"]["supervised"]["hyperparameters"] = {"n_epochs": 1, "batch_size": 10, "learning_rate_multiplier": 1}
    env = child_env(**AWS, AWS_ENDPOINT_URL=moto_s3, VPCTUNE_STAGING_DIR=tmp_path / "staging")
    proc = run_cli(["run", "--spec", str(write_spec(tmp_path / "spec.json", spec))], env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="vpctune", Prefix="jobs/ftjob-1/")["Contents"]}
    for k in ("events.jsonl", "metrics.jsonl", "manifest.json", "adapter/adapter_model.safetensors",
              "adapter/adapter_config.json", "checkpoints/step-2/optimizer.pt", "checkpoints/step-2/trainer_state.json"):
        assert f"jobs/ftjob-1/{k}" in keys, k
    body = s3.get_object(Bucket="vpctune", Key="jobs/ftjob-1/events.jsonl")["Body"].read().decode()
    assert [json.loads(l) for l in body.splitlines()] == stdout_events(proc)
    manifest = json.loads(s3.get_object(Bucket="vpctune", Key="jobs/ftjob-1/manifest.json")["Body"].read())
    assert manifest["base_model"] == "s3://vpctune/models/vpctune/tiny-chat" and manifest["steps"] == 2


def test_progress_reaches_the_bucket_between_checkpoints(moto_s3, tiny_llama3, tmp_path):
    """Given a versioned bucket, a job of 5 steps whose only checkpoint is at the end of its one epoch, and
    VPCTUNE_PROGRESS_SYNC_SECONDS=0, when it runs, then events.jsonl was uploaded after each step: some version of it
    holds progress events and no checkpoint event yet (before this, the first upload came with the first
    checkpoint), and the versions before the checkpoint show every step in order."""
    s3 = _s3()
    s3.create_bucket(Bucket="progress")
    s3.put_bucket_versioning(Bucket="progress", VersioningConfiguration={"Status": "Enabled"})
    spec = lora_spec(tiny_llama3, "s3://progress/jobs/ftjob-2/")
    del spec["validation_file"]
    spec["method"]["supervised"]["hyperparameters"] = {"n_epochs": 1, "batch_size": 4, "learning_rate_multiplier": 1}
    env = child_env(**AWS, AWS_ENDPOINT_URL=moto_s3, VPCTUNE_STAGING_DIR=tmp_path / "staging",
                    VPCTUNE_PROGRESS_SYNC_SECONDS="0")
    proc = run_cli(["run", "--spec", str(write_spec(tmp_path / "spec.json", spec))], env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    versions = s3.list_object_versions(Bucket="progress", Prefix="jobs/ftjob-2/events.jsonl")["Versions"]
    bodies = sorted(([json.loads(l) for l in s3.get_object(Bucket="progress", Key=v["Key"], VersionId=v["VersionId"])[
        "Body"].read().decode().splitlines()] for v in versions), key=len)  # the file only grows
    before_checkpoint = [b for b in bodies if all(e["type"] != "checkpoint" for e in b)]
    steps_seen = [max(e["step"] for e in b if e["type"] == "progress") for b in before_checkpoint]
    assert steps_seen == [1, 2, 3, 4, 5], steps_seen
    assert bodies[-1] == stdout_events(proc)


def test_progress_sync_is_throttled_and_uploads_only_the_progress_files(tmp_path):
    """Given an output mirror with events, metrics and a checkpoint file, and a 15 s progress interval on a fake
    clock, when push_progress is called at 0 s, 5 s and 16 s with the files changing in between, then the first and
    the third call upload events.jsonl and metrics.jsonl (the second is too soon), and the checkpoint is never
    uploaded by it; push then uploads only the checkpoint."""
    class Recording(storage.ObjectStore):
        def __init__(self):
            self.uploads = []

        def upload(self, path, bucket, key):
            self.uploads.append(key)

    store, now = Recording(), [0.0]
    set_store("s3", store)
    try:
        out = tmp_path / "out"
        (out / "checkpoints" / "step-1").mkdir(parents=True)
        (out / "checkpoints" / "step-1" / "optimizer.pt").write_bytes(b"x")
        sync = OutputSync("s3://bkt/jobs/j/", str(out), progress_interval=15, clock=lambda: now[0])
        for t, line in ((0.0, "1"), (5.0, "2"), (16.0, "3")):
            now[0] = t
            for f in ("events.jsonl", "metrics.jsonl"):
                with open(out / f, "a") as fh:
                    fh.write(line + "\n")
            sync.push_progress()
        assert store.uploads == ["jobs/j/events.jsonl", "jobs/j/metrics.jsonl"] * 2
        assert sync.push() == 1 and store.uploads[-1] == "jobs/j/checkpoints/step-1/optimizer.pt"
    finally:
        set_store("s3", None)


@pytest.mark.parametrize("raw,expected", [(None, 15.0), ("", 15.0), ("0", 0.0), ("2.5", 2.5)])
def test_progress_sync_seconds_from_the_environment(raw, expected):
    """Given VPCTUNE_PROGRESS_SYNC_SECONDS unset, empty, 0 or 2.5, then the interval is 15 (default), 15, 0, 2.5."""
    assert storage.progress_sync_seconds({} if raw is None else {"VPCTUNE_PROGRESS_SYNC_SECONDS": raw}) == expected


@pytest.mark.parametrize("raw", ["soon", "-1", "nan", "inf"])
def test_a_bad_progress_sync_interval_is_a_clear_error(raw):
    """Given VPCTUNE_PROGRESS_SYNC_SECONDS that is not a number of seconds >= 0, then the error names the variable,
    the value and what is allowed."""
    with pytest.raises(ValueError) as e:
        storage.progress_sync_seconds({"VPCTUNE_PROGRESS_SYNC_SECONDS": raw})
    assert str(e.value) == f"VPCTUNE_PROGRESS_SYNC_SECONDS must be a number of seconds >= 0, got {raw!r}"


def test_output_sync_pull_restores_a_previous_attempt(moto_s3, tmp_path):
    """Given an output prefix written by an earlier attempt, when a new attempt (fresh staging directory) pulls it,
    then the checkpoints and logs are restored locally, and a push uploads only what changed."""
    s3 = _s3()
    s3.create_bucket(Bucket="resume")
    first = tmp_path / "a"
    (first / "checkpoints" / "step-3").mkdir(parents=True)
    (first / "checkpoints" / "step-3" / "trainer_state.json").write_text("{}")
    (first / "metrics.jsonl").write_text('{"iteration": 1}\n')
    a = OutputSync("s3://resume/jobs/j/", str(first))
    assert a.push() == 2 and a.push() == 0
    second = tmp_path / "b"
    b = OutputSync("s3://resume/jobs/j", str(second))
    assert b.pull() == 2
    assert (second / "checkpoints" / "step-3" / "trainer_state.json").read_text() == "{}"
    (second / "metrics.jsonl").write_text('{"iteration": 1}\n{"iteration": 2}\n')
    assert b.push() == 1
    got = s3.get_object(Bucket="resume", Key="jobs/j/metrics.jsonl")["Body"].read().decode()
    assert got.count("iteration") == 2


# ---- fakes of the GCS and Azure SDK calls we make (the SDKs are not installable here)

class _FakeGcsBlob:
    def __init__(self, data, name):
        self.data, self.name = data, name

    @property
    def size(self):
        return len(self.data[self.name])

    def download_to_filename(self, path):
        Path(path).write_bytes(self.data[self.name])

    def upload_from_filename(self, path):
        self.data[self.name] = Path(path).read_bytes()


class FakeGcsClient:
    def __init__(self):
        self.buckets: dict[str, dict[str, bytes]] = {}

    def bucket(self, name):
        data = self.buckets.setdefault(name, {})
        return type("B", (), {"blob": lambda _self, key: _FakeGcsBlob(data, key)})()

    def list_blobs(self, bucket, prefix=""):
        data = self.buckets.setdefault(bucket, {})
        return [_FakeGcsBlob(data, k) for k in sorted(data) if k.startswith(prefix)]


class FakeAzureClient:
    def __init__(self):
        self.containers: dict[str, dict[str, bytes]] = {}

    def get_container_client(self, name):
        data = self.containers.setdefault(name, {})

        class C:
            def list_blobs(self, name_starts_with=""):
                return [type("P", (), {"name": k, "size": len(v)})() for k, v in sorted(data.items())
                        if k.startswith(name_starts_with)]
        return C()

    def get_blob_client(self, container, blob):
        data = self.containers.setdefault(container, {})

        class Blob:
            def download_blob(self):
                return type("D", (), {"readinto": lambda _s, f: f.write(data[blob])})()

            def upload_blob(self, f, overwrite=False):
                data[blob] = f.read()
        return Blob()


@pytest.mark.parametrize("scheme,root,store_cls,client_cls", [("gs", "gs://bkt", GCSStore, FakeGcsClient),
                                                              ("az", "az://acct1/bkt", AzureBlobStore, FakeAzureClient)])
def test_gcs_and_azure_through_the_same_interface_with_fakes(scheme, root, store_cls, client_cls, tmp_path):
    """Given a fake SDK client behind GCSStore / AzureBlobStore (the real SDKs are not installable here), when a
    model directory prefix and a single file are staged in and an output directory is pushed and pulled, then the
    files round-trip through the same interface the S3 path uses."""
    store = store_cls(client=client_cls())
    set_store(scheme, store)
    try:
        src = tmp_path / "src"
        (src / "sub").mkdir(parents=True)
        (src / "config.json").write_text('{"a": 1}')
        (src / "sub" / "w.bin").write_bytes(b"\x00\x01")
        OutputSync(f"{root}/models/m", str(src)).push()
        model = stage_in(f"{root}/models/m", str(tmp_path / "stage"), "base_model")
        assert (Path(model) / "config.json").read_text() == '{"a": 1}'
        assert (Path(model) / "sub" / "w.bin").read_bytes() == b"\x00\x01"
        one = stage_in(f"{root}/models/m/config.json", str(tmp_path / "stage"), "train.jsonl")
        assert Path(one).read_text() == '{"a": 1}'
        with pytest.raises(FileNotFoundError):
            stage_in(f"{root}/nothing", str(tmp_path / "stage"), "x")
    finally:
        set_store(scheme, None)


def test_missing_sdk_is_a_clear_error(monkeypatch):
    """Given google-cloud-storage / azure-storage-blob not importable (as on this machine; forced so the test means
    the same everywhere), when a gs:// or az:// store is created, then the error names the package to install."""
    import builtins

    real_import = builtins.__import__

    def no_cloud_sdks(name, *a, **kw):
        if name.startswith(("google.cloud", "azure")):
            raise ImportError(name)
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_cloud_sdks)
    with pytest.raises(RuntimeError, match="gs:// URIs need google-cloud-storage, which is not installed"):
        GCSStore()
    with pytest.raises(RuntimeError, match="az:// URIs need azure-storage-blob, which is not installed"):
        AzureBlobStore()
