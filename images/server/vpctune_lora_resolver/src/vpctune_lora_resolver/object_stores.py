"""Reading the platform's storage: list the objects under a prefix, download one. The same approach as the trainer's
``storage.py``: the clouds' own SDKs with their default credential chains (the pod's workload identity: IRSA on EKS,
Workload Identity on GKE, Azure Workload Identity through azure-identity), each SDK imported only when its scheme is
used. ``AWS_ENDPOINT_URL`` (boto3) points S3 at an emulator; ``AZURE_STORAGE_CONNECTION_STRING`` points Azure at one."""

from __future__ import annotations

import os
import shutil

from .storage_location import StorageKind, StorageLocation


class ObjectStore:
    def list(self, prefix: str) -> dict[str, int]:
        """key -> size of every object under prefix."""
        raise NotImplementedError

    def download(self, key: str, path: str) -> None:
        raise NotImplementedError


class S3Store(ObjectStore):
    def __init__(self, bucket: str, client=None):
        if client is None:
            try:
                import boto3
            except ImportError as e:
                raise RuntimeError("s3:// storage needs boto3, which is not installed") from e
            client = boto3.client("s3")
        self.bucket, self.client = bucket, client

    def list(self, prefix):
        out = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for o in page.get("Contents", []):
                out[o["Key"]] = o["Size"]
        return out

    def download(self, key, path):
        self.client.download_file(self.bucket, key, path)


class GCSStore(ObjectStore):
    def __init__(self, bucket: str, client=None):
        if client is None:
            try:
                from google.cloud import storage
            except ImportError as e:
                raise RuntimeError("gs:// storage needs google-cloud-storage, which is not installed") from e
            client = storage.Client()
        self.bucket, self.client = bucket, client

    def list(self, prefix):
        return {b.name: b.size for b in self.client.list_blobs(self.bucket, prefix=prefix)}

    def download(self, key, path):
        self.client.bucket(self.bucket).blob(key).download_to_filename(path)


class AzureBlobStore(ObjectStore):
    def __init__(self, account: str, container: str, client=None):
        if client is None:
            try:
                from azure.storage.blob import BlobServiceClient
            except ImportError as e:
                raise RuntimeError("az:// storage needs azure-storage-blob, which is not installed") from e
            conn = os.environ.get("AZURE_STORAGE_CONNECTION_STRING")
            if conn:
                client = BlobServiceClient.from_connection_string(conn)
            else:
                from azure.identity import DefaultAzureCredential

                client = BlobServiceClient(account_url=f"https://{account}.blob.core.windows.net",
                                           credential=DefaultAzureCredential())
        self.container, self.client = container, client

    def list(self, prefix):
        c = self.client.get_container_client(self.container)
        return {b.name: b.size for b in c.list_blobs(name_starts_with=prefix)}

    def download(self, key, path):
        with open(path, "wb") as f:
            self.client.get_blob_client(container=self.container, blob=key).download_blob().readinto(f)


class LocalDirectoryStore(ObjectStore):
    """The local platform's storage: keys are paths relative to a directory."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def _path(self, key: str) -> str:
        path = os.path.abspath(os.path.join(self.root, key))
        if path != self.root and not path.startswith(self.root + os.sep):
            raise ValueError(f"storage key escapes the root: {key!r}")
        return path

    def list(self, prefix):
        base = self._path(prefix)
        out = {}
        if not os.path.isdir(base):
            return out
        for dirpath, _, names in os.walk(base):
            for n in names:
                full = os.path.join(dirpath, n)
                key = prefix + os.path.relpath(full, base).replace(os.sep, "/")
                out[key] = os.path.getsize(full)
        return out

    def download(self, key, path):
        shutil.copyfile(self._path(key), path)


def store_for(location: StorageLocation) -> ObjectStore:
    if location.kind is StorageKind.S3:
        return S3Store(location.bucket)
    if location.kind is StorageKind.GCS:
        return GCSStore(location.bucket)
    if location.kind is StorageKind.AZURE:
        return AzureBlobStore(location.account, location.bucket)
    return LocalDirectoryStore(location.directory)
