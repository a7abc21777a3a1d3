"""Per-job GCS credentials read from the controller's mounted token file (gcs_token_credentials.py): the token and
expiry are read at start and re-read when the client refreshes (the controller rewrites the file before expiry); a bad
file names its path and field; GCSStore's client gets them only when the variable is set. google-auth is not in the
CPU environment, so its ``Credentials`` contract (``valid`` by expiry, ``before_request`` refreshing) is a fake here."""

import datetime
import json

import pytest

from vpctune_trainer.gcs_token_credentials import TokenFileError, read_token_file, token_file_credentials
from vpctune_trainer.storage import gcs_client

NOW = datetime.datetime(2025, 6, 1, 12, 0, 0)


class FakeGoogleCredentials:
    """google-auth's Credentials contract: valid while the token is set and not within 3m45s of expiry."""

    clock = NOW

    def __init__(self):
        self.token = None
        self.expiry = None

    @property
    def valid(self):
        return self.token is not None and (self.expiry is None or self.clock < self.expiry - datetime.timedelta(seconds=225))

    def before_request(self, request, method, url, headers):
        if not self.valid:
            self.refresh(request)
        headers["authorization"] = f"Bearer {self.token}"


def write(path, token, expiry):
    path.write_text(json.dumps({"access_token": token, "expiry": expiry}))


def test_given_a_mounted_token_when_credentials_are_made_then_the_token_and_naive_utc_expiry_are_read(tmp_path):
    # GIVEN
    f = tmp_path / "gcs-token.json"
    write(f, "ya29.job-1", "2025-06-01T12:59:59.000Z")
    # WHEN
    creds = token_file_credentials(str(f), base=FakeGoogleCredentials)
    # THEN
    assert (creds.token, creds.expiry) == ("ya29.job-1", datetime.datetime(2025, 6, 1, 12, 59, 59))
    assert isinstance(creds, FakeGoogleCredentials)


def test_given_the_controller_rewrote_the_file_when_the_token_nears_expiry_then_the_next_request_reads_the_new_one(tmp_path):
    # GIVEN
    f = tmp_path / "gcs-token.json"
    write(f, "ya29.first", "2025-06-01T12:59:59Z")
    creds = token_file_credentials(str(f), base=FakeGoogleCredentials)
    write(f, "ya29.second", "2025-06-01T13:59:59Z")
    headers = {}
    # WHEN: still valid, then two minutes before expiry
    creds.before_request(None, "GET", "https://storage.googleapis.com/", headers)
    before = headers["authorization"]
    creds.clock = datetime.datetime(2025, 6, 1, 12, 58, 0)
    creds.before_request(None, "GET", "https://storage.googleapis.com/", headers)
    # THEN
    assert before == "Bearer ya29.first"
    assert headers["authorization"] == "Bearer ya29.second"
    assert creds.expiry == datetime.datetime(2025, 6, 1, 13, 59, 59)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot be read as JSON"),
        (json.dumps({"expiry": "2025-06-01T12:59:59Z"}), "has no access_token; allowed: a non-empty string"),
        (json.dumps({"access_token": "t", "expiry": "soon"}), "has expiry 'soon'; allowed: an ISO 8601 time"),
        (json.dumps({"access_token": "t", "expiry": "2025-06-01T12:59:59"}), "has expiry '2025-06-01T12:59:59'; allowed: an ISO 8601 time with its zone"),
    ],
)
def test_given_a_bad_token_file_when_read_then_the_error_names_the_path_and_field(tmp_path, content, message):
    # GIVEN
    f = tmp_path / "gcs-token.json"
    f.write_text(content)
    # WHEN / THEN
    with pytest.raises(TokenFileError) as e:
        read_token_file(str(f))
    assert str(e.value).startswith(f"GCS token file {f} ")
    assert message in str(e.value)


def test_given_the_variable_when_the_gcs_client_is_made_then_it_uses_the_token_file_else_default_credentials(tmp_path, monkeypatch):
    # GIVEN
    f = tmp_path / "gcs-token.json"
    write(f, "ya29.job-1", "2025-06-01T12:59:59Z")
    made = []
    monkeypatch.setattr("vpctune_trainer.storage.token_file_credentials", lambda path: ("token-file", path))
    # WHEN
    gcs_client(lambda **kw: made.append(kw), environ={"VPCTUNE_GCS_TOKEN_FILE": str(f), "GOOGLE_CLOUD_PROJECT": "proj-1"})
    gcs_client(lambda **kw: made.append(kw), environ={})
    # THEN
    assert made == [{"project": "proj-1", "credentials": ("token-file", str(f))}, {}]
