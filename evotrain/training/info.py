"""What one generation reports to callbacks and loggers: plain host values."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from evotrain.types import PyTree

STRATEGY_PREFIX = "strategy/"
"""Record fields of the strategy's own metrics (see :mod:`evotrain.logging.metrics`)."""


@dataclasses.dataclass(frozen=True)
class GenerationInfo:
    """One finished generation, on the host.

    Attributes:
        generation: generations run so far (the model's ``num_generations``).
        num_timesteps: env steps taken so far (the model's ``num_timesteps``).
        env_steps: env steps this generation took.
        fitness: ``(pop_size,)`` the population's fitness (non-finite values are ``-inf``).
        fitness_max, fitness_mean, fitness_std, fitness_min: statistics over the finite
            fitness values of this generation.
        best_fitness: the best fitness seen so far (that of ``best_params``).
        best_params: the best individual so far, as host arrays (an MLP parameter vector
            or a NEAT genome).
        nonfinite: how many individuals had a non-finite fitness this generation.
        time_s: wall time of this generation; ``elapsed_s``: since ``learn`` began.
        steps_per_s: env steps per second this generation.
        algorithm: the strategy's own metrics (NEAT: ``species``, ``nodes_mean``,
            ``conns_mean``, ...; OpenAI-ES: ``sigma``, ...), as Python scalars.
        record: every value above as one flat dict (the model's ``history`` entry).
    """

    generation: int
    num_timesteps: int
    env_steps: int
    fitness: np.ndarray
    fitness_max: float
    fitness_mean: float
    fitness_std: float
    fitness_min: float
    best_fitness: float
    best_params: PyTree
    nonfinite: int
    time_s: float
    elapsed_s: float
    steps_per_s: float
    algorithm: dict[str, Any]
    record: Mapping[str, Any]

    @classmethod
    def from_record(cls, record: Mapping[str, Any], best_params: PyTree) -> GenerationInfo:
        """Builds the info from a flat history record (see ``BaseEvolver._record``)."""
        return cls(
            generation=int(record["generation"]),
            num_timesteps=int(record["num_timesteps"]),
            env_steps=int(record["env_steps"]),
            fitness=np.asarray(record["fitness"]),
            fitness_max=float(record["fitness_max"]),
            fitness_mean=float(record["fitness_mean"]),
            fitness_std=float(record["fitness_std"]),
            fitness_min=float(record["fitness_min"]),
            best_fitness=float(record["best_fitness"]),
            best_params=best_params,
            nonfinite=int(record["nonfinite"]),
            time_s=float(record["time_s"]),
            elapsed_s=float(record["elapsed_s"]),
            steps_per_s=float(record["steps_per_s"]),
            algorithm={
                k[len(STRATEGY_PREFIX) :]: v
                for k, v in record.items()
                if k.startswith(STRATEGY_PREFIX)
            },
            record=record,
        )

    def __getitem__(self, key: str) -> Any:
        """``info["fitness_max"]``: the flat record's entry (as in ``model.history``)."""
        return self.record[key]


def history_record(
    metrics: Mapping[str, Any],
    generation: int,
    num_timesteps: int,
    time_s: float,
    elapsed_s: float,
) -> dict[str, Any]:
    """One generation's flat record (a ``model.history`` entry) from the step's metrics.

    Args:
        metrics: the generation step's metrics on the host (scalars and ``fitness``).
        generation: generations run so far, this one included.
        num_timesteps: env steps taken so far, this generation's included.
        time_s: this generation's wall time; ``elapsed_s``: since ``learn`` began.

    Returns:
        The metrics as Python scalars (arrays stay NumPy arrays) plus ``generation``,
        ``num_timesteps``, ``steps_per_s``, ``time_s`` and ``elapsed_s``.
    """
    record = {k: (np.asarray(v) if np.ndim(v) else v.item()) for k, v in metrics.items()}
    record.update(
        generation=generation,
        num_timesteps=num_timesteps,
        steps_per_s=int(metrics["env_steps"]) / max(time_s, 1e-9),
        time_s=time_s,
        elapsed_s=elapsed_s,
    )
    return record


__all__ = ["GenerationInfo", "history_record"]
