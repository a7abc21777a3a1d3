"""Per-job GCS credentials from the controller's mounted token file (ARCHITECTURE.md, "Tenant isolation below the API").

On GCP the controller writes the job's downscoped access token to ``$VPCTUNE_GCS_TOKEN_FILE`` as
``{"access_token": "...", "expiry": "<ISO 8601>"}`` and rewrites it well before it expires; the kubelet updates the
mounted file. google-cloud-storage has no token-file credential, so this is one: a google-auth ``Credentials`` whose
``refresh`` re-reads the file. google-auth calls ``refresh`` when the token is missing or near its expiry.
"""

from __future__ import annotations

import datetime
import json
import os

TOKEN_FILE_ENV = "VPCTUNE_GCS_TOKEN_FILE"


class TokenFileError(RuntimeError):
    pass


def read_token_file(path: str) -> tuple[str, datetime.datetime]:
    """The token and its expiry (naive UTC, as google-auth keeps it). Raises TokenFileError naming the path and field."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise TokenFileError(f"GCS token file {path} cannot be read as JSON: {e}") from e
    token = doc.get("access_token") if isinstance(doc, dict) else None
    if not isinstance(token, str) or token == "":
        raise TokenFileError(f"GCS token file {path} has no access_token; allowed: a non-empty string")
    raw = doc.get("expiry")
    try:
        expiry = datetime.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError as e:
        raise TokenFileError(f"GCS token file {path} has expiry {raw!r}; allowed: an ISO 8601 time") from e
    if expiry.tzinfo is None:
        raise TokenFileError(f"GCS token file {path} has expiry {raw!r}; allowed: an ISO 8601 time with its zone")
    return token, expiry.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def token_file_credentials(path: str, base: type | None = None):
    """google-auth credentials that read (and on refresh re-read) the token at ``path``.

    ``base`` is google-auth's ``Credentials`` class (imported here by default; a test may pass its own).
    """
    if base is None:
        from google.auth.credentials import Credentials as base  # noqa: N813

    class TokenFileCredentials(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self.token_file = path
            self.refresh(None)

        def refresh(self, request) -> None:  # noqa: ARG002 - the file, not the network
            self.token, self.expiry = read_token_file(self.token_file)

    return TokenFileCredentials()
