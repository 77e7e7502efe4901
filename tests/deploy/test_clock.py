"""kiosk.clock: whether the wall clock is synchronised, from timesyncd's flag or the kernel."""

from __future__ import annotations

from pathlib import Path

from kiosk.clock import SystemClock, kernel_synced, sync_source


class _Libc:
    """adjtimex(2) stand-in: returns a fixed clock state (5 = TIME_ERROR, 0 = TIME_OK)."""

    def __init__(self, state: int) -> None:
        self.state = state

    def adjtimex(self, _timex: object) -> int:
        return self.state


def test_timesyncd_flag_file_says_synchronised(tmp_path: Path) -> None:
    flag = tmp_path / "synchronized"
    assert sync_source(timesyncd_flag=flag, libc=_Libc(5)) is None  # type: ignore[arg-type]
    flag.touch()
    assert sync_source(timesyncd_flag=flag, libc=_Libc(5)) == "timesyncd"  # type: ignore[arg-type]


def test_kernel_status_covers_chrony_and_ntpd(tmp_path: Path) -> None:
    assert kernel_synced(_Libc(0)) is True  # type: ignore[arg-type]
    assert kernel_synced(_Libc(5)) is False  # type: ignore[arg-type]
    assert kernel_synced(_Libc(-1)) is False  # type: ignore[arg-type]
    assert sync_source(timesyncd_flag=tmp_path / "absent", libc=_Libc(0)) == "kernel"  # type: ignore[arg-type]


def test_system_clock_stays_synchronised_once_seen(tmp_path: Path) -> None:
    flag = tmp_path / "synchronized"
    clock = SystemClock(timesyncd_flag=flag)
    clock._libc = _Libc(5)  # type: ignore[assignment]  # this machine's kernel must not decide
    assert clock.is_synced() is False
    flag.touch()
    assert clock.is_synced() is True
    flag.unlink()  # timesyncd restarted: the wall clock is still right
    assert clock.is_synced() is True
    assert clock.boot_id
