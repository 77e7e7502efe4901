"""The daily digest over SMTP, to a real aiosmtpd server on loopback: once per scope and day."""

from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from district.alerts.digest import send_digests
from district.web.settings import get_web_settings
from tests.web.conftest import NOW, build_demo, free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_one_digest_per_school_and_district_and_never_twice_a_day(tmp_path, smtp):
    inbox, port = smtp
    _url, _demo, sessions = build_demo(tmp_path)
    settings = get_web_settings(smtp_host="127.0.0.1", smtp_port=port,
                                digest_to="district=pgd@example.org;TH-NGOCLAM=bgh@ngoclam.example.org,it@ngoclam.example.org")
    assert sorted(send_digests(sessions, now=NOW, settings=settings)) == ["TH-NGOCLAM", "district"]
    assert send_digests(sessions, now=NOW + 3600, settings=settings) == []
    assert len(inbox.messages) == 2
    school = next(m for m in inbox.messages if "ngoclam" in m["To"])
    assert "Ngọc Lâm" in school["Subject"]
    body = school.get_content()
    assert "Cảnh báo đang mở" in body and "Sự cố chưa khắc phục quá một tuần" in body
    district = next(m for m in inbox.messages if m["To"] == "pgd@example.org")
    assert "Gia Thụy" in district.get_content()  # the district digest covers every school


def test_a_failed_send_is_retried_on_the_next_run(tmp_path, smtp):
    inbox, port = smtp
    _url, _demo, sessions = build_demo(tmp_path)
    dead = get_web_settings(smtp_host="127.0.0.1", smtp_port=free_port(), digest_to="district=pgd@example.org")
    with pytest.raises(OSError):
        send_digests(sessions, now=NOW, settings=dead)
    alive = get_web_settings(smtp_host="127.0.0.1", smtp_port=port, digest_to="district=pgd@example.org")
    assert send_digests(sessions, now=NOW, settings=alive) == ["district"]
    assert len(inbox.messages) == 1


def test_recipients_setting_is_checked():
    with pytest.raises(ValueError, match="digest_to"):
        get_web_settings(digest_to="district")
