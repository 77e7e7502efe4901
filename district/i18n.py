"""Translation of user-facing strings: gettext catalogue ``district``, Vietnamese by default.

Source strings are English. ``DISTRICT_LANG`` (``vi`` or ``en``) or :func:`set_language`
switches. The catalogue is ``district/locale/vi/LC_MESSAGES/district.po``, compiled to
``.mo`` with ``pybabel compile -D district -d district/locale``.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "district"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("vi", "en")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def set_language(language: str) -> None:
    """Switch later translations to ``language``; raises ``ValueError`` for others."""
    global _translation, _language
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} not supported; expected one of {LANGUAGES}")
    _language = language
    _translation = gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True)


def language() -> str:
    """The language in use."""
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translation.gettext(message)


def translate(message: str, lang: str) -> str:
    """Translate ``message`` into ``lang`` without changing the current language."""
    if lang == "en":
        return message
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[lang], fallback=True).gettext(message)


set_language(os.environ.get("DISTRICT_LANG", "vi") if os.environ.get("DISTRICT_LANG", "vi") in LANGUAGES else "vi")
