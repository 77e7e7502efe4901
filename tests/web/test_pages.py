"""The dashboard in Debian's Chromium: roles, district → school → room → lesson, the API's numbers, faults, downloads."""

from __future__ import annotations

import io
import subprocess

import httpx
import pytest
from openpyxl import load_workbook

from tests.web.conftest import MONTH, login

pytestmark = pytest.mark.slow


def api_report(served, who: str, **params: str) -> dict:
    username, password = served.demo.logins[who]
    with httpx.Client(base_url=served.url) as client:
        token = client.post("/api/v1/auth/login", json={"username": username, "password": password}).json()["token"]
        response = client.get("/api/v1/reports", params={"month": MONTH, **params}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def pct(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f} %"


def test_admin_goes_from_district_to_lesson_and_sees_the_api_numbers(page, served):
    login(page, served, "admin")
    assert page.url.endswith("/web/district")
    assert page.locator("h1").inner_text() == "Tổng quan toàn quận"
    page.click("tr[data-school='TH-NGOCLAM'] a")
    report = api_report(served, "admin", school="TH-NGOCLAM")
    for room in report["rooms"]:
        row = page.locator(f"tr[data-room='{room['room']}']")
        assert row.locator("[data-testid=share]").inner_text().startswith(pct(room["summary"]["share"]))
        assert row.locator("[data-testid=used]").inner_text() == str(room["summary"]["used"])
        assert row.locator("[data-testid=not-used]").inner_text() == str(room["summary"]["not_used"])
    page.click("tr[data-room='P102'] a")
    room = next(r for r in report["rooms"] if r["room"] == "P102")
    assert page.locator("[data-testid=room-used]").inner_text() == str(room["summary"]["used"])
    assert page.locator("[data-testid=room-not-used]").inner_text() == str(room["summary"]["not_used"])
    statuses = [c.get_attribute("data-status") for c in page.locator("[data-testid=calendar] a").all()]
    assert statuses == [lesson["status"] for lesson in room["lessons"]]
    first_not_used = next(lesson for lesson in room["lessons"] if lesson["status"] == "not_used")
    page.click(f"a[href$='/lessons/{first_not_used['date']}/{first_not_used['period']}']")
    assert page.locator("[data-testid=lesson-status]").inner_text().strip().endswith("Không sử dụng")
    assert page.locator("[data-testid=lesson-minutes]").inner_text() == f"{first_not_used['used_minutes']:.1f}"
    assert page.locator("[data-testid=timeline]").count() == 1


def test_district_overview_share_matches_the_api_for_every_school(page, served):
    login(page, served, "analyst")
    for code in served.demo.schools:
        report = api_report(served, "analyst", school=code, lessons="false")
        totals = report["totals"]
        counted = totals["used"] + totals["not_used"]
        share = round(totals["used"] / counted, 4) if counted else None
        cell = page.locator(f"tr[data-school='{code}'] [data-testid=share]").inner_text()
        assert cell.startswith(pct(share))


def test_school_staff_are_refused_another_schools_pages(page, served):
    login(page, served, "staff:TH-NGOCLAM")
    assert "/web/schools/TH-NGOCLAM" in page.url
    for path in ("/web/schools/THCS-GIATHUY", "/web/schools/THCS-GIATHUY/rooms/P101", "/web/district",
                 f"/web/export/school/THCS-GIATHUY/{MONTH}.xlsx"):
        response = page.goto(served.url + path)
        assert response.status == 403, path
        assert "Không có quyền truy cập" in page.content()


def test_staff_close_a_fault_and_the_close_reaches_the_room_config(page, served):
    login(page, served, "staff:TH-GIATHUONG")
    page.goto(served.url + "/web/faults")
    card = page.locator("article.fault.open").first
    fault_id = card.get_attribute("data-fault")
    card.locator("input[name=note]").fill("Đã thay bóng đèn máy chiếu")
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(f"article[data-fault='{fault_id}']").count() == 0  # gone from the open list
    page.goto(served.url + "/web/faults?state=closed")
    closed = page.locator(f"article[data-fault='{fault_id}']")
    assert "Đã thay bóng đèn máy chiếu" in closed.inner_text()
    from district.web import data

    pi_id, seq = fault_id.split("/")
    with served.sessions() as session:
        room_id = next(f.room_id for f in data.list_faults(session, list(range(1, 100))) if f.pi_id == pi_id)
        config = data.closed_faults_config(session, room_id)
    assert {"pi": pi_id, "seq": int(seq)} in [{"pi": c["pi"], "seq": c["seq"]} for c in config["faults_closed"]]


def test_analyst_sees_faults_but_cannot_close_them(page, served):
    login(page, served, "analyst")
    page.goto(served.url + "/web/faults?state=all")
    assert page.locator("article.fault").count() > 0
    assert page.locator("form.close-form").count() == 0


def test_room_paperwork_downloads_as_xlsx_and_pdf(page, served, tmp_path):
    login(page, served, "admin")
    page.goto(served.url + f"/web/schools/TH-NGOCLAM/rooms/P101?month={MONTH}")
    with page.expect_download() as info:
        page.click("[data-testid=room-xlsx]")
    xlsx = tmp_path / "log.xlsx"
    info.value.save_as(xlsx)
    workbook = load_workbook(xlsx)
    log_sheet = workbook["Nhật ký sử dụng"]
    rows = [r for r in log_sheet.iter_rows(min_row=9, values_only=True) if r[0]]
    room = next(r for r in api_report(served, "admin", school="TH-NGOCLAM", room="P101")["rooms"])
    assert len(rows) == len(room["lessons"])
    assert [r[7] for r in rows].count("Có sử dụng") == room["summary"]["used"]
    assert log_sheet["A1"].value.startswith("PHÒNG GD&ĐT")
    with page.expect_download() as info:
        page.click("[data-testid=room-pdf]")
    pdf = tmp_path / "log.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "NHẬT KÝ SỬ DỤNG THIẾT BỊ CNTT" in text


def test_school_summary_downloads_as_xlsx(page, served, tmp_path):
    login(page, served, "staff:TH-NGOCLAM")
    with page.expect_download() as info:
        page.click("[data-testid=school-xlsx]")
    path = tmp_path / "summary.xlsx"
    info.value.save_as(path)
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    assert "Giáo viên" in workbook.sheetnames


def test_english_is_one_click_away_and_sticks(page, served):
    login(page, served, "admin")
    page.click("[data-testid=lang]")
    assert page.locator("h1").inner_text() == "District overview"
    page.click("tr[data-school='TH-NGOCLAM'] a")
    assert page.locator("table[data-testid=rooms] th").first.inner_text() == "Room"


def test_phone_width_has_no_sideways_page_scroll(browser, served):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    login(pg, served, "admin")
    for path in ("/web/district", "/web/schools/TH-NGOCLAM", "/web/schools/TH-NGOCLAM/rooms/P101", "/web/faults", "/web/alerts"):
        pg.goto(served.url + path)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()


def test_logout_ends_the_session(page, served):
    login(page, served, "admin")
    page.click("header form button")
    page.wait_for_load_state()
    assert "/web/login" in page.url
    page.goto(served.url + "/web/district")
    assert "/web/login" in page.url
