"""Secrets: password hashing (argon2), random tokens and their sha256 digests."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; never raises for a mismatch."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str, nbytes: int = 32) -> str:
    """A long random secret (``nbytes`` of entropy, URL-safe) with a readable prefix."""
    return f"{prefix}_{secrets.token_urlsafe(nbytes)}"


def new_code() -> str:
    """An enrolment code: 16 characters from an unambiguous alphabet (about 80 bits)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def digest(secret: str) -> str:
    """sha256 hex of a high-entropy secret (tokens, codes): what the database stores."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_code(code: str) -> str:
    """An enrolment code as typed (any case, spaces) in its canonical form."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))
