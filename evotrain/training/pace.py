"""How many generations ``learn`` runs per dispatch of the generation program."""

from __future__ import annotations

import jax

DISPATCH_SECONDS = 0.5
"""The wall time a dispatch aims at when ``learn`` chooses the generations per dispatch:
short enough that logs and progress bars stay live, long enough to amortize the host."""


class Pace:
    """The next dispatch's generations: the caller's fixed number, or as many as keep a
    dispatch near :data:`DISPATCH_SECONDS` (one until a generation was timed); never past
    the program's size, the generations left or a callback's next read.

    Args:
        most: the most generations one dispatch of the program runs (its ``size``).
        fixed: generations per dispatch the caller asked for (None: chosen by timing).
    """

    def __init__(self, most: int, fixed: int | None) -> None:
        self.most = most
        if fixed is None and jax.process_count() > 1:
            # Every process must run the same generations per dispatch (the program holds
            # collectives), and their clocks differ: no timing, the callbacks' limit only.
            fixed = most
        self.fixed = fixed
        self.gen_time: float | None = None

    def next(self, left: int, until_read: int | None) -> int:
        """Generations the next dispatch runs, with ``left`` still to run and a callback
        reading the model after ``until_read`` more (None: none does)."""
        if self.fixed is not None:
            n = self.fixed
        elif self.gen_time is None:
            n = 1
        else:
            n = max(1, int(DISPATCH_SECONDS / max(self.gen_time, 1e-9)))
        return max(1, min(n, self.most, left, until_read or left))

    def ran(self, gen_time: float) -> None:
        """Records the last dispatch's wall time per generation, in seconds."""
        self.gen_time = gen_time


__all__ = ["DISPATCH_SECONDS", "Pace"]
