"""Listings the trainer makes are the exact prefixes a per-job credential allows (ARCHITECTURE.md, "Tenant isolation
below the API"; constructs/platform/job-access.ts): a data file is listed by its key, a directory by ``KEY/`` — never
by ``KEY`` alone, which would also name other models' objects (``models/base:suffix:hash/``)."""

from vpctune_trainer.storage import ObjectStore, set_store, stage_in


class RecordingStore(ObjectStore):
    def __init__(self, objects):
        self.objects = objects
        self.listed = []
        self.downloaded = []

    def list(self, bucket, prefix):
        self.listed.append(prefix)
        return {k: len(v) for k, v in self.objects.items() if k.startswith(prefix)}

    def download(self, bucket, key, path):
        self.downloaded.append(key)
        with open(path, "wb") as f:
            f.write(self.objects[key])

    def upload(self, path, bucket, key):
        raise AssertionError("stage_in uploads nothing")


def test_directories_are_listed_under_their_slash_and_files_by_their_key(tmp_path):
    # GIVEN a base model beside another tenant's fine-tune of it, and a data file
    store = RecordingStore({
        "models/acme/base/config.json": b"{}",
        "models/acme/base:theirs:0123abcd/config.json": b"{}",
        "files/file-1": b"{}\n",
    })
    set_store("s3", store)
    try:
        # WHEN the trainer stages both
        base = stage_in("s3://bucket/models/acme/base/", str(tmp_path), "base_model")
        data = stage_in("s3://bucket/files/file-1", str(tmp_path), "training_file.jsonl")
    finally:
        set_store("s3", None)
    # THEN the listings used exactly the granted prefixes and only the base model's object was read
    assert store.listed == ["models/acme/base/", "files/file-1"]
    assert store.downloaded == ["models/acme/base/config.json", "files/file-1"]
    assert (tmp_path / "base_model" / "config.json").exists()
    assert data == str(tmp_path / "training_file.jsonl")
    assert base == str(tmp_path / "base_model")
