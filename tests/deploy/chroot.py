"""A throwaway Debian root for the install tests: debootstrap once, cached, then untarred.

The first run bootstraps Debian bookworm (minbase plus what the Pi needs) from this
machine's apt mirror and keeps two things under ``/var/cache/classroom-deploy``: the
downloaded packages (``debootstrap --make-tarball``) and the finished root as a tar,
so later runs only untar it (a few seconds).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

CACHE = Path(os.environ.get("CLASSROOM_DEPLOY_CACHE", "/var/cache/classroom-deploy"))
SUITE = "bookworm"
# What install-pi.sh would otherwise apt-get: present, so the chroot needs no network.
INCLUDE = ["python3", "python3-venv", "ca-certificates", "libmtdev1", "libgbm1", "libdrm2",
           "libegl1", "libgles2"]


class NoDebianRoot(RuntimeError):
    """A Debian root cannot be built here (no debootstrap, not root, no mirror)."""


def mirror() -> str:
    """The Debian mirror this machine's apt uses (``$CLASSROOM_DEBIAN_MIRROR`` overrides)."""
    if os.environ.get("CLASSROOM_DEBIAN_MIRROR"):
        return os.environ["CLASSROOM_DEBIAN_MIRROR"]
    sources = list(Path("/etc/apt").glob("sources.list.d/*")) + [Path("/etc/apt/sources.list")]
    for path in sources:
        if not path.is_file():
            continue
        for line in path.read_text().splitlines():
            if line.lstrip().startswith("#"):
                continue
            match = re.search(r"(https?://\S+/debian)(?:\s|$)", line)
            if match:
                return match.group(1)
    return "http://deb.debian.org/debian"


def root_tarball() -> Path:
    """The cached finished root, built on first use."""
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        raise NoDebianRoot("needs root and debootstrap (scripts/setup.sh installs it)")
    key = hashlib.sha256(" ".join([SUITE, *INCLUDE]).encode()).hexdigest()[:12]
    tarball = CACHE / f"root-{SUITE}-{key}.tar"
    if tarball.is_file():
        return tarball
    CACHE.mkdir(parents=True, exist_ok=True)
    debs = CACHE / f"debs-{SUITE}-{key}.tgz"
    common = ["debootstrap", "--variant=minbase", f"--include={','.join(INCLUDE)}"]
    work = CACHE / f"work-{key}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        if not debs.is_file():
            _run([*common, f"--make-tarball={debs}", SUITE, str(work), mirror()])
            shutil.rmtree(work, ignore_errors=True)
        _run([*common, f"--unpack-tarball={debs}", SUITE, str(work), mirror()])
        partial = tarball.with_suffix(".partial")
        _run(["tar", "-C", str(work), "--numeric-owner", "-cf", str(partial), "."])
        partial.rename(tarball)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tarball


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr)[-2000:]
        raise NoDebianRoot(f"{argv[0]} failed ({done.returncode}): {output}")


def fresh_root(target: Path) -> Path:
    """A new Debian root in ``target`` (untarred from the cache)."""
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-C", str(target), "--numeric-owner", "-xf", str(root_tarball())], check=True)
    return target
