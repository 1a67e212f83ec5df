"""The blog's method comparison: backprop, weight GA, NEAT, OpenAI-ES, CMA-ES, the
seed-chain GA and MAP-Elites at equal evaluation budgets, several seeds each.

Tasks:

- ``regression``: fit ``y = sin(2x)`` on 256 points of ``[-2, 2]`` (a
  :class:`~evotrain.envs.function_fit.FunctionFit`, fitness ``-MSE``). Weight methods and
  backprop share one MLP (1-16-16-1, tanh); backprop is Adam (lr 0.01, full batch) on the
  MSE, one gradient step counted as one evaluation (a step costs about three forward
  passes, so this favours backprop). NEAT evolves its own topology (identity outputs).
  (An even target such as ``sin(3x) * x / 2`` is deceptive for NEAT's minimal start: no
  single connection beats the constant fit, and in the measured runs every seed stayed at
  that constant, MSE 0.144.)
- ``cartpole``: gymnax CartPole-v1, MLP 4-16-2; backprop omitted (the return is not
  differentiable through the env's discrete dynamics).
- ``hopper``: brax hopper (spring backend, 500-step episodes, observation normalization),
  MLP 11-16-3; backprop omitted (no differentiable reward in this set-up).

Every evolutionary method runs ``pop`` individuals x ``gens`` generations (the same number
of evaluations); each point of the curves is the best training fitness found so far.
MAP-Elites (the same MLP) also keeps an archive of behaviours: regression by the fit's
values at the samples nearest both ends of the interval (10 x 10 cells over
``[-1.5, 1.5]^2``), CartPole by its final observation (5 cells per dimension over the
cart's and pole's failure bounds and velocities of +-3), hopper by its foot's ground contact
(32 cells); the table's notes give the share of cells it filled. The
table gives the final best fitness, mean +/- standard deviation over the seeds, for the RL
tasks the deterministic evaluation return of the final policy (10 episodes), and for
CartPole the evaluations each method needed to first reach 475.

Usage: python benchmarks/compare_methods.py [--tasks regression,cartpole,hopper]
       [--seeds 3] [--plot docs/images/compare_methods.png] [--json results.json]
       python benchmarks/compare_methods.py --from-json results.json [--plot ...]
       python benchmarks/compare_methods.py --methods MAP-Elites --json results.json
           (runs only those methods and replaces their runs in an existing results file)
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import _common
import jax
import jax.numpy as jnp
import numpy as np

TASKS: dict[str, dict[str, Any]] = {
    "regression": {"pop": 64, "gens": 150, "net": [16, 16]},
    "cartpole": {"pop": 64, "gens": 30, "net": [16]},
    "hopper": {"pop": 64, "gens": 60, "net": [16]},
}
METHODS = ("backprop", "GA", "seed-chain GA", "NEAT", "OpenAI-ES", "CMA-ES", "MAP-Elites")
COLORS = dict(
    zip(
        METHODS,
        ("black", "tab:blue", "tab:cyan", "tab:green", "tab:red", "tab:purple", "tab:orange"),
    )
)
QD = {
    "regression": {"descriptor": "ends", "bins": (10, 10)},
    "cartpole": {
        "descriptor": "final_obs",
        "bins": (5, 5, 5, 5),
        "low": (-2.4, -3.0, -0.21, -3.0),  # where a CartPole episode can end
        "high": (2.4, 3.0, 0.21, 3.0),
    },
    "hopper": {"descriptor": "feet_contact", "bins": (32,)},
}
"""MAP-Elites' archive per task (see the module docs)."""
SOLVED = {"cartpole": 475.0}
"""Tasks with a success threshold: the table gives the evaluations each run needed."""


def regression_env():
    """The regression task, with MAP-Elites' descriptor ``ends``: the fit's values at the
    samples nearest both ends of ``[-2, 2]``."""
    from evotrain.envs.descriptors import Descriptor
    from evotrain.envs.function_fit import FunctionFit

    task = FunctionFit.from_function(
        lambda x: jnp.sin(2 * x[:, 0]),
        -2.0,
        2.0,
        num_inputs=1,
        num_samples=256,
        name="sin2x",
    )
    x = np.asarray(task.inputs)[:, 0]
    ends = jnp.array([np.argmin(x), np.argmax(x)])
    descriptor = Descriptor(
        "ends", 2, feature=lambda out: out.reshape(-1)[ends], low=(-1.5, -1.5), high=(1.5, 1.5)
    )
    return FunctionFit(task.inputs, task.targets, name="sin2x", descriptors={"ends": descriptor})


def _env_args(task: str) -> tuple[Any, dict[str, Any]]:
    if task == "regression":
        return regression_env(), {}
    if task == "cartpole":
        return "gymnax:CartPole-v1", {}
    return "brax:hopper", {
        "env_kwargs": {"backend": "spring", "episode_length": 500},
        "obs_normalization": True,
    }


def make_model(method: str, task: str, seed: int) -> Any:
    """The evotrain model of ``method`` for ``task`` (every evolutionary method)."""
    from evotrain import GA, NEAT, MAPElites, OpenES
    from evotrain.algorithms.evosax_family import CMAES

    cfg = TASKS[task]
    env, extra = _env_args(task)
    mlp = {"policy_kwargs": {"net_arch": cfg["net"]}, **extra}
    common = {"pop_size": cfg["pop"], "seed": seed}
    if method == "GA":
        return GA("MlpPolicy", env, **common, **mlp)
    if method == "seed-chain GA":
        return GA("MlpPolicy", env, encoding="seeds", max_generations=cfg["gens"], **common, **mlp)
    if method == "OpenAI-ES":
        return OpenES("MlpPolicy", env, **common, **mlp)
    if method == "CMA-ES":
        return CMAES("MlpPolicy", env, sigma_init=0.5, **common, **mlp)
    if method == "MAP-Elites":
        qd = {k: v for k, v in mlp.items() if k != "obs_normalization"}  # see QDSettings
        return MAPElites("MlpPolicy", env, iso_sigma=0.05, **QD[task], **common, **qd)
    if method == "NEAT":
        neat_extra = {"output_activation": "identity"} if task != "cartpole" else {}
        return NEAT("FeedForward", env, **common, **extra, **neat_extra)
    raise ValueError(method)


def run_evolution(method: str, task: str, seed: int) -> dict[str, Any]:
    from evotrain import evaluate_policy

    model = make_model(method, task, seed)
    start = time.perf_counter()
    model.learn(TASKS[task]["gens"])
    seconds = time.perf_counter() - start
    best = np.maximum.accumulate([h["fitness_max"] for h in model.history])
    evals = np.cumsum([len(h["fitness"]) for h in model.history])
    result = {"evals": evals.tolist(), "best": best.tolist(), "seconds": seconds}
    if hasattr(model, "archive"):
        result["coverage"] = float(np.mean(np.asarray(model.archive.filled)))
    if task != "regression":
        result["eval_return"] = float(
            evaluate_policy(model, model.get_env(), n_eval_episodes=10)[0]
        )
    return result


def run_backprop(task: str, seed: int) -> dict[str, Any]:
    """Adam on the MSE of the same MLP, one gradient step per evaluation of the budget."""
    import optax

    from evotrain.networks import MLP

    env = regression_env()
    cfg = TASKS[task]
    mlp = MLP((1, *cfg["net"], 1))
    x, y = jnp.asarray(env.inputs), jnp.asarray(env.targets)

    def loss(params):
        return jnp.mean(jnp.square(jax.vmap(lambda xi: mlp.apply(params, xi))(x) - y))

    opt = optax.adam(0.01)

    @jax.jit
    def steps(params, state):
        def body(carry, _):
            p, s = carry
            value, grad = jax.value_and_grad(loss)(p)
            updates, s = opt.update(grad, s, p)
            return (optax.apply_updates(p, updates), s), -value

        return jax.lax.scan(body, (params, state), None, length=cfg["pop"])

    params = mlp.init(jax.random.key(seed))
    state = opt.init(params)
    best, start = [], time.perf_counter()
    top = -np.inf
    for _ in range(cfg["gens"]):  # one "generation" = pop gradient steps
        (params, state), fitness = steps(params, state)
        top = max(top, float(jnp.max(fitness)))
        best.append(top)
    evals = (np.arange(1, cfg["gens"] + 1) * cfg["pop"]).tolist()
    return {"evals": evals, "best": best, "seconds": time.perf_counter() - start}


def run_task(task: str, seeds: int, methods: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    results: dict[str, list[dict[str, Any]]] = {}
    for method in methods:
        if method == "backprop" and task != "regression":
            continue
        runs = []
        for seed in range(seeds):
            if method == "backprop":
                runs.append(run_backprop(task, seed))
            else:
                runs.append(run_evolution(method, task, seed))
            print(
                f"  {task:10s} {method:14s} seed {seed}: best {runs[-1]['best'][-1]:10.4f}"
                + (
                    f", evaluation {runs[-1]['eval_return']:.1f}"
                    if "eval_return" in runs[-1]
                    else ""
                )
                + f" ({runs[-1]['seconds']:.1f} s)",
                flush=True,
            )
        results[method] = runs
    return results


def _evaluations_to(run: dict[str, Any], threshold: float) -> float:
    """Evaluations until the run's best fitness first reached ``threshold`` (inf: never)."""
    for evals, best in zip(run["evals"], run["best"]):
        if best >= threshold:
            return float(evals)
    return float("inf")


def table(all_results: dict[str, dict[str, list[dict[str, Any]]]]) -> str:
    lines = [
        "| task | method | best fitness | evaluation return | evaluations to solve | "
        "evaluations | s/run |",
        "|---|---|---|---|---|---|---|",
    ]
    for task, results in all_results.items():
        for method in METHODS:
            if method not in results:
                lines.append(f"| {task} | {method} | n/a (reward not differentiable) | | | | |")
                continue
            runs = results[method]
            best = np.array([r["best"][-1] for r in runs])
            evalr = [r["eval_return"] for r in runs if "eval_return" in r]
            ev = f"{np.mean(evalr):.1f} +/- {np.std(evalr):.1f}" if evalr else ""
            solve = ""
            if task in SOLVED:
                needed = np.array([_evaluations_to(r, SOLVED[task]) for r in runs])
                solve = f"{needed.mean():,.0f} +/- {needed.std():,.0f} (>= {SOLVED[task]:g})"
            if task == "regression":
                fit = f"MSE {-best.mean():.2e} +/- {best.std():.1e}"
            else:
                fit = f"{best.mean():.1f} +/- {best.std():.1f}"
            lines.append(
                f"| {task} | {method} | {fit} | {ev} | {solve} | {runs[0]['evals'][-1]:,} | "
                f"{np.mean([r['seconds'] for r in runs]):.1f} |"
            )
    for task, results in all_results.items():
        cover = [r["coverage"] for r in results.get("MAP-Elites", []) if "coverage" in r]
        if cover:
            lines.append(
                f"\nMAP-Elites on {task}: archive coverage {np.mean(cover):.1%} +/- "
                f"{np.std(cover):.1%} of {QD[task]['bins']} cells of `{QD[task]['descriptor']}`."
            )
    return "\n".join(lines)


def plot(all_results: dict[str, dict[str, list[dict[str, Any]]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(all_results)
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.2 * len(tasks), 4), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for method, runs in all_results[task].items():
            evals = np.asarray(runs[0]["evals"])
            best = np.asarray([r["best"] for r in runs])
            if task == "regression":
                best = -best  # plot the MSE on a log scale
            mean, lo, hi = best.mean(0), best.min(0), best.max(0)
            ax.plot(evals, mean, label=method, color=COLORS[method])
            ax.fill_between(evals, lo, hi, color=COLORS[method], alpha=0.15)
        ax.set_title(task)
        ax.set_xlabel("evaluations")
        if task == "regression":
            ax.set_yscale("log")
            ax.set_ylabel("best MSE (lower is better)")
        else:
            ax.set_ylabel("best training return")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Best fitness against evaluations (mean over seeds, band: min to max)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--plot", default=None)
    parser.add_argument("--json", default=None, help="write the runs' results here")
    parser.add_argument("--from-json", default=None, help="table and plot from saved results")
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="run only these; with --json an existing file keeps the other methods' runs",
    )
    args = parser.parse_args()
    methods = tuple(m for m in METHODS if m in args.methods.split(","))
    all_results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    if args.json and methods != METHODS:
        try:
            with open(args.json) as f:
                all_results = json.load(f)
        except FileNotFoundError:
            pass
    if args.from_json:
        with open(args.from_json) as f:
            all_results = json.load(f)
        print(table(all_results))
        if args.plot:
            plot(all_results, args.plot)
        return
    _common.setup_cache()
    print(_common.machine())
    for task in args.tasks.split(","):
        cfg = TASKS[task]
        print(f"== {task}: pop {cfg['pop']} x {cfg['gens']} generations, {args.seeds} seeds")
        ran = run_task(task, args.seeds, methods)
        kept = all_results.get(task, {})
        all_results[task] = {m: ran.get(m, kept.get(m)) for m in METHODS if m in ran or m in kept}
    print(table(all_results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(all_results, f)
    if args.plot:
        plot(all_results, args.plot)


if __name__ == "__main__":
    main()
