"""The platform's storage URL, as the controller spells it (``storage-from-url.ts``): ``s3://BUCKET[/PREFIX]``,
``gs://BUCKET[/PREFIX]``, ``az://ACCOUNT/CONTAINER[/PREFIX]``, ``file:///DIR`` or a directory path (the local
platform). The keys below it follow the bucket layout: ``adapters/<fine-tuned model id>/`` holds an adapter."""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from urllib.parse import unquote, urlparse

URL_FORMS = "s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], az://ACCOUNT/CONTAINER[/PREFIX], file:///DIR or a directory path"
ADAPTERS_PREFIX = "adapters/"


class StorageKind(str, Enum):
    S3 = "s3"
    GCS = "gs"
    AZURE = "az"
    LOCAL = "local"


@dataclass(frozen=True)
class StorageLocation:
    kind: StorageKind
    bucket: str = ""  # S3/GCS bucket or Azure container; "" for local storage
    prefix: str = ""  # key prefix inside the bucket: "" or ending with "/"
    account: str = ""  # Azure storage account
    directory: str = ""  # local storage: the directory the keys are relative to

    def key(self, relative: str) -> str:
        return self.prefix + relative

    def adapter_prefix(self, fine_tuned_model: str) -> str:
        return self.key(f"{ADAPTERS_PREFIX}{fine_tuned_model}/")


def parse_storage_url(url: str) -> StorageLocation:
    """Raises ValueError naming the URL and the allowed forms."""
    if url == "":
        raise ValueError(f"empty storage URL; allowed: {URL_FORMS}")
    if "://" not in url:
        return StorageLocation(StorageKind.LOCAL, directory=os.path.abspath(url))
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "file":
        return StorageLocation(StorageKind.LOCAL, directory=unquote(parsed.path))
    kinds = {k.value: k for k in StorageKind if k is not StorageKind.LOCAL}
    if scheme not in kinds:
        raise ValueError(f"unsupported storage URL scheme {scheme + '://'!r} in {url!r}; allowed: {URL_FORMS}")
    if not parsed.netloc:
        raise ValueError(f"storage URL {url!r} names no {'account' if scheme == 'az' else 'bucket'}; allowed: {URL_FORMS}")
    segments = [s for s in unquote(parsed.path).split("/") if s]
    if scheme == "az":
        if not segments:
            raise ValueError(f"storage URL {url!r} names no container; allowed: az://ACCOUNT/CONTAINER[/PREFIX]")
        container, rest = segments[0], segments[1:]
        return StorageLocation(StorageKind.AZURE, bucket=container, prefix=_prefix(rest), account=parsed.netloc)
    return StorageLocation(kinds[scheme], bucket=parsed.netloc, prefix=_prefix(segments))


def _prefix(segments: list[str]) -> str:
    return "/".join(segments) + "/" if segments else ""
