"""Per-job Azure Blob access from the controller's mounted SAS file (ARCHITECTURE.md, "Tenant isolation below the API").

On Azure the controller writes ``$VPCTUNE_AZURE_SAS_FILE`` as ``{"account", "container", "expiry", "entries": [{"prefix",
"resource", "permissions", "sas"}]}`` (constructs/azure/job-sas.ts): one user delegation SAS per granted key (``b``,
a blob) or directory (``d``, its subtree), and rewrites it well before the tokens expire; the kubelet updates the
mounted file. azure-storage-blob reads no SAS from the environment, so ``AzureSasStore`` builds each client from the
token of the longest prefix matching the key it touches, and re-reads the file when the tokens are within
``REFRESH_BEFORE`` of their expiry. The trainer's own identity holds no blob role: a key no token covers is refused
here, naming the key and the granted prefixes, before any request is made.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from urllib.parse import quote

SAS_FILE_ENV = "VPCTUNE_AZURE_SAS_FILE"
REFRESH_BEFORE = datetime.timedelta(minutes=5)
RESOURCES = ("b", "d")


class SasFileError(RuntimeError):
    pass


@dataclass(frozen=True)
class SasEntry:
    prefix: str
    resource: str  # "b": exactly the blob named by prefix; "d": every blob under the directory prefix
    sas: str

    def covers(self, key: str) -> bool:
        return key == self.prefix if self.resource == "b" else key.startswith(self.prefix)


@dataclass(frozen=True)
class SasTokens:
    container: str
    expiry: datetime.datetime  # aware, UTC
    entries: tuple[SasEntry, ...]

    def entry_for(self, key: str) -> SasEntry:
        """The token of the longest prefix covering ``key``. Raises SasFileError naming the key and the prefixes."""
        matches = [e for e in self.entries if e.covers(key)]
        if not matches:
            granted = ", ".join(e.prefix for e in self.entries)
            raise SasFileError(f"no SAS token of this job covers key {key!r}; granted: {granted}")
        return max(matches, key=lambda e: len(e.prefix))


def read_sas_file(path: str) -> SasTokens:
    """The tokens in ``path``. Raises SasFileError naming the path, the field and what is allowed."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise SasFileError(f"Azure SAS file {path} cannot be read as JSON: {e}") from e
    if not isinstance(doc, dict):
        raise SasFileError(f"Azure SAS file {path} is not a JSON object")
    container = doc.get("container")
    if not isinstance(container, str) or container == "":
        raise SasFileError(f"Azure SAS file {path} has container {container!r}; allowed: a non-empty string")
    raw = doc.get("expiry")
    try:
        expiry = datetime.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as e:
        raise SasFileError(f"Azure SAS file {path} has expiry {raw!r}; allowed: an ISO 8601 time") from e
    if expiry.tzinfo is None:
        raise SasFileError(f"Azure SAS file {path} has expiry {raw!r}; allowed: an ISO 8601 time with its zone")
    entries = []
    for i, e in enumerate(doc.get("entries") or []):
        ok = isinstance(e, dict) and all(isinstance(e.get(f), str) and e.get(f) for f in ("prefix", "resource", "sas"))
        if not ok or e["resource"] not in RESOURCES:
            raise SasFileError(f"Azure SAS file {path} entry {i} is {e!r}; allowed: prefix, resource ('b' or 'd') and sas, all non-empty")
        entries.append(SasEntry(prefix=e["prefix"], resource=e["resource"], sas=e["sas"].lstrip("?")))
    if not entries:
        raise SasFileError(f"Azure SAS file {path} has no entries; allowed: at least one token")
    return SasTokens(container=container, expiry=expiry.astimezone(datetime.timezone.utc), entries=tuple(entries))


class SasFile:
    """The mounted file, re-read when its tokens are within ``REFRESH_BEFORE`` of expiry."""

    def __init__(self, path: str, clock=lambda: datetime.datetime.now(datetime.timezone.utc)):
        self.path = path
        self.clock = clock
        self.tokens = read_sas_file(path)

    def entry_for(self, bucket: str, key: str) -> SasEntry:
        if self.clock() >= self.tokens.expiry - REFRESH_BEFORE:
            self.tokens = read_sas_file(self.path)
        if bucket != self.tokens.container:
            raise SasFileError(f"container {bucket!r} is not this job's; allowed: {self.tokens.container}")
        return self.tokens.entry_for(key)


def _sdk_clients():
    try:
        from azure.storage.blob import BlobClient, ContainerClient
    except ImportError as e:
        raise RuntimeError("az:// URIs need azure-storage-blob, which is not installed") from e
    return BlobClient.from_blob_url, ContainerClient.from_container_url


class AzureSasStore:
    """An ``ObjectStore`` over one account whose every request carries the job's SAS for the key it touches.

    ``blob_client`` and ``container_client`` build clients from a URL with its SAS (azure-storage-blob's
    ``BlobClient.from_blob_url`` and ``ContainerClient.from_container_url`` by default)."""

    def __init__(self, account_url: str, sas_file: SasFile, blob_client=None, container_client=None):
        if blob_client is None or container_client is None:
            blob_client, container_client = _sdk_clients()
        self.account_url = account_url.rstrip("/")
        self.sas_file = sas_file
        self._blob = blob_client
        self._container = container_client

    def _blob_client(self, bucket: str, key: str):
        entry = self.sas_file.entry_for(bucket, key)
        return self._blob(f"{self.account_url}/{bucket}/{quote(key)}?{entry.sas}")

    def list(self, bucket: str, prefix: str) -> dict[str, int]:
        entry = self.sas_file.entry_for(bucket, prefix)
        if entry.resource == "b":
            # A blob SAS cannot list; the one blob it covers is looked up instead.
            blob = self._blob(f"{self.account_url}/{bucket}/{quote(prefix)}?{entry.sas}")
            return {prefix: blob.get_blob_properties().size} if blob.exists() else {}
        container = self._container(f"{self.account_url}/{bucket}?{entry.sas}")
        return {b.name: b.size for b in container.list_blobs(name_starts_with=prefix)}

    def download(self, bucket: str, key: str, path: str) -> None:
        with open(path, "wb") as f:
            self._blob_client(bucket, key).download_blob().readinto(f)

    def upload(self, path: str, bucket: str, key: str) -> None:
        with open(path, "rb") as f:
            self._blob_client(bucket, key).upload_blob(f, overwrite=True)
