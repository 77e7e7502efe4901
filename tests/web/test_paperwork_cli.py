"""The paperwork from the command line (``district export usage-log|school-summary``): files
written and read back, bad input refused in one line."""

from __future__ import annotations

from click.testing import CliRunner
from openpyxl import load_workbook

from district.cli import main
from tests.web.conftest import build_demo


def _export(url: str, *args: str) -> object:
    return CliRunner().invoke(main, ["--database-url", url, "--lang", "en", "export", *args])


def test_usage_log_and_school_summary_are_written(tmp_path):
    url, _demo, _sessions = build_demo(tmp_path)
    out = tmp_path / "log.xlsx"
    result = _export(url, "usage-log", "--school", "TH-NGOCLAM", "--room", "P101", "--month", "2026-11",
                     "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert "Đánh giá hiệu quả sử dụng từng" in " ".join(workbook.sheetnames)
    pdf = tmp_path / "summary.pdf"
    result = _export(url, "school-summary", "--school", "TH-NGOCLAM", "--month", "2026-11", "-o", str(pdf))
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_unknown_school_bad_month_and_missing_room_are_one_line_errors(tmp_path):
    url, _demo, _sessions = build_demo(tmp_path)
    out = str(tmp_path / "x.pdf")
    result = _export(url, "school-summary", "--school", "NOPE", "--month", "2026-11", "-o", out)
    assert result.exit_code != 0 and "NOPE" in result.output and "Traceback" not in result.output
    result = _export(url, "school-summary", "--school", "TH-NGOCLAM", "--month", "11/2026", "-o", out)
    assert result.exit_code != 0 and "YYYY-MM" in result.output
    result = _export(url, "usage-log", "--school", "TH-NGOCLAM", "--month", "2026-11", "-o", out)
    assert result.exit_code != 0 and "--room" in result.output
    result = _export(url, "lessons", "--school", "TH-NGOCLAM", "--month", "2026-11", "--format", "pdf", "-o", out)
    assert result.exit_code != 0 and "csv or xlsx" in result.output
