"""Telex composition for the on-screen keyboard (kiosk.ui.telex)."""

from __future__ import annotations

import pytest

from kiosk.ui.telex import compose, type_key


@pytest.mark.parametrize(("keys", "text"), [
    ("tieengs vieetj", "tiếng việt"),
    ("mays chieeus khoong leen hinhf", "máy chiếu không lên hình"),
    ("maays", "mấy"),
    ("loa bij hongr", "loa bị hỏng"),
    ("dduwowcj nguwowif", "được người"),
    ("hoaf", "hoà"),
    ("quys", "quý"),
    ("giuwax", "giữa"),
    ("Ddaay", "Đây"),
    ("bangr tuwowng tacs", "bảng tương tác"),
])
def test_compose(keys, text):
    assert compose(keys) == text


def test_tone_typed_twice_gives_the_letter_back():
    assert type_key("bá", "s") == "bas"


def test_z_removes_the_tone():
    assert type_key("bá", "z") == "ba"


def test_tone_key_without_a_vowel_is_a_letter():
    assert compose("s") == "s"
    assert compose("xs") == "xs"
