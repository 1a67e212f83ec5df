"""The ``evotrain`` command (also ``python -m evotrain``).

::

    evotrain train --algo neat --env gymnax:CartPole-v1 [-c zoo/hyperparams/neat.yaml]
                   [--generations N] [--seed S] [--log-dir runs] [--tensorboard] [--wandb]
                   [--resume PATH] [--checkpoint-every K] [--hyperparams key=value ...] [--zoo]
    evotrain eval PATH|ZOO_ID [--episodes N] [--seed S]
    evotrain render PATH|ZOO_ID --out FILE.gif|FILE.mp4 [--seed S] [--steps N] [--camera C]
    evotrain zoo list | show ID | eval ID | render ID [--out FILE.gif]

Bad arguments print a message and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evotrain.algorithms import registry

EXIT_USAGE = 2


class UsageError(Exception):
    """A user error the CLI reports as ``evotrain: error: ...`` with exit status 2."""


# ----------------------------------------------------------------- helpers
def _run_folder(log_dir: Path, algo: str, env_id: str) -> Path:
    """``<log_dir>/<algo>/<env>_<N>`` with the next free N (nothing is reused)."""
    base = log_dir / algo / env_id.replace(":", "-").replace("/", "-")
    n = 1
    while Path(f"{base}_{n}").exists():
        n += 1
    return Path(f"{base}_{n}")


def _load_any(target: str) -> Any:
    """A model from a saved-model folder or a zoo id."""
    from evotrain import zoo
    from evotrain.algorithms.registry import algorithm_class
    from evotrain.checkpoint import read_metadata

    if os.path.exists(target):
        meta = read_metadata(target)
        return algorithm_class(meta["algorithm"]).load(target)
    if os.sep in target or target.startswith("."):
        raise UsageError(f"No saved model at {target}.")
    return zoo.load(target)


# ----------------------------------------------------------------- train
SELECTION_SEED = 0  # of the held-out evaluations (the zoo's own evaluation uses another)


def _select_best(cls: Any, run: Path, evaluator: Any, selection: dict[str, Any]) -> Any:
    """The model ``evaluator`` kept as ``best_model``; fills ``selection`` in place."""
    means = [sum(r) / len(r) for r in evaluator.evaluations_results]
    best = means.index(max(means))  # the first best, as EvalCallback keeps it
    selection["generation"] = int(evaluator.evaluations_generations[best])
    selection["mean_return"] = float(means[best])
    print(
        f"zoo agent: the model of generation {selection['generation']} (best held-out mean "
        f"return {means[best]:.4g} over {selection['eval_episodes']} episodes)"
    )
    return cls.load(run / "best_model")


def cmd_train(args: argparse.Namespace) -> int:
    from evotrain.callbacks import CheckpointCallback, EvalCallback
    from evotrain.hyperparams import default_file, default_policy, load_hyperparams, parse_override
    from evotrain.logging import configure

    algo = args.algo.lower()
    cls = registry.algorithm_class(algo)
    config_path = Path(args.config) if args.config else default_file(algo)
    if args.config and not config_path.is_file():
        raise UsageError(f"No hyperparameter file at {config_path}.")
    settings: dict[str, Any] = {}
    source = "algorithm defaults"
    if config_path.is_file():
        settings, key = load_hyperparams(config_path, args.env)
        source = f"{config_path} [{key}]"
    for text in args.hyperparams or []:
        key, value = parse_override(text)
        settings[key] = value
    yaml_generations = settings.pop("generations", None)
    yaml_seed = settings.pop("seed", 0)
    yaml_eval_freq = settings.pop("eval_freq", None)
    yaml_eval_episodes = settings.pop("eval_episodes", None)
    eval_freq = args.eval_freq or yaml_eval_freq
    eval_episodes = args.eval_episodes or yaml_eval_episodes or 10
    generations = args.generations or yaml_generations
    if not generations:
        raise UsageError(
            f"How many generations? Give --generations N (no 'generations' in {source})."
        )
    policy = settings.pop("policy", default_policy(algo))
    if args.resume:
        model = cls.load(args.resume, verbose=1)
        if model.env.spec.env_id.split(":")[-1] != args.env.split(":")[-1]:
            raise UsageError(
                f"{args.resume} was trained on {model.env.spec.env_id}, not {args.env}."
            )
    else:
        seed = args.seed if args.seed is not None else yaml_seed
        try:
            model = cls(policy, args.env, seed=seed, verbose=1, **settings)
        except TypeError as err:
            raise UsageError(f"Bad hyperparameter for {cls.__name__}: {err}.") from err
    remaining = int(generations) - (model.num_generations if args.resume else 0)
    if remaining <= 0:
        print(f"{args.resume} already ran {model.num_generations} generations; nothing to do.")
        return 0
    run = _run_folder(Path(args.log_dir), algo, args.env)  # made once the model exists
    run.mkdir(parents=True)
    formats = ["stdout", "csv"] + (["tensorboard"] if args.tensorboard else [])
    formats += ["wandb"] if args.wandb else []
    model.set_logger(configure(str(run), formats))
    record = {
        "algo": algo,
        "env": args.env,
        "policy": policy,
        "generations": int(generations),
        "seed": model.seed,
        "hyperparams": settings,
        "hyperparams_from": source,
        "resumed_from": args.resume,
        "command": "evotrain " + shlex.join(args.argv),
    }
    if eval_freq:
        record["selection"] = {
            "eval_freq": int(eval_freq),
            "eval_episodes": int(eval_episodes),
            "eval_seed": SELECTION_SEED,
        }
    (run / "config.json").write_text(json.dumps(record, indent=1, default=str) + "\n")
    callbacks: list[Any] = []
    if args.checkpoint_every:
        callbacks.append(CheckpointCallback(args.checkpoint_every, str(run / "checkpoints")))
    evaluator = None
    if eval_freq:
        evaluator = EvalCallback(
            model.get_env(),
            n_eval_episodes=int(eval_episodes),
            eval_freq=int(eval_freq),
            log_path=str(run),
            best_model_save_path=str(run),
            seed=SELECTION_SEED,
        )
        callbacks.append(evaluator)
    start = time.perf_counter()
    model.learn(
        remaining,
        callback=callbacks or None,
        progress_bar=args.progress,
        reset_num_generations=not args.resume,
    )
    wall = time.perf_counter() - start
    model.save(run / "model")
    print(f"saved {run / 'model'} after {model.num_generations} generations ({wall:.0f} s)")
    if args.zoo:
        from evotrain.zoo_build import build_agent, write_index

        record["wall_time_s"] = wall
        record["trained_generations"] = model.num_generations
        if evaluator is not None and evaluator.evaluations_generations:
            model = _select_best(cls, run, evaluator, record["selection"])
        folder = build_agent(model, run, record, Path(args.zoo_dir) if args.zoo_dir else None)
        write_index(folder.parent)
        print(f"zoo agent written to {folder}")
    return 0


# ----------------------------------------------------------------- eval
def cmd_eval(args: argparse.Namespace) -> int:
    from evotrain.evaluation.evaluate_policy import evaluate_policy

    model = _load_any(args.target)
    mean, std = evaluate_policy(
        model,
        model.get_env(),
        n_eval_episodes=args.episodes,
        deterministic=not args.stochastic,
        seed=args.seed,
    )
    kind = "stochastic" if args.stochastic else "deterministic"
    print(
        f"{args.target} on {model.env.spec.env_id}: mean return {mean:.3f} +/- {std:.3f} "
        f"over {args.episodes} {kind} episodes (seed {args.seed})"
    )
    return 0


# ----------------------------------------------------------------- render
def _render(model: Any, name: str, out: Path, args: argparse.Namespace) -> int:
    from evotrain.viz.render import render_rollout

    rollout = render_rollout(
        model,
        out,
        overwrite=args.force,
        seed=args.seed,
        max_steps=args.steps,
        width=args.width,
        height=args.height,
        camera=args.camera,
        every=args.every,
        fps=args.fps,
    )
    print(
        f"wrote {out}: {len(rollout.frames)} frames at {args.fps or rollout.fps:.3g} fps of "
        f"{name} on {model.env.spec.env_id} (seed {args.seed}): return "
        f"{rollout.episode_return:.3f} over {rollout.length} steps"
    )
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    return _render(_load_any(args.target), args.target, Path(args.out), args)


def cmd_zoo_render(args: argparse.Namespace) -> int:
    from evotrain import zoo

    agent = zoo.get(args.id, args.zoo_dir)
    out = Path(args.out) if args.out else Path(f"{agent.id}.gif")
    return _render(zoo.load(agent.id, args.zoo_dir), agent.id, out, args)


# ----------------------------------------------------------------- zoo
def cmd_zoo_list(args: argparse.Namespace) -> int:
    from evotrain import zoo

    agents = zoo.list_agents(args.zoo_dir)
    if not agents:
        print(f"The zoo at {args.zoo_dir or zoo.zoo_root()} has no agents yet.")
        return 0
    print(f"{'id':<34} {'env':<26} {'backend':<8} {'score':>20} {'env steps':>12} {'gens':>5}")
    for a in agents:
        m = a.manifest
        mean, std = a.score
        print(
            f"{a.id:<34} {a.env_id:<26} {m.get('backend') or '-':<8} "
            f"{f'{mean:.1f} +/- {std:.1f}':>20} {m['env_steps']:>12,} {m['generations']:>5}"
        )
    return 0


def cmd_zoo_show(args: argparse.Namespace) -> int:
    from evotrain import zoo

    agent = zoo.get(args.id, args.zoo_dir)
    m = agent.manifest
    mean, std = agent.score
    print(f"{agent.id}: {m['algorithm']} on {m['env_id']} ({agent.path})")
    print(f"  score: {mean:.3f} +/- {std:.3f} over {m['evaluation']['n_episodes']} episodes")
    for key in ("backend", "episode_length", "seed", "generations", "env_steps", "wall_time_s"):
        print(f"  {key}: {m.get(key)}")
    print(f"  hardware: {m['hardware']}")
    print(f"  versions: {m['versions']}")
    print(f"  hyperparams: {json.dumps(m['hyperparams'], default=str)}")
    print(f"  reproduce: {m['command']}")
    return 0


def cmd_zoo_eval(args: argparse.Namespace) -> int:
    from evotrain import zoo

    agent = zoo.get(args.id, args.zoo_dir)
    result = zoo.evaluate_agent(agent)  # loading verifies the hashes
    mean, std = agent.score
    check = zoo.compare_to_manifest(agent.manifest, result)
    verdict = check.verdict
    if check.verdict == "within noise":
        verdict += (
            f" (another CPU model or JAX version than the manifest's: mean differs by "
            f"{check.mean_diff:+.4f}, within {check.tolerance:.4f})"
        )
    elif check.verdict == "differs":
        verdict = "DIFFERS"
    print(
        f"{agent.id}: {result['mean']:.4f} +/- {result['std']:.4f} over "
        f"{result['n_episodes']} episodes (seed {result['seed']}); manifest {mean:.4f} +/- "
        f"{std:.4f}: {verdict}"
    )
    return 0 if check.ok else 1


# ----------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evotrain", description="Train, evaluate and browse neuroevolution agents."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = sub.add_parser("train", help="train an agent", description="Train an agent.")
    train.add_argument("--algo", required=True, choices=registry.names())
    train.add_argument("--env", required=True, help="env id, e.g. brax:hopper")
    train.add_argument("-c", "--config", help="hyperparameter YAML (default: the zoo's)")
    train.add_argument("-n", "--generations", type=_positive, help="generations to run")
    train.add_argument("--seed", type=int, help="the run's seed (default: the YAML's or 0)")
    train.add_argument("-f", "--log-dir", default="runs", help="runs go to LOG_DIR/algo/env_N")
    train.add_argument("--tensorboard", action="store_true", help="also log to TensorBoard")
    train.add_argument("--wandb", action="store_true", help="also log to W&B")
    train.add_argument("--resume", metavar="PATH", help="continue a saved model or checkpoint")
    train.add_argument("--checkpoint-every", type=_positive, metavar="K")
    train.add_argument(
        "--eval-freq",
        type=_positive,
        metavar="K",
        help="evaluate on held-out episodes every K generations and keep the best model "
        "(RUN/best_model; the zoo agent with --zoo)",
    )
    train.add_argument("--eval-episodes", type=_positive, metavar="N", help="default 10")
    train.add_argument(
        "-p", "--hyperparams", nargs="+", metavar="KEY=VALUE", help="override YAML settings"
    )
    train.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True)
    train.add_argument("--zoo", action="store_true", help="also write a zoo agent folder")
    train.add_argument("--zoo-dir", help="zoo root for --zoo (default: the package's zoo/)")
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser("eval", help="evaluate a saved model or zoo agent")
    ev.add_argument("target", help="a saved model's folder or a zoo id")
    ev.add_argument("--episodes", type=_positive, default=10)
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--stochastic", action="store_true", help="sample actions")
    ev.set_defaults(func=cmd_eval)

    ren = sub.add_parser(
        "render",
        help="write a GIF/MP4 of one deterministic episode",
        description="Write a GIF or MP4 of one deterministic episode of a saved model or zoo agent.",
    )
    ren.add_argument("target", help="a saved model's folder or a zoo id")
    ren.add_argument("-o", "--out", required=True, help="the .gif or .mp4 file to write")
    _render_options(ren)
    ren.set_defaults(func=cmd_render)

    zoo = sub.add_parser("zoo", help="list, show, evaluate and render zoo agents")
    zoo.add_argument("--zoo-dir", help="zoo root (default: $EVOTRAIN_ZOO or the package's zoo/)")
    zsub = zoo.add_subparsers(dest="zoo_command", required=True, metavar="ZOO_COMMAND")
    zsub.add_parser("list", help="table of all agents").set_defaults(func=cmd_zoo_list)
    show = zsub.add_parser("show", help="an agent's manifest")
    show.add_argument("id")
    show.set_defaults(func=cmd_zoo_show)
    zev = zsub.add_parser("eval", help="verify hashes and reproduce the manifest's score")
    zev.add_argument("id")
    zev.set_defaults(func=cmd_zoo_eval)
    zren = zsub.add_parser("render", help="write a GIF/MP4 of one deterministic episode")
    zren.add_argument("id")
    zren.add_argument("-o", "--out", help="the .gif or .mp4 file to write (default: ID.gif)")
    _render_options(zren)
    zren.set_defaults(func=cmd_zoo_render)
    return parser


def _render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="episode seed, as eval's")
    parser.add_argument("--steps", type=_positive, help="stop after N steps (default: horizon)")
    parser.add_argument("--every", type=_positive, help="draw every K-th step")
    parser.add_argument("--fps", type=float, help="playback rate (default: the env's / K)")
    parser.add_argument("--width", type=_positive, help="frame width in pixels")
    parser.add_argument("--height", type=_positive, help="frame height in pixels")
    parser.add_argument("--camera", help="Brax: camera name or index, -1 for the free camera")
    parser.add_argument("--force", action="store_true", help="replace an existing file")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = argv
    from evotrain.checkpoint import CheckpointError
    from evotrain.host import use_compilation_cache
    from evotrain.zoo import ZooError

    # $JAX_COMPILATION_CACHE_DIR, if set, is split per CPU model (evotrain.host).
    use_compilation_cache()

    try:
        return int(args.func(args))
    except (
        UsageError,
        ZooError,
        CheckpointError,
        FileNotFoundError,
        FileExistsError,
        ValueError,
    ) as err:
        print(f"evotrain: error: {err}", file=sys.stderr)
        return EXIT_USAGE


__all__ = ["build_parser", "main"]
