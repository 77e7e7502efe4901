"""The kiosk's font: a system font with every Vietnamese diacritic, found at run time.

No font file is shipped: Debian's ``fonts-dejavu-core`` (or Noto, when installed) is
used, and Kivy's bundled Roboto, which also renders Vietnamese, is the fallback.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

# (regular, bold), best first: condensed faces fit more Vietnamese words on 800 px.
CANDIDATES = (
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


def find_font(candidates: tuple[tuple[str, str], ...] = CANDIDATES) -> tuple[str, str] | None:
    """The first (regular, bold) pair whose files exist, or None for Kivy's default."""
    for regular, bold in candidates:
        if Path(regular).is_file():
            return regular, bold if Path(bold).is_file() else regular
    return None


def install_font() -> str:
    """Make the found font Kivy's default (``Roboto`` name); return the regular file used."""
    from kivy.core.text import DEFAULT_FONT, LabelBase

    found = find_font()
    if found is None:
        log.warning("no system font found (install fonts-dejavu-core); using Kivy's Roboto")
        return "Roboto"
    regular, bold = found
    LabelBase.register(DEFAULT_FONT, fn_regular=regular, fn_bold=bold)
    return regular
