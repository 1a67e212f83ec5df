"""``evotrain train``: a run from a hyperparameter file, optionally built into a zoo agent."""

from __future__ import annotations

import argparse
import json
import shlex
import time
from pathlib import Path
from typing import Any

from evotrain import distributed
from evotrain.algorithms import registry
from evotrain.cli.errors import UsageError
from evotrain.distributed import print_main


def _run_folder(log_dir: Path, algo: str, env_id: str) -> Path:
    """``<log_dir>/<algo>/<env>_<N>`` with the next free N (nothing is reused), made by
    process 0 (the same folder on every process of a multi-process run)."""
    base = log_dir / algo / env_id.replace(":", "-").replace("/", "-")
    n = 1
    if distributed.is_main_process():  # made before the others learn its name
        while Path(f"{base}_{n}").exists():
            n += 1
        Path(f"{base}_{n}").mkdir(parents=True)
    return Path(f"{base}_{distributed.broadcast_int(n)}")


def _join(args: argparse.Namespace) -> None:
    """Joins the multi-process run the ``--distributed`` options describe (if any)."""
    given = [args.coordinator, args.num_processes, args.process_id]
    if not args.distributed:
        if any(v is not None for v in given):
            raise UsageError("--coordinator, --num-processes and --process-id need --distributed.")
        return
    if any(v is not None for v in given) and any(v is None for v in given):
        raise UsageError(
            "Give all of --coordinator, --num-processes and --process-id, or none of them "
            "(to let JAX detect the cluster, e.g. under SLURM)."
        )
    try:
        distributed.initialize(
            args.coordinator,
            args.num_processes,
            args.process_id,
            timeout_s=args.distributed_timeout,
        )
    except RuntimeError as err:
        raise UsageError(str(err)) from err


ARCHIVE_FRAMES = 50  # records of a quality-diversity archive a run keeps, about
SELECTION_SEED = 0  # of the held-out evaluations (the zoo's own evaluation uses another)


def _select_best(cls: Any, run: Path, evaluator: Any, selection: dict[str, Any]) -> Any:
    """The model ``evaluator`` kept as ``best_model``; fills ``selection`` in place."""
    means = [sum(r) / len(r) for r in evaluator.evaluations_results]
    best = means.index(max(means))  # the first best, as EvalCallback keeps it
    selection["generation"] = int(evaluator.evaluations_generations[best])
    selection["mean_return"] = float(means[best])
    print_main(
        f"zoo agent: the model of generation {selection['generation']} (best held-out mean "
        f"return {means[best]:.4g} over {selection['eval_episodes']} episodes)"
    )
    return cls.load(run / "best_model")


def cmd_train(args: argparse.Namespace) -> int:
    from evotrain.callbacks import CheckpointCallback, EvalCallback
    from evotrain.logging import configure
    from evotrain.zoo.hyperparams import (
        default_file,
        default_policy,
        load_hyperparams,
        parse_override,
    )

    _join(args)
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
        print_main(f"{args.resume} already ran {model.num_generations} generations; nothing to do.")
        return 0
    run = _run_folder(Path(args.log_dir), algo, args.env)  # made once the model exists
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
    if distributed.is_main_process():
        (run / "config.json").write_text(json.dumps(record, indent=1, default=str) + "\n")
    callbacks: list[Any] = []
    if hasattr(model, "archive"):  # the archive filling in, for `evotrain animate` and cards
        from evotrain.callbacks import RecordArchive

        callbacks.append(RecordArchive(run, every=max(1, remaining // ARCHIVE_FRAMES)))
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
    print_main(f"saved {run / 'model'} after {model.num_generations} generations ({wall:.0f} s)")
    if args.zoo:
        from evotrain.zoo.build import build_agent, write_index

        record["wall_time_s"] = wall
        record["trained_generations"] = model.num_generations
        if evaluator is not None and evaluator.evaluations_generations:
            model = _select_best(cls, run, evaluator, record["selection"])
        folder = build_agent(model, run, record, Path(args.zoo_dir) if args.zoo_dir else None)
        if distributed.is_main_process():
            write_index(folder.parent)
        print_main(f"zoo agent written to {folder}")
    return 0
