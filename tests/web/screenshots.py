"""Screenshots of every dashboard page at laptop and phone width, Vietnamese and English,
with the demo district loaded, and the paperwork PDFs as PNG pages (pdftoppm).

    .venv/bin/python -m tests.web.screenshots OUT_DIR
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, MONTH, build_demo, serve

WIDTHS = {"laptop": (1366, 768), "phone": (390, 844)}


def pages(lesson: str) -> dict[str, str]:
    return {
        "district": f"/web/district?month={MONTH}",
        "school": f"/web/schools/TH-NGOCLAM?month={MONTH}",
        "room": f"/web/schools/TH-NGOCLAM/rooms/P102?month={MONTH}",
        "lesson": lesson,
        "faults": "/web/faults?state=all",
        "alerts": "/web/alerts",
        "refused": "/web/schools/THCS-GIATHUY",
    }


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    url, demo, _sessions = build_demo(Path(tempfile.mkdtemp(prefix="web-shots-")))
    base, server, thread = serve(url)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for size, (w, h) in WIDTHS.items():
            for lang in ("vi", "en"):
                ctx = browser.new_context(viewport={"width": w, "height": h})
                page = ctx.new_page()
                page.goto(f"{base}/web/login?lang={lang}")
                page.screenshot(path=str(out / f"login-{size}-{lang}.png"), full_page=True)
                who = "staff:TH-NGOCLAM"
                page.fill("input[name=username]", demo.logins[who][0])
                page.fill("input[name=password]", demo.logins[who][1])
                page.click("form.stack button[type=submit]")
                page.wait_for_load_state()
                page.goto(f"{base}/web/schools/TH-NGOCLAM/rooms/P102?month={MONTH}")
                lesson = page.locator("[data-status=used]").first.get_attribute("href")
                for name, path in pages(lesson).items():
                    if name == "district":
                        continue
                    page.goto(base + path)
                    page.screenshot(path=str(out / f"{name}-{size}-{lang}.png"), full_page=True)
                ctx.close()
                ctx = browser.new_context(viewport={"width": w, "height": h})
                page = ctx.new_page()
                page.goto(f"{base}/web/login?lang={lang}")
                page.fill("input[name=username]", demo.logins["admin"][0])
                page.fill("input[name=password]", demo.logins["admin"][1])
                page.click("form.stack button[type=submit]")
                page.wait_for_load_state()
                page.goto(base + pages("")["district"])
                page.screenshot(path=str(out / f"district-{size}-{lang}.png"), full_page=True)
                ctx.close()
        browser.close()
    username, password = demo.logins["admin"]
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/web/login")
        client.post("/web/login", data={"username": username, "password": password, "csrf_token": client.cookies.get("district_csrf")})
        for name, path in {"room-log": f"/web/export/room/TH-NGOCLAM/P102/{MONTH}.pdf", "school-summary": f"/web/export/school/TH-NGOCLAM/{MONTH}.pdf"}.items():
            pdf = out / f"{name}.pdf"
            pdf.write_bytes(client.get(path).content)
            subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(out / name)], check=True)
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=10)
    print(f"screenshots in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots"))
