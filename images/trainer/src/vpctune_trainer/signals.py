"""SIGTERM handling, importable before torch (so the handler is in place while the heavy imports run)."""

from __future__ import annotations

import signal


class StopFlag:
    """Set by SIGTERM; the training loop checks it at the end of every optimizer step."""

    def __init__(self):
        self.requested = False
        self.signum = None
        self._previous = None

    def install(self) -> "StopFlag":
        def handler(signum, frame):
            self.requested = True
            self.signum = signum

        self._previous = signal.signal(signal.SIGTERM, handler)
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
            self._previous = None
