"""How the CLI reports a user's mistake."""

EXIT_USAGE = 2
"""Exit status of a usage error (bad arguments, missing files)."""


class UsageError(Exception):
    """A user error the CLI reports as ``evotrain: error: ...`` with exit status 2."""


__all__ = ["EXIT_USAGE", "UsageError"]
