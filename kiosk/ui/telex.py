"""Telex: Vietnamese typed with plain letters, as every Vietnamese keyboard user knows it.

``aa`` → â, ``aw`` → ă, ``ee`` → ê, ``oo`` → ô, ``ow`` → ơ, ``uw`` / ``w`` → ư, ``dd`` → đ;
a final ``s f r x j`` puts the sắc, huyền, hỏi, ngã, nặng tone on the right vowel and
``z`` removes it. The on-screen keyboard feeds letters through :func:`type_key`, which
rewrites the word being typed. Pure functions, no Kivy.

>>> compose("tieengs vieetj")
'tiếng việt'
"""

from __future__ import annotations

import unicodedata

TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_SHAPES = {
    ("a", "a"): "â", ("a", "w"): "ă", ("e", "e"): "ê", ("o", "o"): "ô", ("o", "w"): "ơ",
    ("u", "w"): "ư", ("d", "d"): "đ",
}
_VOWELS = set("aăâeêioôơuưy")
_MARKED = ("ơ", "ê", "â", "ă", "ô", "ư")


def _split_tone(word: str) -> tuple[str, str]:
    """``word`` without its tone mark, and the mark ("" when none)."""
    tone = ""
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONES.values():
            tone = ch
        else:
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)), tone


def _tone_index(base: str) -> int | None:
    """Index of the vowel that carries the tone in ``base`` (no tone), or None if no vowel."""
    lower = base.lower()
    start = 0
    if lower.startswith("qu") or (lower.startswith("gi") and len(lower) > 2 and lower[2] in _VOWELS):
        start = 2
    vowels = [i for i in range(start, len(lower)) if lower[i] in _VOWELS]
    if not vowels:
        vowels = [i for i in range(len(lower)) if lower[i] in _VOWELS]
    if not vowels:
        return None
    for mark in _MARKED:
        hits = [i for i in vowels if lower[i] == mark]
        if hits:
            return hits[-1] if mark == "ơ" else hits[0]
    if len(vowels) >= 3:
        return vowels[1]
    if len(vowels) == 2:
        ends_in_consonant = vowels[-1] < len(lower) - 1
        pair = lower[vowels[0]] + lower[vowels[1]]
        if ends_in_consonant or pair in ("oa", "oe", "uy", "uê"):
            return vowels[1]
        return vowels[0]
    return vowels[0]


def _with_tone(base: str, tone: str) -> str:
    index = _tone_index(base)
    if index is None or not tone:
        return base
    marked = unicodedata.normalize("NFC", base[index] + tone)
    return base[:index] + marked + base[index + 1:]


def _match_case(template: str, ch: str) -> str:
    return ch.upper() if template.isupper() else ch


def _shape(base: str, low: str) -> str | None:
    """``base`` with the last letter that ``low`` reshapes reshaped (``uo`` + ``w`` → ``ươ``), or None."""
    lower = base.lower()
    if low == "w":
        at = lower.rfind("uo")
        if at >= 0 and at >= len(lower) - 3:
            return base[:at] + _match_case(base[at], "ư") + _match_case(base[at + 1], "ơ") + base[at + 2:]
        targets = "aou"
    elif low in "aeod":
        targets = low
    else:
        return None
    for i in range(len(lower) - 1, -1, -1):
        if lower[i] in targets:
            return base[:i] + _match_case(base[i], _SHAPES[(lower[i], low)]) + base[i + 1:]
        if low != "d" and lower[i] in _VOWELS and lower[i] not in targets:
            return None
    return None


def type_key(word: str, key: str) -> str:
    """The word after typing ``key`` at its end, with Telex rules applied.

    ``word`` is the part after the last space. A rule that would do nothing leaves the
    key as a plain letter (``"s"`` after a word without vowels stays ``s``).
    """
    low = key.lower()
    base, tone = _split_tone(word)
    if low in TONES and base and _tone_index(base) is not None:
        if tone == TONES[low]:  # typed twice: the letter itself, tone removed
            return base + key
        return _with_tone(base, TONES[low])
    if low == "z" and tone:
        return base
    shaped = _shape(base, low)
    if shaped is not None:
        return _with_tone(shaped, tone)
    if low == "w":
        return _with_tone(base + _match_case(key, "ư"), tone)
    return _with_tone(base + key, tone)


def compose(keys: str) -> str:
    """The text typed by ``keys`` (letters, spaces, punctuation) under Telex."""
    text = ""
    for key in keys:
        head, sep, word = text.rpartition(" ")
        if key == " " or not key.isalpha():
            text += key
        else:
            text = head + sep + type_key(word, key)
    return text
