"""HyperNEAT's cost: a generation on brax hopper against the env floor, and the CPPN query.

Two parts, side by side in one process (medians over rounds taken one after another):

1. ``generation``: one HyperNEAT generation on brax hopper (``spring``, pop 256 x 1000
   steps; ``--substrates body``, ``line``, and ``es`` for ES-HyperNEAT) as a ratio to the constant-action env floor
   (``envs.create`` with auto-reset, zero actions, no policy). NEAT's generation on the
   same task runs in the same rounds for reference. Target: HyperNEAT <= 1.3x the floor.
2. ``query``: the CPPN query alone, every individual's CPPN queried for a substrate of
   10,000 connections (two rows of 100 neurons), pop 1,000, jitted and vmapped over the
   population, against the same population's genome plans alone (what NEAT pays per
   generation before any env step).

Usage: python benchmarks/hyperneat_timing.py [--parts generation query] [--rounds 5]
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from typing import Any

import _common
import jax
import numpy as np


def _hopper_model(algo: str, substrate: str | None, pop: int, steps: int) -> Any:
    from evotrain import NEAT, ESHyperNEAT, HyperNEAT

    env_kwargs = {"backend": "spring", "episode_length": steps}
    if substrate == "es":  # ES-HyperNEAT: the CPPN's quadtree search places the neurons
        return ESHyperNEAT(
            "FeedForward", "brax:hopper", pop_size=pop, env_kwargs=env_kwargs, seed=0
        )
    if algo == "neat":
        return NEAT(
            "FeedForward",
            "brax:hopper",
            preset="tensorneat",
            pop_size=pop,
            env_kwargs=env_kwargs,
            seed=0,
        )
    return HyperNEAT(
        "FeedForward",
        "brax:hopper",
        substrate=substrate,
        pop_size=pop,
        env_kwargs=env_kwargs,
        seed=0,
    )


def part_generation(args: argparse.Namespace) -> dict[str, Any]:
    pop, steps = args.pop, args.steps
    floor = _common.brax_floor("hopper", "spring", pop, steps)
    _common.block(floor(jax.random.key(0)))
    runs = {"hyperneat-" + s: ("hyperneat", s) for s in args.substrates}
    runs["neat"] = ("neat", None)
    steps_fn, states = {}, {}
    for name, (algo, substrate) in runs.items():
        model = _hopper_model(algo, None if substrate == "line" else substrate, pop, steps)
        start = time.perf_counter()
        steps_fn[name] = model._step
        ts = model.train_state = model._step.ready(model.train_state)
        for _ in range(args.warmup):
            ts, _ = steps_fn[name](ts)
        states[name] = ts
        print(
            f"{name}: ready in {time.perf_counter() - start:.1f} s ({model._policy_summary()})",
            flush=True,
        )
    times: dict[str, list[float]] = {"floor": [], **{n: [] for n in runs}}
    frac: dict[str, list[float]] = {n: [] for n in runs}
    for r in range(args.rounds):
        times["floor"].append(_common.timed(lambda r=r: floor(jax.random.key(r + 1))))
        for name in runs:
            start = time.perf_counter()
            states[name], metrics = steps_fn[name](states[name])
            m = jax.device_get(metrics)
            times[name].append(time.perf_counter() - start)
            frac[name].append(int(m["env_steps"]) / (pop * steps))
    f = _common.median(times["floor"])
    out: dict[str, Any] = {"floor_s": f}
    print(f"hopper spring pop {pop} x {steps}: floor {f:.3f} s")
    for name in runs:
        t = _common.median(times[name])
        share = float(np.median(frac[name]))
        out[name] = {"gen_s": t, "gen_over_floor": t / f, "steps_frac": share}
        print(
            f"  {name}: {t:.3f} s/gen, {t / f:.2f}x the floor "
            f"(env steps {share:.1%} of pop x steps)"
        )
    return out


def part_query(args: argparse.Namespace) -> dict[str, Any]:
    import jax.numpy as jnp

    from evotrain.hyperneat import MLPSubstrate, SubstrateNetwork
    from evotrain.neat.capacity import capacity_levels, level_for, rows_used, shrink
    from evotrain.networks.neat_network import NEATNetwork
    from evotrain.strategies.neat import NEATConfig, NEATStrategy

    network = SubstrateNetwork.for_sizes(100, 100, substrate=MLPSubstrate(100, 100))
    assert network.substrate.num_connections == 10_000
    pop = args.query_pop
    strategy = NEATStrategy(NEATConfig(genome=network.genome_config, pop_size=pop))
    params = strategy.default_params
    state = strategy.init(jax.random.key(0), params)
    key = jax.random.key(1)
    ask, tell = jax.jit(strategy.ask), jax.jit(strategy.tell)
    for _ in range(5):  # a few generations of mutation: CPPNs with hidden nodes
        key, k_ask, k_tell = jax.random.split(key, 3)
        population, state = ask(k_ask, state, params)
        fitness = jax.random.normal(k_ask, (pop,))
        state, _ = tell(k_tell, population, fitness, state, params)
    population, _ = ask(key, state, params)
    # Training runs each generation at the smallest capacity level the genomes fit
    # (evotrain.neat.capacity); so does this measurement.
    levels = capacity_levels(network.genome_config)
    nodes_used, conns_used = (int(x) for x in rows_used(population))
    max_nodes, max_conns = levels[level_for(levels, nodes_used, conns_used)]
    population = shrink(population, max_nodes, max_conns)
    network = network.with_genome_config(
        dataclasses.replace(network.genome_config, max_nodes=max_nodes, max_conns=max_conns)
    )
    cppn = NEATNetwork(network.genome_config)
    query = jax.jit(jax.vmap(network.prepare))
    plans = jax.jit(jax.vmap(cppn.prepare))
    _common.block(query(population))
    _common.block(plans(population))
    tq, tp = [], []
    for _ in range(args.rounds):
        tq.append(_common.timed(lambda: query(population)))
        tp.append(_common.timed(lambda: plans(population)))
    q, p = _common.median(tq), _common.median(tp)
    nodes = float(jnp.mean(jnp.sum(~jnp.isnan(population.nodes[..., 0]), axis=-1)))
    print(
        f"CPPN query: pop {pop} x 10,000 connections: {q * 1000:.1f} ms "
        f"({q / (pop * 10_000) * 1e9:.1f} ns per connection); genome plans alone "
        f"{p * 1000:.1f} ms; CPPNs have {nodes:.1f} nodes on average"
    )
    return {
        "query_s": q,
        "plans_s": p,
        "ns_per_connection": q / (pop * 10_000) * 1e9,
        "mean_nodes": nodes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["generation", "query"])
    parser.add_argument("--substrates", nargs="+", default=["body", "line"])
    parser.add_argument("--pop", type=int, default=256)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--query-pop", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    _common.setup_cache()
    print(_common.machine())
    if "generation" in args.parts:
        part_generation(args)
    if "query" in args.parts:
        part_query(args)


if __name__ == "__main__":
    main()
