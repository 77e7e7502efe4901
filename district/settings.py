"""Server settings, read from the environment (``DISTRICT_*``) by a function, never at import."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"changeme", "change-me", "password", "secret", "admin"}


class Settings(BaseSettings):
    """Typed, checked once at start-up. Unknown ``DISTRICT_*`` keys are ignored by the OS env.

    Attributes:
        database_url: SQLAlchemy URL; SQLite file in the working dir by default,
            ``postgresql+psycopg://user@host/db`` in production.
        max_body_bytes: cap on an upload body, compressed and uncompressed.
        future_tolerance_s: events stamped later than server time + this are refused.
        login_window_s / login_max_failures: login rate limit (held in the database).
        session_ttl_s: lifetime of a token returned by ``/auth/login``.
        enrollment_ttl_s: default lifetime of an enrolment code.
        lookback_s: how far before a scored range events are read to know each
            device's state when the range starts.
        bootstrap_admin / bootstrap_password: when both set, ``create_app`` makes sure
            this admin exists (for test harnesses and first start).
        auto_migrate: ``create_app`` migrates the database to head first (one process
            only; ``district serve`` migrates once before starting workers).
    """

    model_config = SettingsConfigDict(env_prefix="DISTRICT_", extra="ignore")

    database_url: str = "sqlite:///district.db"
    max_body_bytes: int = Field(default=4_000_000, ge=1024, le=100_000_000)
    future_tolerance_s: float = Field(default=600.0, ge=0, le=86400)
    login_window_s: float = Field(default=900.0, gt=0)
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    session_ttl_s: float = Field(default=12 * 3600.0, gt=0)
    enrollment_ttl_s: float = Field(default=7 * 86400.0, gt=0)
    lookback_s: float = Field(default=7 * 86400.0, ge=0)
    bootstrap_admin: str | None = None
    bootstrap_password: str | None = None
    language: str = "vi"
    auto_migrate: bool = False

    @field_validator("bootstrap_password")
    @classmethod
    def _no_placeholder(cls, value: str | None) -> str | None:
        if value is not None and (value.lower() in PLACEHOLDER_SECRETS or len(value) < 8):
            raise ValueError("bootstrap_password is a placeholder or shorter than 8 characters; choose a real one")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError(f"language {value!r} not supported; expected vi or en")
        return value


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with keyword overrides (e.g. ``database_url=``)."""
    return Settings(**overrides)  # type: ignore[arg-type]
