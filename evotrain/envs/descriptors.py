"""Behaviour descriptors: what an episode did, as a short vector (for quality-diversity).

A :class:`Descriptor` is a per-step feature of the env state and how an episode's steps
reduce to one value: ``"mean"`` over the steps taken (the proportion of steps a foot
touched the ground) or ``"last"`` (where the body was when the episode ended). Each env
family declares its descriptors in its own module (``descriptors()`` on the adapter); the
rollout computes the chosen one alongside the return, and an individual's descriptor is
the mean over its episodes. A run that asks for none carries nothing extra.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping
from typing import Any

from evotrain.types import Array

REDUCTIONS = ("mean", "last")
"""How an episode's per-step features become its descriptor."""


@dataclasses.dataclass(frozen=True)
class Descriptor:
    """One behaviour descriptor of an env.

    Attributes:
        name: its name in the env's table (``"final_xy"``).
        size: the descriptor's length ``d``.
        feature: ``EnvState -> (d,)`` float32, read from the state each step leads to.
        reduce: ``"mean"`` (over the steps an episode took) or ``"last"`` (the last one).
        low: ``(d,)`` lower bounds of the values, or None where the env cannot know them
            (a quality-diversity archive then needs bounds from the user).
        high: ``(d,)`` upper bounds, or None.
        doc: one line saying what it measures.
    """

    name: str
    size: int
    feature: Callable[[Any], Array]
    reduce: str = "mean"
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None
    doc: str = ""

    def __post_init__(self) -> None:
        if self.reduce not in REDUCTIONS:
            raise ValueError(
                f"descriptor {self.name!r}: reduce must be one of {REDUCTIONS}, "
                f"got {self.reduce!r}."
            )
        if self.size < 1:
            raise ValueError(f"descriptor {self.name!r}: size must be at least 1.")
        for bound in (self.low, self.high):
            if bound is not None and len(bound) != self.size:
                raise ValueError(
                    f"descriptor {self.name!r}: bounds of length {len(bound)} for a "
                    f"descriptor of size {self.size}."
                )


def choose(table: Mapping[str, Descriptor], name: str, env_id: str) -> Descriptor:
    """The descriptor ``name`` of an env's table, or a clear error listing the others.

    Raises:
        ValueError: for a name the env does not declare (close matches suggested).
    """
    if name in table:
        return table[name]
    if not table:
        raise ValueError(f"{env_id} declares no behaviour descriptors.")
    close = difflib.get_close_matches(name, list(table), n=3)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ValueError(
        f"{env_id} has no descriptor {name!r}; it has {', '.join(map(repr, sorted(table)))}." + hint
    )


__all__ = ["REDUCTIONS", "Descriptor", "choose"]
