"""Publishing a finished job's weights where the inference server loads them.

LoRA/QLoRA: ``adapter_config.json`` and ``adapter_model.safetensors`` (vLLM's LoRA layout) in ``publish_dir``
(``adapters/<fine-tuned model id>/`` of the platform's storage), with ``base_model_name_or_path`` set to the base model
**as it is served** (the spec's ``model``, e.g. ``vpctune/tiny-chat``), not the training pod's local path: vLLM's
resolvers and our own refuse an adapter whose base is not the model they serve. Full fine-tuning: the weights, config
and tokenizer (``models/<fine-tuned model id>/``), a model the server can load on its own.

The configuration file is written last, so a reader that finds ``adapter_config.json`` (or ``config.json``) finds
complete weights beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from .storage import is_uri, parse_uri, store_for

ADAPTER_FILES = ("adapter_model.safetensors", "adapter_config.json")  # upload order: the config last
ADAPTER_CONFIG = "adapter_config.json"
MODEL_CONFIG = "config.json"


def servable_adapter(adapter_dir: str, served_base_model: str, dest_dir: str) -> list[str]:
    """Copies the adapter's vLLM files from ``adapter_dir`` into ``dest_dir`` with the served base model's name;
    returns the file names in the order they must be published."""
    os.makedirs(dest_dir, exist_ok=True)
    shutil.copyfile(os.path.join(adapter_dir, ADAPTER_FILES[0]), os.path.join(dest_dir, ADAPTER_FILES[0]))
    with open(os.path.join(adapter_dir, ADAPTER_CONFIG), encoding="utf-8") as f:
        config = json.load(f)
    config["base_model_name_or_path"] = served_base_model
    with open(os.path.join(dest_dir, ADAPTER_CONFIG), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    return list(ADAPTER_FILES)


def _model_files(model_dir: str) -> list[str]:
    """Every file of a saved model, ``config.json`` last."""
    files = []
    for root, _, names in os.walk(model_dir):
        for n in sorted(names):
            files.append(os.path.relpath(os.path.join(root, n), model_dir).replace(os.sep, "/"))
    files.sort(key=lambda rel: (rel == MODEL_CONFIG, rel))
    return files


def _copy_local(src_dir: str, files: list[str], dest: str) -> None:
    """Into a local directory: each file under a temporary name, then renamed, in order."""
    for rel in files:
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.partial-{os.getpid()}"
        shutil.copyfile(os.path.join(src_dir, rel), tmp)
        os.replace(tmp, target)


def _upload(src_dir: str, files: list[str], dest: str) -> None:
    uri = parse_uri(dest)
    store = store_for(uri)
    prefix = uri.key.rstrip("/") + "/" if uri.key else ""
    for rel in files:
        store.upload(os.path.join(src_dir, rel), uri.bucket, prefix + rel)


def publish(output_kind: str, weights_dir: str, served_base_model: str, publish_dir: str) -> list[str]:
    """Publishes ``weights_dir`` (``output_dir/adapter`` or ``output_dir/model``) to ``publish_dir`` (a local directory
    or an object-store prefix); returns the published file names."""
    with tempfile.TemporaryDirectory(prefix="vpctune-publish-") as staging:
        if output_kind == "adapter":
            files = servable_adapter(weights_dir, served_base_model, staging)
            src = staging
        else:
            files, src = _model_files(weights_dir), weights_dir
        if is_uri(publish_dir):
            _upload(src, files, publish_dir)
        else:
            _copy_local(src, files, publish_dir)
    return files
