"""One translation mechanism for every user-facing string: gettext catalogues built by Babel.

Source strings are English; Vietnamese is the default language. ``CLASSROOM_LANG``
(``vi`` or ``en``) or :func:`set_language` switches. Catalogues live in
``kiosk/locale/<lang>/LC_MESSAGES/classroom.po`` and are compiled to ``.mo`` by
``pybabel compile`` (see ``scripts/i18n.sh``).
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "classroom"
LOCALE_DIR = Path(__file__).with_name("locale")
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    """Switch every later translation to ``language`` (``vi`` or ``en``)."""
    global _translation, _language
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} not supported; expected one of {LANGUAGES}")
    _language = language
    _translation = _catalogues(language)


def _catalogues(language: str) -> gettext.NullTranslations:
    """Every catalogue of ``language`` chained into one lookup.

    Each area of the program owns its own catalogue file (``classroom.po`` for the core,
    ``ui.po`` for the touchscreen, …) so work on one never edits another's; they are
    one mechanism and one lookup.
    """
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    domains = sorted(p.stem for p in folder.glob("*.mo")) if folder.is_dir() else []
    first: gettext.NullTranslations = gettext.NullTranslations()
    for i, domain in enumerate([DOMAIN] + [d for d in domains if d != DOMAIN]):
        catalogue = gettext.translation(domain, localedir=str(LOCALE_DIR), languages=[language], fallback=True)
        if i == 0:
            first = catalogue
        else:
            first.add_fallback(catalogue)
    return first


def language() -> str:
    """The language in use."""
    return _language


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with plural forms."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction without translating it now."""
    return message


_env_language = os.environ.get("CLASSROOM_LANG", DEFAULT_LANGUAGE)
set_language(_env_language if _env_language in LANGUAGES else DEFAULT_LANGUAGE)
