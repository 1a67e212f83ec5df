"""neat-python 2.0 runs with hyperparameters matched to an evotrain NEAT preset.

Only the benchmarks import this (neat-python is a benchmark-only dependency).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

# evotrain activation names -> neat-python's.
_ACTIVATIONS = {
    "scaled_sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "identity": "identity",
    "sigmoid": "sigmoid",
}


def config_text(
    settings: dict[str, Any],
    num_inputs: int,
    num_outputs: int,
    pop_size: int,
    fitness_threshold: float,
) -> str:
    """A neat-python config file equivalent to evotrain NEAT ``settings`` (a preset dict)."""
    s = settings
    act = _ACTIVATIONS[s["activation_default"]]
    lines = f"""
[NEAT]
fitness_criterion     = max
fitness_threshold     = {fitness_threshold}
pop_size              = {pop_size}
reset_on_extinction   = False
no_fitness_termination = False

[DefaultGenome]
activation_default      = {act}
activation_mutate_rate  = 0.0
activation_options      = {act}
aggregation_default     = sum
aggregation_mutate_rate = 0.0
aggregation_options     = sum
bias_init_mean          = {s["bias_init_mean"]}
bias_init_stdev         = {s["bias_init_std"]}
bias_max_value          = {s.get("bias_max", 30.0)}
bias_min_value          = {s.get("bias_min", -30.0)}
bias_mutate_power       = {s["bias_mutate_power"]}
bias_mutate_rate        = {s["bias_mutate_rate"]}
bias_replace_rate       = {s["bias_replace_rate"]}
compatibility_disjoint_coefficient = {s["compatibility_disjoint"]}
compatibility_weight_coefficient   = {s["compatibility_homologous"]}
conn_add_prob           = {s["conn_add"]}
conn_delete_prob        = {s["conn_delete"]}
enabled_default         = True
enabled_mutate_rate     = {s.get("enabled_mutate_rate", 0.01)}
feed_forward            = True
initial_connection      = full
node_add_prob           = {s["node_add"]}
node_delete_prob        = {s["node_delete"]}
num_hidden              = 0
num_inputs              = {num_inputs}
num_outputs             = {num_outputs}
response_init_mean      = {s["response_init_mean"]}
response_init_stdev     = {s["response_init_std"]}
response_max_value      = 30.0
response_min_value      = -30.0
response_mutate_power   = {s["response_mutate_power"]}
response_mutate_rate    = {s["response_mutate_rate"]}
response_replace_rate   = {s["response_replace_rate"]}
weight_init_mean        = {s["weight_init_mean"]}
weight_init_stdev       = {s["weight_init_std"]}
weight_max_value        = {s.get("weight_max", 30.0)}
weight_min_value        = {s.get("weight_min", -30.0)}
weight_mutate_power     = {s["weight_mutate_power"]}
weight_mutate_rate      = {s["weight_mutate_rate"]}
weight_replace_rate     = {s["weight_replace_rate"]}

[DefaultSpeciesSet]
compatibility_threshold = {s["compatibility_threshold"]}

[DefaultStagnation]
species_fitness_func = max
max_stagnation       = {s["max_stagnation"]}
species_elitism      = {s["species_elitism"]}

[DefaultReproduction]
elitism            = {s["genome_elitism"]}
survival_threshold = {s["survival_threshold"]}
min_species_size   = {s.get("min_species_size", 2)}
"""
    return lines


def make_config(
    settings: dict[str, Any],
    num_inputs: int,
    num_outputs: int,
    pop_size: int,
    fitness_threshold: float,
) -> Any:
    """A ``neat.Config`` built from :func:`config_text`."""
    import neat

    text = config_text(settings, num_inputs, num_outputs, pop_size, fitness_threshold)
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as f:
        f.write(text)
        path = f.name
    try:
        return neat.Config(
            neat.DefaultGenome,
            neat.DefaultReproduction,
            neat.DefaultSpeciesSet,
            neat.DefaultStagnation,
            path,
        )
    finally:
        os.unlink(path)


def xor_eval(genomes: list, config: Any) -> None:
    """neat-python's XOR fitness: 4 - sum of squared errors."""
    import neat

    cases = (((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0))
    for _, genome in genomes:
        net = neat.nn.FeedForwardNetwork.create(genome, config)
        genome.fitness = 4.0 - sum((net.activate(x)[0] - y) ** 2 for x, y in cases)


def run(
    config: Any, evaluate: Callable[[list, Any], None], generations: int, seed: int
) -> dict[str, Any]:
    """Runs neat-python until its fitness threshold or ``generations``.

    Returns:
        ``solved_at`` (0-based generation index or None), ``gen_times`` (seconds per
        generation), ``best_hidden`` (hidden nodes of the best genome).
    """
    import neat

    pop = neat.Population(config, seed=seed)
    times: list[float] = []
    solved_at = None
    for gen in range(generations):
        start = time.perf_counter()
        best = pop.run(evaluate, 1)
        times.append(time.perf_counter() - start)
        if best.fitness is not None and best.fitness >= config.fitness_threshold:
            solved_at = gen
            break
    hidden = len([k for k in best.nodes if k not in config.genome_config.output_keys])
    return {"solved_at": solved_at, "gen_times": times, "best_hidden": hidden}
