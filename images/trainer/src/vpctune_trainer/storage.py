"""Object-store inputs and outputs (``s3://``, ``gs://``, ``az://``), staged through a local directory.

One small interface (``ObjectStore``: list, download, upload) with three implementations over the clouds' own SDKs:
boto3 for S3 (honours ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3``, which is how tests point it at moto),
google-cloud-storage for GCS and azure-storage-blob for Azure Blob (``az://CONTAINER/PATH``; the account comes from
``AZURE_STORAGE_ACCOUNT_URL`` or ``AZURE_STORAGE_CONNECTION_STRING``, credentials from the workload identity via
azure-identity's DefaultAzureCredential). The CUDA image installs all three SDKs; an SDK that is missing fails
with a clear message only when its scheme is used.

Inputs (base model directory prefix, data files) are downloaded into a staging directory. An output URI gets a
local mirror directory; ``OutputSync.pull`` restores what a previous attempt uploaded (so a rerun resumes from its
checkpoints) and ``push`` uploads what changed since the last push (after every checkpoint and at the end);
``push_progress`` uploads just ``events.jsonl`` and ``metrics.jsonl``, at most every
``VPCTUNE_PROGRESS_SYNC_SECONDS`` (default 15), so a controller reading the bucket sees progress between checkpoints.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

SCHEMES = ("s3", "gs", "az")
PROGRESS_FILES = ("events.jsonl", "metrics.jsonl")
PROGRESS_SYNC_ENV = "VPCTUNE_PROGRESS_SYNC_SECONDS"
DEFAULT_PROGRESS_SYNC_SECONDS = 15.0


def progress_sync_seconds(environ=os.environ) -> float:
    """Seconds between uploads of the progress files (``VPCTUNE_PROGRESS_SYNC_SECONDS``, default 15; 0 = every
    step)."""
    raw = environ.get(PROGRESS_SYNC_ENV)
    if raw is None or raw == "":
        return DEFAULT_PROGRESS_SYNC_SECONDS
    try:
        v = float(raw)
    except ValueError:
        v = -1.0
    if not v >= 0 or v == float("inf"):
        raise ValueError(f"{PROGRESS_SYNC_ENV} must be a number of seconds >= 0, got {raw!r}")
    return v


def is_uri(s: str) -> bool:
    return any(s.startswith(f"{p}://") for p in SCHEMES)


@dataclass(frozen=True)
class Uri:
    scheme: str
    bucket: str
    key: str  # no leading slash; may be "" (bucket root)

    def child(self, rel: str) -> "Uri":
        key = f"{self.key.rstrip('/')}/{rel}" if self.key else rel
        return Uri(self.scheme, self.bucket, key)

    def __str__(self) -> str:
        return f"{self.scheme}://{self.bucket}/{self.key}"


def parse_uri(s: str) -> Uri:
    scheme, sep, rest = s.partition("://")
    if not sep or scheme not in SCHEMES:
        raise ValueError(f"{s!r} is not an object-store URI (s3://, gs:// or az://)")
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise ValueError(f"{s!r} has no bucket")
    return Uri(scheme, bucket, key.strip("/") if key.endswith("/") else key)


class ObjectStore:
    def list(self, bucket: str, prefix: str) -> dict[str, int]:
        """key -> size for every object under prefix."""
        raise NotImplementedError

    def download(self, bucket: str, key: str, path: str) -> None:
        raise NotImplementedError

    def upload(self, path: str, bucket: str, key: str) -> None:
        raise NotImplementedError


class S3Store(ObjectStore):
    def __init__(self, client=None):
        if client is None:
            try:
                import boto3
            except ImportError as e:  # pragma: no cover - the image installs boto3
                raise RuntimeError("s3:// URIs need boto3, which is not installed") from e
            client = boto3.client("s3")
        self.client = client

    def list(self, bucket, prefix):
        out = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = o["Size"]
        return out

    def download(self, bucket, key, path):
        self.client.download_file(bucket, key, path)

    def upload(self, path, bucket, key):
        self.client.upload_file(path, bucket, key)


class GCSStore(ObjectStore):
    def __init__(self, client=None):
        if client is None:
            try:
                from google.cloud import storage
            except ImportError as e:
                raise RuntimeError("gs:// URIs need google-cloud-storage, which is not installed") from e
            client = storage.Client()
        self.client = client

    def list(self, bucket, prefix):
        return {b.name: b.size for b in self.client.list_blobs(bucket, prefix=prefix)}

    def download(self, bucket, key, path):
        self.client.bucket(bucket).blob(key).download_to_filename(path)

    def upload(self, path, bucket, key):
        self.client.bucket(bucket).blob(key).upload_from_filename(path)


class AzureBlobStore(ObjectStore):
    def __init__(self, client=None):
        if client is None:
            try:
                from azure.storage.blob import BlobServiceClient
            except ImportError as e:
                raise RuntimeError("az:// URIs need azure-storage-blob, which is not installed") from e
            conn = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
            if conn:
                client = BlobServiceClient.from_connection_string(conn)
            else:
                url = os.environ.get("AZURE_STORAGE_ACCOUNT_URL")
                if not url:
                    raise RuntimeError("az:// URIs need AZURE_STORAGE_ACCOUNT_URL or AZURE_STORAGE_CONNECTION_STRING")
                from azure.identity import DefaultAzureCredential

                client = BlobServiceClient(account_url=url, credential=DefaultAzureCredential())
        self.client = client

    def list(self, bucket, prefix):
        c = self.client.get_container_client(bucket)
        return {b.name: b.size for b in c.list_blobs(name_starts_with=prefix)}

    def download(self, bucket, key, path):
        with open(path, "wb") as f:
            self.client.get_blob_client(container=bucket, blob=key).download_blob().readinto(f)

    def upload(self, path, bucket, key):
        with open(path, "rb") as f:
            self.client.get_blob_client(container=bucket, blob=key).upload_blob(f, overwrite=True)


_FACTORIES = {"s3": S3Store, "gs": GCSStore, "az": AzureBlobStore}
_overrides: dict[str, ObjectStore] = {}


def set_store(scheme: str, store: ObjectStore | None) -> None:
    """Install a store for a scheme (tests use this for fakes); None restores the SDK-backed default."""
    if store is None:
        _overrides.pop(scheme, None)
    else:
        _overrides[scheme] = store


def store_for(scheme: str) -> ObjectStore:
    if scheme in _overrides:
        return _overrides[scheme]
    return _FACTORIES[scheme]()


def stage_in(source: str, staging_dir: str, name: str) -> str:
    """A local path for ``source``: itself if local, else the object (or every object under the prefix) downloaded
    into ``staging_dir/name``."""
    if not is_uri(source):
        return source
    uri = parse_uri(source)
    store = store_for(uri.scheme)
    dest = os.path.join(staging_dir, name)
    objects = store.list(uri.bucket, uri.key)
    if uri.key in objects:  # a single object
        os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
        store.download(uri.bucket, uri.key, dest)
        return dest
    prefix = uri.key.rstrip("/") + "/" if uri.key else ""
    keys = [k for k in objects if k.startswith(prefix)]
    if not keys:
        raise FileNotFoundError(f"{source} does not exist")
    for k in keys:
        path = os.path.join(dest, k[len(prefix):])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        store.download(uri.bucket, k, path)
    return dest


class OutputSync:
    """Mirrors a local output directory to an object-store prefix."""

    def __init__(self, uri: str, local_dir: str, progress_interval: float | None = None, clock=time.monotonic):
        self.uri = parse_uri(uri)
        self.local_dir = local_dir
        self.store = store_for(self.uri.scheme)
        self._pushed: dict[str, tuple[int, int]] = {}
        self.progress_interval = progress_sync_seconds() if progress_interval is None else progress_interval
        self._clock = clock
        self._last_progress: float | None = None

    def _prefix(self) -> str:
        return self.uri.key.rstrip("/") + "/" if self.uri.key else ""

    def pull(self) -> int:
        prefix = self._prefix()
        n = 0
        for key in self.store.list(self.uri.bucket, prefix):
            rel = key[len(prefix):]
            if not rel:
                continue
            path = os.path.join(self.local_dir, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.store.download(self.uri.bucket, key, path)
            st = os.stat(path)
            self._pushed[rel] = (st.st_size, st.st_mtime_ns)
            n += 1
        return n

    def _upload_if_changed(self, rel: str) -> bool:
        path = os.path.join(self.local_dir, rel)
        st = os.stat(path)
        sig = (st.st_size, st.st_mtime_ns)
        if self._pushed.get(rel) == sig:
            return False
        self.store.upload(path, self.uri.bucket, self._prefix() + rel)
        self._pushed[rel] = sig
        return True

    def push(self) -> int:
        """Uploads every file that changed since it was last pushed or pulled; returns how many."""
        n = 0
        for root, _, files in os.walk(self.local_dir):
            for f in sorted(files):
                rel = os.path.relpath(os.path.join(root, f), self.local_dir).replace(os.sep, "/")
                n += self._upload_if_changed(rel)
        return n

    def push_progress(self) -> int:
        """Uploads ``events.jsonl`` and ``metrics.jsonl`` if they changed, unless the last progress push was less than
        ``progress_interval`` seconds ago; returns how many were uploaded. Checkpoints wait for ``push``."""
        now = self._clock()
        if self._last_progress is not None and now - self._last_progress < self.progress_interval:
            return 0
        self._last_progress = now
        n = 0
        for rel in PROGRESS_FILES:
            if os.path.exists(os.path.join(self.local_dir, rel)):
                n += self._upload_if_changed(rel)
        return n
