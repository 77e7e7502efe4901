"""Room configuration: validated once; a wrong value names the file, the key and what was expected."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import load_config, parse_config
from kiosk.errors import ConfigError
from kiosk.i18n import language, set_language
from tests.conftest import EXAMPLE_CONFIG


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = language()
    set_language("en")
    yield
    set_language(before)


def _data() -> dict[str, Any]:
    return tomllib.loads(EXAMPLE_CONFIG.read_text(encoding="utf-8"))


def test_example_config_loads() -> None:
    config = load_config(EXAMPLE_CONFIG)
    assert config.tz.key == "Asia/Ho_Chi_Minh"
    assert config.target == 0.9  # full model, regular classroom
    assert [c for c, _k in config.counted_devices] == [d.channel for d in config.devices]
    assert config.device(1) is not None and config.device(99) is None
    assert config.teacher_name("GV01") == "Nguyễn Thị Lan" and config.teacher_name("X") == "X"


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, source="room.toml")
    return str(caught.value)


def test_wrong_type_names_file_key_expected_and_value() -> None:
    data = _data()
    data["devices"][1]["channel"] = "two"
    assert _error(data) == "room.toml: devices[1].channel: expected a whole number, got 'two'"


def test_unknown_key_is_refused() -> None:
    data = _data()
    data["school"]["colour"] = "red"
    assert "room.toml: school.colour: expected no such key" in _error(data)


def test_missing_key() -> None:
    data = _data()
    del data["room"]["type"]
    assert _error(data) == "room.toml: room.type: expected a value (the key is required)"


@pytest.mark.parametrize(("change", "needle"), [
    (lambda d: d["room"].update(type="kitchen"), "room.type"),
    (lambda d: d["devices"][0].update(on_amps=0.001), "must be above standby_amps"),
    (lambda d: d["devices"][1].update(channel=d["devices"][0]["channel"]), "used by two devices"),
    (lambda d: d["timetable"][0].update(period=19), "which bells do not define"),
    (lambda d: d["timetable"][0].update(teacher="nobody"), "not in teachers"),
    (lambda d: d.update(timezone="Mars/Olympus"), "unknown time zone"),
    (lambda d: d["bells"][0].update(start="8h"), "HH:MM"),
    (lambda d: d["bells"][0].update(end="07:00"), "before it starts"),
    (lambda d: d.setdefault("detector", {}).update(on_fraction=0.2, off_fraction=0.3), "must not exceed"),
    (lambda d: d.setdefault("policy", {}).update(targets={"it_room": 2}), "policy.targets.it_room"),
    (lambda d: d.update(devices=[]), "devices"),
])
def test_inconsistent_values_are_refused(change: Any, needle: str) -> None:
    data = _data()
    change(data)
    message = _error(data)
    assert message.startswith("room.toml: ") and needle in message


def test_policy_overrides_reach_the_rules() -> None:
    data = _data()
    data["policy"] = {"targets": {"regular_classroom": 0.75}, "min_used_minutes": 10, "stale_s": 60}
    config = parse_config(data)
    assert config.target == 0.75
    assert config.policy_rules.min_used_s == 600 and config.policy_rules.stale_s == 60


def test_a_device_that_does_not_count() -> None:
    data = _data()
    data["devices"][3]["counts"] = False
    config = parse_config(data)
    assert data["devices"][3]["channel"] not in [c for c, _k in config.counted_devices]


@pytest.mark.parametrize(("content", "needle"), [
    (b"[school\n", "not valid TOML"),
    (b"\xff\xfe\x00", "not UTF-8"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "room.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=needle):
        load_config(path)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "none.toml")
