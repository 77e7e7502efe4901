"""The dashboard's translations: catalogue ``web`` (English msgids), Vietnamese by default.

Same mechanism as the rest of the district (``district.i18n``): gettext catalogues in
``district/locale``; this area owns ``vi/LC_MESSAGES/web.po``. The language is per
request (a cookie), so pages get a translate function rather than a global switch.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import lru_cache

from district.i18n import LOCALE_DIR

DOMAIN = "web"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

Translate = Callable[[str], str]


@lru_cache(maxsize=4)
def translator(lang: str) -> Translate:
    """The ``gettext`` of ``lang`` (English msgids pass through for ``en``)."""
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    if lang == "en":
        return gettext.NullTranslations().gettext
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True).gettext


# Stable machine strings (DESIGN.md "Names") and their English labels; pages show them
# translated. Kept here so the catalogue holds every one.
LABELS = {
    "regular_classroom": "Regular classroom",
    "it_room": "IT room",
    "language_room": "Foreign-language room",
    "multipurpose_room": "Multipurpose room",
    "music_room": "Music room",
    "art_room": "Art room",
    "subject_room": "Subject room",
    "used": "Used",
    "not_used": "Not used",
    "no_data": "No data",
    "exempt": "Exempt",
    "projector": "Projector",
    "document_camera": "Document camera",
    "interactive_board": "Interactive board",
    "audio": "Teaching audio",
    "full": "Full model",
    "partial": "Partial model",
    "admin": "District admin",
    "staff": "School staff",
    "analyst": "Analyst",
    "pi_silent": "Pi silent for more than a school day",
    "channel_missing": "Sensor channel missing",
    "left_on": "Device left on after the last period",
    "fault_open": "Fault open for more than a week",
    "under_target": "Room under target mid-month",
    "devices_on_long_enough": "Devices on long enough",
    "devices_not_on_long_enough": "Devices not on long enough",
    "channel_missing_over_half_window": "A sensor channel was missing for over half the period",
    "outdoor": "Outdoor lesson",
    "class_away": "Class away",
    "exam": "Exam",
    "no_power": "Power cut",
    "no_image": "No image",
    "no_sound": "No sound",
}


def label(key: str | None, tr: Translate) -> str:
    """The translated label of a machine string; unknown strings are shown as they are."""
    if not key:
        return ""
    if key.startswith("exempt:"):
        return tr("Exempt") + ": " + label(key.split(":", 1)[1], tr)
    english = LABELS.get(key)
    return tr(english) if english else key
