"""Evolutionary strategies with pure init/ask/tell.

The evosax adapter (:mod:`evotrain.strategies.evosax`: ``EvosaxStrategy``, ...) is
imported on first use, so importing this package does not import evosax.
"""

from __future__ import annotations

import importlib
from typing import Any

from evotrain.strategies.base import Strategy
from evotrain.strategies.fitness_shaping import centered_ranks, ranks, sanitize
from evotrain.strategies.ga import GAConfig, GAParams, GAState, GAStrategy
from evotrain.strategies.open_es import OpenESConfig, OpenESParams, OpenESState, OpenESStrategy
from evotrain.strategies.seed_chain import (
    SeedChain,
    SeedChainConfig,
    SeedChainGA,
    SeedChainState,
    SeedDecoder,
)

_LAZY = {
    "EvosaxStrategy": "evotrain.strategies.evosax",
    "EvosaxConfig": "evotrain.strategies.evosax",
    "EvosaxState": "evotrain.strategies.evosax",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evotrain.strategies' has no attribute {name!r}")


__all__ = [
    "EvosaxConfig",
    "EvosaxState",
    "EvosaxStrategy",
    "GAStrategy",
    "GAConfig",
    "GAParams",
    "GAState",
    "OpenESStrategy",
    "OpenESConfig",
    "OpenESParams",
    "OpenESState",
    "SeedChain",
    "SeedChainConfig",
    "SeedChainGA",
    "SeedChainState",
    "SeedDecoder",
    "Strategy",
    "centered_ranks",
    "ranks",
    "sanitize",
]
