"""IT mode enrols the Pi with a real district server on loopback, typing on the on-screen keyboard."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sync.conftest import ServerProcess
from tests.ui.itmode_driver import run_scenario


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The district server (uvicorn, SQLite, a bootstrap admin) with one school and its rooms."""
    proc = ServerProcess(tmp_path_factory.mktemp("district") / "district.db")
    proc.start()
    yield proc
    proc.kill()


def test_enrolment_writes_an_owner_only_identity(display: str, district: ServerProcess, tmp_path: Path):
    code = district.new_code(room="P4A")
    result, _events = run_scenario(display, tmp_path, "enrol", env={
        "CLASSROOM_TEST_SERVER": district.url, "CLASSROOM_TEST_CODE": code})
    assert result["status_before"] == "Pi này chưa đăng ký với Phòng GD&ĐT."
    assert result["typed"] == [district.url, code, ""]
    assert result["is_error"] is False, result["result_text"]
    identity_file = tmp_path / "identity.json"
    assert stat.S_IMODE(identity_file.stat().st_mode) == 0o600
    identity = json.loads(identity_file.read_text(encoding="utf-8"))
    assert (identity["server"], identity["room"]) == (district.url, "P4A")
    assert result["result_text"].startswith(f"Đã đăng ký: Pi {identity['pi_id']} ở phòng P4A")
    assert identity["pi_id"] in result["status_after"] and district.url in result["status_after"]

    # the screen shows the enrolment; "Enrol again" with a new code replaces it
    again, _events = run_scenario(display, tmp_path, "enrol", env={
        "CLASSROOM_TEST_SERVER": district.url, "CLASSROOM_TEST_CODE": district.new_code(room="P4B")})
    assert again["status_before"].startswith(f"Đã đăng ký là {identity['pi_id']}")
    assert again["prefilled"] == district.url
    assert again["is_error"] is False, again["result_text"]
    replaced = json.loads(identity_file.read_text(encoding="utf-8"))
    assert replaced["pi_id"] != identity["pi_id"] and replaced["room"] == "P4B"


def test_an_expired_code_is_refused_in_vietnamese(display: str, district: ServerProcess, tmp_path: Path):
    code = district.new_code(ttl_s=-1)
    result, _events = run_scenario(display, tmp_path, "enrol", env={
        "CLASSROOM_TEST_SERVER": district.url, "CLASSROOM_TEST_CODE": code})
    assert result["is_error"] is True
    assert f"mã đăng ký {code} đã hết hạn" in result["result_text"]
    assert not (tmp_path / "identity.json").exists()


def test_an_unreachable_server_is_said_in_words(display: str, tmp_path: Path):
    from tests.sync.conftest import free_port

    url = f"http://127.0.0.1:{free_port()}"
    result, _events = run_scenario(display, tmp_path, "enrol", env={
        "CLASSROOM_TEST_SERVER": url, "CLASSROOM_TEST_CODE": "ABCD-EFGH"})
    assert result["is_error"] is True
    assert f"không kết nối được máy chủ của Phòng GD&ĐT {url}" in result["result_text"]
