"""Bad input through the real ``classroom`` command: one clear line on stderr, non-zero exit, no traceback."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_CONFIG

GOOD_ROWS = "time,channel,amps\n2026-11-16T07:00:00+07:00,1,0.02\n2026-11-16T07:00:05+07:00,1,0.02\n"


def classroom(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLASSROOM_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=120,
    )


def assert_one_clear_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _replay(tmp_path: Path, csv_text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "readings.csv"
    path.write_text(csv_text, encoding="utf-8")
    return classroom("replay", path, "--config", EXAMPLE_CONFIG, "--journal", tmp_path / "journal", *extra,
                     cwd=tmp_path)


@pytest.mark.parametrize(("original", "broken", "key", "expected"), [
    ('channel = 1\n', 'channel = "one"\n', "devices[0].channel", "a whole number"),
    ('type = "regular_classroom"', 'type = "kitchen"', "room.type", "regular_classroom"),
    ('model = "full"', 'model = "full"\ncolour = "red"', "school.colour", "no such key"),
    ('on_amps = 1.30', 'on_amps = 0.001', "devices[0]", "must be above standby_amps"),
])
def test_malformed_config_names_file_key_and_expected(
    tmp_path: Path, original: str, broken: str, key: str, expected: str
) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    assert original in text
    bad = tmp_path / "room.toml"
    bad.write_text(text.replace(original, broken, 1), encoding="utf-8")
    result = classroom("check-config", bad, cwd=tmp_path)
    assert_one_clear_error(result, str(bad), key, expected)


def test_config_that_is_not_toml(tmp_path: Path) -> None:
    bad = tmp_path / "room.toml"
    bad.write_text("[school\ncode = 1\n", encoding="utf-8")
    assert_one_clear_error(classroom("check-config", bad, cwd=tmp_path), str(bad), "TOML")


def test_missing_config_file(tmp_path: Path) -> None:
    result = classroom("replay", tmp_path / "r.csv", "--config", tmp_path / "none.toml", cwd=tmp_path)
    assert_one_clear_error(result, "none.toml", "not found")


def test_csv_with_a_bad_row_stops_at_its_line(tmp_path: Path) -> None:
    result = _replay(tmp_path, GOOD_ROWS + "2026-11-16T07:00:10+07:00,1,abc\n")
    assert_one_clear_error(result, "readings.csv", "line 4", "abc")


def test_skip_bad_skips_and_counts(tmp_path: Path) -> None:
    result = _replay(tmp_path, GOOD_ROWS + "2026-11-16T07:00:10+07:00,1,abc\nnonsense\n", "--skip-bad")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "2 bad rows skipped" in result.stdout
    assert "2 readings replayed" in result.stdout


def test_unknown_channel(tmp_path: Path) -> None:
    result = _replay(tmp_path, GOOD_ROWS + "2026-11-16T07:00:10+07:00,9,0.5\n")
    assert_one_clear_error(result, "line 4", "9")


def test_time_going_backwards(tmp_path: Path) -> None:
    result = _replay(tmp_path, GOOD_ROWS + "2026-11-16T06:59:00+07:00,1,0.02\n")
    assert_one_clear_error(result, "line 4", "backwards")


def test_missing_readings_file(tmp_path: Path) -> None:
    result = classroom("replay", tmp_path / "nope.csv", "--config", EXAMPLE_CONFIG, "--journal",
                       tmp_path / "j", cwd=tmp_path)
    assert_one_clear_error(result, "nope.csv")


def test_corrupt_gzip_readings(tmp_path: Path) -> None:
    data = bytearray(gzip.compress((GOOD_ROWS * 500).encode()))
    for i in range(30, len(data) - 20, 7):
        data[i] ^= 0x55
    path = tmp_path / "r.csv.gz"
    path.write_bytes(bytes(data))
    result = classroom("replay", path, "--config", EXAMPLE_CONFIG, "--journal", tmp_path / "j", cwd=tmp_path)
    assert_one_clear_error(result, "r.csv.gz")


def test_missing_scenario_folder(tmp_path: Path) -> None:
    assert_one_clear_error(classroom("scenario", "run", tmp_path / "nowhere", "--local", cwd=tmp_path), "nowhere")
