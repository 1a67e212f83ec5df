"""``NEAT(policy, env, ...)``: tensorized NEAT behind the SB3-style shell."""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, final

import numpy as np

from evotrain.algorithms.base import BaseEvolver
from evotrain.envs.spec import ActionRangeWarning, Box
from evotrain.evaluation import EvalConfig, make_evaluator
from evotrain.neat.capacity import capacity_levels, grow, shrink
from evotrain.neat.export import genome_to_dict, summary
from evotrain.neat.genome import GenomeConfig
from evotrain.neat.params import NEATParams, check_params
from evotrain.neat.presets import get_preset
from evotrain.networks.neat_network import NEATNetwork
from evotrain.strategies import neat as neat_strategy
from evotrain.training import make_generation_step
from evotrain.training.capacity_step import CapacityStep
from evotrain.training.compile import jit_program

# Output functions whose values stay in [-1, 1]: behind the tanh squash of a bounded box
# action they leave part of the action range out of reach.
_BOUNDED_OUTPUTS = frozenset({"tanh", "sigmoid", "scaled_sigmoid", "sin", "gauss", "clamped"})


_PARAM_NAMES = tuple(f.name for f in dataclasses.fields(NEATParams))
_GENOME_NAMES = (
    "max_nodes",
    "max_conns",
    "activation_options",
    "activation_default",
    "aggregation_options",
    "aggregation_default",
    "output_activation",
)


@final
class NEAT(BaseEvolver):
    """NeuroEvolution of Augmenting Topologies, tensorized (TensorNEAT-style).

    ``predict`` acts with the fittest genome of the last evaluated population.

    Args:
        policy: ``"FeedForward"`` (acyclic networks, evaluated layer by layer) or
            ``"Recurrent"`` (cycles allowed; node values persist across the steps of an
            episode and ``predict`` carries them in ``state``).
        env: env id or object.
        pop_size: genomes per generation.
        preset: start from a named configuration (``"tensorneat"``, ``"neat-python-xor"``);
            explicit keywords override it.
        max_nodes, max_conns: genome capacity.
        max_species: species slots.
        allocation: ``"fitness"`` (explicit fitness sharing, canonical) or ``"rank"``
            (TensorNEAT) offspring allocation.
        activation_options, activation_default, aggregation_options, aggregation_default,
        output_activation: node functions (see ``evotrain.networks.ACTIVATIONS`` and
            ``evotrain.neat.AGGREGATIONS``).
        activate_time: node updates per env step of a recurrent network.
        **kwargs: every :class:`~evotrain.neat.NEATParams` field (the TensorNEAT paper's
            Appendix A names: ``node_add``, ``conn_add``, ``weight_mutate_rate``,
            ``compatibility_threshold``, ``max_stagnation``, ...) and the shell options of
            :class:`~evotrain.algorithms.base.BaseEvolver`.
    """

    policy_aliases = {"FeedForward": NEATNetwork, "Recurrent": NEATNetwork}
    policy_kwarg_names = ()
    algorithm_name = "neat"
    fast_compile = True
    stdout_keys = (
        "train/species",
        "train/nodes_mean",
        "train/conns_mean",
        "train/best_nodes",
        "train/best_conns",
    )

    def __init__(self, policy: str, env: Any, *, preset: str | None = None, **kwargs: Any) -> None:
        settings = get_preset(preset) if preset is not None else {}
        settings.update(kwargs)
        self.activate_time = int(settings.pop("activate_time", 1))
        if self.activate_time < 1:
            raise ValueError(f"activate_time must be at least 1, got {self.activate_time}.")
        params = {k: settings.pop(k) for k in list(settings) if k in _PARAM_NAMES}
        genome = {k: settings.pop(k) for k in list(settings) if k in _GENOME_NAMES}
        self.max_species = int(settings.pop("max_species", 10))
        self.allocation = settings.pop("allocation", "fitness")
        pop_size = settings.pop("pop_size", 150)
        for key in ("activation_options", "aggregation_options"):
            if key in genome:
                genome[key] = tuple(genome[key])
        self.genome_kwargs = genome
        self.neat_params = NEATParams(**params)
        check_params(self.neat_params)
        super().__init__(policy, env, pop_size=pop_size, **settings)

    def _make_policy(self) -> NEATNetwork:
        spec = self.env.spec
        config = GenomeConfig(
            spec.obs_size,
            spec.num_outputs,
            feedforward=self.policy_name == "FeedForward",
            **self.genome_kwargs,
        )
        _warn_if_outputs_bounded(config, spec.action)
        return NEATNetwork(config, self.activate_time)

    def _policy_summary(self) -> str:
        cfg = self.policy.config
        return f"max {cfg.max_nodes} nodes / {cfg.max_conns} connections"

    @property
    def best_genome(self) -> dict[str, Any]:
        """The best genome found so far, readable and JSON-serializable.

        Nodes (key = historical marker, type, bias, response, activation, aggregation),
        connections (``in``/``out`` node keys, weight, enabled) and its fitness. Run it
        without JAX with :class:`evotrain.numpy_network.NumpyNetwork`.
        """
        ts = self.train_state
        genome = ts.best_params
        return genome_to_dict(
            np.asarray(genome.nodes),
            np.asarray(genome.conns),
            self.policy.config,
            float(ts.best_fitness),
            self.activate_time,
        )

    def export_genome(self, path: str | os.PathLike[str], overwrite: bool = False) -> None:
        """Writes :attr:`best_genome` as JSON.

        Raises:
            FileExistsError: if ``path`` exists and ``overwrite`` is False.
        """
        if os.path.exists(path) and not overwrite:
            raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.best_genome, f, indent=1)

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

    def _make_strategy(self) -> tuple[neat_strategy.NEAT, NEATParams]:
        config = neat_strategy.NEATConfig(
            genome=self.policy.config,
            pop_size=self.pop_size,
            max_species=self.max_species,
            allocation=self.allocation,
        )
        return neat_strategy.NEAT(config), self.neat_params

    # ------------------------------------------------------------ capacity levels
    def _level_step(self, level: int, eval_config: EvalConfig) -> Any:
        """The jitted generation step at capacity level ``level`` (see
        :mod:`evotrain.neat.capacity`): it cuts the train state's genomes to the level's
        rows, runs the generation there and pads the result back to full capacity."""
        full = self.policy.config
        nodes, conns = capacity_levels(full)[level]
        genome = dataclasses.replace(full, max_nodes=nodes, max_conns=conns)
        policy = dataclasses.replace(self.policy, config=genome)
        strategy = neat_strategy.NEAT(dataclasses.replace(self.strategy.config, genome=genome))
        inner = make_generation_step(
            strategy, self.strategy_params, make_evaluator(self.env, policy, eval_config)
        )

        def step(ts):
            ts, metrics = inner(shrink(ts, nodes, conns))
            return grow(ts, full.max_nodes, full.max_conns), metrics

        return jit_program(step, self.fast_compile)

    def _jitted_step(self, eval_config: EvalConfig) -> CapacityStep:
        return CapacityStep(
            capacity_levels(self.policy.config),
            lambda level, ts: self._level_step(level, eval_config),
        )

    def _ready_step(self) -> Any:
        """Like the base class's, per capacity level: each level's step is compiled ahead
        of time and checked against free memory when a generation first needs it."""
        if not self.env.jittable:
            return self._step
        if self._compiled_step is None:
            self._compiled_step = CapacityStep(
                capacity_levels(self.policy.config),
                lambda level, ts: self._checked_compile(
                    lambda config: self._level_step(level, config), ts
                ),
            )
        return self._compiled_step


def _warn_if_outputs_bounded(config: GenomeConfig, action: Any) -> None:
    """Warns when bounded output nodes meet the tanh squash of a bounded box action."""
    if not isinstance(action, Box) or not any(action.bounded):
        return
    name = config.output_activation or config.activation_default
    if name not in _BOUNDED_OUTPUTS:
        return
    source = "output_activation" if config.output_activation else "the hidden activation"
    warnings.warn(
        f"NEAT's output nodes use {name!r} ({source}), whose values stay in [-1, 1], and the "
        "env's box actions are then squashed with tanh into their bounds: actions can reach "
        "only part of the range (at most tanh(1) = 76% of the half-width around its middle). "
        "Pass output_activation='identity' to reach the whole range.",
        ActionRangeWarning,
        stacklevel=5,
    )
