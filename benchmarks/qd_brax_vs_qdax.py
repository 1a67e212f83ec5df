"""evotrain's MAP-Elites against QDax's on Brax hopper with feet-contact descriptors, side
by side in one run.

The task is QDax's ``hopper_uni``: Brax's hopper (``--backend``, ``--steps``-step
episodes, ending early when it falls), fitness the episode's return (one episode, the
deterministic policy, every episode of a run starting from one reset state), descriptor
the share of steps its foot touched the ground; a 1-D grid of ``--bins`` cells over
``[0, 1]``. The policy is an MLP with one hidden layer of ``--hidden`` units
(``--activation``), tanh outputs, its first weights drawn from N(0, 1/fan_in) with zero
biases. Both sides evaluate a first batch of ``--batch`` such policies, then ``--iters``
batches of ``--batch`` iso-line children (``--iso``, ``--line``, not clipped) of elites
drawn uniformly from the filled cells: the same evaluation budget and emitter settings.

evotrain's side is its ``MAPElites`` shell (``"MlpPolicy"``, ``"brax:hopper"``,
``descriptor="feet_contact"``, ``bins=(--bins,)``, ``init_sigma=0``): the shell's own
strategy, parameters, policy and evaluator, stepped as one jitted ``lax.scan`` with one
start key for the whole run (the shell itself draws a new start, shared by the batch,
every generation; QDax's task keeps one). QDax's side (``_qdax_brax.py``) is QDax's
``MAPElites`` with a ``MixingEmitter`` of ``isoline_variation`` (variation share 1.0) and
``hopper_uni``'s scoring function, also one jitted ``lax.scan``; it needs another JAX than
evotrain's, so it runs in its own environment's Python (``--qdax-python``), one process
per seed. Time per iteration is a run's time after compilation over its ``--iters + 1``
batches (the first one included, on both sides).

QD score and coverage are computed the same way from both final archives: the sum over
filled cells of ``fitness - offset``, and the share of cells filled. The offset is QDax's
own for the task: ``-reward_offset["hopper_uni"] * steps = -0.9 * steps`` (QDax's examples
add ``reward_offset * episode_length`` to each elite's fitness). The lowest elite found is
printed to show that no elite falls below it. The run ends by timing the bare Brax floor
on both sides (``--batch`` hoppers without wrappers taking ``--steps`` steps of a zero
action; ``--no-floor`` skips it), which the time per iteration is divided by.

What remains different: the reward (healthy bonus + forward velocity - 0.001 |action|^2),
termination and physics are Brax's hopper on both sides, and the Brax source of the hopper
and of its pipelines is the same in both environments; the JAX/XLA versions differ, so
results are not bit-equal. QDax averages the contact of the reset state and of the
states after the first L - 1 steps of an L-step episode, evotrain that of the states after
all L steps (one state shifted). QDax reads contacts with ``dist <= 0`` from the pipeline's
debug state, evotrain recomputes them with ``dist < 0`` from the positions (the same
contacts but for exact zeros). evotrain's rollout stops when every episode of the batch
has ended; QDax's runs all ``--steps`` steps and masks.

Usage: python benchmarks/qd_brax_vs_qdax.py --qdax-python /path/to/qdax-env/bin/python
       [--batch 64] [--iters 200] [--steps 200] [--bins 32] [--hidden 16] [--seeds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _common
import jax
import numpy as np
from qd_vs_qdax import peer_run, side_by_side, timed

from evotrain import MAPElites
from evotrain.evaluation import make_evaluator

REWARD_OFFSET = 0.9
"""QDax's ``reward_offset["hopper_uni"]`` (per step; its QD score adds it times the
episode length to each elite's fitness)."""


def evotrain_run(a: argparse.Namespace, seed: int) -> dict:
    """evotrain's MAP-Elites shell's strategy, policy and evaluator for ``--iters + 1``
    batches as one jitted ``lax.scan`` timed after compilation."""
    model = MAPElites(
        "MlpPolicy",
        "brax:hopper",
        descriptor="feet_contact",
        bins=(a.bins,),
        pop_size=a.batch,
        iso_sigma=a.iso,
        line_sigma=a.line,
        init_sigma=0.0,
        policy_kwargs={"net_arch": [a.hidden], "activation_fn": a.activation},
        env_kwargs={"backend": a.backend, "episode_length": a.steps},
        qd_offset=a.offset,
        seed=seed,
    )
    strategy, params = model.strategy, model.strategy_params
    evaluate = make_evaluator(model.env, model.policy, model.eval_config)
    batches = a.iters + 1  # the first batch, as QDax's init, then the iterations

    @jax.jit
    def run(key):
        k_init, k_start, k_run = jax.random.split(key, 3)

        def generation(state, key):
            k_ask, k_tell = jax.random.split(key)
            population, state = strategy.ask(k_ask, state, params)
            result = evaluate(k_start, population, None)  # one start state for the run
            state, _ = strategy.tell(k_tell, population, result, state, params)
            return state, None

        state = strategy.init(k_init, params)
        state, _ = jax.lax.scan(generation, state, jax.random.split(k_run, batches))
        return state.archive.fitness

    return timed(run, jax.random.key(seed), batches)


def floors(a: argparse.Namespace, options: dict[str, object]) -> dict[str, float]:
    """The bare Brax floor on both sides: seconds for ``--batch`` hoppers (no wrappers) to
    take ``--steps`` steps of a zero action in one jitted ``lax.scan`` (median of 5), with
    evotrain's JAX and with QDax's (without and with the debug contacts ``hopper_uni``
    steps with)."""
    floor = _common.brax_floor("hopper", a.backend, a.batch, a.steps, raw=True)
    key = jax.random.key(0)
    _common.block(floor(key))
    evotrain = statistics.median(_common.timed(lambda: floor(key)) for _ in range(5))
    args = [a.qdax_python, str(Path(__file__).with_name("_qdax_brax.py")), "--floor"]
    for name, value in {**options, "seed": 0}.items():
        args += [f"--{name}", str(value)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    qdax = json.loads(out.strip().splitlines()[-1])["floor_s"]
    return {"evotrain": evotrain, "QDax": qdax["plain"], "QDax, debug contacts": qdax["debug"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--qdax-python", required=True)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--iters", type=int, default=200)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--bins", type=int, default=32)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--activation", default="tanh", choices=("tanh", "relu"))
    p.add_argument("--iso", type=float, default=0.01)
    p.add_argument("--line", type=float, default=0.1)
    p.add_argument("--backend", default="spring")
    p.add_argument("--offset", type=float, default=None, help="default: -0.9 * steps")
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--no-floor", action="store_true", help="skip timing the bare env")
    a = p.parse_args()
    if a.offset is None:
        a.offset = -REWARD_OFFSET * a.steps
    _common.setup_cache()
    print(f"# {_common.machine()}; {' '.join(sys.argv[1:])}; offset {a.offset:g}")
    names = ("batch", "iters", "bins", "steps", "hidden", "iso", "line", "backend", "activation")
    options = {k: getattr(a, k) for k in names}
    lowest: dict[str, float] = {}
    per_iter: dict[str, list[float]] = {}

    def noted(name: str, result: dict) -> dict:
        if result.get("reward_offset", REWARD_OFFSET) != REWARD_OFFSET:
            raise SystemExit(f"QDax's reward offset is {result['reward_offset']}, not 0.9")
        found = result["fitness"][np.isfinite(result["fitness"])]
        lowest[name] = min(lowest.get(name, np.inf), float(found.min(initial=np.inf)))
        per_iter.setdefault(name, []).append(result["per_iter_s"])
        return result

    runs = {
        "evotrain": lambda seed: noted("evotrain", evotrain_run(a, seed)),
        "QDax": lambda seed: noted("QDax", peer_run(a.qdax_python, "_qdax_brax.py", seed, options)),
    }
    start = time.perf_counter()
    side_by_side(runs, a.seeds, a.offset)
    print(
        "lowest elite: "
        + ", ".join(f"{k} {v:.1f}" for k, v in lowest.items())
        + f" (offset {a.offset:g}); {time.perf_counter() - start:.0f} s in all"
    )
    if not a.no_floor:
        floor = floors(a, options)
        print(
            f"bare Brax floor ({a.batch} hoppers x {a.steps} steps, zero action): "
            + ", ".join(f"{k} {1e3 * v:.1f} ms" for k, v in floor.items())
            + "; time per iteration / floor: "
            + ", ".join(f"{k} {statistics.mean(v) / floor[k]:.3f}" for k, v in per_iter.items())
        )


if __name__ == "__main__":
    main()
