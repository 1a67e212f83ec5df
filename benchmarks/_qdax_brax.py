"""QDax's half of ``qd_brax_vs_qdax.py``: its MAP-Elites with the iso-line emitter on its
Brax task ``hopper_uni`` (hopper, feet-contact descriptor). Run by that script with the
Python of an environment that has QDax and Brax (it needs another JAX than evotrain's);
prints one JSON line. Imports nothing of evotrain."""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from importlib import metadata

import jax
import jax.numpy as jnp
import qdax.tasks.brax.v2 as environments
from qdax.core.containers.mapelites_repertoire import compute_euclidean_centroids
from qdax.core.emitters.mutation_operators import isoline_variation
from qdax.core.emitters.standard_emitters import MixingEmitter
from qdax.core.map_elites import MAPElites
from qdax.core.neuroevolution.networks.networks import MLP
from qdax.tasks.brax.v2.env_creators import create_brax_scoring_fn
from qdax.utils.metrics import default_qd_metrics

TASK = "hopper_uni"


def floor(a: argparse.Namespace) -> dict[str, float]:
    """Seconds for ``--batch`` bare hoppers (``brax.envs``, no wrappers) to take ``--steps``
    steps of a zero action in one jitted ``lax.scan``, the median of 5 after compiling:
    without the pipeline's debug contacts, and with them (``hopper_uni`` steps with them)."""
    from brax import envs
    from brax.envs.wrappers.training import VmapWrapper

    out = {}
    for debug in (False, True):
        env = VmapWrapper(
            envs.get_environment("hopper", backend=a.backend, debug=debug), batch_size=a.batch
        )

        def run(key, env=env):
            state = env.reset(key)
            action = jnp.zeros((a.batch, env.action_size))

            def body(carry, _):
                state, total = carry
                state = env.step(state, action)
                return (state, total + state.reward.sum()), None

            (_, total), _ = jax.lax.scan(body, (state, jnp.zeros(())), None, length=a.steps)
            return total

        key = jax.random.key(a.seed)
        compiled = jax.jit(run).lower(key).compile()
        times = []
        for _ in range(5):
            start = time.perf_counter()
            jax.block_until_ready(compiled(key))
            times.append(time.perf_counter() - start)
        out["debug" if debug else "plain"] = statistics.median(times)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    for name in ("batch", "iters", "bins", "steps", "hidden", "seed"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--iso", type=float, required=True)
    p.add_argument("--line", type=float, required=True)
    p.add_argument("--backend", required=True)
    p.add_argument("--activation", required=True)
    p.add_argument("--floor", action="store_true", help="time the bare env instead")
    a = p.parse_args()
    if a.floor:
        print(json.dumps({"floor_s": floor(a)}))
        return

    env = environments.create(TASK, episode_length=a.steps, backend=a.backend)
    # The policy: hidden layer of --hidden units, tanh outputs (Brax's actions are in
    # [-1, 1]); weights N(0, 1/fan_in), biases 0, as evotrain's MLP draws them.
    policy = MLP(
        layer_sizes=(a.hidden, env.action_size),
        activation=getattr(jax.nn, a.activation),
        kernel_init=jax.nn.initializers.variance_scaling(1.0, "fan_in", "normal"),
        final_activation=jnp.tanh,
    )
    key = jax.random.key(a.seed)
    key, k_start, k_init, k_run = jax.random.split(key, 4)
    # deterministic=True: every episode of the run starts from one reset state.
    scoring = create_brax_scoring_fn(
        env,
        policy,
        environments.descriptor_extractor[TASK],
        k_start,
        episode_length=a.steps,
        deterministic=True,
    )
    variation = functools.partial(isoline_variation, iso_sigma=a.iso, line_sigma=a.line)
    emitter = MixingEmitter(
        mutation_fn=lambda x, key: (x, key),
        variation_fn=variation,
        variation_percentage=1.0,
        batch_size=a.batch,
    )
    offset = environments.reward_offset[TASK] * a.steps
    map_elites = MAPElites(
        scoring_function=scoring,
        emitter=emitter,
        metrics_function=functools.partial(default_qd_metrics, qd_offset=offset),
    )
    centroids = compute_euclidean_centroids(grid_shape=(a.bins,), minval=0.0, maxval=1.0)
    init = jax.vmap(policy.init)(
        jax.random.split(k_init, a.batch), jnp.zeros((a.batch, env.observation_size))
    )

    @jax.jit
    def run(init, key):
        k_first, k_loop = jax.random.split(key)
        repertoire, emitter_state, _ = map_elites.init(init, centroids, k_first)

        def one(carry, key):
            repertoire, emitter_state = carry
            repertoire, emitter_state, _ = map_elites.update(repertoire, emitter_state, key)
            return (repertoire, emitter_state), None

        keys = jax.random.split(k_loop, a.iters)
        (repertoire, _), _ = jax.lax.scan(one, (repertoire, emitter_state), keys)
        return repertoire.fitnesses.reshape(-1)

    start = time.perf_counter()
    compiled = run.lower(init, k_run).compile()
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    fitness = jax.block_until_ready(compiled(init, k_run))
    run_s = time.perf_counter() - start
    filled = fitness > -jnp.inf
    versions = {p: metadata.version(p) for p in ("qdax", "jax", "brax", "flax")}
    print(
        json.dumps(
            {
                "compile_s": compile_s,
                "per_iter_s": run_s / (a.iters + 1),  # the first batch and the iterations
                "fitness": [float(f) if bool(m) else None for f, m in zip(fitness, filled)],
                "versions": versions,
                "reward_offset": environments.reward_offset[TASK],
            }
        )
    )


if __name__ == "__main__":
    main()
