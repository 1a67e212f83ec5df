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

- the family's own (:data:`FAMILY_DEFAULTS`): ``pop_size``, ``activate_time``;
- the genome layout (:class:`~evotrain.neat.genome.GenomeConfig`): ``max_nodes``,
  ``max_conns``, ``activation_options``, ``activation_default``, ``aggregation_options``,
  ``aggregation_default``, ``output_activation``;
- the search's: its shape-fixing options (speciated NEAT: ``max_species``,
  ``allocation``) and the fields of its numbers (speciated NEAT:
  :class:`~evotrain.neat.params.NEATParams`, the TensorNEAT paper's Appendix A names:
  ``node_add``, ``conn_add``, ``weight_mutate_rate``, ``compatibility_threshold``, ...);
- a subclass's own (``extra_defaults``: HyperNEAT's substrate options);
- the shell's (:class:`~evotrain.algorithms.base.BaseEvolver`): ``n_episodes``,
  ``obs_normalization``, ``seed``, ...

``preset`` starts from a named configuration (:mod:`evotrain.neat.presets`); keywords given
explicitly override it.
"""

from __future__ import annotations

import abc
import dataclasses
import difflib
import inspect
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.genome_search import GenomeSearch
from evotrain.logging.metrics import Metric, algorithm_metric
from evotrain.neat.capacity import capacity_levels
from evotrain.neat.export import genome_to_dict, summary
from evotrain.neat.genome import GenomeConfig
from evotrain.neat.presets import get_preset, legacy_preset
from evotrain.networks import Network
from evotrain.strategies.base import Strategy
from evotrain.training.program import Capacity

FAMILY_DEFAULTS: dict[str, Any] = {"pop_size": 150, "activate_time": 1}
"""The family's own keywords and their defaults."""

_SIZE_FIELDS = ("num_inputs", "num_outputs", "feedforward")  # fixed by the env and policy
GENOME_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(GenomeConfig) if f.name not in _SIZE_FIELDS
}
"""Genome layout keywords (every :class:`GenomeConfig` field the user chooses)."""

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
    policy_kwarg_names = ()
    fast_compile = True
    default_ray_payload: ClassVar[str] = "params"  # genomes are small; ask is the heavy part
    extra_defaults: ClassVar[dict[str, Any]] = {}
    """A subclass's own keywords (passed to its ``_policy_options``) and their defaults."""
    default_overrides: ClassVar[dict[str, Any]] = {}
    """Genome and search keywords whose default differs for this subclass (a preset and
    explicit keywords still override them)."""
    legacy_defaults: ClassVar[dict[str, Any]] = {}
    """The subclass's evotrain 0.1 defaults that have changed since (with the search's
    :attr:`GenomeSearch.legacy`; see :meth:`upgrade_saved_kwargs`)."""

    policy: GenomeNetwork

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "search" in cls.__dict__ or "policy_aliases" in cls.__dict__:
            cls.columns = (*cls.search.columns, *GENOME_COLUMNS)
            cls.__signature__ = family_signature(cls)  # type: ignore[attr-defined]

    def __init__(self, policy: str, env: Any, *, preset: str | None = None, **kwargs: Any):
        settings = dict(self.default_overrides)
        settings.update(get_preset(preset) if preset is not None else {})
        settings.update(kwargs)
        _refuse_unknown(type(self), settings)
        own = {**FAMILY_DEFAULTS, **self.extra_defaults}
        take = {name: settings.pop(name, default) for name, default in own.items()}
        self.activate_time = int(take.pop("activate_time"))
        if self.activate_time < 1:
            raise ValueError(f"activate_time must be at least 1, got {self.activate_time}.")
        pop_size = take.pop("pop_size")
        self.family_options = take
        self.search_options = {
            name: settings.pop(name, default) for name, default in self.search.options.items()
        }
        genome = {k: settings.pop(k) for k in list(settings) if k in GENOME_DEFAULTS}
        for key in ("activation_options", "aggregation_options"):
            if key in genome:
                genome[key] = tuple(genome[key])
        self.genome_kwargs = genome
        numbers = {f.name for f in dataclasses.fields(self.search.params)}
        self.search_params = self.search.params(
            **{k: settings.pop(k) for k in list(settings) if k in numbers}
        )
        self.search.check(self.search_params)
        super().__init__(policy, env, pop_size=pop_size, **settings)
        # Saved with every setting, so a later change of a default leaves saved models as
        # they were trained.
        for name, value in self._settings().items():
            self._init_args[1].setdefault(name, value)

    def _settings(self) -> dict[str, Any]:
        """Every family, genome and search keyword's value for this model (JSON types)."""
        genome = self.policy.genome_config
        values = {
            "pop_size": self.pop_size,
            "activate_time": self.activate_time,
            **self.family_options,
            **{name: getattr(genome, name) for name in GENOME_DEFAULTS},
            **self.search_options,
            **dataclasses.asdict(self.search_params),
        }
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}

    @classmethod
    def upgrade_saved_kwargs(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The keywords of a save made before saves recorded every setting (evotrain 0.1),
        with the defaults (:attr:`legacy_defaults`, the search's ``legacy``) and presets of
        that time filled in."""
        if GENOME_DEFAULTS.keys() <= kwargs.keys():  # every later save records them all
            return kwargs
        kwargs = dict(kwargs)
        preset = kwargs.pop("preset", None)  # by its 0.1 values, which differ for "xor"
        return {
            **cls.search.legacy,
            **cls.legacy_defaults,
            **(legacy_preset(preset) if isinstance(preset, str) else {}),
            **kwargs,
        }

    def _policy_options(self) -> dict[str, Any]:
        return {**self.genome_kwargs, **self.family_options, "activate_time": self.activate_time}

    def _policy_summary(self) -> str:
        cfg = self.policy.genome_config
        return f"max {cfg.max_nodes} nodes / {cfg.max_conns} connections"

    def _make_strategy(self) -> tuple[Strategy, Any]:
        strategy = self.search.build(self.policy.genome_config, self.pop_size, self.search_options)
        return strategy, self.search_params

    # ------------------------------------------------------------ capacity levels
    def _capacity(self) -> Capacity:
        """Genomes run at the smallest capacity level they fit (:mod:`evotrain.neat.capacity`):
        at each level, the search's strategy and the network for genomes of that many rows."""
        full = self.policy.genome_config

        def at(level: tuple[int, int]) -> tuple[Strategy, Any]:
            genome = dataclasses.replace(full, max_nodes=level[0], max_conns=level[1])
            strategy = self.search.build(genome, self.pop_size, self.search_options)
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


def _shell_parameters() -> list[inspect.Parameter]:
    """BaseEvolver's keyword-only parameters other than ``pop_size``."""
    params = inspect.signature(BaseEvolver.__init__).parameters.values()
    return [p for p in params if p.kind is p.KEYWORD_ONLY and p.name != "pop_size"]


def keywords(cls: type[GenomeFamily]) -> dict[str, Any]:
    """Every keyword ``cls`` takes besides ``policy``, ``env`` and ``preset``, with its
    default (shell keywords included)."""
    return {
        **FAMILY_DEFAULTS,
        **cls.extra_defaults,
        **GENOME_DEFAULTS,
        **cls.search.defaults,
        **cls.default_overrides,
        **{p.name: p.default for p in _shell_parameters()},
    }


def family_signature(cls: type[GenomeFamily]) -> inspect.Signature:
    """``cls(policy, env, *, preset=None, <every keyword>)``: what ``help(cls)`` and
    ``inspect.signature(cls)`` show (set it as ``cls.__signature__``)."""
    kw = inspect.Parameter.KEYWORD_ONLY
    head = [
        inspect.Parameter("policy", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
        inspect.Parameter("env", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Any),
        inspect.Parameter("preset", kw, default=None, annotation="str | None"),
    ]
    shell = {p.name: p for p in _shell_parameters()}
    rest = [
        shell.get(name) or inspect.Parameter(name, kw, default=default)
        for name, default in keywords(cls).items()
    ]
    return inspect.Signature([*head, *rest])


def _refuse_unknown(cls: type[GenomeFamily], settings: dict[str, Any]) -> None:
    known = keywords(cls)
    unknown = [k for k in settings if k not in known]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, list(known), n=1)
        hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise TypeError(
        f"{cls.__name__} got unknown keyword(s) {', '.join(hints)}; help({cls.__name__}) "
        "lists every keyword."
    )


__all__ = [
    "GENOME_DEFAULTS",
    "FAMILY_DEFAULTS",
    "GenomeFamily",
    "GenomeNetwork",
    "family_signature",
    "keywords",
    "write_json",
]
