"""The genome-population shell: a population of genomes, evolved by a search over genomes.

What differs between the family's algorithms is the network an individual's genome
becomes and the search that evolves the genomes. For :class:`~evotrain.algorithms.neat.NEAT`
the genome *is* the network; for :class:`~evotrain.algorithms.hyperneat.HyperNEAT` it is a
CPPN that generates a substrate's weights. A subclass says which network with its
``policy_aliases``: each builds a network that exposes ``genome_config`` (the layout of the
genomes) and ``with_genome_config(config)`` (the same network at another genome capacity).
It says which search with ``search``, a :class:`GenomeSearch`: speciated NEAT
(:data:`SPECIATED_NEAT`) for both today, any other strategy over genomes tomorrow.
Everything else (settings and presets, capacity levels, genome export and drawing) lives
here once.

The keywords (``help(NEAT)`` lists them all with their defaults):

- the family's own: ``pop_size``, ``preset``, ``activate_time``;
- the genome layout (:class:`~evotrain.neat.genome.GenomeConfig`): ``max_nodes``,
  ``max_conns``, ``activation_options``, ``activation_default``, ``aggregation_options``,
  ``aggregation_default``, ``output_activation``;
- the search's: its shape-fixing options (speciated NEAT: ``max_species``,
  ``allocation``) and the fields of its numbers (speciated NEAT:
  :class:`~evotrain.neat.params.NEATParams`, the TensorNEAT paper's Appendix A names:
  ``node_add``, ``conn_add``, ``weight_mutate_rate``, ``compatibility_threshold``, ...);
- a subclass's own (``own_settings``: HyperNEAT's substrate options);
- the shell's (:class:`~evotrain.algorithms.base.BaseEvolver`): ``n_episodes``,
  ``obs_normalization``, ``seed``, ...

``preset`` starts from a named configuration (:mod:`evotrain.neat.presets`); keywords given
explicitly override it. The keywords are the fields of one dataclass per subclass
(:mod:`evotrain.algorithms.genome_settings`).
"""

from __future__ import annotations

import abc
import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.genome_search import GenomeSearch
from evotrain.algorithms.genome_settings import GENOME_FIELDS, GenomeSettings, genome_settings
from evotrain.logging.metrics import Metric, algorithm_metric
from evotrain.neat.capacity import capacity_levels
from evotrain.neat.export import genome_to_dict, summary
from evotrain.neat.genome import GenomeConfig
from evotrain.networks import Network
from evotrain.strategies.base import Strategy
from evotrain.training.program import Capacity

GENOME_COLUMNS: tuple[Metric, ...] = (
    algorithm_metric("nodes_mean", "nodes"),
    algorithm_metric("conns_mean", "conns"),
    algorithm_metric("best_nodes", "best n"),
    algorithm_metric("best_conns", "best c"),
)
"""Log columns of the genomes' sizes (a search's ``tell`` reports them as
:func:`evotrain.neat.genome.size_metrics` computes them)."""


class GenomeNetwork(Network, Protocol):
    """A network made from a NEAT genome (directly, or through a CPPN)."""

    @property
    def genome_config(self) -> GenomeConfig:
        """The layout of the genomes the NEAT strategy evolves."""
        ...

    def with_genome_config(self, config: GenomeConfig) -> GenomeNetwork:
        """This network for genomes of another capacity."""
        ...


class GenomeFamily(BaseEvolver, abc.ABC):
    """Base of the shells whose population is genomes (see the module docs).

    A concrete subclass sets ``search`` and ``policy_aliases``; its signature (every
    keyword with its default) and log columns follow from them.
    """

    search: ClassVar[GenomeSearch]
    """How the genomes are evolved."""
    default_policy = "FeedForward"
    fast_compile = True
    default_ray_payload: ClassVar[str] = "params"  # genomes are small; ask is the heavy part
    own_settings: ClassVar[type | None] = None
    """A dataclass of the subclass's own keywords (declared with
    :func:`~evotrain.algorithms.settings.setting`; passed to its policy builder)."""
    default_overrides: ClassVar[dict[str, Any]] = {}
    """Genome and search keywords whose default differs for this subclass (a preset and
    explicit keywords still override them)."""
    settings_bases: ClassVar[tuple[type, ...]] = ()
    """Settings classes whose keywords the subclass takes besides the genome family's
    (their fields do not reach the policy builder)."""
    legacy_defaults: ClassVar[dict[str, Any]] = {}
    """The subclass's evotrain 0.1 defaults that have changed since (with the search's
    :attr:`GenomeSearch.legacy`; see :meth:`GenomeSettings.upgrade`)."""

    policy: GenomeNetwork
    settings: GenomeSettings

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "search" in cls.__dict__ or "policy_aliases" in cls.__dict__:
            cls.columns = (*cls.search.columns, *GENOME_COLUMNS)
            cls.settings_type = genome_settings(
                cls.__name__,
                cls.search,
                cls.own_settings,
                cls.default_overrides,
                cls.legacy_defaults,
                cls.settings_bases,
            )
        super().__init_subclass__(**kwargs)

    @property
    def activate_time(self) -> int:
        """Node updates per env step of a recurrent network."""
        return self.settings.activate_time

    @property
    def search_options(self) -> dict[str, Any]:
        """The search's shape-fixing options (speciated NEAT: ``max_species``, ...)."""
        return self.settings.search_options()

    @property
    def search_params(self) -> Any:
        """The search's numbers (speciated NEAT: a :class:`~evotrain.neat.NEATParams`)."""
        return self.settings.search_params()

    @classmethod
    def _policy_kwarg_names(cls, build: Any) -> tuple[str, ...]:
        return ()  # the genome's settings are keywords of their own

    def _policy_options(self) -> dict[str, Any]:
        s = self.settings
        return {**s.genome_kwargs(), **s.own_kwargs(), "activate_time": s.activate_time}

    def _make_policy(self) -> Network:
        network = super()._make_policy()
        # The genome settings as built ("auto" resolved): what a save records, so that a
        # later change of a default or of a rule leaves saved models as they were trained.
        built = {name: getattr(network.genome_config, name) for name in GENOME_FIELDS}
        self.settings = dataclasses.replace(self.settings, **built)
        return network

    def _policy_summary(self) -> str:
        cfg = self.policy.genome_config
        return f"max {cfg.max_nodes} nodes / {cfg.max_conns} connections"

    def _make_strategy(self) -> tuple[Strategy, Any]:
        strategy = self.search.build(
            self.policy.genome_config, self.pop_size, self._build_options()
        )
        return strategy, self.search_params

    def _build_options(self) -> dict[str, Any]:
        """What the search's ``build`` gets besides the genome layout and population size:
        its options (a subclass adds what it builds from the env, as an archive's cells)."""
        return self.search_options

    # ------------------------------------------------------------ capacity levels
    def _capacity(self) -> Capacity:
        """Genomes run at the smallest capacity level they fit (:mod:`evotrain.neat.capacity`):
        at each level, the search's strategy and the network for genomes of that many rows."""
        full = self.policy.genome_config

        def at(level: tuple[int, int]) -> tuple[Strategy, Any]:
            genome = dataclasses.replace(full, max_nodes=level[0], max_conns=level[1])
            strategy = self.search.build(genome, self.pop_size, self._build_options())
            return strategy, self.policy.with_genome_config(genome)

        return Capacity(capacity_levels(full), at)

    # ------------------------------------------------------------ the best genome
    # "The model" is the genome predict acts with: the fittest of the last generation. The
    # exports, drawings and formulas below show that one; the fittest of every generation
    # so far is ``best_ever_genome``.
    @property
    def best_genome(self) -> dict[str, Any]:
        """The genome the model acts with, readable and JSON-serializable: the fittest of
        the last evaluated generation, which :meth:`predict`, the exports, drawings and
        formulas and the zoo use (:attr:`best_ever_genome` is the fittest of any generation).

        Nodes (key = historical marker, type, bias, response, activation, aggregation),
        connections (``in``/``out`` node keys, weight, enabled) and its fitness. Run it
        without JAX with :class:`evotrain.networks.numpy_network.NumpyNetwork`.
        """
        return self._genome_dict(self.policy_params, self.acting_fitness)

    @property
    def best_ever_genome(self) -> dict[str, Any]:
        """The fittest genome of any generation so far (its fitness measured in the
        generation it was evaluated in), in the format of :attr:`best_genome`."""
        ts = self.train_state
        return self._genome_dict(ts.best_params, float(ts.best_fitness))

    @property
    def acting_fitness(self) -> float:
        """The fitness of the individual the model acts with, in its generation."""
        return float(np.max(np.asarray(self.train_state.strategy_state.fitness)))

    def _genome_dict(self, genome: Any, fitness: float) -> dict[str, Any]:
        return genome_to_dict(
            np.asarray(genome.nodes),
            np.asarray(genome.conns),
            self.policy.genome_config,
            fitness,
            self.activate_time,
        )

    def export_genome(
        self, path: str | os.PathLike[str], overwrite: bool = False, best_ever: bool = False
    ) -> None:
        """Writes :attr:`best_genome` (or, with ``best_ever``, :attr:`best_ever_genome`) as
        JSON.

        Raises:
            FileExistsError: if ``path`` exists and ``overwrite`` is False.
        """
        write_json(path, self.best_ever_genome if best_ever else self.best_genome, overwrite)

    def network_summary(self) -> str:
        """A readable summary of :attr:`best_genome`."""
        return summary(self.best_genome)

    def plot_network(self, path: str | os.PathLike[str], **kwargs: Any) -> Path:
        """Draws :attr:`best_genome`'s topology to an SVG, PNG or PDF file (see
        :func:`evotrain.viz.plot_network` for the keywords)."""
        from evotrain.viz import plot_network

        return plot_network(self.best_genome, path, **kwargs)

    def to_latex(self, input_names: Sequence[str] | None = None) -> str:
        """:attr:`best_genome`'s outputs as LaTeX formulas of the inputs (feedforward only)."""
        from evotrain.viz import to_latex

        return to_latex(self.best_genome, input_names)

    def to_python(self, function_name: str = "forward") -> str:
        """Python source of ``function_name(obs) -> list[float]`` computing
        :attr:`best_genome` with the ``math`` module alone (feedforward only)."""
        from evotrain.viz import to_python

        return to_python(self.best_genome, function_name)


def write_json(path: str | os.PathLike[str], data: Any, overwrite: bool) -> None:
    """Writes ``data`` as JSON to ``path``, never over an existing file unless ``overwrite``.

    Raises:
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
    """
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)


__all__ = ["GENOME_COLUMNS", "GenomeFamily", "GenomeNetwork", "write_json"]
