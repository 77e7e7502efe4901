"""Every string of the kiosk has a Vietnamese translation; layouts hold no bare text."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "kiosk" / "ui"
PO = ROOT / "kiosk" / "locale" / "vi" / "LC_MESSAGES" / "ui.po"
# Texts a layout may show as they are: names of languages, key letters, OK, Telex.
LITERAL_OK = {"Tiếng Việt", "English", "Telex", "abc", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0"}


def _catalogue() -> dict[str, str]:
    with PO.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def _kv_strings() -> set[str]:
    found: set[str] = set()
    for path in UI.rglob("*.kv"):
        found.update(re.findall(r'tr\("([^"]+)"', path.read_text(encoding="utf-8")))
    return found


def _py_strings() -> set[str]:
    keywords = {"_": None, "N_": None, "tr": None}
    return {msg for _file, _line, msg, _c, _ctx in extract_from_dir(str(UI), keywords=keywords,
                                                                    method_map=[("**.py", "python")])}


def test_every_kiosk_string_is_translated():
    catalogue = _catalogue()
    wanted = _kv_strings() | _py_strings()
    missing = sorted(m for m in wanted if not catalogue.get(m))
    assert missing == []


def test_layouts_have_no_untranslated_text():
    bare = []
    for path in UI.rglob("*.kv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r'\s*text:\s*"([^"]*)"\s*$', line)
            if match and match.group(1) not in LITERAL_OK:
                bare.append(f"{path.name}: {match.group(1)}")
    assert bare == []


def test_translations_keep_their_placeholders():
    for msgid, msgstr in _catalogue().items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", msgstr)), msgid
