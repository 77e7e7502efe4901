"""Dashboard, paperwork and alert settings (``DISTRICT_WEB_*``), read by a function, never at import."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    """Typed, checked once.

    Attributes:
        office_name: the district office as printed on paperwork headers
            (``PHÒNG GD&ĐT QUẬN LONG BIÊN``).
        smtp_host / smtp_port / smtp_from: where daily digests are sent from; no host, no mail.
        digest_to: recipients per scope, ``district=a@x,b@y;TH-NGOCLAM=c@z`` (scope ``district``
            or a school code).
        silent_s: a Pi silent this long raises an alert (a school day and a night).
        left_on_grace_s: a device still on this long after the last period is "left on".
        fault_age_s: an open fault this old raises an alert.
        under_target_from_day: from this day of the month a room under target raises an alert.
        under_target_min_lessons: ...once it has at least this many counted lessons.
    """

    model_config = SettingsConfigDict(env_prefix="DISTRICT_WEB_", extra="ignore")

    office_name: str = "PHÒNG GD&ĐT QUẬN LONG BIÊN"
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "dashboard@localhost"
    digest_to: str = ""
    silent_s: float = Field(default=30 * 3600.0, gt=0)
    left_on_grace_s: float = Field(default=1800.0, ge=0)
    fault_age_s: float = Field(default=7 * 86400.0, gt=0)
    under_target_from_day: int = Field(default=15, ge=1, le=28)
    under_target_min_lessons: int = Field(default=10, ge=1)

    @field_validator("digest_to")
    @classmethod
    def _recipients(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(";"))):
            scope, _sep, emails = part.partition("=")
            if not scope.strip() or not emails.strip() or any("@" not in e for e in emails.split(",")):
                raise ValueError(f"digest_to part {part!r} is not scope=email[,email]; e.g. district=a@example.org")
        return value

    def recipients(self) -> dict[str, list[str]]:
        """``{"district": [...], "<school code>": [...]}`` from :attr:`digest_to`."""
        out: dict[str, list[str]] = {}
        for part in filter(None, (p.strip() for p in self.digest_to.split(";"))):
            scope, _sep, emails = part.partition("=")
            out[scope.strip()] = [e.strip() for e in emails.split(",") if e.strip()]
        return out


def get_web_settings(**overrides: object) -> WebSettings:
    """Settings from the environment, with keyword overrides."""
    return WebSettings(**overrides)  # type: ignore[arg-type]
