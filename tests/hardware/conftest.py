"""A fresh gpiozero MockFactory per test, passed in explicitly (never picked by gpiozero itself)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gpiozero.pins.mock import MockFactory, MockPWMPin


@pytest.fixture
def mock_factory() -> Iterator[MockFactory]:
    factory = MockFactory(pin_class=MockPWMPin)
    yield factory
    factory.reset()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English for assertions; the language before is restored after."""
    from kiosk.i18n import language, set_language

    before = language()
    set_language("en")
    yield
    set_language(before)
