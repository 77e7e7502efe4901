"""The Pi's side of an update: new venv beside the old, switch, health check, roll back by itself.

Layout (deploy/install-pi.sh makes it)::

    /opt/classroom/releases/0.1.0/    a complete venv (``.complete`` marks it finished)
    /opt/classroom/releases/0.2.0/
    /opt/classroom/current -> releases/0.2.0     the units run current/bin/classroom

An update installs the release into its own folder while the old agent keeps
logging, switches the symlink atomically (rename over it), restarts the agent unit
and watches the journal: healthy means the unit is active and the journal shows a
new ``start`` followed by a ``heartbeat``. Otherwise the symlink goes back, the old
agent is restarted and the version is remembered as bad so it is not retried every
night. The journal lives in ``/var/lib/classroom``, outside every release, and the
agent's stop is clean (SIGTERM: it journals ``stop`` and closes its day file), so no
event is lost across a switch either way.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.clock import SystemClock
from kiosk.journal import Journal

log = logging.getLogger(__name__)

AGENT_UNIT = "classroom-agent.service"
KIOSK_UNIT = "classroom-kiosk.service"
BAD_RELEASES = "bad-releases.json"


@dataclass(frozen=True)
class Release:
    """A release the district offers: version, what pip installs (wheel URL or path), its SHA-256."""

    version: str
    source: str
    sha256: str | None = None


@dataclass(frozen=True)
class UpdateResult:
    """``status``: ``current``, ``skipped_bad``, ``updated``, ``rolled_back`` or ``install_failed``."""

    status: str
    version: str
    previous: str | None = None
    detail: str = ""


def is_quiet_hour(at: float, *, tz: dt.tzinfo, start_hour: int = 1, end_hour: int = 5) -> bool:
    """Whether ``at`` (UTC epoch s) falls in the school's quiet hours ``[start_hour, end_hour)`` local."""
    hour = dt.datetime.fromtimestamp(at, tz).hour
    return start_hour <= hour < end_hour


def pip_installer(python: str, pip_args: Sequence[str] = (), extras: str = "pi,kiosk") -> Callable[[Release, Path], None]:
    """Install ``release`` into a new venv at a folder (``python -m venv``, then pip)."""

    def install(release: Release, folder: Path) -> None:
        subprocess.run([python, "-m", "venv", str(folder)], check=True, capture_output=True, text=True)
        requirement = f"classroom-it-log[{extras}] @ {release.source}" if "://" in release.source else f"{release.source}[{extras}]"
        argv = [str(folder / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *pip_args, requirement]
        subprocess.run(argv, check=True, capture_output=True, text=True, timeout=1800)

    return install


class Updater:
    """Installs, switches, checks and rolls back releases under ``prefix``.

    ``systemctl`` is the command prefix for the unit (the boundary tests replace);
    ``install(release, folder)`` fills a new venv; ``health_timeout_s`` is how long the
    new agent has to journal ``start`` and a ``heartbeat``.
    """

    def __init__(
        self,
        *,
        prefix: Path,
        journal_dir: Path,
        tz: dt.tzinfo,
        install: Callable[[Release, Path], None],
        systemctl: Sequence[str] = ("systemctl",),
        health_timeout_s: float = 180.0,
        poll_s: float = 1.0,
        unit: str = AGENT_UNIT,
        keep: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        mono: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prefix = prefix
        self.releases = prefix / "releases"
        self.current = prefix / "current"
        self.journal_dir = journal_dir
        self.tz = tz
        self.install = install
        self.systemctl = list(systemctl)
        self.health_timeout_s = health_timeout_s
        self.poll_s = poll_s
        self.unit = unit
        self.keep = keep
        self._sleep = sleep
        self._mono = mono

    # --- state ------------------------------------------------------------------------
    def current_version(self) -> str | None:
        """The release ``current`` points at, or None."""
        try:
            return Path(os.readlink(self.current)).name
        except OSError:
            return None

    def bad_versions(self) -> set[str]:
        """Versions that failed their health check on this Pi."""
        try:
            return set(json.loads((self.releases / BAD_RELEASES).read_text()))
        except (OSError, ValueError, TypeError):
            return set()

    def _mark_bad(self, version: str) -> None:
        bad = sorted(self.bad_versions() | {version})
        (self.releases / BAD_RELEASES).write_text(json.dumps(bad))

    def _journal_events_after(self, seq: int) -> list[dict[str, Any]]:
        try:
            journal = Journal.open(self.journal_dir, tz=self.tz, clock=SystemClock(), readonly=True)
        except OSError:
            return []
        try:
            return journal.after_seq(seq, limit=100000)
        finally:
            journal.close()

    def last_seq(self) -> int:
        """The journal's highest sequence number now (0 for none); reads only the last day file."""
        try:
            journal = Journal.open(self.journal_dir, tz=self.tz, clock=SystemClock(), readonly=True)
        except OSError:
            return 0
        try:
            return journal.last_seq
        finally:
            journal.close()

    # --- steps ------------------------------------------------------------------------
    def _systemctl(self, *args: str) -> int:
        return subprocess.run([*self.systemctl, *args], capture_output=True, text=True, check=False).returncode

    def prepare(self, release: Release) -> Path:
        """The release's complete venv, installing it when missing (old agent keeps running)."""
        folder = self.releases / release.version
        if (folder / ".complete").is_file():
            return folder
        partial = self.releases / f".{release.version}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
        self.releases.mkdir(parents=True, exist_ok=True)
        self.install(release, partial)
        (partial / ".complete").write_text(release.version)
        partial.rename(folder)
        return folder

    def switch(self, version: str) -> None:
        """Point ``current`` at ``releases/<version>`` atomically."""
        tmp = self.prefix / "current.new"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(Path("releases") / version)
        os.replace(tmp, self.current)

    def healthy_after(self, seq: int) -> bool:
        """Wait until the agent unit is active and journals ``start`` then ``heartbeat`` after ``seq``."""
        deadline = self._mono() + self.health_timeout_s
        while True:
            started = False
            for event in self._journal_events_after(seq):
                if event.get("type") == "start":
                    started = True
                elif started and event.get("type") == "heartbeat" and self._systemctl("is-active", "--quiet", self.unit) == 0:
                    return True
            if self._mono() >= deadline:
                return False
            self._sleep(self.poll_s)

    def _prune(self, keep_versions: set[str]) -> None:
        folders = sorted((p for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith(".")),
                         key=lambda p: p.stat().st_mtime, reverse=True)
        for old in folders[self.keep:]:
            if old.name not in keep_versions:
                shutil.rmtree(old, ignore_errors=True)

    def update(self, release: Release) -> UpdateResult:
        """Install ``release``, switch to it, keep it if healthy, roll back by itself if not."""
        previous = self.current_version()
        if release.version == previous:
            return UpdateResult("current", release.version, previous)
        if release.version in self.bad_versions():
            return UpdateResult("skipped_bad", release.version, previous, "failed its health check before")
        try:
            self.prepare(release)
        except (OSError, subprocess.SubprocessError) as exc:
            log.error("update: installing %s failed: %s; staying on %s", release.version, exc, previous)
            return UpdateResult("install_failed", release.version, previous, str(exc))
        before = self.last_seq()
        log.info("update: switching from %s to %s (journal at seq %d)", previous, release.version, before)
        self.switch(release.version)
        self._systemctl("restart", self.unit)
        if self.healthy_after(before):
            self._prune({release.version, previous or ""})
            log.info("update: %s is healthy", release.version)
            return UpdateResult("updated", release.version, previous)
        log.error("update: %s did not come up healthy in %.0f s; rolling back to %s",
                  release.version, self.health_timeout_s, previous)
        self._mark_bad(release.version)
        if previous is not None:
            after_bad = self.last_seq()
            self.switch(previous)
            self._systemctl("restart", self.unit)
            if not self.healthy_after(after_bad):
                log.error("update: %s is not healthy after the rollback either", previous)
        return UpdateResult("rolled_back", release.version, previous, "health check failed")
