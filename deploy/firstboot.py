"""First boot of a cloned card: configure this Pi from a small file on the boot partition.

The technician copies one image to fifty cards and, on each card's boot partition
(FAT, editable from any laptop), writes ``classroom.toml``::

    room = "R101"                          # the room code at the district
    server = "https://so-gd.example.vn"    # the district server
    code = "493817"                        # the enrolment code for this room

    [wifi]                                 # optional: leave out on a cable
    ssid = "THCS-NgocLam"
    password = "..."
    country = "VN"

``classroom firstboot`` (the ``classroom-firstboot`` unit, before the agent) checks
it, writes the Wi-Fi connection, enrols through ``classroom enroll`` and renames the
file ``classroom.toml.done`` without its secrets. Whatever happens it leaves a status
file the touchscreen shows (``<state>/status/firstboot.json``) and one line on the
console and in journald; the agent starts anyway and logs locally.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from deploy.errors import BadBootFile
from kiosk.i18n import _

log = logging.getLogger(__name__)

BOOT_FILE = Path("/boot/firmware/classroom.toml")
NM_CONNECTIONS = Path("/etc/NetworkManager/system-connections")
STATUS_FILE = "firstboot.json"


class Wifi(BaseModel):
    """The school's Wi-Fi network."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ssid: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=8, max_length=63)
    country: str = Field(default="VN", pattern=r"^[A-Z]{2}$")


class BootFile(BaseModel):
    """The boot partition's ``classroom.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    room: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._-]+$")
    server: str = Field(min_length=8, max_length=200)
    code: str = Field(min_length=4, max_length=64)
    wifi: Wifi | None = None

    @field_validator("server")
    @classmethod
    def _https(cls, value: str) -> str:
        if not re.match(r"^https?://[A-Za-z0-9.-]+(:\d+)?(/.*)?$", value):
            raise ValueError(f"expected an address like https://so-gd.example.vn, got {value!r}")
        return value.rstrip("/")

    @field_validator("code")
    @classmethod
    def _not_placeholder(cls, value: str) -> str:
        if value.strip().upper() in {"CODE", "XXXXXX", "000000", "CHANGE-ME", "MA-DANG-KY"}:
            raise ValueError("this is the example's placeholder: write the room's real enrolment code")
        return value.strip()


@dataclass(frozen=True)
class Outcome:
    """What first boot did: ``ok``, ``step`` (read / wifi / enrol / done) and a message for people."""

    ok: bool
    step: str
    message: str


def parse(path: Path) -> BootFile:
    """Read and validate the boot file; raises :class:`BadBootFile` with a translated message."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BadBootFile(_("{file} not found").format(file=path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadBootFile(_("{file} is not valid TOML: {error}").format(file=path, error=exc)) from None
    try:
        return BootFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "?"
        reason = _("missing") if first["type"] == "missing" else (
            _("unknown key (check its spelling)") if first["type"] == "extra_forbidden" else first["msg"])
        raise BadBootFile(_("{file}: key '{key}': {reason}").format(file=path, key=key, reason=reason)) from None


def nm_keyfile(wifi: Wifi) -> str:
    """A NetworkManager keyfile for the school's Wi-Fi (Raspberry Pi OS Bookworm uses NetworkManager)."""
    return (
        "[connection]\nid=classroom-wifi\ntype=wifi\nautoconnect=true\n\n"
        f"[wifi]\nmode=infrastructure\nssid={wifi.ssid}\n\n"
        f"[wifi-security]\nkey-mgmt=wpa-psk\npsk={wifi.password}\n\n"
        "[ipv4]\nmethod=auto\n\n[ipv6]\nmethod=auto\n"
    )


def write_wifi(wifi: Wifi, folder: Path) -> Path:
    """Write the Wi-Fi keyfile (mode 0600, as NetworkManager requires)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "classroom-wifi.nmconnection"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, nm_keyfile(wifi).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def write_status(state_dir: Path, outcome: Outcome, *, now: Callable[[], float] = time.time) -> Path:
    """The status the touchscreen and ``classroom doctor`` show (JSON, replaced atomically)."""
    folder = state_dir / "status"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STATUS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"ok": outcome.ok, "step": outcome.step, "message": outcome.message,
                               "at": now()}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_status(state_dir: Path) -> dict[str, Any] | None:
    """The last first-boot status, or None."""
    try:
        data = json.loads((state_dir / "status" / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def default_enroll_command() -> list[str]:
    """``classroom enroll`` of this installation (``$CLASSROOM_ENROLL`` overrides, for tests)."""
    override = os.environ.get("CLASSROOM_ENROLL")
    return shlex.split(override) if override else [sys.executable, "-m", "kiosk", "enroll"]


def retire(path: Path) -> Path:
    """Rename the boot file ``.done`` with the enrolment code and Wi-Fi password blanked."""
    text = path.read_text(encoding="utf-8-sig")
    text = re.sub(r'(?m)^(\s*(code|password)\s*=\s*).*$', r'\1"(used)"', text)
    done = path.with_name(path.name + ".done")
    done.write_text(text, encoding="utf-8")
    path.unlink()
    return done


def _hand_over(state_dir: Path) -> None:
    # firstboot runs as root; the agent (the state folder's owner) must read what enrol wrote.
    if not state_dir.is_dir():
        return
    st = state_dir.stat()
    for path in state_dir.iterdir():
        if path.is_file() and path.stat().st_uid != st.st_uid:
            os.chown(path, st.st_uid, st.st_gid)


def first_boot(
    path: Path,
    *,
    state_dir: Path,
    nm_dir: Path = NM_CONNECTIONS,
    enroll: Sequence[str] | None = None,
    reload_network: Sequence[str] = ("nmcli", "connection", "reload"),
    run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run,
) -> Outcome:
    """Do first boot from ``path``; always leaves a status file; never raises for a bad file."""
    try:
        boot = parse(path)
    except BadBootFile as exc:
        outcome = Outcome(False, "read", _("First boot: {error}. Fix the file on the card's boot partition "
                                           "and restart the Pi; this Pi keeps logging meanwhile.").format(error=exc))
        write_status(state_dir, outcome)
        return outcome
    if boot.wifi is not None:
        write_wifi(boot.wifi, nm_dir)
        try:
            run(list(reload_network), capture_output=True, text=True, check=False, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("firstboot: network reload failed (%s); the Wi-Fi applies at next boot", exc)
    command = [*(enroll or default_enroll_command()), "--server", boot.server, "--code", boot.code, "--room", boot.room]
    try:
        done = run(command, capture_output=True, text=True, check=False, timeout=240)
        failed, detail = done.returncode != 0, (done.stderr or done.stdout).strip().splitlines()[-1:]
    except (OSError, subprocess.TimeoutExpired) as exc:
        failed, detail = True, [str(exc)]
    if failed:
        outcome = Outcome(False, "enrol", _("First boot: enrolment of room {room} failed: {error}. "
                                            "The Pi logs locally and tries again at next boot.").format(
            room=boot.room, error=" ".join(detail) or "?"))
        write_status(state_dir, outcome)
        return outcome
    _hand_over(state_dir)
    retire(path)
    outcome = Outcome(True, "done", _("First boot: room {room} enrolled with {server}.").format(
        room=boot.room, server=boot.server))
    write_status(state_dir, outcome)
    return outcome
