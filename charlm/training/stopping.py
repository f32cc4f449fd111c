"""A stop request set by SIGTERM/SIGINT, with no TensorFlow import so it can be installed
first thing in a trainer process."""

from __future__ import annotations

import signal


class StopRequest:
    """Set by SIGTERM/SIGINT; installed before TensorFlow loads so an early signal counts too."""

    def __init__(self, signals=(signal.SIGTERM, signal.SIGINT)):
        self.requested = False
        for sig in signals:
            signal.signal(sig, self._request)

    def _request(self, signum, frame):
        self.requested = True
