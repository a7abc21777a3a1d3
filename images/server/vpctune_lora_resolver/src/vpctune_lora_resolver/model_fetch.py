"""The base model's weights for vLLM: the serving Deployment names them by their platform storage URL
(``<storage URL>/models/<id>/``, the bucket layout's ``models/`` prefix); vLLM reads a local directory or a hub id.

``local_model`` decides, and downloads when needed:
- no scheme (``/models/x``, ``meta-llama/Llama-3.1-8B-Instruct``): a local path or a hub id, served as it is;
- ``file:///DIR``: the local platform's storage, a directory vLLM reads in place;
- ``s3://``, ``gs://``, ``az://``: every object under the prefix is downloaded into ``<models dir>/<quoted prefix>/``
  (the resolver's object stores and credential chains), through a staging directory renamed into place, so a
  directory there is complete; a container restarted in the same pod finds it and downloads nothing;
- a storage prefix with no objects: the base was registered without a bucket copy (a hub id), so the served id is
  returned and vLLM fetches it from the hub.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import uuid
from typing import Callable
from urllib.parse import quote

from .object_stores import ObjectStore, store_for
from .storage_location import StorageKind, StorageLocation, parse_storage_url

COMPLETE_MARKER = ".vpctune-model.json"


def is_storage_url(model: str) -> bool:
    return "://" in model


def local_model(model: str, served_model_name: str, models_dir: str,
                store_of: Callable[[StorageLocation], ObjectStore] | None = None, log: Callable[[str], None] | None = None) -> str:
    """What vLLM should load for ``model``: the path or hub id as given, the local storage directory, or the downloaded
    copy of a bucket prefix (``served_model_name`` when the prefix is empty). ``store_of`` @default - ``store_for``
    (the clouds' SDKs). Raises ValueError for a bad URL and RuntimeError when a download fails (naming the key)."""
    say = log or (lambda m: sys.stderr.write(f"vpctune-vllm-launch: {m}\n"))
    if not is_storage_url(model):
        return model
    location = parse_storage_url(model)
    if location.kind is StorageKind.LOCAL:
        return location.directory
    store = (store_of or store_for)(location)
    objects = store.list(location.prefix)
    if not objects:
        say(f"no objects under {model}; serving {served_model_name!r} from the model hub")
        return served_model_name
    dest = os.path.join(models_dir, quote(f"{location.bucket}/{location.prefix}", safe=""))
    # keys ending with "/" are folder markers some tools write, not files
    listing = {key[len(location.prefix):]: size for key, size in sorted(objects.items()) if not key.endswith("/")}
    if _complete(dest, listing):
        say(f"{model} is already in {dest}")
        return dest
    staging = os.path.join(models_dir, f".incoming-{uuid.uuid4().hex}")
    os.makedirs(staging)  # makes models_dir too
    try:
        for relative, size in listing.items():
            target = _target(staging, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                store.download(location.prefix + relative, target)
            except Exception as e:  # noqa: BLE001 - every SDK has its own errors; the key and cause are what matter
                raise RuntimeError(f"downloading {location.prefix + relative} of {model} failed: {e}") from e
            if os.path.getsize(target) != size:
                raise RuntimeError(f"{location.prefix + relative} of {model}: {os.path.getsize(target)} bytes written, the store lists {size}")
        with open(os.path.join(staging, COMPLETE_MARKER), "w", encoding="utf-8") as f:
            json.dump({"source": model, "objects": listing}, f)
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    say(f"downloaded {len(listing)} objects ({sum(listing.values())} bytes) of {model} into {dest}")
    return dest


def _complete(dest: str, listing: dict[str, int]) -> bool:
    try:
        with open(os.path.join(dest, COMPLETE_MARKER), encoding="utf-8") as f:
            return json.load(f).get("objects") == listing
    except (OSError, ValueError):
        return False


def _target(root: str, relative: str) -> str:
    """The local path of a key below the prefix; a key that would leave the directory is refused."""
    parts = relative.split("/")
    if relative == "" or relative.startswith("/") or any(p in ("", ".", "..") for p in parts[:-1]) or parts[-1] in ("", ".", ".."):
        raise RuntimeError(f"refusing the storage key suffix {relative!r}: not a plain relative path")
    return os.path.join(root, *parts)
