"""The daily e-mail digest: one per school and one for the district, each sent once a day.

A digest is claimed by inserting ``(scope, day)`` (unique) in the same transaction that
sends it; if sending fails the claim is rolled back and a later run retries. Two workers
running it at once send each digest once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from district import models
from district.db import transaction
from district.web.i18n import label, translator
from district.web.settings import WebSettings
from district.web.tables import Alert, DigestSent

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Digest:
    """One composed digest."""

    scope: str
    recipients: list[str]
    subject: str
    body: str


def compose(session: Session, *, scope: str, recipients: list[str], now: float, lang: str = "vi") -> Digest:
    """The digest of ``scope`` (``district`` or a school code): open alerts and those ended in the last day."""
    tr = translator(lang)
    schools = {s.id: s for s in session.scalars(select(models.School))}
    rooms = {r.id: r for r in session.scalars(select(models.Room))}
    ids = list(schools) if scope == "district" else [i for i, s in schools.items() if s.code == scope]
    title = tr("District") if scope == "district" else (schools[ids[0]].name if ids else scope)
    alerts = list(session.scalars(
        select(Alert).where(Alert.school_id.in_(ids), or_(Alert.ended_at.is_(None), Alert.ended_at >= now - 86400))
        .order_by(Alert.school_id, Alert.kind, Alert.started_at)
    ))
    day = dt.datetime.fromtimestamp(now, TZ).strftime("%d/%m/%Y")
    lines = [tr("Daily digest of classroom IT equipment use") + f" · {title} · {day}", ""]
    open_alerts = [a for a in alerts if a.ended_at is None]
    lines.append(tr("Open alerts") + f": {len(open_alerts)}")
    for a in open_alerts:
        where = schools[a.school_id].name + (f" · {rooms[a.room_id].name}" if a.room_id in rooms else "")
        device = f" · {label(a.detail.get('device'), tr)}" if a.detail.get("device") else ""
        since = dt.datetime.fromtimestamp(a.started_at, TZ).strftime("%d/%m %H:%M")
        lines.append(f"- {label(a.kind, tr)}{device} — {where} ({tr('since')} {since})")
    ended = [a for a in alerts if a.ended_at is not None]
    lines += ["", tr("Ended in the last day") + f": {len(ended)}"]
    for a in ended:
        where = schools[a.school_id].name + (f" · {rooms[a.room_id].name}" if a.room_id in rooms else "")
        lines.append(f"- {label(a.kind, tr)} — {where}")
    subject = tr("Classroom IT equipment: daily digest") + f" · {title} · {day}"
    return Digest(scope=scope, recipients=recipients, subject=subject, body="\n".join(lines) + "\n")


def send_digests(sessions: sessionmaker[Session], *, now: float, settings: WebSettings, lang: str = "vi") -> list[str]:
    """Send today's digest to each configured scope not yet sent; returns the scopes sent."""
    if not settings.smtp_host:
        log.info("digest: no SMTP host configured; nothing sent")
        return []
    day = dt.datetime.fromtimestamp(now, TZ).date()
    sent = []
    for scope, recipients in settings.recipients().items():
        try:
            with transaction(sessions) as session:
                session.add(DigestSent(scope=scope, day=day, sent_at=now, recipients=len(recipients)))
                session.flush()
                digest = compose(session, scope=scope, recipients=recipients, now=now, lang=lang)
                _send(settings, digest)
            sent.append(scope)
            log.info("digest %s sent to %d recipients", scope, len(recipients))
        except IntegrityError:
            log.info("digest %s for %s already sent", scope, day)
    return sent


def _send(settings: WebSettings, digest: Digest) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(digest.recipients)
    message["Subject"] = digest.subject
    message.set_content(digest.body, charset="utf-8")
    assert settings.smtp_host is not None
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        smtp.send_message(message)
