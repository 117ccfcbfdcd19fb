"""The audit's one error type, a leaf so that every audit module can raise it."""

from __future__ import annotations

from generator.errors import WheelfixError


class AuditError(WheelfixError):
    """The audit cannot run: no target Python, a bad guides file, unknown packages."""
