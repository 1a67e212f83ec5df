"""One table from a generation's quantities to their log keys and stdout columns.

Every quantity has one field name, shared by the training step's metrics, the model's
``history`` records and :class:`~evotrain.training.info.GenerationInfo`
(``num_timesteps`` is the model's counter of the same name); this table alone says which
log key (SB3-style: ``time/*``, ``fitness/*``, ``train/*``) and which stdout column each
one gets. An algorithm declares its own columns with :func:`algorithm_metric` (NEAT:
species and network sizes; OpenAI-ES: none); generic code names none of them.

A strategy metric ``x`` is the field ``strategy/x`` (in ``history``) and the log key
``train/x``; those an algorithm does not declare are logged with ``train/x`` everywhere
except the stdout table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from evotrain.training.info import STRATEGY_PREFIX

TRAIN_PREFIX = "train/"
"""Their log keys (``train/species``)."""


@dataclasses.dataclass(frozen=True)
class Metric:
    """A logged quantity.

    Attributes:
        field: its name in the history record (``"fitness_max"``, ``"strategy/species"``).
        key: its log key (``"fitness/max"``).
        title: its stdout column title, or None to keep it out of the stdout table.
    """

    field: str
    key: str
    title: str | None = None


def algorithm_metric(name: str, title: str | None = None) -> Metric:
    """A strategy metric ``name`` (field ``strategy/<name>``, key ``train/<name>``), shown
    in the stdout table under ``title`` when one is given."""
    return Metric(STRATEGY_PREFIX + name, TRAIN_PREFIX + name, title)


SHOWN: tuple[Metric, ...] = (
    Metric("generation", "time/generations", "gen"),
    Metric("fitness_max", "fitness/max", "best"),
    Metric("fitness_mean", "fitness/mean", "mean"),
    Metric("fitness_std", "fitness/std", "std"),
    Metric("nonfinite", "fitness/nonfinite", "nonfin"),
    Metric("num_timesteps", "time/total_timesteps", "env steps"),
    Metric("steps_per_s", "time/steps_per_s", "steps/s"),
    Metric("elapsed_s", "time/elapsed_s", "elapsed"),
)
"""Every algorithm's stdout columns, in table order (the algorithm's columns follow)."""

HIDDEN: tuple[Metric, ...] = (
    Metric("fitness_min", "fitness/min"),
    Metric("best_fitness", "fitness/best"),
    Metric("env_steps", "time/env_steps"),
    Metric("time_s", "time/generation_s"),
    Metric("fitness", "fitness/population"),  # (pop_size,): a TensorBoard histogram
)
"""Logged by every algorithm, kept out of the stdout table."""

STDOUT = "stdout"


class Recorder(Protocol):
    """What :func:`record_generation` needs of a logger."""

    def record(self, key: str, value: Any, exclude: str | Sequence[str] | None = None) -> None:
        """Records one value for the next dump."""
        ...


def titles(columns: Sequence[Metric] = ()) -> dict[str, str]:
    """Stdout column titles by log key: the generic ones and ``columns``."""
    return {m.key: m.title for m in (*SHOWN, *HIDDEN, *columns) if m.title is not None}


def record_generation(
    logger: Recorder, record: Mapping[str, Any], columns: Sequence[Metric] = ()
) -> None:
    """Records one generation's values, in table order.

    Args:
        logger: where to record.
        record: the generation's flat history record (every field of the table, and the
            strategy's ``strategy/*`` fields).
        columns: the algorithm's declared metrics (shown in stdout when titled).
    """
    declared = {m.field for m in columns}
    for metric in (*SHOWN, *columns):
        if metric.field in record:
            logger.record(metric.key, record[metric.field], _exclude(metric))
    for field, value in record.items():
        if field.startswith(STRATEGY_PREFIX) and field not in declared:
            name = field[len(STRATEGY_PREFIX) :]
            logger.record(TRAIN_PREFIX + name, value, exclude=STDOUT)
    for metric in HIDDEN:
        logger.record(metric.key, record[metric.field], exclude=STDOUT)


def _exclude(metric: Metric) -> str | None:
    return None if metric.title is not None else STDOUT


__all__ = [
    "HIDDEN",
    "SHOWN",
    "STRATEGY_PREFIX",
    "TRAIN_PREFIX",
    "Metric",
    "algorithm_metric",
    "record_generation",
    "titles",
]
