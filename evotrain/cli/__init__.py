"""The ``evotrain`` command (also ``python -m evotrain``).

::

    evotrain train --algo neat --env gymnax:CartPole-v1 [-c zoo/hyperparams/neat.yaml]
                   [--generations N] [--seed S] [--log-dir runs] [--tensorboard] [--wandb]
                   [--resume PATH] [--checkpoint-every K] [--hyperparams key=value ...] [--zoo]
                   [--distributed [--coordinator HOST:PORT --num-processes N --process-id I]]
    evotrain eval PATH|ZOO_ID [--episodes N] [--seed S]
    evotrain render PATH|ZOO_ID --out FILE.gif|FILE.mp4 [--seed S] [--steps N] [--camera C]
    evotrain animate RUN --out FILE.gif|FILE.html [--fps F] [--force]
    evotrain zoo list | show ID | eval ID | render ID [--out FILE.gif]

Bad arguments print a message and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from evotrain.algorithms import registry
from evotrain.cli.errors import EXIT_USAGE, UsageError


def _command(target: str, jax: bool = True) -> dict[str, object]:
    """``set_defaults`` for a subcommand whose function (``"module:name"``) is imported
    only when it runs, so ``--help`` and the JAX-free commands never import JAX. ``jax``:
    the command compiles, so it gets the persistent compilation cache."""
    module, _, name = target.partition(":")

    def run(args: argparse.Namespace) -> int:
        func: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
        return func(args)

    return {"func": run, "uses_jax": jax}


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
    dist = train.add_argument_group(
        "several processes",
        "Run one population over every process's devices (evotrain.distributed): start the "
        "same command in every process. Without --coordinator, JAX detects the cluster "
        "(SLURM, Open MPI). Only process 0 prints and writes logs and zoo folders; LOG_DIR "
        "must be a folder every process sees.",
    )
    dist.add_argument("--distributed", action="store_true", help="join a multi-process run")
    dist.add_argument("--coordinator", metavar="HOST:PORT", help="process 0's address")
    dist.add_argument("--num-processes", type=_positive, metavar="N")
    dist.add_argument("--process-id", type=int, metavar="I", help="0 to N-1")
    dist.add_argument(
        "--distributed-timeout",
        type=_positive,
        default=60,
        metavar="S",
        help="seconds to wait for the others, at start and when one stops answering",
    )
    train.set_defaults(**_command("evotrain.cli.train:cmd_train"))

    ev = sub.add_parser("eval", help="evaluate a saved model or zoo agent")
    ev.add_argument("target", help="a saved model's folder or a zoo id")
    ev.add_argument("--episodes", type=_positive, default=10)
    ev.add_argument("--seed", type=int, default=0)
    ev.add_argument("--stochastic", action="store_true", help="sample actions")
    ev.set_defaults(**_command("evotrain.cli.commands:cmd_eval"))

    ren = sub.add_parser(
        "render",
        help="write a GIF/MP4 of one deterministic episode",
        description="Write a GIF or MP4 of one deterministic episode of a saved model or zoo agent.",
    )
    ren.add_argument("target", help="a saved model's folder or a zoo id")
    ren.add_argument("-o", "--out", required=True, help="the .gif or .mp4 file to write")
    _render_options(ren)
    ren.set_defaults(**_command("evotrain.cli.commands:cmd_render"))

    anim = sub.add_parser(
        "animate",
        help="animate a NEAT run's topology or a quality-diversity archive filling in",
        description="Animate what a run recorded: the best genome of every generation "
        "(RecordTopology, RUN/topology.jsonl) as a GIF or an HTML page with a generation "
        "slider that opens offline, or an archive filling in (RecordArchive, "
        "RUN/archive.jsonl) as a GIF or MP4 of heatmaps.",
    )
    anim.add_argument("run", help="the run folder (or its topology.jsonl or archive.jsonl)")
    anim.add_argument("-o", "--out", required=True, help="the .gif, .html or .mp4 file to write")
    anim.add_argument("--fps", type=float, default=4.0, help="generations per second")
    anim.add_argument(
        "--what",
        choices=("topology", "archive"),
        help="which record to animate (default: the one the run has)",
    )
    anim.add_argument(
        "--dims",
        type=int,
        nargs=2,
        default=(0, 1),
        metavar=("I", "J"),
        help="archive: the descriptor dimensions on the axes",
    )
    anim.add_argument("--force", action="store_true", help="replace an existing file")
    anim.set_defaults(**_command("evotrain.cli.commands:cmd_animate", jax=False))

    arch = sub.add_parser(
        "archive",
        help="draw a quality-diversity model's archive (heatmap, CSV)",
        description="Draw the archive of a saved quality-diversity model or zoo agent as a "
        "heatmap of its elites' fitness by cell, and optionally write its elites as CSV.",
    )
    arch.add_argument("target", help="a saved model's folder or a zoo id")
    arch.add_argument("-o", "--out", required=True, help="the image to write (.png, .svg, .pdf)")
    arch.add_argument("--csv", help="also write the elites' cells, fitness and descriptors")
    arch.add_argument(
        "--dims",
        type=int,
        nargs=2,
        default=(0, 1),
        metavar=("I", "J"),
        help="the descriptor dimensions on the axes",
    )
    arch.add_argument("--force", action="store_true", help="replace existing files")
    arch.set_defaults(**_command("evotrain.cli.commands:cmd_archive"))

    zoo = sub.add_parser("zoo", help="list, show, evaluate and render zoo agents")
    zoo.add_argument("--zoo-dir", help="zoo root (default: $EVOTRAIN_ZOO or the package's zoo/)")
    zsub = zoo.add_subparsers(dest="zoo_command", required=True, metavar="ZOO_COMMAND")
    zsub.add_parser("list", help="table of all agents").set_defaults(
        **_command("evotrain.cli.commands:cmd_zoo_list", jax=False)
    )
    show = zsub.add_parser("show", help="an agent's manifest")
    show.add_argument("id")
    show.set_defaults(**_command("evotrain.cli.commands:cmd_zoo_show", jax=False))
    zev = zsub.add_parser("eval", help="verify hashes and reproduce the manifest's score")
    zev.add_argument("id")
    zev.set_defaults(**_command("evotrain.cli.commands:cmd_zoo_eval"))
    zren = zsub.add_parser("render", help="write a GIF/MP4 of one deterministic episode")
    zren.add_argument("id")
    zren.add_argument("-o", "--out", help="the .gif or .mp4 file to write (default: ID.gif)")
    _render_options(zren)
    zren.set_defaults(**_command("evotrain.cli.commands:cmd_zoo_render"))
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
    from evotrain.persistence.metadata import CheckpointError
    from evotrain.runtime.host import use_compilation_cache
    from evotrain.zoo import ZooError

    if args.uses_jax:  # $JAX_COMPILATION_CACHE_DIR, split per CPU model (runtime.host)
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
