"""A private virtual X display (Xvfb) for screenshots, tests and the benchmark. Plain Python."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.errors import KioskError


class NoDisplay(KioskError, RuntimeError):
    """No X display and no Xvfb to start one."""


@contextmanager
def virtual_display(width: int, height: int) -> Iterator[str]:
    """Start ``Xvfb`` with a ``width``×``height`` screen; yield its ``DISPLAY`` value; stop it.

    Raises :class:`NoDisplay` when Xvfb is not installed (``bash scripts/setup.sh``).
    """
    binary = shutil.which("Xvfb")
    if binary is None:
        raise NoDisplay("Xvfb is not installed; run `bash scripts/setup.sh` (apt package xvfb)")
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [binary, "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise NoDisplay(f"Xvfb exited with code {proc.poll()} before giving a display number")
        yield f":{number}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
