"""The NEAT-family shell: a population of NEAT genomes evolved by the NEAT strategy.

What differs between the family's algorithms is only the network an individual's genome
becomes: for :class:`~evotrain.algorithms.neat.NEAT` the genome *is* the network; an
indirect encoding (HyperNEAT) would make the genome a CPPN that generates a substrate's
weights. A subclass says which with its ``policy_aliases``: each builds a network that
exposes ``genome_config`` (the layout of the genomes the strategy evolves) and
``with_genome_config(config)`` (the same network at another genome capacity). Everything
else (settings and presets, the strategy, capacity levels, genome export and drawing)
lives here once.

The keywords (``help(NEAT)`` lists them all with their defaults):

- the family's own (:data:`FAMILY_DEFAULTS`): ``pop_size``, ``max_species``,
  ``allocation``, ``activate_time``;
- the genome layout (:class:`~evotrain.neat.genome.GenomeConfig`): ``max_nodes``,
  ``max_conns``, ``activation_options``, ``activation_default``, ``aggregation_options``,
  ``aggregation_default``, ``output_activation``;
- the strategy's numbers (:class:`~evotrain.neat.params.NEATParams`, the TensorNEAT paper's
  Appendix A names): ``node_add``, ``conn_add``, ``weight_mutate_rate``,
  ``compatibility_threshold``, ``max_stagnation``, ...;
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
from evotrain.logging.metrics import algorithm_metric
from evotrain.neat.capacity import capacity_levels
from evotrain.neat.export import genome_to_dict, summary
from evotrain.neat.genome import GenomeConfig
from evotrain.neat.params import NEATParams, check_params
from evotrain.neat.presets import get_preset, legacy_preset
from evotrain.networks import Network
from evotrain.strategies.neat import NEATConfig, NEATStrategy
from evotrain.training.program import Capacity

FAMILY_DEFAULTS: dict[str, Any] = {
    "pop_size": 150,
    "max_species": 10,
    "allocation": "fitness",
    "activate_time": 1,
}
"""The family's own keywords and their defaults."""

_SIZE_FIELDS = ("num_inputs", "num_outputs", "feedforward")  # fixed by the env and policy
GENOME_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(GenomeConfig) if f.name not in _SIZE_FIELDS
}
"""Genome layout keywords (every :class:`GenomeConfig` field the user chooses)."""
PARAM_DEFAULTS: dict[str, Any] = {f.name: f.default for f in dataclasses.fields(NEATParams)}
"""The strategy's numbers (every :class:`NEATParams` field)."""


class GenomeNetwork(Network, Protocol):
    """A network made from a NEAT genome (directly, or through a CPPN)."""

    @property
    def genome_config(self) -> GenomeConfig:
        """The layout of the genomes the NEAT strategy evolves."""
        ...

    def with_genome_config(self, config: GenomeConfig) -> GenomeNetwork:
        """This network for genomes of another capacity."""
        ...


class NEATFamily(BaseEvolver, abc.ABC):
    """Base of the shells whose population is NEAT genomes (see the module docs)."""

    default_policy = "FeedForward"
    policy_kwarg_names = ()
    fast_compile = True
    columns = (
        algorithm_metric("species", "species"),
        algorithm_metric("nodes_mean", "nodes"),
        algorithm_metric("conns_mean", "conns"),
        algorithm_metric("best_nodes", "best n"),
        algorithm_metric("best_conns", "best c"),
    )
    default_ray_payload: ClassVar[str] = "params"  # genomes are small; ask is the heavy part
    extra_defaults: ClassVar[dict[str, Any]] = {}
    """A subclass's own keywords (passed to its ``_policy_options``) and their defaults."""
    default_overrides: ClassVar[dict[str, Any]] = {}
    """Genome and strategy keywords whose default differs for this subclass (a preset and
    explicit keywords still override them)."""
    legacy_defaults: ClassVar[dict[str, Any]] = {"compatibility_threshold": 3.5}
    """The evotrain 0.1 defaults that have changed since (see :meth:`upgrade_saved_kwargs`)."""

    policy: GenomeNetwork

    def __init__(self, policy: str, env: Any, *, preset: str | None = None, **kwargs: Any):
        settings = dict(self.default_overrides)
        settings.update(get_preset(preset) if preset is not None else {})
        settings.update(kwargs)
        own = {**FAMILY_DEFAULTS, **self.extra_defaults}
        take = {name: settings.pop(name, default) for name, default in own.items()}
        self.activate_time = int(take.pop("activate_time"))
        if self.activate_time < 1:
            raise ValueError(f"activate_time must be at least 1, got {self.activate_time}.")
        self.max_species = int(take.pop("max_species"))
        self.allocation = take.pop("allocation")
        pop_size = take.pop("pop_size")
        self.family_options = take
        genome = {k: settings.pop(k) for k in list(settings) if k in GENOME_DEFAULTS}
        for key in ("activation_options", "aggregation_options"):
            if key in genome:
                genome[key] = tuple(genome[key])
        self.genome_kwargs = genome
        self.neat_params = NEATParams(
            **{k: settings.pop(k) for k in list(settings) if k in PARAM_DEFAULTS}
        )
        check_params(self.neat_params)
        _refuse_unknown(type(self), settings)
        super().__init__(policy, env, pop_size=pop_size, **settings)
        # Saved with every setting, so a later change of a default leaves saved models as
        # they were trained.
        for name, value in self._settings().items():
            self._init_args[1].setdefault(name, value)

    def _settings(self) -> dict[str, Any]:
        """Every family, genome and strategy keyword's value for this model (JSON types)."""
        genome = self.policy.genome_config
        values = {
            **{name: getattr(self, name) for name in FAMILY_DEFAULTS},
            **self.family_options,
            **{name: getattr(genome, name) for name in GENOME_DEFAULTS},
            **dataclasses.asdict(self.neat_params),
        }
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}

    @classmethod
    def upgrade_saved_kwargs(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The keywords of a save made before saves recorded every setting (evotrain 0.1),
        with the defaults (:attr:`legacy_defaults`) and presets of that time filled in."""
        if "compatibility_threshold" in kwargs:  # recorded by every later save
            return kwargs
        kwargs = dict(kwargs)
        preset = kwargs.pop("preset", None)  # by its 0.1 values, which differ for "xor"
        return {
            **cls.legacy_defaults,
            **(legacy_preset(preset) if isinstance(preset, str) else {}),
            **kwargs,
        }

    def _policy_options(self) -> dict[str, Any]:
        return {**self.genome_kwargs, **self.family_options, "activate_time": self.activate_time}

    def _policy_summary(self) -> str:
        cfg = self.policy.genome_config
        return f"max {cfg.max_nodes} nodes / {cfg.max_conns} connections"

    def _make_strategy(self) -> tuple[NEATStrategy, NEATParams]:
        config = NEATConfig(
            genome=self.policy.genome_config,
            pop_size=self.pop_size,
            max_species=self.max_species,
            allocation=self.allocation,
        )
        return NEATStrategy(config), self.neat_params

    # ------------------------------------------------------------ capacity levels
    def _capacity(self) -> Capacity:
        """Genomes run at the smallest capacity level they fit (:mod:`evotrain.neat.capacity`):
        at each level, the NEAT strategy and the network for genomes of that many rows."""
        full = self.policy.genome_config

        def at(level: tuple[int, int]) -> tuple[NEATStrategy, Any]:
            genome = dataclasses.replace(full, max_nodes=level[0], max_conns=level[1])
            strategy = NEATStrategy(dataclasses.replace(self.strategy.config, genome=genome))
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


def keywords(cls: type[NEATFamily]) -> dict[str, Any]:
    """Every keyword ``cls`` takes besides ``policy``, ``env`` and ``preset``, with its
    default (shell keywords included)."""
    return {
        **FAMILY_DEFAULTS,
        **cls.extra_defaults,
        **GENOME_DEFAULTS,
        **PARAM_DEFAULTS,
        **cls.default_overrides,
        **{p.name: p.default for p in _shell_parameters()},
    }


def family_signature(cls: type[NEATFamily]) -> inspect.Signature:
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


def _refuse_unknown(cls: type[NEATFamily], settings: dict[str, Any]) -> None:
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


__all__ = ["GenomeNetwork", "NEATFamily", "family_signature", "keywords", "write_json"]
