"""Errors of the deployment code. Each also inherits the builtin it resembles."""

from __future__ import annotations


class DeployError(Exception):
    """Base of every error the deployment code raises on purpose."""


class BadBootFile(DeployError, ValueError):
    """The boot partition's classroom.toml cannot be read or does not validate.

    The message names the file, the key and what is wrong, in the user's language.
    """
