"""Writing a zoo agent folder from a finished training run (``evotrain train --zoo``).

The folder gets the saved model, a learning curve, for NEAT the topology and its formula,
for quality-diversity the archive's heatmap and a few elites' rollouts
(:mod:`evotrain.zoo.archive_card`), a ``README.md`` model card, and last the
``manifest.json`` that hashes all of them.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

from evotrain import distributed, zoo
from evotrain.runtime.host import host_cpu
from evotrain.zoo.archive_card import archive_files
from evotrain.zoo.card import EVAL_SEED, card, comparison_lines, duration, generations

EVAL_EPISODES = 20
VIDEO_WIDTH = 256  # of the card's rollout GIF; the height keeps the env's aspect ratio
VIDEO_FPS = 20.0  # at most, to keep the GIFs small
VIDEO_MAX_FRAMES = 250  # longer episodes are drawn sparser and played faster than real time


def _hardware() -> dict[str, Any]:
    import os
    import platform

    import jax

    device = jax.devices()[0]
    return {
        "machine": platform.machine(),
        "cpu": host_cpu(),
        "cpu_count": os.cpu_count(),
        "jax_backend": jax.default_backend(),
        "device": getattr(device, "device_kind", str(device)),
    }


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("evotrain", "jax", "brax", "gymnax", "gymnasium"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _rollout_video(model: Any, path: Path) -> dict[str, Any]:
    """Draws one deterministic episode for the card; returns the manifest's ``video`` entry."""
    from evotrain.viz.render import fps_stride, record_rollout, save_video

    rollout = record_rollout(
        model, seed=EVAL_SEED, width=VIDEO_WIDTH, max_fps=VIDEO_FPS, max_frames=VIDEO_MAX_FRAMES
    )
    native = rollout.fps * rollout.every
    # Played at the rate the fps cap alone would give: faster than real time when the
    # frame cap thinned the episode further.
    fps = native / fps_stride(native, VIDEO_FPS)
    save_video(rollout.frames, path, fps)
    return {
        "file": path.name,
        "seed": EVAL_SEED,
        "episode_return": rollout.episode_return,
        "length": rollout.length,
        "every": rollout.every,
        "frames": len(rollout.frames),
        "fps": fps,
        "speed": fps / rollout.fps,
    }


def build_agent(model: Any, run: Path, record: dict[str, Any], root: Path | None = None) -> Path:
    """Writes ``<root>/<agent id>`` for a trained model.

    Args:
        model: the trained model.
        run: its run folder (``progress.csv`` is read for the learning curve).
        record: the run's settings (``algo``, ``env``, ``policy``, ``hyperparams``,
            ``command``, ``wall_time_s``, ...).
        root: the zoo root (default :func:`evotrain.zoo.zoo_root`).

    Raises:
        FileExistsError: the agent folder exists (it is never replaced; remove it first).
    """
    from evotrain.viz import plot_learning_curve

    root = root if root is not None else zoo.zoo_root()
    agent = zoo.agent_id(record["algo"], model.env.spec.env_id)
    folder = root / agent
    if folder.exists():
        raise FileExistsError(f"Zoo agent folder {folder} exists; remove it to rebuild the agent.")
    tmp = root / f".{agent}.building"
    main = distributed.is_main_process()
    if main:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
    distributed.sync(f"evotrain-zoo-building:{agent}")
    if not main:  # the save is collective; the rest is process 0's
        model.save(tmp / zoo.MODEL_DIR)
        distributed.sync(f"evotrain-zoo-built:{agent}")
        return folder
    try:
        model.save(tmp / zoo.MODEL_DIR)
        evaluation = zoo.deterministic_returns(model, EVAL_EPISODES, EVAL_SEED)
        extras: dict[str, str] = {}
        if (run / "progress.csv").is_file():
            plot_learning_curve(run, tmp / "learning_curve.png", title=agent)
            extras["curve"] = "learning_curve.png"
        video = _rollout_video(model, tmp / "rollout.gif")
        extras["video"] = video["file"]
        extras["video_return"] = f"{video['episode_return']:.1f}"
        extras.update(_genome_files(model, tmp, agent))
        archive_entry = None
        if hasattr(model, "archive"):
            archive_entry, shown = archive_files(
                model,
                run,
                tmp,
                _rollout_video,
                lambda m: zoo.deterministic_returns(m, EVAL_EPISODES, EVAL_SEED),
                video,
            )
            extras.update(shown)
        env_kwargs = dict(record["hyperparams"].get("env_kwargs") or {})
        manifest = {
            "id": agent,
            "algorithm": record["algo"],
            "env_id": model.env.spec.env_id,
            "backend": env_kwargs.get("backend"),
            "episode_length": int(model.env.spec.max_steps),  # of the evaluation
            "train_episode_length": int(model.eval_config.max_steps or model.env.spec.max_steps),
            "policy": record["policy"],
            "hyperparams": record["hyperparams"],
            "seed": model.seed,
            "generations": model.num_generations,  # of the saved model
            "trained_generations": int(record.get("trained_generations", model.num_generations)),
            "selection": record.get("selection"),
            "env_steps": int(model.num_timesteps),
            "wall_time_s": float(record.get("wall_time_s", 0.0)),
            "hardware": _hardware(),
            "versions": _versions(),
            "command": record["command"],
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "evaluation": {"deterministic": True, **evaluation},
            "video": video,
        }
        if archive_entry is not None:
            manifest["archive"] = archive_entry
        extras["comparison"] = "\n".join(comparison_lines(manifest, root))
        (tmp / "README.md").write_text(card(agent, manifest, extras), encoding="utf-8")
        zoo.write_manifest(tmp, manifest)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    distributed.sync(f"evotrain-zoo-built:{agent}")
    return folder


def _genome_files(model: Any, folder: Path, agent: str) -> dict[str, str]:
    """For the NEAT family: draws and exports the genome the model acts with
    (``best_genome``, the one ``predict`` uses) into ``folder``; returns the card's extras.

    Writes ``network.svg``, and ``substrate.json`` and ``substrate.svg`` for HyperNEAT, or
    ``network.py`` (and the formula, when short) for a feedforward NEAT network."""
    from evotrain.algorithms.genome_family import GenomeFamily

    if not isinstance(model, GenomeFamily):
        return {}
    model.plot_network(folder / "network.svg", overwrite=True)
    extras = {"network": "network.svg"}
    if hasattr(model, "best_substrate"):  # the genome is a CPPN: draw its substrate
        model.export_substrate(folder / "substrate.json", overwrite=True)
        model.plot_substrate(folder / "substrate.svg", title=f"{agent}: substrate", overwrite=True)
        extras["substrate"] = "substrate.svg"
    elif model.best_genome["feedforward"]:
        latex = model.to_latex()
        if len(latex) < 4000:
            extras["formula"] = latex
        (folder / "network.py").write_text(model.to_python())
    return extras


def refresh_genome_files(folder: str | Path) -> None:
    """Redraws and re-exports a NEAT-family zoo agent's genome files from its saved model
    (none for other agents), rewrites its card and reseals its manifest; its evaluation,
    video and archive files stay as they were.

    For agents built before the exports showed the genome ``predict`` acts with (evotrain
    0.2 drew the best genome ever seen). The model itself is not changed.
    """
    folder = Path(folder)
    manifest = zoo.get(folder.name, folder.parent).manifest
    model = zoo.load(folder.name, folder.parent)
    extras = _genome_files(model, folder, folder.name)
    if (folder / "learning_curve.png").is_file():
        extras["curve"] = "learning_curve.png"
    if "archive" in manifest:
        extras["heatmap"] = "archive.png"
        if (folder / "archive.gif").is_file():
            extras["animation"] = "archive.gif"
    if manifest.get("video"):
        extras["video"] = manifest["video"]["file"]
        extras["video_return"] = f"{manifest['video']['episode_return']:.1f}"
    extras["comparison"] = "\n".join(comparison_lines(manifest, folder.parent))
    (folder / "README.md").write_text(card(folder.name, manifest, extras), encoding="utf-8")
    kept = {k: v for k, v in manifest.items() if k not in ("format", "files")}
    zoo.write_manifest(folder, kept)


def write_index(root: Path) -> Path:
    """Rewrites ``<root>/README.md``: the table of every agent (rl-zoo's benchmark table)."""
    lines = [
        "# evotrain model zoo",
        "",
        'Trained agents that load in one line: `evotrain.zoo.load("<id>")`. Scores are the',
        "mean +/- std of deterministic returns over the manifest's evaluation episodes; each",
        "agent's folder has its model card, the exact training command and the hashes that",
        "`zoo.load` verifies. Training settings live in `hyperparams/<algo>.yaml`.",
        "",
        "| id | algo | env | backend | score | env steps | generations | training time | hardware |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for a in zoo.list_agents(root):
        m = a.manifest
        mean, std = a.score
        hw = m["hardware"]
        lines.append(
            f"| [{a.id}]({a.id}/README.md) | {m['algorithm']} | {m['env_id']} | "
            f"{m.get('backend') or '-'} | {mean:.1f} +/- {std:.1f} | {m['env_steps']:,} | "
            f"{generations(m)} | {duration(m['wall_time_s'])} | "
            f"{hw['cpu_count']}-core {hw['machine']}, {hw['jax_backend']} |"
        )
    path = root / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


__all__ = ["EVAL_EPISODES", "EVAL_SEED", "build_agent", "write_index"]
