"""``classroom doctor``'s checks: each says what is wrong and how to fix it, in the user's language.

Every check is a function of a :class:`Probe` (what the Pi looks like: its config,
journal folder, clock, identity, a way to ask the district) and returns a
:class:`Check`. The probe's parts are passed in, so tests give fakes and the command
gives the real ones. Nothing here writes except the journal-writable probe (a temp
file removed at once).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.clock import Clock, sync_source
from kiosk.config import RoomConfig
from kiosk.i18n import _

#: Free space under which the journal folder counts as short (bytes and share of the card).
MIN_FREE_BYTES = 200 * 1024 * 1024
MIN_FREE_SHARE = 0.05
#: A cached district configuration older than this is not "current" (seconds).
CONFIG_MAX_AGE_S = 3 * 86400.0

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's screen: name, status (ok / warn / fail), what was found, the fix."""

    name: str
    status: str
    found: str
    fix: str = ""

    @property
    def is_ok(self) -> bool:
        """Whether nothing needs doing (a warning still passes)."""
        return self.status != FAIL


@dataclass
class Probe:
    """What the checks look at.

    ``ask_server(identity, etag)`` asks the district for the room's configuration once and
    returns ``"ok"`` (answered; the copy with ``etag`` is current), ``"changed"`` (the
    district has a newer configuration), ``"unreachable"`` or ``"refused"`` (the token).
    """

    config: RoomConfig | None
    config_error: str | None
    journal_dir: Path
    clock: Clock
    identity: Any | None
    ask_server: Callable[[Any, str | None], str] | None
    cached_config: Mapping[str, Any] | None = None
    recent_events: list[dict[str, Any]] = field(default_factory=list)
    release: str = ""
    firstboot: Mapping[str, Any] | None = None
    now: Callable[[], float] = time.time
    _answer: str | None = None

    def answer(self) -> str:
        """The district's answer (asked once): ok, changed, unreachable or refused."""
        if self._answer is None:
            if self.identity is None or self.ask_server is None:
                self._answer = "unreachable"
            else:
                etag = self.cached_config.get("etag") if self.cached_config else None
                self._answer = self.ask_server(self.identity, etag if isinstance(etag, str) else None)
        return self._answer


def check_version(probe: Probe) -> Check:
    """The program's version and the release folder it runs from."""
    where = f" ({probe.release})" if probe.release else ""
    return Check(_("Version"), OK, f"{__version__}{where}")


def check_config(probe: Probe) -> Check:
    """The room file loads, and the district's copy was fetched recently."""
    if probe.config is None:
        return Check(_("Configuration"), FAIL, probe.config_error or "",
                     _("correct the file named above, then: sudo systemctl restart classroom-agent"))
    room = f"{probe.config.school.code} / {probe.config.room.code}"
    if probe.cached_config is None:
        return Check(_("Configuration"), WARN, _("{room}: local file only, never received from the district").format(room=room),
                     _("enrol this Pi (classroom enroll) and let it sync"))
    answer = probe.answer()
    if answer == "changed":
        return Check(_("Configuration"), WARN, _("{room}: the district has a newer configuration").format(room=room),
                     _("check the network, then: classroom sync"))
    if answer == "ok":
        return Check(_("Configuration"), OK, _("{room}: current").format(room=room))
    fetched = probe.cached_config.get("fetched_at")
    age = probe.now() - float(fetched) if isinstance(fetched, int | float) else None
    days = "?" if age is None else f"{age / 86400:.0f}"
    found = _("{room}: not checked with the district; copy received {days} days ago").format(room=room, days=days)
    if age is None or age > CONFIG_MAX_AGE_S:
        return Check(_("Configuration"), WARN, found, _("check the network, then: classroom sync"))
    return Check(_("Configuration"), OK, found)


def check_journal(probe: Probe) -> Check:
    """The journal folder takes a durable write and has room left."""
    folder = probe.journal_dir
    if not folder.is_dir():
        return Check(_("Journal"), FAIL, _("{folder} does not exist").format(folder=folder),
                     _("install the Pi again: sudo deploy/install-pi.sh (the journal is kept)"))
    try:
        test = folder / f".doctor-{os.getpid()}"
        fd = os.open(test, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"doctor\n")
            os.fsync(fd)
        finally:
            os.close(fd)
            test.unlink(missing_ok=True)
    except OSError as exc:
        return Check(_("Journal"), FAIL, _("{folder} is not writable: {error}").format(folder=folder, error=exc.strerror),
                     _("the SD card may be failing or read-only: replace the card (see the technician's guide)"))
    usage = shutil.disk_usage(folder)
    free_mb = usage.free // (1024 * 1024)
    found = _("{folder}: writable, {free} MB free").format(folder=folder, free=free_mb)
    if usage.free < MIN_FREE_BYTES or usage.free < usage.total * MIN_FREE_SHARE:
        return Check(_("Journal"), FAIL, found, _("free space on the card: remove old files in /var/log or use a larger card"))
    return Check(_("Journal"), OK, found)


def check_clock(probe: Probe) -> Check:
    """The wall clock is synchronised (timesyncd, chrony or the kernel's flag)."""
    if probe.clock.is_synced():
        return Check(_("Clock"), OK, _("synchronised ({source})").format(source=sync_source() or "kernel"))
    return Check(_("Clock"), WARN, _("not synchronised: times are kept and corrected once it is"),
                 _("connect the Pi to the network; check: timedatectl"))


def check_sensors(probe: Probe) -> Check:
    """The agent is alive (recent heartbeat) and every device reports."""
    name = _("Sensors")
    heartbeat_s = probe.config.agent.heartbeat_s if probe.config else 60.0
    beats = [e for e in probe.recent_events if e.get("type") == "heartbeat"]
    if not beats:
        return Check(name, FAIL, _("no heartbeat in the journal: the agent is not running"),
                     _("sudo systemctl restart classroom-agent; then: journalctl -u classroom-agent"))
    last = max(beats, key=lambda e: e["seq"])
    age = probe.now() - float(last["at"])
    if last.get("synced") and age > 3 * heartbeat_s:
        return Check(name, FAIL, _("last heartbeat {minutes} min ago: the agent stopped").format(minutes=f"{age / 60:.0f}"),
                     _("sudo systemctl restart classroom-agent; then: journalctl -u classroom-agent"))
    missing = sorted(int(ch) for ch, state in (last.get("channels") or {}).items() if state == "missing")
    if missing:
        channels = ", ".join(str(c) for c in missing)
        return Check(name, FAIL, _("no readings from channel {channels}").format(channels=channels),
                     _("check the sensor's plug and cable on that channel, then: classroom sensors"))
    count = len(last.get("channels") or {})
    return Check(name, OK, _("{count} channels reporting").format(count=count))


def check_server(probe: Probe) -> list[Check]:
    """The district answers, and accepts this Pi's token."""
    reach, token = _("Server"), _("Token")
    if probe.identity is None:
        fix = _("enrol: sudo classroom enroll --server URL --code CODE --room ROOM")
        return [Check(reach, FAIL, _("this Pi is not enrolled"), fix), Check(token, FAIL, _("none"), fix)]
    server = str(getattr(probe.identity, "server", ""))
    answer = probe.answer()
    if answer == "unreachable":
        return [Check(reach, FAIL, _("{server} does not answer").format(server=server),
                      _("check the network cable or Wi-Fi; events wait on the Pi meanwhile")),
                Check(token, WARN, _("not checked (server unreachable)"))]
    if answer == "refused":
        return [Check(reach, OK, server),
                Check(token, FAIL, _("the district refused this Pi's token"),
                      _("ask the district for a new code, then: sudo classroom enroll --force ..."))]
    return [Check(reach, OK, server), Check(token, OK, _("accepted"))]


def check_firstboot(probe: Probe) -> list[Check]:
    """The last first boot, when it failed (its message already says the fix)."""
    status = probe.firstboot
    if not status or status.get("ok"):
        return []
    return [Check(_("First boot"), FAIL, str(status.get("message", "")),
                  _("fix /boot/firmware/classroom.toml, then restart the Pi"))]


def run_checks(probe: Probe) -> list[Check]:
    """Every check, in screen order."""
    return [
        check_version(probe),
        *check_firstboot(probe),
        check_config(probe),
        check_journal(probe),
        check_clock(probe),
        check_sensors(probe),
        *check_server(probe),
    ]
