"""Third-party import noise, silenced without hiding anything else.

Importing Brax imports ``mujoco.mjx``, which prints "Failed to import warp" (and
"mujoco_warp") to standard output when NVIDIA Warp is not installed, which it need not
be; and Brax warns that its systems are no longer maintained each time it loads one.
:func:`quiet_brax` drops exactly those lines and that warning; any other output or
warning goes through.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections.abc import Iterator

NOISE_PREFIXES = ("Failed to import warp:", "Failed to import mujoco_warp:")
"""Lines printed on import that carry no information for evotrain's users."""

BRAX_WARNING = r"Brax System, piplines and environments are not actively being maintained"
"""The start of the warning Brax gives whenever it loads a system."""


@contextlib.contextmanager
def quiet_brax() -> Iterator[None]:
    """Runs the block with Brax's import lines and maintenance warning dropped."""
    captured = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=BRAX_WARNING, category=UserWarning)
        try:
            with contextlib.redirect_stdout(captured):
                yield
        finally:
            kept = [
                line
                for line in captured.getvalue().splitlines(keepends=True)
                if not line.startswith(NOISE_PREFIXES)
            ]
            sys.stdout.write("".join(kept))


__all__ = ["BRAX_WARNING", "NOISE_PREFIXES", "quiet_brax"]
