"""This Pi's identity at the district: server URL, Pi id and secret token, kept owner-only.

Written once by ``classroom enroll`` into ``identity.json`` in the Pi's state folder
(next to the journal: ``/var/lib/classroom`` for the journal in
``/var/lib/classroom/journal``), mode 0600 from the moment it exists, replaced
atomically. The token is never logged.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

IDENTITY_FILE = "identity.json"
DEFAULT_STATE_DIR = Path("/var/lib/classroom")


class IdentityError(KioskError, OSError):
    """The identity file cannot be read or written."""


@dataclass(frozen=True)
class Identity:
    """Who this Pi is at the district (from enrolment)."""

    server: str
    pi_id: str
    token: str
    school: str
    room: str
    enrolled_at: float

    def __repr__(self) -> str:  # never show the token
        return f"Identity(server={self.server!r}, pi_id={self.pi_id!r}, school={self.school!r}, room={self.room!r})"


def state_dir_for(journal_dir: Path) -> Path:
    """The Pi's state folder for a journal folder: its parent (identity, cached config live there)."""
    return journal_dir.resolve().parent


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably with mode 0600 from creation on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # the umask or an older file must not widen it
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def save_identity(state_dir: Path, identity: Identity) -> Path:
    """Store ``identity`` in ``state_dir`` (mode 0600); return the file's path."""
    path = state_dir / IDENTITY_FILE
    try:
        write_private(path, json.dumps(asdict(identity), indent=1).encode("utf-8"))
    except OSError as exc:
        raise IdentityError(f"cannot write {path}: {exc.strerror}") from None
    log.info("identity: pi %s enrolled at %s, saved in %s", identity.pi_id, identity.server, path)
    return path


def load_identity(state_dir: Path) -> Identity | None:
    """This Pi's identity, or None before enrolment. Raises :class:`IdentityError` if unreadable."""
    path = state_dir / IDENTITY_FILE
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IdentityError(f"cannot read {path}: {exc}; enrol again with `classroom enroll --force`") from None
    try:
        return Identity(**{k: raw[k] for k in Identity.__dataclass_fields__})
    except (KeyError, TypeError):
        raise IdentityError(f"{path} is incomplete; enrol again with `classroom enroll --force`") from None
