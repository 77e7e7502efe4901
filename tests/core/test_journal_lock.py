"""One writer per journal: a second writer (e.g. `classroom ui` beside the agent service)
is refused with a clear message instead of handing out the same seqs twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.clock import ReplayClock
from kiosk.errors import JournalError
from kiosk.journal import Journal

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_second_writer_is_refused_and_readers_are_not(tmp_path: Path) -> None:
    clock = ReplayClock(1_763_250_000.0)
    first = Journal.open(tmp_path, tz=TZ, clock=clock)
    first.append("heartbeat", channels={})
    with pytest.raises(JournalError, match="already being written by process"):
        Journal.open(tmp_path, tz=TZ, clock=clock)
    reader = Journal.open(tmp_path, tz=TZ, clock=clock, readonly=True)
    assert [e["seq"] for e in reader] == [1]
    first.close()
    second = Journal.open(tmp_path, tz=TZ, clock=clock)
    assert second.append("heartbeat", channels={})["seq"] == 2
    second.close()


def test_the_lock_dies_with_its_process(tmp_path: Path) -> None:
    code = (
        "import sys, os\nfrom zoneinfo import ZoneInfo\nfrom pathlib import Path\n"
        "from kiosk.journal import Journal\nfrom kiosk.clock import ReplayClock\n"
        "j = Journal.open(Path(sys.argv[1]), tz=ZoneInfo('Asia/Ho_Chi_Minh'), clock=ReplayClock(1.7e9))\n"
        "j.append('heartbeat', channels={})\nos._exit(0)  # no close: as a killed agent\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, timeout=60)
    journal = Journal.open(tmp_path, tz=TZ, clock=ReplayClock(1.7e9))
    assert journal.last_seq == 1
    journal.close()
