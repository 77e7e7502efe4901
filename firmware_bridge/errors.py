"""Errors of the serial bridge; each also inherits the builtin it resembles.

Messages are one lower-case English sentence; the kiosk translates at its edge.
"""

from __future__ import annotations


class BridgeError(Exception):
    """Base class of every error raised by :mod:`firmware_bridge`."""


class BadSetting(BridgeError, ValueError):
    """A bridge setting is out of range (e.g. ``board channel 7 out of range 1-6``)."""


class BoardNotFound(BridgeError, OSError):
    """No board answers at the configured path (unplugged, wrong path)."""
