"""Publishing servable weights (publish.py): the adapter with the served base model's name to an object store, config
last; full weights to a local directory, config.json last. The object store is a recording fake of the ObjectStore
interface (S3 through moto is exercised by test_trainer_storage.py for the same interface)."""

from __future__ import annotations

import json

from vpctune_trainer.publish import publish
from vpctune_trainer.storage import ObjectStore, set_store


class RecordingStore(ObjectStore):
    def __init__(self):
        self.uploads = []

    def upload(self, path, bucket, key):
        with open(path, "rb") as f:
            self.uploads.append((bucket, key, f.read()))


def test_adapter_is_published_with_the_served_base_model_config_last(tmp_path):
    # GIVEN a saved adapter whose config names the training pod's local base path
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"peft_type": "LORA", "r": 8,
                                                             "base_model_name_or_path": "/scratch/vpctune-x/base_model"}))
    (adapter / "adapter_model.safetensors").write_bytes(b"weights")
    (adapter / "README.md").write_text("peft model card")
    store = RecordingStore()
    set_store("s3", store)
    try:
        # WHEN it is published to adapters/<id>/ of a bucket
        files = publish("adapter", str(adapter), "vpctune/tiny-chat", "s3://acme/adapters/ft:vpctune/tiny-chat:p::x/")
    finally:
        set_store("s3", None)
    # THEN only vLLM's two files go up, weights first, and the config names the served base model
    assert files == ["adapter_model.safetensors", "adapter_config.json"]
    assert [(b, k) for b, k, _ in store.uploads] == [
        ("acme", "adapters/ft:vpctune/tiny-chat:p::x/adapter_model.safetensors"),
        ("acme", "adapters/ft:vpctune/tiny-chat:p::x/adapter_config.json")]
    assert store.uploads[0][2] == b"weights"
    assert json.loads(store.uploads[1][2]) == {"peft_type": "LORA", "r": 8, "base_model_name_or_path": "vpctune/tiny-chat"}


def test_full_weights_are_published_to_a_local_directory_config_last(tmp_path):
    # GIVEN a saved full model directory
    model = tmp_path / "model"
    model.mkdir()
    for name, body in {"config.json": "{}", "model.safetensors": "w", "tokenizer.json": "t",
                       "generation_config.json": "{}"}.items():
        (model / name).write_text(body)
    dest = tmp_path / "storage" / "models" / "ft:x"
    # WHEN it is published to models/<id>/ of local storage
    files = publish("model", str(model), "vpctune/tiny-chat", str(dest))
    # THEN every file is there (no temporary names left) and config.json was the last one placed
    assert files == ["generation_config.json", "model.safetensors", "tokenizer.json", "config.json"]
    assert sorted(p.name for p in dest.iterdir()) == sorted(files)
    assert (dest / "model.safetensors").read_text() == "w"
