"""A TinyDB storage whose durable append costs in proportion to the event, not the file.

TinyDB's stock ``JSONStorage`` truncates and rewrites the whole file on every insert:
torn by a power cut, and its cost grows with the file. This storage keeps the day's
documents in memory (one day is bounded) and, on each ``write``, appends only the new
documents as checksummed lines, then fsyncs::

    [doc_id, {document}]<TAB>crc32-hex<LF>

On open, a torn or garbage last line (a power cut mid-append) is dropped and the file
truncated back to its last good line; damage in the middle (a dying card) moves the
file aside as ``*.corrupt-N`` and writes the good lines to a fresh file. Either way a
log line says what happened and logging goes on. An append that returned is on disk.

The journal is append-only: a ``write`` that removes or changes documents raises
:class:`~kiosk.errors.AppendOnlyViolation`.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from kiosk.errors import AppendOnlyViolation, JournalError

log = logging.getLogger(__name__)

TABLE = "events"


class FileOps:
    """The few OS calls the journal makes, in one place so a test can record them."""

    def open_append(self, path: Path) -> int:
        """Open ``path`` for appending, creating it (mode 0640) if needed."""
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)

    def write(self, fd: int, data: bytes) -> None:
        """Write all of ``data`` (looping over short writes)."""
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    def fsync(self, fd: int) -> None:
        """Make everything written to ``fd`` durable."""
        os.fdatasync(fd)

    def truncate(self, fd: int, size: int) -> None:
        """Cut the file back to ``size`` bytes and make that durable."""
        os.ftruncate(fd, size)
        os.fsync(fd)

    def close(self, fd: int) -> None:
        """Close ``fd``."""
        os.close(fd)

    def fsync_dir(self, directory: Path) -> None:
        """Make a directory's entries (a new or renamed file) durable."""
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def replace(self, src: Path, dst: Path) -> None:
        """Atomically rename ``src`` over ``dst``."""
        os.replace(src, dst)

    def unlink(self, path: Path) -> None:
        """Remove the name ``path`` if it exists."""
        path.unlink(missing_ok=True)

    def link(self, src: Path, dst: Path) -> None:
        """Give the file ``src`` a second name ``dst`` (a hard link; ``dst`` must not exist)."""
        os.link(src, dst)


class _FrozenDoc(dict):  # type: ignore[type-arg]
    """A stored event: a dict that refuses every change, so TinyDB's ``update`` cannot
    alter the in-memory copy of an event the file already holds."""

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise AppendOnlyViolation("journal events may only be added, never changed or removed")

    __setitem__ = __delitem__ = __ior__ = _refuse  # type: ignore[assignment]
    update = pop = popitem = clear = setdefault = _refuse  # type: ignore[assignment]


def encode_line(doc_id: int, doc: dict[str, Any]) -> bytes:
    """One journal line for a document: JSON, a tab, its CRC-32 in hex, a newline."""
    body = json.dumps([doc_id, doc], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return body + b"\t%08x\n" % zlib.crc32(body)


def decode_line(line: bytes) -> tuple[int, dict[str, Any]] | None:
    """The ``(doc_id, document)`` of a complete line, or None if it is torn or corrupt."""
    if not line.endswith(b"\n"):
        return None
    body, sep, crc = line[:-1].rpartition(b"\t")
    if not sep or len(crc) != 8:
        return None
    try:
        if int(crc, 16) != zlib.crc32(body):
            return None
        doc_id, doc = json.loads(body)
    except ValueError:
        return None
    if not isinstance(doc_id, int) or not isinstance(doc, dict):
        return None
    return doc_id, doc


def _lines(raw: bytes) -> list[tuple[int, bytes]]:
    """``(offset, line)`` of every line of ``raw``, newline kept; the last may lack one.

    Only ``\\n`` ends a line (``bytes.splitlines`` would also split on a stray ``\\r`` in
    garbage and misplace the good end).
    """
    out = []
    start = 0
    size = len(raw)
    while start < size:
        end = raw.find(b"\n", start)
        end = size if end < 0 else end + 1
        out.append((start, raw[start:end]))
        start = end
    return out


class JournalTable(Table):
    """A TinyDB table whose ``insert`` appends one line to its :class:`JournalStorage`.

    TinyDB's own ``insert`` copies the whole table and hands it to ``Storage.write``:
    cost growing with the day file. Here an insert costs the event only. Every other
    operation (queries, and the refused updates and removals) is TinyDB's.
    """

    def insert(self, document: Mapping[str, Any]) -> int:
        """Append ``document``; return its id. Raises ``ValueError`` as TinyDB does."""
        storage = self._storage
        if not isinstance(storage, JournalStorage) or self.name != TABLE:
            return super().insert(document)
        if not isinstance(document, Mapping):
            raise ValueError("Document is not a Mapping")
        if isinstance(document, self.document_class):
            doc_id = document.doc_id
            self._next_id = None
        else:
            doc_id = self._get_next_id()
        storage.append(str(doc_id), document)
        self.clear_cache()
        return doc_id


class JournalDB(TinyDB):
    """TinyDB over a journal day file: ``TinyDB(path, storage=JournalStorage)`` with O(event) inserts."""

    table_class = JournalTable


class JournalStorage(Storage):
    """TinyDB storage over one append-only day file (see the module docstring).

    ``readonly`` opens without repairing or writing: a reader beside the running agent
    drops a torn tail in memory only.
    """

    def __init__(self, path: str | Path, *, ops: FileOps | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self._ops = ops or FileOps()
        self._readonly = readonly
        self._fd: int | None = None
        self._size = 0
        self.dropped_lines = 0
        self._docs: dict[str, dict[str, Any]] = {}
        self._load()

    # --- opening and repair -------------------------------------------------
    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise JournalError(f"cannot read journal file {self.path}: {exc.strerror}") from None
        docs: dict[str, Any] = {}
        good_end = 0
        bad_before_good = False
        for start, line in _lines(raw):
            decoded = decode_line(line)
            if decoded is None:
                self.dropped_lines += 1
                continue
            if self.dropped_lines:
                bad_before_good = True
            docs[str(decoded[0])] = _FrozenDoc(decoded[1])
            good_end = start + len(line)
        self._docs = docs
        self._size = good_end
        if self._readonly:
            return
        try:
            self._repair(raw, docs, good_end, bad_before_good)
        except OSError as exc:  # a card gone read-only, a full card: say so, in one line
            raise JournalError(f"cannot repair journal file {self.path}: {exc.strerror or exc}") from None

    def _repair(self, raw: bytes, docs: dict[str, Any], good_end: int, bad_before_good: bool) -> None:
        if bad_before_good:
            self._move_aside_and_rewrite(raw, docs)
        elif good_end < len(raw):
            log.warning(
                "journal %s: dropped a torn tail of %d bytes (%d bad line(s)) left by a power cut",
                self.path, len(raw) - good_end, self.dropped_lines,
            )
            fd = self._ops.open_append(self.path)
            self._ops.truncate(fd, good_end)
            self._fd = fd

    def _move_aside_and_rewrite(self, raw: bytes, docs: dict[str, Any]) -> None:
        n = 1
        while (aside := self.path.with_name(f"{self.path.name}.corrupt-{n}")).exists():
            n += 1
        tmp = self.path.with_name(self.path.name + ".tmp")
        body = b"".join(encode_line(int(k), d) for k, d in docs.items())
        self._ops.unlink(tmp)
        fd = self._ops.open_append(tmp)
        try:
            self._ops.write(fd, body)
            self._ops.fsync(fd)
        finally:
            self._ops.close(fd)
        # The damaged file gets a second name first and the repaired one replaces it
        # atomically: a power cut at any point leaves the day file under its own name
        # (damaged or repaired, never absent), so no good event is ever lost.
        self._ops.link(self.path, aside)
        self._ops.replace(tmp, self.path)
        self._ops.fsync_dir(self.path.parent)
        self._size = len(body)
        log.error(
            "journal %s: %d corrupt line(s) inside the file (failing SD card?); moved it to %s "
            "and kept its %d good event(s)",
            self.path, self.dropped_lines, aside.name, len(docs),
        )

    # --- TinyDB Storage interface ------------------------------------------
    def read(self) -> dict[str, dict[str, Any]]:
        """The day's documents as TinyDB expects them (``{table: {id: doc}}``).

        The outer mapping is new on every call: TinyDB edits it in place before it calls
        :meth:`write`, and a refused write must leave the stored events as they were.
        """
        return {TABLE: self._docs}

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Append the documents TinyDB added since the last write, durably.

        Raises :class:`AppendOnlyViolation` if documents were removed or changed, and
        :class:`JournalError` if the disk refuses (nothing is half-written then).
        """
        if self._readonly:
            raise AppendOnlyViolation(f"journal file {self.path} was opened read-only")
        if set(data) - {TABLE}:
            raise AppendOnlyViolation(f"the journal has one table, {TABLE!r}")
        self._append(self._added(data.get(TABLE, {})))

    def append(self, doc_id: str, doc: Mapping[str, Any]) -> None:
        """Append one document durably: one line, one fsync, whatever the file's size.

        Raises ``ValueError`` if ``doc_id`` is taken, :class:`AppendOnlyViolation` on a
        read-only file and :class:`JournalError` if the disk refuses.
        """
        if self._readonly:
            raise AppendOnlyViolation(f"journal file {self.path} was opened read-only")
        if doc_id in self._docs:
            raise ValueError(f"document with id {doc_id} already exists")
        self._append([(doc_id, dict(doc))])

    def _append(self, new: list[tuple[str, Any]]) -> None:
        blob = b"".join(encode_line(int(k), doc) for k, doc in new)
        try:
            fd = self._open()
        except OSError as exc:
            raise JournalError(f"cannot open journal file {self.path}: {exc.strerror or exc}") from None
        try:
            self._ops.write(fd, blob)
            self._ops.fsync(fd)
        except OSError as exc:
            try:
                self._ops.truncate(fd, self._size)
            except OSError:
                log.exception("journal %s: could not cut back a failed append", self.path)
            raise JournalError(f"cannot append to journal {self.path}: {exc.strerror}") from None
        self._size += len(blob)
        for key, doc in new:
            self._docs[key] = _FrozenDoc(doc)

    def _added(self, table: dict[str, Any]) -> list[tuple[str, Any]]:
        """The documents of ``table`` that are new, after checking no old one changed."""
        violation = AppendOnlyViolation(
            f"journal {self.path}: events may only be added, never changed or removed"
        )
        added = len(table) - len(self._docs)
        if added <= 0:
            raise violation
        # TinyDB hands back the very objects it read, so an identity check per stored
        # event (a few hundred a day) finds a removal or a replacement cheaply.
        for key, doc in self._docs.items():
            if table.get(key) is not doc:
                raise violation
        new = list(islice(reversed(table.items()), added))
        new.reverse()
        if any(key in self._docs for key, _doc in new):
            new = [(k, d) for k, d in table.items() if k not in self._docs]
        for key, doc in new:
            if not isinstance(doc, dict) or not key.isdigit():
                raise AppendOnlyViolation(f"journal {self.path}: document {key!r} is not an event")
        return new

    def _open(self) -> int:
        if self._fd is None:
            is_new = not self.path.exists()
            self._fd = self._ops.open_append(self.path)
            if is_new:
                self._ops.fsync_dir(self.path.parent)
        return self._fd

    def close(self) -> None:
        """Close the file; the storage must not be used afterwards."""
        if self._fd is not None:
            self._ops.close(self._fd)
            self._fd = None

    @property
    def size_bytes(self) -> int:
        """Bytes of good lines in the file."""
        return self._size
