"""A network whose individuals are stored encoded and decoded when evaluated.

The seed-chain GA stores each individual as a list of random seeds
(:class:`~evotrain.strategies.seed_chain.SeedChain`); :class:`EncodedNetwork` wraps the
policy network so that evaluation, ``predict`` and rollouts decode an individual inside
``prepare``, once per individual per generation, and then run the base network unchanged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from evotrain.networks.base import Network
from evotrain.types import Array, PyTree


@dataclasses.dataclass(frozen=True)
class EncodedNetwork:
    """``base`` applied to ``decode(params)``.

    Attributes:
        base: the network the decoded parameters are for (e.g. an MLP).
        decode: one individual's encoding -> ``base``'s parameters (jittable, no
            population axis).
    """

    base: Network
    decode: Callable[[PyTree], PyTree]

    @property
    def num_params(self) -> int:
        """Parameters of the base network (after decoding)."""
        return int(self.base.num_params)  # type: ignore[attr-defined]

    def prepare(self, params: PyTree) -> Any:
        """Decodes the individual and prepares the base network's plan."""
        return self.base.prepare(self.decode(params))

    def initial_carry(self, plan: PyTree) -> PyTree:
        return self.base.initial_carry(plan)

    def step(self, plan: PyTree, carry: PyTree, inputs: Array) -> tuple[Array, PyTree]:
        return self.base.step(plan, carry, inputs)

    def apply(self, params: PyTree, inputs: Array) -> Array:
        return self.base.apply(self.decode(params), inputs)
