"""Every user-facing string is translatable and translated into Vietnamese.

Extracts the messages of the Python code (and .kv layouts) the way ``pybabel extract``
does and checks them against the merged Vietnamese catalogues of each program:
translated, same ``{placeholders}``, and the compiled ``.mo`` matches its ``.po``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PROGRAMS = {
    "kiosk": (ROOT / "kiosk", ROOT / "kiosk" / "locale" / "vi" / "LC_MESSAGES"),
    "district": (ROOT / "district", ROOT / "district" / "locale" / "vi" / "LC_MESSAGES"),
}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")


def _extracted(source: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    method_map = [("**.py", "python")]
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(source), method_map=method_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalogues(folder: Path) -> dict[str, str]:
    merged: dict[str, str] = {}
    for po in sorted(folder.glob("*.po")):
        for message in read_po(po.open("rb")):
            if message.id and message.string:
                merged.setdefault(str(message.id), str(message.string))
    return merged


@pytest.mark.parametrize("program", [p for p, (src, _) in PROGRAMS.items() if src.is_dir()])
def test_every_message_is_translated(program: str) -> None:
    source, locale = PROGRAMS[program]
    messages = _extracted(source)
    translations = _catalogues(locale)
    untranslated = {m: where for m, where in messages.items() if m not in translations}
    assert not untranslated, "untranslated (add to a vi .po):\n" + "\n".join(
        f"{where}: {m!r}" for m, where in sorted(untranslated.items(), key=lambda kv: kv[1])
    )


@pytest.mark.parametrize("program", [p for p, (_, loc) in PROGRAMS.items() if loc.is_dir()])
def test_placeholders_survive_translation(program: str) -> None:
    _, locale = PROGRAMS[program]
    bad = []
    for msgid, text in _catalogues(locale).items():
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text)):
            bad.append((msgid, text))
    assert not bad, bad


def test_compiled_catalogues_match_their_sources() -> None:
    for po in sorted(ROOT.glob("*/locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        assert mo.is_file(), f"{mo} missing: run scripts/setup.sh (pybabel compile)"
        source = {m.id: m.string for m in read_po(po.open("rb")) if m.id and m.string}
        compiled = {m.id: m.string for m in read_mo(mo.open("rb")) if m.id}
        assert compiled == source, f"{mo} is stale: recompile {po}"


def test_vietnamese_is_the_default_language() -> None:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", "/nonexistent/room.toml"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
    )
    assert out.returncode == 2
    assert "không tìm thấy tệp" in out.stderr
    assert "Traceback" not in out.stderr
