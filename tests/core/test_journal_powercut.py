"""Power-cut safety of the journal: process kills, and every on-disk state a power cut can leave.

(a) A writer process is killed with SIGKILL at random moments during bursts of appends;
    after every kill each day file opens and every append that returned is there.
(b) The storage's file operations are recorded (through the ``FileOps`` seam) during a
    burst of appends; from them every on-disk state a power cut could leave is built
    (unsynced data lost, the last unsynced write torn at any byte or left as zeros, a
    name not yet made durable by a directory fsync absent or still the old one). On
    each, the journal opens, holds every append that returned and no half-written
    event, and accepts new ones.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import ReplayClock
from kiosk.journal import FileOps, Journal
from kiosk.journal.storage import encode_line

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BASE_AT = dt.datetime(2026, 11, 16, 7, 0, tzinfo=TZ).timestamp()


def _at(seq: int, step_s: float) -> float:
    return BASE_AT + seq * step_s


def _payload(seq: int) -> dict[str, Any]:
    # lines of varying length, with non-ASCII text, like real events
    return {"channel": seq % 5, "kind": "projector", "note": "Tiết " + "x" * (seq * 7 % 90)}


class NoSyncOps(FileOps):
    """Real files without fsync: checking a state needs no durability, only speed."""

    def fsync(self, fd: int) -> None:
        pass

    def fsync_dir(self, directory: Path) -> None:
        pass

    def truncate(self, fd: int, size: int) -> None:
        os.ftruncate(fd, size)


# --- (a) SIGKILL ------------------------------------------------------------------


def _writer(directory: Path, report_fd: int, seed: int, step_s: float) -> None:
    """The child: open the journal (repairing what the last kill left), append forever."""
    rng = random.Random(seed)
    journal = Journal.open(directory, tz=TZ, clock=ReplayClock(BASE_AT, boot_id="kill"))
    while True:
        seq = journal.last_seq + 1
        journal.append("test", at=_at(seq, step_s), **_payload(seq))
        os.write(report_fd, b"%d\n" % seq)  # only after the append returned
        if rng.random() < 0.05:
            time.sleep(0.002)


def test_sigkill_during_appends_loses_nothing_that_returned(tmp_path: Path) -> None:
    kills = 200
    step_s = 86400 / 40  # a new day file every ~40 events
    directory = tmp_path / "journal"
    rng = random.Random(20261123)
    returned: set[int] = set()
    for round_ in range(kills):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child never returns
            os.close(read_fd)
            try:
                _writer(directory, write_fd, round_, step_s)
            finally:
                os._exit(1)
        os.close(write_fd)
        chunks = []
        if rng.random() < 0.25:
            # a quarter of the kills come early: while it opens (and repairs) the journal
            deadline = time.monotonic() + rng.uniform(0.0, 0.01)
        else:
            # the rest at a random moment of the burst, counted from its first append
            ready, _, _ = select.select([read_fd], [], [], 5.0)
            if ready:
                chunks.append(os.read(read_fd, 65536))
            deadline = time.monotonic() + rng.uniform(0.0, 0.03)
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([read_fd], [], [], left)
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
            f"kill {round_}: the writer stopped by itself (status {status}): it could not open or append"
        )
        while chunk := os.read(read_fd, 65536):
            chunks.append(chunk)
        os.close(read_fd)
        returned.update(int(x) for x in b"".join(chunks).split())

        journal = Journal.open(directory, tz=TZ, clock=ReplayClock(), readonly=True)
        stored = {e["seq"]: e for e in journal}  # opens every day file
        journal.close()
        missing = returned - set(stored)
        assert not missing, f"kill {round_}: returned appends lost: {sorted(missing)[:10]}"
        assert sorted(stored) == list(range(1, len(stored) + 1)), f"kill {round_}: gap in seq"
        for seq, event in stored.items():
            assert event["at"] == round(_at(seq, step_s), 3)
            assert {k: event[k] for k in _payload(seq)} == _payload(seq)
    assert len(returned) >= kills // 2, "the writers hardly appended anything: the test proves little"
    assert len(list(directory.glob("*.jsonl"))) > 2, "the bursts should cross day files"


# --- (b) recorded file operations, every power-cut state ---------------------------


class RecordingOps(NoSyncOps):
    """Records every file operation the journal makes (writes, fsyncs, truncates, renames)."""

    def __init__(self) -> None:
        self.log: list[tuple[Any, ...]] = []

    def open_append(self, path: Path) -> int:
        existed = path.exists()
        fd = super().open_append(path)
        self.log.append(("open", fd, path.name, existed))
        return fd

    def write(self, fd: int, data: bytes) -> None:
        super().write(fd, data)
        self.log.append(("write", fd, bytes(data)))

    def fsync(self, fd: int) -> None:
        self.log.append(("fsync", fd))

    def truncate(self, fd: int, size: int) -> None:
        super().truncate(fd, size)
        self.log.append(("truncate", fd, size))

    def close(self, fd: int) -> None:
        super().close(fd)
        self.log.append(("close", fd))

    def fsync_dir(self, directory: Path) -> None:
        self.log.append(("fsync_dir",))

    def replace(self, src: Path, dst: Path) -> None:
        super().replace(src, dst)
        self.log.append(("replace", src.name, dst.name))

    def link(self, src: Path, dst: Path) -> None:
        super().link(src, dst)
        self.log.append(("link", src.name, dst.name))

    def unlink(self, path: Path) -> None:
        super().unlink(path)
        self.log.append(("unlink", path.name))


@dataclass
class _Inode:
    content: bytearray
    durable: int  # bytes made durable by the last fsync


@dataclass
class DiskModel:
    """What a power cut may leave: per inode the fsynced prefix, per directory the last fsynced entries."""

    inodes: list[_Inode] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)  # directory now
    durable_names: dict[str, int] = field(default_factory=dict)  # as of the last directory fsync
    fds: dict[int, int] = field(default_factory=dict)
    last_written: int | None = None

    @classmethod
    def of(cls, directory: Path) -> DiskModel:
        model = cls()
        for path in sorted(directory.iterdir()):
            model.inodes.append(_Inode(bytearray(path.read_bytes()), len(path.read_bytes())))
            model.names[path.name] = len(model.inodes) - 1
        model.durable_names = dict(model.names)
        return model

    def apply(self, op: tuple[Any, ...]) -> None:
        kind = op[0]
        if kind == "open":
            _, fd, name, _existed = op
            if name not in self.names:
                self.inodes.append(_Inode(bytearray(), 0))
                self.names[name] = len(self.inodes) - 1
            self.fds[fd] = self.names[name]
        elif kind == "write":
            ino = self.fds[op[1]]
            self.inodes[ino].content += op[2]
            self.last_written = ino
        elif kind == "fsync":
            inode = self.inodes[self.fds[op[1]]]
            inode.durable = len(inode.content)
        elif kind == "truncate":
            inode = self.inodes[self.fds[op[1]]]
            del inode.content[op[2]:]
            inode.durable = len(inode.content)
        elif kind == "close":
            self.fds.pop(op[1])
        elif kind == "fsync_dir":
            self.durable_names = dict(self.names)
        elif kind == "link":
            self.names[op[2]] = self.names[op[1]]
        elif kind == "replace":
            self.names[op[2]] = self.names.pop(op[1])
        elif kind == "unlink":
            self.names.pop(op[1], None)
        else:  # pragma: no cover
            raise AssertionError(f"unknown op {op}")

    def crash_states(self) -> Iterator[dict[str, bytes]]:
        """Every disk this moment's power cut could leave: name -> content."""
        directories = [self.durable_names]
        if self.names != self.durable_names:
            directories.append(self.names)
            # each name created since the last directory fsync may be missing on its own
            for name in set(self.names) - set(self.durable_names):
                directories.append({k: v for k, v in self.names.items() if k != name})
        torn = self.last_written
        for names in directories:
            base = {n: bytes(self.inodes[i].content[: self.inodes[i].durable]) for n, i in names.items()}
            yield base
            if torn is None or torn not in names.values():
                continue
            inode = self.inodes[torn]
            unsynced = bytes(inode.content[inode.durable:])
            if not unsynced:
                continue
            durable = bytes(inode.content[: inode.durable])
            torn_names = [n for n, i in names.items() if i == torn]
            # torn at any byte, or the size grew but the data never arrived (zeros)
            for tail in [unsynced[:cut] for cut in range(1, len(unsynced) + 1)] + [bytes(len(unsynced))]:
                yield {**base, **{n: durable + tail for n in torn_names}}


def _materialise(state: dict[str, bytes], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.iterdir():
        path.unlink()
    for name, data in state.items():
        (directory / name).write_bytes(data)


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    """Where each power-cut state is laid out: RAM when there is some (thousands of
    small files per run; the states model the disk, they need not be on one)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="journal-states-", dir=shm))
    else:
        folder = tmp_path / "states"
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _check_state(
    state: dict[str, bytes],
    directory: Path,
    *,
    returned: list[dict[str, Any]],
    attempted: dict[int, dict[str, Any]],
) -> None:
    _materialise(state, directory)
    clock = ReplayClock(BASE_AT, boot_id="after")
    journal = Journal.open(directory, tz=TZ, clock=clock, ops=NoSyncOps())
    stored = list(journal)  # opens (and repairs) every day file
    by_seq = {e["seq"]: e for e in stored}
    assert len(by_seq) == len(stored), "an event is stored twice"
    for event in returned:
        assert by_seq.get(event["seq"]) == event, f"returned append {event['seq']} lost"
    for event in stored:
        assert event == attempted[event["seq"]], f"half-written event {event['seq']}"
    assert sorted(by_seq) == list(range(1, len(by_seq) + 1))
    assert journal.last_seq == len(by_seq)
    after = journal.append("after_power_cut", at=journal_last_at(stored) + 1.0)
    assert after["seq"] == len(by_seq) + 1
    journal.close()
    reopened = Journal.open(directory, tz=TZ, clock=clock, ops=NoSyncOps(), readonly=True)
    assert [e["seq"] for e in reopened] == sorted(by_seq) + [after["seq"]]
    reopened.close()


def journal_last_at(stored: list[dict[str, Any]]) -> float:
    return max((float(e["at"]) for e in stored), default=BASE_AT)


def _record_burst(directory: Path, count: int, step_s: float, ops: RecordingOps) -> list[tuple[int, dict[str, Any]]]:
    """Append ``count`` events; return (ops logged when it returned, event) per append."""
    journal = Journal.open(directory, tz=TZ, clock=ReplayClock(BASE_AT, boot_id="burst"), ops=ops)
    done = []
    for _ in range(count):
        seq = journal.last_seq + 1
        event = journal.append("test", at=_at(seq, step_s), **_payload(seq))
        done.append((len(ops.log), event))
    journal.close()
    return done


def _enumerate(
    start: DiskModel, log: list[tuple[Any, ...]], done: list[tuple[int, dict[str, Any]]],
    prior: list[dict[str, Any]], directory: Path,
) -> int:
    """Check every crash state after every recorded operation; return how many were checked."""
    attempted = {e["seq"]: e for e in prior}
    attempted.update({e["seq"]: e for _n, e in done})
    seen: set[tuple[tuple[str, bytes], ...]] = set()
    checked = 0
    model = start
    for crash_before in range(len(log) + 1):
        if crash_before:
            model.apply(log[crash_before - 1])
        returned = prior + [e for n, e in done if n <= crash_before]
        for state in model.crash_states():
            key = tuple(sorted(state.items()))
            if key in seen:
                continue
            seen.add(key)
            _check_state(state, directory, returned=returned, attempted=attempted)
            checked += 1
    return checked


def test_every_power_cut_state_during_appends_is_recoverable(tmp_path: Path, state_dir: Path) -> None:
    work = tmp_path / "journal"
    work.mkdir()
    ops = RecordingOps()
    step_s = 86400 / 12  # a new day file every ~12 events: creation and directory fsyncs
    done = _record_burst(work, 40, step_s, ops)
    assert len({Path(op[2]).name for op in ops.log if op[0] == "open"}) >= 3
    start = DiskModel()
    checked = _enumerate(start, ops.log, done, [], state_dir)
    print(f"{checked} power-cut states checked")
    assert checked > 3000


def test_every_power_cut_state_while_reopening_and_appending_is_recoverable(tmp_path: Path, state_dir: Path) -> None:
    """A torn tail is repaired on open, then appends go on: power cuts during both."""
    work = tmp_path / "journal"
    work.mkdir()
    first = _record_burst(work, 6, 600.0, RecordingOps())
    prior = [e for _n, e in first]
    day_file = next(work.glob("*.jsonl"))
    with day_file.open("ab") as fh:
        fh.write(encode_line(99, {"seq": 7, "type": "torn"})[:25])
    start = DiskModel.of(work)
    ops = RecordingOps()
    done = _record_burst(work, 8, 600.0, ops)
    assert any(op[0] == "truncate" for op in ops.log)
    checked = _enumerate(start, ops.log, done, prior, state_dir)
    assert checked > 500


def test_every_power_cut_state_while_moving_a_corrupt_file_aside_is_recoverable(tmp_path: Path, state_dir: Path) -> None:
    """Regression: the corrupt file used to be renamed away before its repair took its
    name, so a power cut between the two left no day file and lost its good events."""
    work = tmp_path / "journal"
    work.mkdir()
    first = _record_burst(work, 6, 600.0, RecordingOps())
    prior = [e for _n, e in first]
    day_file = next(work.glob("*.jsonl"))
    lines = day_file.read_bytes().splitlines(keepends=True)
    lines.insert(3, b"\x00\x17garbage from a dying card\n")
    day_file.write_bytes(b"".join(lines))
    start = DiskModel.of(work)
    ops = RecordingOps()
    done = _record_burst(work, 4, 600.0, ops)
    assert any(op[0] == "replace" for op in ops.log)
    checked = _enumerate(start, ops.log, done, prior, state_dir)
    assert checked > 300


@pytest.mark.parametrize("damage", ["torn", "garbage", "zeros", "empty", "binary"])
def test_damaged_day_file_opens(tmp_path: Path, damage: str) -> None:
    work = tmp_path / "journal"
    work.mkdir()
    prior = [e for _n, e in _record_burst(work, 5, 600.0, RecordingOps())]
    day_file = next(work.glob("*.jsonl"))
    raw = day_file.read_bytes()
    damaged = {
        "torn": raw + b'[6,{"seq":6,"ty',
        "garbage": raw[:40] + b"#garbage#" + raw[49:],
        "zeros": raw + bytes(300),
        "empty": b"",
        "binary": bytes(random.Random(1).randrange(256) for _ in range(2000)),
    }[damage]
    day_file.write_bytes(damaged)
    journal = Journal.open(work, tz=TZ, clock=ReplayClock(BASE_AT), ops=NoSyncOps())
    stored = list(journal)
    for event in stored:
        assert event == prior[event["seq"] - 1]
    if damage in ("torn", "zeros"):
        assert stored == prior
    new = journal.append("after", at=BASE_AT + 7200)
    # a sequence number is never reused while anything of the file still names it
    assert new["seq"] == (len(prior) + 1 if stored else 1)
    journal.close()
    assert [e["seq"] for e in Journal.open(work, tz=TZ, clock=ReplayClock(), readonly=True)] == [
        e["seq"] for e in stored
    ] + [new["seq"]]


def test_every_power_cut_state_while_moving_the_sync_cursor_keeps_old_or_new(tmp_path: Path, state_dir: Path) -> None:
    work = tmp_path / "journal"
    work.mkdir()
    journal = Journal.open(work, tz=TZ, clock=ReplayClock(BASE_AT), ops=NoSyncOps())
    events = [journal.append("test", at=_at(seq, 600.0), **_payload(seq)) for seq in range(1, 6)]
    journal.set_cursor(2)
    journal.close()
    (work / "cursor.json.tmp").write_text('{"acked_seq": 1')  # a leftover of an earlier cut
    start = DiskModel.of(work)
    ops = RecordingOps()
    journal = Journal.open(work, tz=TZ, clock=ReplayClock(BASE_AT), ops=ops)
    journal.set_cursor(4)
    journal.close()
    assert Journal.open(work, tz=TZ, clock=ReplayClock(), readonly=True).cursor == 4
    seen: set[int] = set()
    checked = 0
    for i in range(len(ops.log) + 1):
        if i:
            start.apply(ops.log[i - 1])
        for state in start.crash_states():
            _materialise(state, state_dir)
            reopened = Journal.open(state_dir, tz=TZ, clock=ReplayClock(), ops=NoSyncOps())
            assert reopened.cursor in (2, 4)
            seen.add(reopened.cursor)
            assert list(reopened) == events
            reopened.close()
            checked += 1
    assert seen == {2, 4} and checked > 20
