"""The journal: immutable events with a per-Pi sequence number, one TinyDB file per local day.

Single writer: the agent owns the journal; the UI and sync go through the agent, never
the files. Files are named ``YYYY-MM-DD.<first seq>.jsonl`` after the local date of
their first event, so nothing grows with history and reading by sequence or by date
opens only the files it needs. The sync cursor (the highest sequence the district
acknowledged) lives beside them in ``cursor.json``, replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage

from kiosk.clock import Clock
from kiosk.errors import JournalError
from kiosk.journal.storage import TABLE, FileOps, JournalDB, JournalStorage

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.(\d{10})\.jsonl$")
_PLAUSIBLE = dt.date(2020, 1, 1)  # earlier dates come from an unsynchronised clock
CURSOR_FILE = "cursor.json"
WRITER_LOCK = ".writer"
_SYNC_SEARCH_DAYS = dt.timedelta(days=14)  # how far after a file to look for its boot's clock sync


class _Day:
    __slots__ = ("date", "first_seq", "db", "path")
    db: TinyDB | None

    def __init__(self, date: dt.date, first_seq: int, db: TinyDB | None, path: Path | None) -> None:
        self.date = date
        self.first_seq = first_seq
        self.db = db
        self.path = path


class Journal:
    """The append-only event journal of one Pi.

    Use :meth:`open` for the journal on disk and :meth:`in_memory` for tests. Every
    appended event gets ``seq`` (1, 2, …), ``at`` (UTC epoch seconds), ``boot``,
    ``mono`` (seconds since boot when it happened) and ``synced`` (whether the wall
    clock was synchronised).
    """

    def __init__(
        self,
        directory: Path | None,
        *,
        tz: dt.tzinfo,
        clock: Clock,
        ops: FileOps | None = None,
        readonly: bool = False,
    ) -> None:
        self._dir = directory
        self._tz = tz
        self._clock = clock
        self._ops = ops or FileOps()
        self._readonly = readonly
        self._days: list[_Day] = []
        self._memory_cursor = 0
        self._current: _Day | None = None
        self.last_seq = 0
        self._lock_fd: int | None = None
        if directory is not None:
            if not readonly:
                self._take_writer_lock(directory)
            self._scan()

    def _take_writer_lock(self, directory: Path) -> None:
        """One writer per journal (two would hand out the same seq twice): an exclusive
        ``flock`` on ``directory/.writer``, released by :meth:`close` or the process's death."""
        path = directory / WRITER_LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as exc:
            raise JournalError(f"cannot open {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise JournalError(
                f"journal {directory} is already being written by process {holder}; "
                "stop it first (one agent per journal: the touchscreen runs inside `classroom run`)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._lock_fd = fd

    # --- construction ---------------------------------------------------------
    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        tz: dt.tzinfo,
        clock: Clock,
        ops: FileOps | None = None,
        readonly: bool = False,
    ) -> Journal:
        """Open (creating if needed) the journal in ``directory``."""
        if not readonly:
            is_new = not directory.is_dir()
            try:
                directory.mkdir(parents=True, exist_ok=True, mode=0o750)
                if is_new:  # the folder's own entry must survive a power cut too
                    (ops or FileOps()).fsync_dir(directory.parent)
            except OSError as exc:
                raise JournalError(f"cannot create journal folder {directory}: {exc.strerror}") from None
        elif not directory.is_dir():
            raise JournalError(f"no journal at {directory}")
        return cls(directory, tz=tz, clock=clock, ops=ops, readonly=readonly)

    @classmethod
    def in_memory(cls, *, tz: dt.tzinfo, clock: Clock) -> Journal:
        """A journal kept in memory only (tests, dry runs)."""
        return cls(None, tz=tz, clock=clock)

    def _scan(self) -> None:
        assert self._dir is not None
        found = []
        try:
            paths = list(self._dir.iterdir())
        except OSError as exc:
            raise JournalError(f"cannot read journal folder {self._dir}: {exc.strerror or exc}") from None
        for path in paths:
            match = _NAME.match(path.name)
            if match:
                found.append((int(match[2]), dt.date.fromisoformat(match[1]), path))
        found.sort()
        self._days = [_Day(date, first, None, path) for first, date, path in found]
        for day in reversed(self._days):
            docs = self._db(day).table(TABLE).all()
            if docs:
                self.last_seq = max(int(d["seq"]) for d in docs)
                break
        # Never hand out a sequence number again, even when the newest file lost its
        # events (a dying card): its name still says where it started, and the district
        # acknowledged up to the cursor. A reused seq would be dropped as a duplicate.
        floor = max([d.first_seq - 1 for d in self._days] + [self.cursor])
        if floor > self.last_seq:
            log.error("journal: events up to seq %d are gone from the card; going on from there", floor)
            self.last_seq = floor
        if self._days and not self._readonly:
            self._current = self._days[-1]

    def _db(self, day: _Day) -> TinyDB:
        if day.db is None:
            if day.path is None:
                day.db = TinyDB(storage=MemoryStorage)
            else:
                day.db = JournalDB(
                    day.path, storage=JournalStorage, ops=self._ops, readonly=self._readonly
                )
        return day.db

    # --- writing ----------------------------------------------------------------
    def append(self, type_: str, *, at: float | None = None, **fields: Any) -> dict[str, Any]:
        """Append one event and return it as stored (with its ``seq``).

        ``at`` defaults to the clock's wall time; a detector event passes the time of
        the reading it was settled on. Returns only once the event is durable.
        """
        if self._readonly:
            raise JournalError("this journal was opened read-only")
        wall, mono = self._clock.wall(), self._clock.mono()
        when = wall if at is None else at
        event: dict[str, Any] = {
            "seq": self.last_seq + 1,
            "type": type_,
            "at": round(when, 3),
            "boot": self._clock.boot_id,
            "mono": round(mono - (wall - when), 3),
            "synced": self._clock.is_synced(),
        }
        event.update(fields)
        day = self._day_for(when, event["seq"])
        self._db(day).table(TABLE).insert(event)
        self.last_seq = event["seq"]
        return event

    def _day_for(self, at: float, seq: int) -> _Day:
        local_date = dt.datetime.fromtimestamp(at, self._tz).date()
        current = self._current
        if current is not None and local_date <= current.date:
            return current
        path = None if self._dir is None else self._dir / f"{local_date.isoformat()}.{seq:010d}.jsonl"
        day = _Day(local_date, seq, None, path)
        self._days.append(day)
        if current is not None and current.db is not None and current.path is not None:
            # a finished day file is closed; an in-memory day holds its only copy
            current.db.close()
            current.db = None
        self._current = day
        log.info("journal: new day file %s from seq %d", path.name if path else local_date, seq)
        return day

    # --- reading ------------------------------------------------------------------
    def after_seq(self, seq: int, *, limit: int = 500) -> list[dict[str, Any]]:
        """Up to ``limit`` events with a sequence above ``seq``, in sequence order, as stored."""
        out: list[dict[str, Any]] = []
        start = 0
        for i, day in enumerate(self._days):
            if day.first_seq <= seq + 1:
                start = i
        for day in self._days[start:]:
            for doc in self._db(day).table(TABLE).all():
                if doc["seq"] > seq:
                    out.append(dict(doc))
                    if len(out) >= limit:
                        return out
        return out

    def events(
        self, *, start_at: float | None = None, until_at: float | None = None
    ) -> list[dict[str, Any]]:
        """Events with ``start_at <= at < until_at``, re-stamped where possible, in time order.

        Events recorded before the clock was synchronised are re-stamped from a later
        ``clock_synced`` event of the same boot (``restamped: true``); those that cannot
        be keep ``synced: false``. Also includes the latest events before ``start_at``
        of the previous day file, so a caller can tell each channel's state at the start.
        """
        first = None if start_at is None else dt.datetime.fromtimestamp(start_at, self._tz).date()
        last = None if until_at is None else dt.datetime.fromtimestamp(until_at, self._tz).date()
        chosen = []
        for i, day in enumerate(self._days):
            next_date = self._days[i + 1].date if i + 1 < len(self._days) else None
            if day.date < _PLAUSIBLE:
                chosen.append(day)
            elif (last is None or day.date <= last) and (
                first is None or next_date is None or next_date >= first - dt.timedelta(days=1)
            ):
                chosen.append(day)
        docs = [dict(d) for day in chosen for d in self._db(day).table(TABLE).all()]
        restamp(docs + self._later_syncs(docs, chosen))
        docs.sort(key=lambda d: (d["at"], d["seq"]))
        if until_at is not None:
            docs = [d for d in docs if d["at"] < until_at]
        return docs

    def _later_syncs(self, docs: list[dict[str, Any]], chosen: list[_Day]) -> list[dict[str, Any]]:
        """``clock_synced`` events in files after ``chosen`` for boots that need one.

        Unsynchronised events sit in the file that was current at boot (often one named
        days earlier, from the clock the Pi restored), while their boot's ``clock_synced``
        lands in a later file: without it a report of that earlier day would count them
        there. The search stops at the boot's sync or after ``_SYNC_SEARCH_DAYS``.
        """
        unsynced = {d.get("boot") for d in docs if not d.get("synced")}
        unsynced -= {d.get("boot") for d in docs if d.get("type") == "clock_synced"}
        if not unsynced or not chosen:
            return []
        last = chosen[-1]
        found: list[dict[str, Any]] = []
        for day in self._days[self._days.index(last) + 1:]:
            if day.date >= _PLAUSIBLE and day.date > last.date + _SYNC_SEARCH_DAYS:
                break
            for doc in self._db(day).table(TABLE).all():
                if doc.get("type") == "clock_synced" and doc.get("boot") in unsynced:
                    found.append(dict(doc))
                    unsynced.discard(doc.get("boot"))
            if not unsynced:
                break
        return found

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for day in self._days:
            yield from (dict(d) for d in self._db(day).table(TABLE).all())

    def last_event(self) -> dict[str, Any] | None:
        """The event with the highest sequence, or None for an empty journal."""
        for day in reversed(self._days):
            docs = self._db(day).table(TABLE).all()
            if docs:
                return dict(max(docs, key=lambda d: d["seq"]))
        return None

    @property
    def directory(self) -> Path | None:
        """The journal's folder (None for an in-memory journal)."""
        return self._dir

    @property
    def day_files(self) -> list[Path]:
        """The day files on disk, oldest first."""
        return [d.path for d in self._days if d.path is not None]

    # --- sync cursor --------------------------------------------------------------
    @property
    def cursor(self) -> int:
        """The highest sequence the district acknowledged (0 before the first sync)."""
        if self._dir is None:
            return self._memory_cursor
        try:
            return int(json.loads((self._dir / CURSOR_FILE).read_text())["acked_seq"])
        except FileNotFoundError:
            return 0
        except (ValueError, KeyError, TypeError):
            log.error("journal: %s is unreadable; resending from the start", CURSOR_FILE)
            return 0

    def set_cursor(self, seq: int) -> None:
        """Record that the district acknowledged every event up to ``seq`` (atomic, durable)."""
        if seq < 0 or seq > self.last_seq:
            raise ValueError(f"cursor {seq} out of range 0-{self.last_seq}")
        if self._dir is None:
            self._memory_cursor = seq
            return
        tmp = self._dir / (CURSOR_FILE + ".tmp")
        try:
            self._ops.unlink(tmp)  # a leftover of a power cut: start it afresh
            fd = self._ops.open_append(tmp)
            try:
                self._ops.write(fd, json.dumps({"acked_seq": seq}).encode())
                self._ops.fsync(fd)
            finally:
                self._ops.close(fd)
            self._ops.replace(tmp, self._dir / CURSOR_FILE)
            self._ops.fsync_dir(self._dir)
        except OSError as exc:
            raise JournalError(f"cannot record the sync cursor in {self._dir}: {exc.strerror or exc}") from None

    def close(self) -> None:
        """Close every open day file and release the writer lock."""
        for day in self._days:
            if day.db is not None and day.path is not None:
                day.db.close()
                day.db = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


    def __del__(self) -> None:
        # a journal dropped without close() must not keep its folder locked until exit
        fd = getattr(self, "_lock_fd", None)
        if fd is not None:
            self._lock_fd = None
            try:
                os.close(fd)
            except OSError:
                pass  # already closed with the process's other files; nothing to release


def restamp(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Correct the times of events recorded before the clock was synchronised.

    A ``clock_synced`` event carries its boot's ``mono`` and true ``at``; every
    unsynchronised event of the same boot gets ``at = mono + (sync.at - sync.mono)``
    and ``restamped: true``. Others are left as they are (still ``synced: false``).
    """
    offsets = {
        d["boot"]: float(d["at"]) - float(d["mono"]) for d in docs if d.get("type") == "clock_synced"
    }
    if not offsets:
        return docs
    for d in docs:
        if not d.get("synced") and d.get("boot") in offsets:
            d["at"] = round(float(d["mono"]) + offsets[d["boot"]], 3)
            d["restamped"] = True
    return docs
