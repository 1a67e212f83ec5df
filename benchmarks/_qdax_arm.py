"""QDax's half of ``qd_vs_qdax.py``: its MAP-Elites with the iso-line emitter on its planar
arm task. Run by that script with the Python of an environment that has QDax (it needs
another JAX than evotrain's); prints one JSON line. Imports nothing of evotrain."""

from __future__ import annotations

import argparse
import functools
import json
import time
from importlib import metadata

import jax
import jax.numpy as jnp
from qdax.core.containers.mapelites_repertoire import compute_euclidean_centroids
from qdax.core.emitters.mutation_operators import isoline_variation
from qdax.core.emitters.standard_emitters import MixingEmitter
from qdax.core.map_elites import MAPElites
from qdax.tasks.arm import arm_scoring_function
from qdax.utils.metrics import default_qd_metrics


def main() -> None:
    p = argparse.ArgumentParser()
    for name in ("dims", "batch", "iters", "grid", "seed"):
        p.add_argument(f"--{name}", type=int, required=True)
    p.add_argument("--iso", type=float, required=True)
    p.add_argument("--line", type=float, required=True)
    a = p.parse_args()

    variation = functools.partial(
        isoline_variation, iso_sigma=a.iso, line_sigma=a.line, minval=0.0, maxval=1.0
    )
    emitter = MixingEmitter(
        mutation_fn=lambda x, key: (x, key),
        variation_fn=variation,
        variation_percentage=1.0,
        batch_size=a.batch,
    )
    map_elites = MAPElites(
        scoring_function=arm_scoring_function,
        emitter=emitter,
        metrics_function=functools.partial(default_qd_metrics, qd_offset=0.0),
    )
    centroids = compute_euclidean_centroids(grid_shape=(a.grid, a.grid), minval=0.0, maxval=1.0)
    key = jax.random.key(a.seed)
    key, k_init, k_run = jax.random.split(key, 3)
    init = jax.random.uniform(k_init, (a.batch, a.dims), minval=0.0, maxval=1.0)

    @jax.jit
    def run(init, key):
        repertoire, emitter_state, _ = map_elites.init(init, centroids, key)

        def one(carry, key):
            repertoire, emitter_state = carry
            repertoire, emitter_state, _ = map_elites.update(repertoire, emitter_state, key)
            return (repertoire, emitter_state), None

        keys = jax.random.split(key, a.iters)
        (repertoire, _), _ = jax.lax.scan(one, (repertoire, emitter_state), keys)
        return repertoire.fitnesses.reshape(-1)

    start = time.perf_counter()
    compiled = run.lower(init, k_run).compile()
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    fitness = jax.block_until_ready(compiled(init, k_run))
    run_s = time.perf_counter() - start
    filled = fitness > -jnp.inf
    print(
        json.dumps(
            {
                "compile_s": compile_s,
                "per_iter_s": run_s / a.iters,
                "fitness": [float(f) if bool(m) else None for f, m in zip(fitness, filled)],
                "versions": {"jax": jax.__version__, "qdax": metadata.version("qdax")},
            }
        )
    )


if __name__ == "__main__":
    main()
