"""Browser sessions: the district's login token in an HttpOnly cookie, CSRF tokens, language.

The session is a district login token (``district.auth.service.login``), so its expiry,
revocation and rate limit are the API's. CSRF: every form carries a token derived from
the session token (HMAC-free: sha256 of a fixed label and the secret token, which only
this browser knows); before login, a random double-submit cookie guards the login form.
Cookies are ``SameSite=Lax``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.responses import Response

from district.web.i18n import DEFAULT_LANGUAGE, LANGUAGES

SESSION_COOKIE = "district_session"
PRELOGIN_COOKIE = "district_csrf"
LANG_COOKIE = "district_lang"


def session_token(request: Request) -> str | None:
    """The login token of this browser, if any."""
    return request.cookies.get(SESSION_COOKIE) or None


def csrf_for(token: str) -> str:
    """The CSRF token that forms of the session ``token`` must carry."""
    return hashlib.sha256(b"district-web-csrf:" + token.encode("utf-8")).hexdigest()


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; missing values never match."""
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))


def prelogin_token(request: Request) -> str:
    """The login form's double-submit token (reused from the cookie when present)."""
    return request.cookies.get(PRELOGIN_COOKIE) or secrets.token_urlsafe(24)


def is_secure(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly or behind a proxy)."""
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    """A ``HttpOnly``, ``SameSite=Lax`` cookie, ``Secure`` over HTTPS."""
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", secure=is_secure(request), path="/")


def language(request: Request) -> str:
    """The page language: ``?lang=`` then the cookie, Vietnamese by default."""
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE
