"""Object-store inputs and outputs (``s3://``, ``gs://``, ``az://``), staged through a local directory.

One small interface (``ObjectStore``: list, download, upload) with three implementations over the clouds' own SDKs:
boto3 for S3 (honours ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3``, which is how tests point it at moto),
google-cloud-storage for GCS and azure-storage-blob for Azure Blob (``az://ACCOUNT/CONTAINER/PATH``, the same form the
controller reads: the endpoint is ``https://ACCOUNT.blob.core.windows.net`` unless ``AZURE_STORAGE_ACCOUNT_URL`` or
``AZURE_STORAGE_CONNECTION_STRING`` overrides it, e.g. for Azurite; credentials are the job's SAS tokens when
``VPCTUNE_AZURE_SAS_FILE`` names them (azure_sas.py), else the workload identity via azure-identity's
DefaultAzureCredential). The CUDA image installs all three SDKs; an SDK that is missing fails
with a clear message only when its scheme is used.

URLs are split by the same rules, with the same messages, as the controller's cloud profiles
(``constructs/platform/storage-url.ts``); ``test/fixtures/storage-urls.json`` is checked against both.

Inputs (base model directory prefix, data files) are downloaded into a staging directory. An output URI gets a
local mirror directory; ``OutputSync.pull`` restores what a previous attempt uploaded (so a rerun resumes from its
checkpoints) and ``push`` uploads what changed since the last push (after every checkpoint and at the end);
``push_progress`` uploads just ``events.jsonl`` and ``metrics.jsonl``, at most every
``VPCTUNE_PROGRESS_SYNC_SECONDS`` (default 15), so a controller reading the bucket sees progress between checkpoints.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass

from .azure_sas import SAS_FILE_ENV, AzureSasStore, SasFile
from .gcs_token_credentials import TOKEN_FILE_ENV, token_file_credentials

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


@dataclass(frozen=True)
class _NameRule:
    part: str  # what the part is called in messages
    kind: str  # what the cloud calls such a name
    pattern: str
    allowed: str


_S3_BUCKET = _NameRule("bucket", "an S3 bucket name", r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]",
                       "3-63 lowercase letters, digits, dots and dashes, starting and ending with a letter or digit")
_GCS_BUCKET = _NameRule("bucket", "a GCS bucket name", r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]",
                        "3-222 lowercase letters, digits, dots, dashes and underscores, starting and ending with a letter "
                        "or digit")
_STORAGE_ACCOUNT = _NameRule("account", "a storage account name", r"[a-z0-9]{3,24}", "3-24 lowercase letters and digits")
_CONTAINER = _NameRule("container", "a container name", r"(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
                       "3-63 lowercase letters, digits and single dashes, starting and ending with a letter or digit")
# scheme -> (URL form for messages, the names the URL starts with)
_FORMS = {
    "s3": ("s3://BUCKET[/PREFIX]", (_S3_BUCKET,)),
    "gs": ("gs://BUCKET[/PREFIX]", (_GCS_BUCKET,)),
    "az": ("az://ACCOUNT/CONTAINER[/PREFIX]", (_STORAGE_ACCOUNT, _CONTAINER)),
}
CLOUD_STORAGE_URL_FORMS = ", ".join(form for form, _ in _FORMS.values())


def _scheme_of(s: str) -> str | None:
    scheme, sep, _ = s.partition("://")
    return scheme.lower() if sep else None


def is_uri(s: str) -> bool:
    return _scheme_of(s) in SCHEMES


@dataclass(frozen=True)
class Uri:
    scheme: str
    bucket: str  # the bucket (S3, GCS) or container (Azure)
    key: str  # no leading or trailing slash; may be "" (bucket root)
    account: str | None = None  # Azure: the storage account holding the container

    def child(self, rel: str) -> "Uri":
        key = f"{self.key.rstrip('/')}/{rel}" if self.key else rel
        return Uri(self.scheme, self.bucket, key, self.account)

    def __str__(self) -> str:
        """The canonical form: ``scheme://[ACCOUNT/]BUCKET[/KEY]``."""
        names = [self.account, self.bucket] if self.account is not None else [self.bucket]
        return f"{self.scheme}://" + "/".join(names + ([self.key] if self.key else []))


def parse_uri(s: str) -> Uri:
    """Splits ``s3://BUCKET[/PREFIX]``, ``gs://BUCKET[/PREFIX]`` or ``az://ACCOUNT/CONTAINER[/PREFIX]``. Path segments
    are taken as written; empty ones are dropped. A malformed URL raises ValueError naming the URL, the part and what
    is allowed (the controller's messages)."""
    scheme = _scheme_of(s)
    if scheme not in _FORMS:
        raise ValueError(f"{s} is not a cloud storage URL; allowed: {CLOUD_STORAGE_URL_FORMS}")
    form, rules = _FORMS[scheme]
    segments = s.split("://", 1)[1].split("/")
    names = []
    for i, rule in enumerate(rules):
        name = segments[i] if i < len(segments) else ""
        if not name:
            raise ValueError(f"storage URL {s} names no {rule.part}; allowed: {form}")
        if not re.fullmatch(rule.pattern, name):
            raise ValueError(f"storage URL {s}: {rule.part} {json.dumps(name)} is not {rule.kind}; allowed: {rule.allowed}")
        names.append(name)
    key = "/".join(seg for seg in segments[len(rules):] if seg)
    return Uri(scheme, names[-1], key, names[0] if len(names) == 2 else None)


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


def gcs_client(client_class, environ=os.environ):
    """A GCS client on the job's downscoped token when the controller mounted one, else Application Default Credentials."""
    path = environ.get(TOKEN_FILE_ENV, "")
    if path == "":
        return client_class()
    return client_class(project=environ.get("GOOGLE_CLOUD_PROJECT"), credentials=token_file_credentials(path))


class GCSStore(ObjectStore):
    def __init__(self, client=None):
        if client is None:
            try:
                from google.cloud import storage
            except ImportError as e:
                raise RuntimeError("gs:// URIs need google-cloud-storage, which is not installed") from e
            client = gcs_client(storage.Client)
        self.client = client

    def list(self, bucket, prefix):
        return {b.name: b.size for b in self.client.list_blobs(bucket, prefix=prefix)}

    def download(self, bucket, key, path):
        self.client.bucket(bucket).blob(key).download_to_filename(path)

    def upload(self, path, bucket, key):
        self.client.bucket(bucket).blob(key).upload_from_filename(path)


def azure_account_url(account: str, environ=os.environ) -> str:
    """The Blob endpoint of ``account``: ``AZURE_STORAGE_ACCOUNT_URL`` when set (an emulator such as Azurite, a sovereign
    cloud), else ``https://ACCOUNT.blob.core.windows.net``."""
    return environ.get("AZURE_STORAGE_ACCOUNT_URL") or f"https://{account}.blob.core.windows.net"


class AzureBlobStore(ObjectStore):
    """One storage account's containers. The account comes from the ``az://ACCOUNT/…`` URL; a connection string in
    ``AZURE_STORAGE_CONNECTION_STRING`` (emulators) replaces endpoint and credentials."""

    def __init__(self, account: str | None = None, client=None):
        if client is None:
            try:
                from azure.storage.blob import BlobServiceClient
            except ImportError as e:
                raise RuntimeError("az:// URIs need azure-storage-blob, which is not installed") from e
            conn = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
            if conn:
                client = BlobServiceClient.from_connection_string(conn)
            else:
                if not account:
                    raise ValueError("az:// URIs name their storage account: az://ACCOUNT/CONTAINER/PATH")
                from azure.identity import DefaultAzureCredential

                client = BlobServiceClient(account_url=azure_account_url(account), credential=DefaultAzureCredential())
        self.account = account
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


def azure_store(account: str | None, environ=os.environ):
    """The job's SAS tokens when the controller mounted them (``VPCTUNE_AZURE_SAS_FILE``), else the pod's identity."""
    sas_path = environ.get(SAS_FILE_ENV)
    if sas_path:
        if not account:
            raise ValueError("az:// URIs name their storage account: az://ACCOUNT/CONTAINER/PATH")
        return AzureSasStore(azure_account_url(account, environ), SasFile(sas_path))
    return AzureBlobStore(account)


_FACTORIES = {"s3": lambda uri: S3Store(), "gs": lambda uri: GCSStore(), "az": lambda uri: azure_store(uri.account)}
_overrides: dict[str, ObjectStore] = {}


def set_store(scheme: str, store: ObjectStore | None) -> None:
    """Install a store for a scheme (tests use this for fakes); None restores the SDK-backed default."""
    if store is None:
        _overrides.pop(scheme, None)
    else:
        _overrides[scheme] = store


def store_for(uri: Uri) -> ObjectStore:
    """The store that holds ``uri``'s objects (a test's override for its scheme, if installed)."""
    if uri.scheme in _overrides:
        return _overrides[uri.scheme]
    return _FACTORIES[uri.scheme](uri)


def stage_in(source: str, staging_dir: str, name: str) -> str:
    """A local path for ``source``: itself if local, else the object (or every object under the prefix) downloaded
    into ``staging_dir/name``."""
    if not is_uri(source):
        return source
    uri = parse_uri(source)
    store = store_for(uri)
    dest = os.path.join(staging_dir, name)
    # A source ending in "/" is a directory: listed under "KEY/" only, the exact prefix a per-job credential may list
    # (ARCHITECTURE.md, "Tenant isolation below the API"); a listing of "KEY" would also name "KEY-other/..." objects.
    directory = source.endswith("/") and uri.key != ""
    objects = store.list(uri.bucket, uri.key + "/" if directory else uri.key)
    if not directory and uri.key in objects:  # a single object
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
        self.store = store_for(self.uri)
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
