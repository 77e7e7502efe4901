"""The paperwork from the command line: files written, read back, bad input refused in one line."""

from __future__ import annotations

from click.testing import CliRunner
from openpyxl import load_workbook

from district.paperwork.cli import export_paperwork
from tests.web.conftest import build_demo


def test_usage_log_and_school_summary_are_written(tmp_path):
    url, _demo, _sessions = build_demo(tmp_path)
    runner = CliRunner()
    out = tmp_path / "log.xlsx"
    result = runner.invoke(export_paperwork, ["usage-log", "--school", "TH-NGOCLAM", "--room", "P101", "--month", "2026-11",
                                              "--format", "xlsx", "--database-url", url, "-o", str(out)])
    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    assert "Đánh giá hiệu quả sử dụng từng" in " ".join(workbook.sheetnames)
    pdf = tmp_path / "summary.pdf"
    result = runner.invoke(export_paperwork, ["school-summary", "--school", "TH-NGOCLAM", "--month", "2026-11", "--database-url", url, "-o", str(pdf)])
    assert result.exit_code == 0 and pdf.read_bytes()[:5] == b"%PDF-"


def test_unknown_school_and_bad_month_are_one_line_errors(tmp_path):
    url, _demo, _sessions = build_demo(tmp_path)
    runner = CliRunner()
    result = runner.invoke(export_paperwork, ["school-summary", "--school", "NOPE", "--month", "2026-11", "--database-url", url, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0 and "NOPE" in result.output and "Traceback" not in result.output
    result = runner.invoke(export_paperwork, ["school-summary", "--school", "TH-NGOCLAM", "--month", "11/2026", "--database-url", url, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and "YYYY-MM" in result.output
