"""Per-job Azure Blob access from the controller's mounted SAS file (azure_sas.py): each request's client is built
from the token of the longest prefix covering its key (a blob token only for its exact key), a key no token covers is
refused before any request, the file is re-read when its tokens near expiry, a bad file names its path and field, and
storage.py uses the SAS store only when VPCTUNE_AZURE_SAS_FILE is set. azure-storage-blob is not in the CPU
environment, so its clients are fakes that record the URL they were built from."""

import datetime
import json

import pytest
from urllib.parse import unquote

from vpctune_trainer import storage
from vpctune_trainer.azure_sas import AzureSasStore, SasFile, SasFileError, read_sas_file

UTC = datetime.timezone.utc
NOW = datetime.datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
URL = "https://acct.blob.core.windows.net"
BLOBS = {"team/files/file-1": b"data", "team/models/m/config.json": b"{}", "team/models/m/w.bin": b"weights"}


def doc(tag="1", expiry="2025-06-01T13:00:00Z"):
    return {
        "account": "acct",
        "container": "artifacts",
        "expiry": expiry,
        "entries": [
            {"prefix": "team/files/file-1", "resource": "b", "permissions": "r", "sas": f"sr=b&sig=file{tag}"},
            {"prefix": "team/models/m/", "resource": "d", "permissions": "rl", "sas": f"sr=d&sig=model{tag}"},
            {"prefix": "team/jobs/j/output/", "resource": "d", "permissions": "racwl", "sas": f"sr=d&sig=out{tag}"},
            {"prefix": "team/jobs/j/output/ckpt/", "resource": "d", "permissions": "rl", "sas": f"sr=d&sig=ckpt{tag}"},
        ],
    }


class FakeBlob:
    def __init__(self, url, log):
        self.url, self.log = url, log
        log.append(url)
        self.key = unquote(url.split("?")[0][len(URL) + len("/artifacts/"):])

    def exists(self):
        return self.key in BLOBS

    def get_blob_properties(self):
        return type("Props", (), {"size": len(BLOBS[self.key])})()

    def download_blob(self):
        data = BLOBS[self.key]
        return type("Stream", (), {"readinto": lambda _s, f: f.write(data)})()

    def upload_blob(self, f, overwrite):
        self.log.append(("uploaded", self.key, f.read(), overwrite))


class FakeContainer:
    def __init__(self, url, log):
        log.append(url)

    def list_blobs(self, name_starts_with):
        return [type("B", (), {"name": k, "size": len(v)})() for k, v in BLOBS.items() if k.startswith(name_starts_with)]


def store_at(path, log, clock=lambda: NOW):
    return AzureSasStore(URL, SasFile(str(path), clock=clock), blob_client=lambda u: FakeBlob(u, log), container_client=lambda u: FakeContainer(u, log))


def test_given_a_directory_token_when_its_prefix_is_listed_and_read_then_the_container_and_blob_clients_carry_it(tmp_path):
    # GIVEN
    (tmp_path / "sas.json").write_text(json.dumps(doc()))
    log = []
    store = store_at(tmp_path / "sas.json", log)
    # WHEN
    listed = store.list("artifacts", "team/models/m/")
    store.download("artifacts", "team/models/m/w.bin", str(tmp_path / "w.bin"))
    # THEN
    assert listed == {"team/models/m/config.json": 2, "team/models/m/w.bin": 7}
    assert (tmp_path / "w.bin").read_bytes() == b"weights"
    assert log == [f"{URL}/artifacts?sr=d&sig=model1", f"{URL}/artifacts/team/models/m/w.bin?sr=d&sig=model1"]


def test_given_a_blob_token_when_its_key_is_listed_then_the_blob_is_looked_up_not_listed(tmp_path):
    # GIVEN
    (tmp_path / "sas.json").write_text(json.dumps(doc()))
    log = []
    # WHEN
    listed = store_at(tmp_path / "sas.json", log).list("artifacts", "team/files/file-1")
    # THEN
    assert listed == {"team/files/file-1": 4}
    assert log == [f"{URL}/artifacts/team/files/file-1?sr=b&sig=file1"]


def test_given_nested_directory_tokens_when_a_key_is_written_then_the_longest_prefix_wins(tmp_path):
    # GIVEN
    (tmp_path / "sas.json").write_text(json.dumps(doc()))
    (tmp_path / "m.txt").write_bytes(b"m")
    log = []
    store = store_at(tmp_path / "sas.json", log)
    # WHEN
    store.upload(str(tmp_path / "m.txt"), "artifacts", "team/jobs/j/output/metrics.jsonl")
    store.upload(str(tmp_path / "m.txt"), "artifacts", "team/jobs/j/output/ckpt/a b.pt")
    # THEN
    assert log == [
        f"{URL}/artifacts/team/jobs/j/output/metrics.jsonl?sr=d&sig=out1",
        ("uploaded", "team/jobs/j/output/metrics.jsonl", b"m", True),
        f"{URL}/artifacts/team/jobs/j/output/ckpt/a%20b.pt?sr=d&sig=ckpt1",
        ("uploaded", "team/jobs/j/output/ckpt/a b.pt", b"m", True),
    ]


def test_given_keys_outside_the_grant_when_touched_then_they_are_refused_before_any_request(tmp_path):
    # GIVEN
    (tmp_path / "sas.json").write_text(json.dumps(doc()))
    log = []
    store = store_at(tmp_path / "sas.json", log)
    granted = "team/files/file-1, team/models/m/, team/jobs/j/output/, team/jobs/j/output/ckpt/"
    # WHEN / THEN: another job's output, a key beside the data file, and a listing wider than the file
    with pytest.raises(SasFileError, match=f"^no SAS token of this job covers key 'team/jobs/k/output/x'; granted: {granted}$"):
        store.download("artifacts", "team/jobs/k/output/x", str(tmp_path / "x"))
    with pytest.raises(SasFileError, match="covers key 'team/files/file-10'"):
        store.list("artifacts", "team/files/file-10")
    with pytest.raises(SasFileError, match="^container 'other' is not this job's; allowed: artifacts$"):
        store.list("other", "team/models/m/")
    assert log == []


def test_given_tokens_near_expiry_when_a_key_is_touched_then_the_rewritten_file_is_read(tmp_path):
    # GIVEN a file expiring at 13:00 and a clock that moves to 12:56
    path = tmp_path / "sas.json"
    path.write_text(json.dumps(doc()))
    clock = [NOW]
    log = []
    store = store_at(path, log, clock=lambda: clock[0])
    store.list("artifacts", "team/models/m/")
    path.write_text(json.dumps(doc(tag="2", expiry="2025-06-01T14:00:00Z")))
    store.list("artifacts", "team/models/m/")  # 12:00: still the first tokens
    # WHEN
    clock[0] = NOW + datetime.timedelta(minutes=56)
    store.list("artifacts", "team/models/m/")
    # THEN
    assert log == [f"{URL}/artifacts?sr=d&sig=model1", f"{URL}/artifacts?sr=d&sig=model1", f"{URL}/artifacts?sr=d&sig=model2"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{", "cannot be read as JSON"),
        (json.dumps({**doc(), "container": ""}), "has container ''; allowed: a non-empty string"),
        (json.dumps({**doc(), "expiry": "2025-06-01T13:00:00"}), "has expiry '2025-06-01T13:00:00'; allowed: an ISO 8601 time with its zone"),
        (json.dumps({**doc(), "entries": [{"prefix": "a/", "resource": "c", "sas": "x"}]}), "entry 0 is {'prefix': 'a/', 'resource': 'c', 'sas': 'x'}; allowed: prefix, resource ('b' or 'd') and sas, all non-empty"),
        (json.dumps({**doc(), "entries": []}), "has no entries; allowed: at least one token"),
    ],
)
def test_given_a_bad_file_when_read_then_the_error_names_the_path_and_field(tmp_path, content, message):
    # GIVEN
    path = tmp_path / "sas.json"
    path.write_text(content)
    # WHEN / THEN
    with pytest.raises(SasFileError) as e:
        read_sas_file(str(path))
    assert str(e.value).startswith(f"Azure SAS file {path} ")
    assert message in str(e.value)


def test_given_the_sas_file_variable_when_an_az_store_is_made_then_it_is_the_sas_store_on_the_account_endpoint(tmp_path, monkeypatch):
    # GIVEN
    (tmp_path / "sas.json").write_text(json.dumps(doc()))
    monkeypatch.setattr("vpctune_trainer.azure_sas._sdk_clients", lambda: (lambda u: u, lambda u: u))
    # WHEN
    made = storage.azure_store("acct", environ={"VPCTUNE_AZURE_SAS_FILE": str(tmp_path / "sas.json")})
    # THEN
    assert isinstance(made, AzureSasStore)
    assert made.account_url == URL
    assert made.sas_file.tokens.container == "artifacts"
