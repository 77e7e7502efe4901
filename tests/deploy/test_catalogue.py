"""Every user-facing string of the deployment commands has a Vietnamese translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from .conftest import ROOT

SOURCES = ["kiosk/commands/doctor.py", "deploy/checks.py", "deploy/firstboot.py"]
CATALOGUE = ROOT / "kiosk" / "locale" / "vi" / "LC_MESSAGES" / "deploy.po"


def test_every_deploy_message_is_translated() -> None:
    wanted = set()
    for source in SOURCES:
        for _line, message, _comments, _context in extract_from_file("python", ROOT / source,
                                                                   keywords={"_": None, "N_": None}):
            wanted.add(message)
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    translated = {m.id: m.string for m in catalogue if m.id}
    assert not sorted(wanted - set(translated))
    assert all(translated[m] for m in wanted)
    assert CATALOGUE.with_suffix(".mo").stat().st_mtime >= CATALOGUE.stat().st_mtime - 1
