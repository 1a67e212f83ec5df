"""A NEAT generation step that runs at the smallest capacity level the state fits.

See :mod:`evotrain.neat.capacity`. Each level has its own compiled step, made the first
time a generation needs it; the level is read from the train state before every
generation (one small device-to-host transfer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from evotrain.neat.capacity import grow, level_for, rows_used, shrink
from evotrain.training.state import TrainState
from evotrain.types import Metrics

_rows_used = jax.jit(rows_used)

Step = Callable[[TrainState], tuple[TrainState, Metrics]]


def at_level(inner: Step, level: tuple[int, int], full: tuple[int, int]) -> Step:
    """A step on full-capacity train states that runs ``inner`` at a smaller capacity.

    Args:
        inner: the generation step built for genomes of ``level``'s capacity.
        level: ``(nodes, conns)`` rows ``inner`` works on.
        full: ``(nodes, conns)`` rows the train state is stored at.

    Returns:
        ``step(ts)``: cuts ``ts``'s genomes to ``level``'s rows, runs ``inner`` and pads
        the result back to ``full`` (NaN rows, as the genome layout has them).
    """

    def step(ts: TrainState) -> tuple[TrainState, Metrics]:
        ts, metrics = inner(shrink(ts, *level))
        return grow(ts, *full), metrics

    return step


class CapacityStep:
    """``step(train_state) -> (train_state, metrics)`` dispatching on capacity level.

    Args:
        levels: ``(nodes, conns)`` capacities, smallest first (the last one is the full
            capacity the train state is stored at).
        make: ``make(level, train_state)`` returns the step for that level index, taking and
            returning full-capacity train states (it may compile ahead of time for the
            given state).
    """

    def __init__(
        self,
        levels: tuple[tuple[int, int], ...],
        make: Callable[[int, TrainState], Callable[[TrainState], tuple[TrainState, Metrics]]],
    ) -> None:
        self.levels = levels
        self._make = make
        self._steps: dict[int, Callable[[TrainState], tuple[TrainState, Metrics]]] = {}

    def level(self, ts: TrainState) -> int:
        """Index of the level the next generation from ``ts`` runs at."""
        nodes, conns = jax.device_get(_rows_used(ts))
        return level_for(self.levels, int(nodes), int(conns))

    def for_state(self, ts: TrainState) -> Callable[[TrainState], tuple[TrainState, Metrics]]:
        """The step of ``ts``'s level (made on first use)."""
        i = self.level(ts)
        if i not in self._steps:
            self._steps[i] = self._make(i, ts)
        return self._steps[i]

    def __call__(self, ts: TrainState) -> tuple[TrainState, Metrics]:
        return self.for_state(ts)(ts)

    def lower(self, ts: TrainState) -> Any:
        """``jax.jit``'s lowering of the step for ``ts``'s level (jitted steps only)."""
        return self.for_state(ts).lower(ts)
