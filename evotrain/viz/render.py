"""Rollout videos: one deterministic episode of a model, drawn frame by frame.

Brax envs are drawn offline by MuJoCo's renderer (headless OpenGL: see
:mod:`evotrain.runtime.gl`), through the model's own tracking camera when it has one (hopper,
halfcheetah, swimmer, ... follow the torso) and MuJoCo's free camera otherwise.
Gymnasium envs are drawn by their own ``rgb_array`` rendering, and gymnax's classic-control
envs by their Gymnasium twins' ``rgb_array`` rendering with the gymnax state copied in.

The episode is the one ``evaluate_policy(model, env, n_eval_episodes=1, seed=seed)`` runs,
stepped from Python as ``evaluate_policy`` steps envs without a jitted rollout. The jitted
evaluation rounds floats slightly differently in its fused loop; in long contact-rich Brax
episodes (halfcheetah) that difference grows, so the caption's return is then close to,
not equal to, the jitted evaluation's.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from evotrain.envs.base import Env, JaxEnv
from evotrain.viz.painters import MAX_FPS, ClassicControlPainter, MujocoPainter, quiet_sdl
from evotrain.viz.video import Frame, add_caption, resize, save_video, video_target


@dataclasses.dataclass(frozen=True)
class Rollout:
    """A recorded episode.

    Attributes:
        frames: the drawn frames, each ``(height, width, 3)`` uint8: the state after the
            reset, after every ``every``-th step, and after the last step.
        fps: the playback rate, the env's own rate divided by ``every``.
        every: steps between two frames.
        episode_return: the undiscounted return of the episode.
        length: steps taken (up to the first ``done`` or ``max_steps``).
    """

    frames: list[Frame]
    fps: float
    every: int
    episode_return: float
    length: int


def fps_stride(native_fps: float, max_fps: float) -> int:
    """The fewest steps between drawn frames that keep ``native_fps`` at or below ``max_fps``."""
    return max(1, math.ceil(native_fps / max_fps - 1e-9))


def expected_frames(length: int, every: int) -> int:
    """Frames a rollout of ``length`` steps holds: steps ``0, every, 2 every, ...`` and the last."""
    return length // every + 1 + (1 if length % every else 0)


# ----------------------------------------------------------------- episodes
Step = tuple[Callable[[], Frame], float, bool]
"""``(paint, reward, done)`` for the state after a reset (reward 0) or a step."""


def _jax_steps(model: Any, env: JaxEnv, painter: Any, seed: int) -> Iterator[Step]:
    import jax

    from evotrain.evaluation.evaluate_policy import stepped_episodes
    from evotrain.evaluation.rollout import episode_keys

    def first(tree: Any) -> Any:  # the only episode of the batch, sliced when drawn
        return jax.tree_util.tree_map(lambda x: x[0], tree)

    keys = episode_keys(jax.random.key(seed), 1)
    for states in stepped_episodes(model, env, keys, deterministic=True):
        yield (
            lambda inner=states.inner: painter.paint(first(inner)),
            float(np.asarray(states.reward)[0]),
            bool(np.asarray(states.done)[0]),
        )


def _gymnasium_steps(model: Any, env: Any, gym_env: Any, seed: int) -> Iterator[Step]:
    obs, _ = gym_env.reset(seed=seed)
    yield gym_env.render, 0.0, False
    memory, start = None, True
    for _ in range(env.spec.max_steps):
        action, memory = model.predict(
            env.flatten_obs(np.asarray(obs)[None])[0], memory, start, deterministic=True
        )
        start = False
        obs, reward, terminated, truncated, _ = gym_env.step(np.asarray(action))
        yield gym_env.render, float(reward), bool(terminated or truncated)


def _open_gymnasium(env: Any) -> Any:
    quiet_sdl()
    import gymnasium

    gym_env = gymnasium.make(env.raw.spec.id, render_mode="rgb_array", **env.make_kwargs)
    if "rgb_array" not in gym_env.metadata.get("render_modes", ()):
        gym_env.close()
        raise ValueError(f"{env.spec.env_id} has no rgb_array rendering, so it cannot be drawn.")
    return gym_env


Source = tuple[Iterator[Step], float, Callable[[], None]]
"""An episode's steps, its native frame rate and a closer."""


def _brax_source(
    model: Any, env: Any, seed: int, width: int | None, height: int | None, camera: Any
) -> Source:
    w, h = width or 320, height or 240
    if (width is None) != (height is None):  # one given: keep 4:3
        w, h = (width, round(width * 3 / 4)) if width else (round(height * 4 / 3), height)
    painter = MujocoPainter(env, w, h, camera)
    return _jax_steps(model, env, painter, seed), painter.native_fps, painter.close


def _classic_control_source(model: Any, env: Any, seed: int, *_: Any) -> Source:
    painter = ClassicControlPainter(env)
    return _jax_steps(model, env, painter, seed), painter.native_fps, painter.close


def _gymnasium_source(model: Any, env: Any, seed: int, *_: Any) -> Source:
    gym_env = _open_gymnasium(env)
    native_fps = float(gym_env.metadata.get("render_fps") or MAX_FPS)
    return _gymnasium_steps(model, env, gym_env, seed), native_fps, gym_env.close


SOURCES: dict[str, Callable[..., Source]] = {
    "evotrain.envs.brax.BraxEnv": _brax_source,
    "evotrain.envs.gymnax.GymnaxEnv": _classic_control_source,
    "evotrain.envs.base.HostEnv": _gymnasium_source,
}
"""How each env adapter class (by its qualified name, so that no family is imported to
look it up; subclasses included) is drawn. Only Brax's painter takes a camera."""


def _episode_source(
    model: Any,
    env: Env,
    seed: int,
    width: int | None,
    height: int | None,
    camera: str | int | None,
) -> Source:
    """The episode's steps for ``env``, its native frame rate and a closer."""
    names = (f"{cls.__module__}.{cls.__qualname__}" for cls in type(env).__mro__)
    source = next((SOURCES[n] for n in names if n in SOURCES), None)
    if source is None:
        raise ValueError(
            f"{env.spec.env_id} ({env.spec.family}) has nothing to draw: rollout videos "
            "cover Brax, gymnax classic-control and Gymnasium envs."
        )
    if camera is not None and source is not _brax_source:
        raise ValueError("camera applies to Brax envs only.")
    return source(model, env, seed, width, height, camera)


def record_rollout(
    model: Any,
    *,
    seed: int = 0,
    max_steps: int | None = None,
    width: int | None = None,
    height: int | None = None,
    camera: str | int | None = None,
    every: int | None = None,
    max_fps: float = MAX_FPS,
    max_frames: int | None = None,
    caption: bool = True,
) -> Rollout:
    """Runs one deterministic episode of ``model`` in its env and draws it.

    Args:
        model: a trained evotrain model (its env decides how frames are drawn).
        seed: the episode seed, as ``evaluate_policy``'s ``seed``.
        max_steps: stop after this many steps (at most, and by default, the env's horizon).
        width: frame width in pixels (Brax: 320; other envs: their own size). Given
            alone, the height follows the aspect ratio (and the other way round).
        height: frame height in pixels (Brax: 240; other envs: their own size).
        camera: Brax only: a camera name or index of the MuJoCo model, -1 for MuJoCo's
            free camera (default: the model's first camera, which follows the body, else a
            side view for the pendulums and the reacher, else -1).
        every: draw every this many steps (default: the fewest that keep the video at or
            below ``max_fps``).
        max_fps: the frame-rate cap that sets the default ``every``.
        max_frames: with ``every`` unset, also draw few enough steps that a whole episode
            of ``max_steps`` has at most about this many frames.
        caption: write the step and the return so far in the top-left corner.

    Returns:
        The :class:`Rollout`.

    Raises:
        ValueError: for envs with no renderer, unknown cameras or bad sizes.
        RuntimeError: when MuJoCo cannot open an offline OpenGL context.
    """
    env: Env = model.get_env()
    if max_steps is not None and int(max_steps) < 1:
        raise ValueError(f"max_steps must be at least 1, got {max_steps}.")
    limit = env.spec.max_steps if max_steps is None else min(int(max_steps), env.spec.max_steps)
    counts = (("width", width), ("height", height), ("every", every), ("max_frames", max_frames))
    for name, value in counts:
        if value is not None and int(value) < 1:
            raise ValueError(f"{name} must be a positive integer, got {value}.")
    if not max_fps > 0:
        raise ValueError(f"max_fps must be positive, got {max_fps}.")
    steps, native_fps, closer = _episode_source(model, env, seed, width, height, camera)
    stride = int(every) if every is not None else fps_stride(native_fps, max_fps)
    if every is None and max_frames is not None:
        stride = max(stride, math.ceil(limit / int(max_frames)))
    frames: list[Frame] = []
    total, length = 0.0, 0
    try:
        for t, (paint, reward, done) in enumerate(steps):
            total += reward
            length = t
            last = done or t >= limit
            if t % stride == 0 or last:
                frame = resize(paint(), width, height)
                frames.append(add_caption(frame, t, total) if caption else frame)
            if last:
                break
    finally:
        closer()
    return Rollout(frames, native_fps / stride, stride, total, length)


def render_rollout(
    model: Any,
    path: str | os.PathLike,
    *,
    fps: float | None = None,
    overwrite: bool = False,
    **kwargs: Any,
) -> Rollout:
    """Records one deterministic episode (:func:`record_rollout`) and writes it to ``path``.

    Args:
        model: a trained evotrain model.
        path: a ``.gif`` or ``.mp4`` file.
        fps: playback rate (default: the env's own rate divided by ``every``).
        overwrite: replace an existing file.
        **kwargs: passed to :func:`record_rollout` (``seed``, ``max_steps``, ``width``,
            ``height``, ``camera``, ``every``, ``max_fps``, ``caption``).

    Returns:
        The recorded :class:`Rollout`.
    """
    path = video_target(path, overwrite)  # checked before the (long) rollout
    rollout = record_rollout(model, **kwargs)
    save_video(rollout.frames, path, fps or rollout.fps, overwrite=overwrite)
    return rollout
