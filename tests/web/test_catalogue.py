"""The dashboard's Vietnamese catalogue: every string translated, placeholders kept, .mo up to date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from district.web.i18n import LABELS

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "district/locale/vi/LC_MESSAGES/web.po"
MO = PO.with_suffix(".mo")


def used_msgids() -> set[str]:
    ids = set(LABELS.values())
    for path in (ROOT / "district/web/templates").glob("*.html"):
        ids |= {m.group(2) for m in re.finditer(r"""_\(\s*(["'])(.*?)\1\s*\)""", path.read_text(encoding="utf-8"))}
    for name in ("district/web/views.py", "district/paperwork/build.py", "district/web/charts.py", "district/alerts/digest.py"):
        ids |= set(re.findall(r'\b(?:tr|_)\(\s*"((?:[^"\\]|\\.)*)"\s*\)', (ROOT / name).read_text(encoding="utf-8")))
    return ids


def test_every_string_the_pages_use_is_translated_with_its_placeholders():
    catalog = read_po(PO.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id}
    for msgid in used_msgids():
        assert translated.get(msgid), f"untranslated: {msgid!r}"
        assert set(re.findall(r"\{\w+", msgid)) == set(re.findall(r"\{\w+", translated[msgid])), msgid


def test_the_compiled_catalogue_matches_the_source(tmp_path):
    fresh = tmp_path / "web.mo"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "compile", "-i", str(PO), "-o", str(fresh)], check=True, capture_output=True)
    def entries(path: Path) -> dict[str, str]:
        return {m.id: m.string for m in read_mo(path.open("rb")) if m.id}

    assert entries(fresh) == entries(MO)
