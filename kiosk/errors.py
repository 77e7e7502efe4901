"""Errors of the classroom program. Each also inherits the builtin it resembles.

Messages are one lower-case sentence naming the value, the limit and the fix; they are
translated (Vietnamese by default) where they reach a person.
"""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the classroom program raises on purpose."""


class ConfigError(KioskError, ValueError):
    """The room configuration is missing, malformed or inconsistent."""


class ReadingsError(KioskError, ValueError):
    """A readings file has a bad row, an unknown channel or time going backwards."""


class UnknownChannel(KioskError, KeyError):
    """A reading names a channel the room configuration does not have."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown channel"


class TimeWentBackwards(KioskError, ValueError):
    """A reading is older than the previous reading of the same channel."""


class JournalError(KioskError, OSError):
    """The journal cannot be opened or written."""


class AppendOnlyViolation(JournalError):
    """Something tried to change or remove an event already in the journal."""


class ScenarioError(KioskError, ValueError):
    """A scenario folder is missing a file or has a malformed one."""
