"""The model zoo: trained agents that load in one line, verified by their hashes.

An agent is a folder ``<algo>-<family>-<env>`` (e.g. ``neat-brax-hopper``) under the zoo
root holding the saved model (``model/``, as ``model.save`` writes it), a
``manifest.json`` (how it was trained, its deterministic evaluation and the sha256 of
every other file in the folder) and a ``README.md`` model card::

    from evotrain import zoo, evaluate_policy
    model = zoo.load("neat-gymnax-CartPole-v1")
    mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=20)

The zoo root is ``zoo/`` beside the package (a source checkout), or ``$EVOTRAIN_ZOO``.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from evotrain.persistence.integrity import diff_hashes, file_hashes, sha256_of
from evotrain.persistence.metadata import UnverifiedCheckpointWarning
from evotrain.runtime.host import host_cpu

ZOO_ENV_VAR = "EVOTRAIN_ZOO"
MANIFEST = "manifest.json"
MODEL_DIR = "model"
MANIFEST_FORMAT = "evotrain.zoo/1"


class ZooError(ValueError):
    """A zoo id that does not exist, or a zoo folder that is not an agent."""


class ZooIntegrityError(ZooError):
    """An agent's files do not match the hashes in its manifest."""


@dataclasses.dataclass(frozen=True)
class ZooAgent:
    """One zoo entry, as its manifest describes it.

    Attributes:
        id: the folder name, ``<algo>-<family>-<env>``.
        path: the agent's folder.
        manifest: the whole manifest (training settings, versions, evaluation, hashes).
    """

    id: str
    path: Path
    manifest: dict[str, Any]

    @property
    def algorithm(self) -> str:
        return str(self.manifest["algorithm"])

    @property
    def env_id(self) -> str:
        return str(self.manifest["env_id"])

    @property
    def score(self) -> tuple[float, float]:
        """``(mean, std)`` of the deterministic evaluation returns."""
        evaluation = self.manifest["evaluation"]
        return float(evaluation["mean"]), float(evaluation["std"])


def zoo_root() -> Path:
    """The zoo folder: ``$EVOTRAIN_ZOO`` if set, else ``zoo/`` beside the package."""
    env = os.environ.get(ZOO_ENV_VAR)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "zoo"  # evotrain/zoo/__init__.py -> <repo>/zoo


def agent_id(algorithm: str, env_id: str) -> str:
    """The zoo id of an agent: ``agent_id("neat", "brax:hopper") == "neat-brax-hopper"``.

    ``algorithm`` is a registered short or class name (``"NEAT"`` gives ``neat-...``).

    Raises:
        ValueError: for an algorithm the registry does not know.
    """
    from evotrain.algorithms.registry import entry

    family, sep, name = env_id.partition(":")
    if not sep:
        family, name = "function", env_id
    return f"{entry(algorithm).name}-{family.lower()}-{name.replace('/', '-')}"


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        with open(folder / MANIFEST, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise ZooError(f"{folder} is not a zoo agent: it has no {MANIFEST}.") from None
    except json.JSONDecodeError as err:
        raise ZooIntegrityError(f"The manifest of {folder.name} is corrupted: {err}.") from err
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ZooIntegrityError(f"{folder / MANIFEST} is not an evotrain zoo manifest.")
    return manifest


def list_agents(root: str | os.PathLike[str] | None = None) -> list[ZooAgent]:
    """Every agent of the zoo, sorted by id."""
    root = Path(root) if root is not None else zoo_root()
    if not root.is_dir():
        return []
    agents = []
    for folder in sorted(p for p in root.iterdir() if (p / MANIFEST).is_file()):
        agents.append(ZooAgent(folder.name, folder, _read_manifest(folder)))
    return agents


def get(zoo_id: str, root: str | os.PathLike[str] | None = None) -> ZooAgent:
    """The agent ``zoo_id``.

    Raises:
        ZooError: no such agent; the message suggests close ids.
    """
    root = Path(root) if root is not None else zoo_root()
    folder = root / zoo_id
    if (folder / MANIFEST).is_file():
        return ZooAgent(zoo_id, folder, _read_manifest(folder))
    ids = [a.id for a in list_agents(root)]
    close = difflib.get_close_matches(zoo_id, ids, n=5, cutoff=0.4)
    close += [i for i in ids if zoo_id.lower() in i.lower() and i not in close]
    hint = f" Did you mean: {', '.join(close[:5])}?" if close else ""
    raise ZooError(
        f"No zoo agent {zoo_id!r} in {root}.{hint} `evotrain zoo list` shows all {len(ids)} agents."
    )


def verify(agent: ZooAgent | str, root: str | os.PathLike[str] | None = None) -> ZooAgent:
    """Checks that the agent's files are exactly those its manifest lists, byte for byte.

    Raises:
        ZooIntegrityError: a file is missing, added or changed (named in the message).
    """
    agent = agent if isinstance(agent, ZooAgent) else get(agent, root)
    expected = agent.manifest.get("files")
    if not isinstance(expected, dict) or not expected:
        raise ZooIntegrityError(f"The manifest of {agent.id} lists no file hashes.")
    diff = diff_hashes(expected, agent.path, exclude={MANIFEST})
    if diff:
        raise ZooIntegrityError(
            f"Zoo agent {agent.id} does not match its manifest's sha256 hashes ("
            + diff.describe(added_label="not in the manifest")
            + "). Restore the files (e.g. `git checkout -- "
            + f"{agent.path}`) or retrain it; it is not loaded."
        )
    return agent


def load(
    zoo_id: str, root: str | os.PathLike[str] | None = None, *, check: bool = True, **overrides: Any
) -> Any:
    """Loads a zoo agent as a model ready for ``predict`` and ``evaluate_policy``.

    Args:
        zoo_id: the agent's id (see :func:`list_agents`).
        root: the zoo folder (default :func:`zoo_root`).
        check: verify every file's sha256 first (default True).
        **overrides: constructor arguments to change at load (``verbose``, ...).

    Raises:
        ZooError: no such agent (with close ids suggested).
        ZooIntegrityError: its files do not match the manifest.
    """
    from evotrain.algorithms import algorithm_class

    agent = get(zoo_id, root)
    if check:
        verify(agent)
    cls = algorithm_class(agent.algorithm)
    if not check:
        return cls.load(agent.path / MODEL_DIR, **overrides)
    with warnings.catch_warnings():
        # The manifest's hashes, just verified, cover the model of a format 1 save too.
        warnings.simplefilter("ignore", UnverifiedCheckpointWarning)
        return cls.load(agent.path / MODEL_DIR, **overrides)


def deterministic_returns(model: Any, n_episodes: int, seed: int) -> dict[str, Any]:
    """The evaluation a zoo manifest records: ``n_episodes`` deterministic episodes of
    ``model`` on its own env, from the evaluation seed ``seed``.

    Returns:
        ``{"mean", "std", "episode_returns", "n_episodes", "seed"}``.
    """
    from evotrain.evaluation.evaluate_policy import evaluate_policy

    returns, _ = evaluate_policy(
        model,
        model.get_env(),
        n_eval_episodes=n_episodes,
        deterministic=True,
        return_episode_rewards=True,
        seed=seed,
    )
    return {
        "mean": float(np.mean(returns)),
        "std": float(np.std(returns)),
        "episode_returns": returns,
        "n_episodes": len(returns),
        "seed": seed,
    }


def evaluate_agent(
    agent: ZooAgent | str, root: str | os.PathLike[str] | None = None, model: Any = None
) -> dict[str, Any]:
    """Loads an agent (verifying its hashes) and re-runs its manifest's evaluation: same
    episodes, same seed (see :func:`deterministic_returns`). ``model``: the agent already
    loaded with :func:`load` (not loaded again)."""
    agent = agent if isinstance(agent, ZooAgent) else get(agent, root)
    model = load(agent.id, agent.path.parent) if model is None else model
    spec = agent.manifest["evaluation"]
    return deterministic_returns(model, int(spec["n_episodes"]), int(spec["seed"]))


def same_platform(manifest: dict[str, Any]) -> bool:
    """Whether this machine is the kind that recorded ``manifest``'s evaluation: the same
    CPU model (:func:`host_cpu`), JAX version and JAX backend.

    Only there are the returns float-for-float the recorded ones. On another CPU model XLA
    tunes its code differently (blocking, vector widths), float sums round differently, and
    over a long contact-rich Brax episode the trajectories drift apart; the mean then agrees
    within its noise (see :func:`compare_to_manifest`). Manifests written before the CPU
    model was recorded never match.
    """
    import jax

    hardware = manifest.get("hardware", {})
    return (
        hardware.get("cpu") == host_cpu()
        and hardware.get("jax_backend") == jax.default_backend()
        and manifest.get("versions", {}).get("jax") == jax.__version__
    )


@dataclasses.dataclass(frozen=True)
class Reproduction:
    """How a fresh evaluation compares with the one in an agent's manifest.

    Attributes:
        verdict: ``"reproduced"`` (every episode return within ``rtol``), ``"within
            noise"`` (on another platform: the mean within ``tolerance``) or ``"differs"``.
        same_platform: see :func:`same_platform`.
        mean_diff: fresh mean minus the manifest's mean.
        tolerance: the mean difference allowed on another platform: three standard errors
            of the mean (the larger of the two evaluations' std over sqrt(n)) plus ``rtol``
            of the mean.
    """

    verdict: str
    same_platform: bool
    mean_diff: float
    tolerance: float

    @property
    def ok(self) -> bool:
        """Reproduced, or within noise on another platform."""
        return self.verdict != "differs"


def compare_to_manifest(
    manifest: dict[str, Any], result: dict[str, Any], rtol: float = 1e-4
) -> Reproduction:
    """Compares an evaluation (:func:`evaluate_agent`'s result) with ``manifest``'s.

    On the platform that recorded it (:func:`same_platform`) every episode must reproduce
    within ``rtol``; elsewhere the mean must lie within three standard errors.

    Args:
        manifest: the agent's manifest.
        result: ``{"episode_returns": (n,), "mean": float, ...}``.
        rtol: relative tolerance of an exact reproduction.
    """
    recorded = np.asarray(manifest["evaluation"]["episode_returns"], dtype=np.float64)
    fresh = np.asarray(result["episode_returns"], dtype=np.float64)
    same = same_platform(manifest)
    same_shape = fresh.shape == recorded.shape
    mean_diff = float(fresh.mean() - recorded.mean()) if same_shape else np.inf
    scale = rtol * max(1.0, abs(float(recorded.mean())))
    spread = max(float(recorded.std()), float(fresh.std())) if fresh.size else 0.0
    tolerance = 3.0 * spread / np.sqrt(max(1, recorded.size)) + scale
    if same_shape and np.allclose(fresh, recorded, rtol=rtol, atol=scale):
        verdict = "reproduced"
    elif not same and abs(mean_diff) <= tolerance:
        verdict = "within noise"
    else:
        verdict = "differs"
    return Reproduction(verdict, same, mean_diff, tolerance)


@dataclasses.dataclass(frozen=True)
class ReplayTolerance:
    """How far a replay of an agent's video episode may land from the recorded one.

    Attributes:
        same_platform: see :func:`same_platform`; there the replay is exact.
        episode_return: the return difference allowed (0 on the recording platform).
        length: the episode-length difference allowed, in steps (0 on the recording platform).
    """

    same_platform: bool
    episode_return: float
    length: int


def replay_tolerance(manifest: dict[str, Any]) -> ReplayTolerance:
    """What a replay of ``manifest``'s video episode must meet here.

    On the recording platform the replay is the recorded episode (lengths equal, returns
    to 1e-6). Elsewhere float rounding differs, and a long contact-rich episode (a hopper
    that falls) may end at another step. The return may then differ by four of the agent's
    own evaluation standard deviations (plus 1e-4 of it): the spread its episodes already
    show from one start to the next. The length may differ by as many steps as that return
    difference buys at the episode's own mean reward per step, so a deterministic agent
    whose evaluation episodes never differ (CartPole's 500 +/- 0) must replay its length
    exactly anywhere.

    Args:
        manifest: the agent's manifest (``evaluation.std`` and ``video``).
    """
    if same_platform(manifest):
        return ReplayTolerance(True, 0.0, 0)
    video = manifest["video"]
    recorded = float(video["episode_return"])
    spread = max(4.0 * float(manifest["evaluation"]["std"]) + 1e-4 * abs(recorded), 1e-6)
    per_step = max(abs(recorded) / max(int(video["length"]), 1), 1e-6)
    return ReplayTolerance(False, spread, int(np.floor(spread / per_step)))


def compare_video_replay(
    manifest: dict[str, Any], episode_return: float, length: int
) -> tuple[bool, ReplayTolerance]:
    """Whether a replay (``episode_return`` over ``length`` steps) of ``manifest``'s video
    episode reproduces it within :func:`replay_tolerance`; returns ``(ok, tolerance)``."""
    tol = replay_tolerance(manifest)
    video = manifest["video"]
    if tol.same_platform:
        ok = length == video["length"] and bool(
            np.isclose(episode_return, video["episode_return"], rtol=1e-6, atol=0.0)
        )
    else:
        ok = (
            abs(length - int(video["length"])) <= tol.length
            and abs(float(episode_return) - float(video["episode_return"])) <= tol.episode_return
        )
    return ok, tol


def write_manifest(folder: str | os.PathLike[str], manifest: dict[str, Any]) -> dict[str, Any]:
    """Writes ``manifest.json`` with the sha256 of every other file in ``folder`` (so write
    it last). Returns the manifest written."""
    folder = Path(folder)
    full = {"format": MANIFEST_FORMAT, **manifest, "files": file_hashes(folder, exclude={MANIFEST})}
    tmp = folder / f".{MANIFEST}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(full, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, folder / MANIFEST)
    return full


__all__ = [
    "MANIFEST",
    "MODEL_DIR",
    "ReplayTolerance",
    "Reproduction",
    "ZooAgent",
    "ZooError",
    "ZooIntegrityError",
    "agent_id",
    "compare_to_manifest",
    "compare_video_replay",
    "deterministic_returns",
    "evaluate_agent",
    "file_hashes",
    "get",
    "host_cpu",
    "list_agents",
    "load",
    "replay_tolerance",
    "same_platform",
    "sha256_of",
    "verify",
    "write_manifest",
    "zoo_root",
]
