"""A capped line splitter: bytes in, whole lines out, bounded memory whatever arrives.

emonhub's interfacer appends to an unbounded string until it sees a newline; a board
printing garbage without one would grow it for ever. Here a line longer than ``cap``
is dropped up to its next newline and reported once as ``overlong``.
"""

from __future__ import annotations


class LineBuffer:
    """Split a byte stream into lines of at most ``cap`` bytes (newline excluded)."""

    def __init__(self, cap: int = 512) -> None:
        if cap < 16:
            raise ValueError(f"line cap {cap} below 16 bytes")
        self.cap = cap
        self._buf = bytearray()
        self._skipping = False
        self.overlong = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add ``data``; return the complete lines now available (without their ``\\n``)."""
        lines: list[bytes] = []
        start = 0
        while True:
            nl = data.find(b"\n", start)
            if nl < 0:
                self._append(data[start:])
                return lines
            self._append(data[start:nl])
            if self._skipping:
                self._skipping = False
            else:
                lines.append(bytes(self._buf))
            self._buf.clear()
            start = nl + 1

    def _append(self, chunk: bytes) -> None:
        if self._skipping or not chunk:
            return
        if len(self._buf) + len(chunk) > self.cap:
            self._buf.clear()
            self._skipping = True
            self.overlong += 1
            return
        self._buf += chunk

    def reset(self) -> None:
        """Forget a partial line (after a reconnect: its start belonged to the old link)."""
        self._buf.clear()
        self._skipping = False

    @property
    def pending(self) -> int:
        """Bytes held of an unfinished line (≤ ``cap``)."""
        return len(self._buf)
