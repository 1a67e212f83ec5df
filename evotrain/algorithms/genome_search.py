"""Searches over genomes: what a genome-population shell evolves its genomes with."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import Metric, algorithm_metric
from evotrain.neat.genome import GenomeConfig
from evotrain.neat.params import NEATParams, check_params
from evotrain.strategies.base import Strategy
from evotrain.strategies.neat import NEATConfig, NEATStrategy


@dataclasses.dataclass(frozen=True)
class GenomeSearch:
    """How a population of genomes is evolved: a strategy over genomes and its keywords.

    The strategy must grow a genome by at most the rows :mod:`evotrain.neat.capacity`
    allows per generation (as :func:`evotrain.neat.mutation.mutate_population` does), so
    that capacity levels hold; its state may hold genomes anywhere (capacity levels cut
    and pad every :class:`~evotrain.neat.genome.Genome` in it).

    Attributes:
        name: what messages call it (``"speciated NEAT"``).
        options: its shape-fixing keywords and their defaults (``max_species``, ...).
        params: the dataclass of its numbers (all fields defaulted); each field is a
            keyword of the shell.
        build: ``build(genome, pop_size, options) -> strategy`` over genomes of that layout.
        check: refuses impossible numbers (``check(params)`` raises ``ValueError``).
        columns: its log columns (before the genome sizes).
        legacy: the defaults of evotrain 0.1 saves that have changed since.
        sizes: the options that are sizes, with their bounds (checked when built and
            when loaded).
    """

    name: str
    options: dict[str, Any]
    params: type
    build: Callable[[GenomeConfig, int, dict[str, Any]], Strategy]
    check: Callable[[Any], None] = lambda params: None
    columns: tuple[Metric, ...] = ()
    legacy: dict[str, Any] = dataclasses.field(default_factory=dict)
    sizes: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def defaults(self) -> dict[str, Any]:
        """Every keyword of the search with its default."""
        fields = {f.name: f.default for f in dataclasses.fields(self.params)}
        return {**self.options, **fields}


def _speciated_neat(genome: GenomeConfig, pop_size: int, options: dict[str, Any]) -> NEATStrategy:
    return NEATStrategy(NEATConfig(genome=genome, pop_size=pop_size, **options))


SPECIATED_NEAT = GenomeSearch(
    name="speciated NEAT",
    options={"max_species": 10, "allocation": "fitness"},
    params=NEATParams,
    build=_speciated_neat,
    check=check_params,
    columns=(algorithm_metric("species", "species"),),
    legacy={"compatibility_threshold": 3.5},
    sizes={"max_species": MAX_POP_SIZE},
)
"""NEAT's own search: speciation, fitness sharing, crossover within species, mutation."""


__all__ = ["SPECIATED_NEAT", "GenomeSearch"]
