"""What ES-HyperNEAT's search costs: the quadtree search of a population of NEAT CPPNs,
jitted and vmapped, per generation and per individual.

The CPPNs are NEAT genomes over (x1, y1, x2, y2, distance) with HyperNEAT's node functions,
grown by ``--rounds`` rounds of NEAT's mutations from the minimal genome (so that they
differ and have hidden nodes). The substrate is a hopper's: ``--inputs`` input neurons on
``y = -1`` and ``--outputs`` outputs on ``y = 1``. Each individual's search queries its
CPPN from every input, every candidate hidden position and every output on each tree
level's padded grid (``(inputs + points + outputs) x sum((side + 2)^2)`` queries); the
time is that of the whole search, compiled once, per call after compilation.

Usage: python benchmarks/es_hyperneat_timing.py [--pops 64,256] [--depth 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import _common
import jax
import jax.numpy as jnp
import numpy as np

from evotrain.hyperneat.cppn import CPPNConfig
from evotrain.hyperneat.es_search import ESConfig, cppn_weight_fn, level_sides, search
from evotrain.hyperneat.network import CPPN_ACTIVATIONS
from evotrain.neat.genome import GenomeConfig, initial_population
from evotrain.neat.mutation import mutate_population, population_draws
from evotrain.neat.params import NEATParams
from evotrain.networks.neat_network import NEATNetwork


def cppn_population(pop: int, rounds: int, seed: int = 0):
    """``(network, genomes)``: ``pop`` CPPN genomes after ``rounds`` rounds of mutation."""
    config = GenomeConfig(
        5,
        1,
        max_nodes=5 + 1 + 2 * rounds,
        max_conns=5 + 4 * rounds + 8,
        activation_options=CPPN_ACTIVATIONS,
        activation_default="tanh",
    )
    params = NEATParams(node_add=0.5, conn_add=0.7, activation_replace_rate=0.3)
    key = jax.random.key(seed)
    genomes = initial_population(key, config, pop, params.bias, params.response, params.weight)
    next_key = jnp.asarray(config.num_io, jnp.float32)
    for k in jax.random.split(key, rounds):
        uniform, normal = population_draws(k, pop, config)
        genomes, next_key = mutate_population(uniform, normal, genomes, next_key, params, config)
    return NEATNetwork(config), genomes


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pops", default="64,256")
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--inputs", type=int, default=11)
    p.add_argument("--outputs", type=int, default=3)
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    _common.setup_cache()
    print(_common.machine())
    config = ESConfig(initial_depth=a.depth, max_depth=a.depth)
    cppn = CPPNConfig(use_distance=True)
    inputs = np.stack([np.linspace(-1, 1, a.inputs), -np.ones(a.inputs)], 1).astype(np.float32)
    outputs = np.stack([np.linspace(-1, 1, a.outputs), np.ones(a.outputs)], 1).astype(np.float32)
    sources = a.inputs + config.num_points + a.outputs
    queries = sources * sum((s + 2) ** 2 for s in level_sides(config))
    print(f"depth {a.depth}: {config.num_points} points, {queries:,} CPPN queries per individual")
    for pop in (int(x) for x in a.pops.split(",")):
        network, genomes = cppn_population(pop, a.rounds)

        def one(genome, network=network):
            plan = network.prepare(genome)
            return search(cppn_weight_fn(network, plan, cppn), inputs, outputs, config)

        run = jax.jit(jax.vmap(one))
        start = time.perf_counter()
        nets = jax.block_until_ready(run(genomes))
        compile_s = time.perf_counter() - start
        times = []
        for _ in range(a.repeat):
            start = time.perf_counter()
            jax.block_until_ready(run(genomes))
            times.append(time.perf_counter() - start)
        t = float(np.median(times))
        hidden = np.asarray(nets.hidden).sum(1)
        links = np.asarray(nets.connect).sum((1, 2))
        print(
            f"pop {pop}: {t * 1000:.0f} ms per generation, {t / pop * 1000:.2f} ms per "
            f"individual ({queries * pop / t / 1e6:.1f} M queries/s; compile {compile_s:.0f} s); "
            f"hidden neurons {hidden.mean():.1f} (max {hidden.max()}), connections "
            f"{links.mean():.1f} (max {links.max()})"
        )


if __name__ == "__main__":
    main()
