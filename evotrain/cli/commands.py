"""``evotrain eval``, ``render`` and ``zoo ...``: using saved models and zoo agents."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from evotrain.cli.errors import UsageError


def _load_any(target: str) -> Any:
    """A model from a saved-model folder or a zoo id."""
    from evotrain import zoo
    from evotrain.algorithms.registry import algorithm_class
    from evotrain.persistence import parse_metadata

    if os.path.exists(target):
        # Which class to load with; load() itself verifies every file's hash.
        meta = parse_metadata(target)
        return algorithm_class(meta["algorithm"]).load(target)
    if os.sep in target or target.startswith("."):
        raise UsageError(f"No saved model at {target}.")
    return zoo.load(target)


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


def _animated_record(run: str, what: str | None) -> str:
    """``"topology"`` or ``"archive"``: what ``run`` (a folder or one of the files)
    recorded, or ``what``."""
    from evotrain.callbacks.archive_file import ARCHIVE_FILE
    from evotrain.callbacks.topology_file import TOPOLOGY_FILE

    if what is not None:
        return what
    if not os.path.isdir(run):
        return "archive" if os.path.basename(run) == ARCHIVE_FILE else "topology"
    has = [
        k
        for k, f in (("topology", TOPOLOGY_FILE), ("archive", ARCHIVE_FILE))
        if os.path.isfile(os.path.join(run, f))
    ]
    if len(has) == 2:
        raise UsageError(f"{run} records both a topology and an archive: pass --what.")
    return has[0] if has else "topology"  # the reader says how to record one


def cmd_animate(args: argparse.Namespace) -> int:
    if _animated_record(args.run, args.what) == "archive":
        from evotrain.viz.archive import animate_archive

        out = animate_archive(
            args.run, args.out, fps=args.fps, dims=tuple(args.dims), overwrite=args.force
        )
    else:
        from evotrain.viz.topology import animate_topology

        out = animate_topology(args.run, args.out, fps=args.fps, overwrite=args.force)
    print(f"wrote {out}")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from evotrain.viz.archive import plot_archive, write_archive_csv

    model = _load_any(args.target)
    if not hasattr(model, "archive"):
        raise UsageError(
            f"{args.target} is a {type(model).__name__} model, which keeps no archive: "
            "evotrain archive draws quality-diversity models (mapelites, cmame, mees, "
            "neatmapelites)."
        )
    out = plot_archive(model, args.out, dims=tuple(args.dims), overwrite=args.force)
    print(f"wrote {out}")
    if args.csv:
        print(f"wrote {write_archive_csv(model.archive, args.csv, overwrite=args.force)}")
    return 0


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
