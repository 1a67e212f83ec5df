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
from pathlib import Path
from typing import Any

import numpy as np

from evotrain.envs.base import Env, HostEnv, JaxEnv

Frame = np.ndarray
"""An image, ``(height, width, 3)`` uint8."""

MAX_FPS = 30.0
VIDEO_SUFFIXES = (".gif", ".mp4")

# gymnax classic-control envs drawn by their Gymnasium twin: the twin's state vector from the
# gymnax state, and the twin's attributes that change the drawing, from the gymnax params.
_CLASSIC_STATE: dict[str, tuple[str, ...]] = {
    "CartPole-v1": ("x", "x_dot", "theta", "theta_dot"),
    "Acrobot-v1": ("joint_angle1", "joint_angle2", "velocity_1", "velocity_2"),
    "Pendulum-v1": ("theta", "theta_dot"),
    "MountainCar-v0": ("position", "velocity"),
    "MountainCarContinuous-v0": ("position", "velocity"),
}
_CLASSIC_PARAMS: dict[str, dict[str, str]] = {
    "CartPole-v1": {"x_threshold": "x_threshold", "length": "length"},
    "Acrobot-v1": {"LINK_LENGTH_1": "link_length_1", "LINK_LENGTH_2": "link_length_2"},
    "Pendulum-v1": {},
    "MountainCar-v0": {
        "min_position": "min_position",
        "max_position": "max_position",
        "goal_position": "goal_position",
    },
    "MountainCarContinuous-v0": {
        "min_position": "min_position",
        "max_position": "max_position",
        "goal_position": "goal_position",
    },
}


# Side views for the Brax envs whose model has no camera of its own (MuJoCo's default free
# view is fitted to the whole model, rails and arenas included): lookat, distance, elevation.
_BRAX_VIEWS: dict[str, tuple[tuple[float, float, float], float, float]] = {
    "inverted_pendulum": ((0.0, 0.0, 0.3), 2.0, -10.0),
    "inverted_double_pendulum": ((0.0, 0.0, 0.6), 3.0, -10.0),
    "reacher": ((0.0, 0.0, 0.0), 0.8, -60.0),
}


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


# ----------------------------------------------------------------- painters
class _MujocoPainter:
    """Draws Brax pipeline states with MuJoCo's offscreen renderer."""

    def __init__(self, env: Any, width: int, height: int, camera: str | int | None) -> None:
        import mujoco

        self._mujoco = mujoco
        model = env.raw.sys.mj_model
        visual = model.vis.global_
        visual.offwidth, visual.offheight = (
            max(visual.offwidth, width),
            max(visual.offheight, height),
        )
        self._model = model
        self._data = mujoco.MjData(model)
        try:
            self._renderer = mujoco.Renderer(model, height=height, width=width)
        except Exception as err:  # the OpenGL backend could not start
            raise RuntimeError(_gl_help(err)) from err
        self._camera = _mujoco_camera(model, camera, env.spec.env_id.split(":", 1)[-1])
        self.native_fps = 1.0 / float(env.raw.dt)

    def paint(self, inner: Any) -> Frame:
        pipeline = inner.pipeline_state
        self._data.qpos[:] = np.asarray(pipeline.q)
        self._data.qvel[:] = np.asarray(pipeline.qd)
        self._mujoco.mj_forward(self._model, self._data)
        self._renderer.update_scene(self._data, camera=self._camera)
        return np.array(self._renderer.render(), dtype=np.uint8)

    def close(self) -> None:
        self._renderer.close()


def _mujoco_camera(model: Any, camera: str | int | None, env_name: str = "") -> Any:
    """The camera to draw from.

    By default the model's first camera (Brax's locomotion models have one that follows
    the torso), else a side view of ``_BRAX_VIEWS``, else MuJoCo's free camera (-1).
    """
    import mujoco

    names = [model.camera(i).name for i in range(model.ncam)]
    if camera is None:
        if names:
            return 0
        if env_name not in _BRAX_VIEWS:
            return -1
        lookat, distance, elevation = _BRAX_VIEWS[env_name]
        view = mujoco.MjvCamera()
        mujoco.mjv_defaultFreeCamera(model, view)
        view.lookat[:] = lookat
        view.distance, view.elevation, view.azimuth = distance, elevation, 90.0
        return view
    if isinstance(camera, str) and not camera.lstrip("-").isdigit():
        if camera not in names:
            raise ValueError(
                f"Unknown camera {camera!r}; this model has {names or 'no named cameras'} "
                "(or pass -1 for the free camera)."
            )
        return camera
    index = int(camera)
    if not -1 <= index < len(names):
        raise ValueError(
            f"Camera index {index} is out of range: this model has {len(names)} camera(s); "
            "-1 is the free camera."
        )
    return index


def _gl_help(err: Exception) -> str:
    backend = os.environ.get("MUJOCO_GL") or "(unset: GLFW, which needs a display)"
    return (
        f"MuJoCo could not open an OpenGL context for offline rendering (MUJOCO_GL={backend}): "
        f"{err}. On a machine without a display install Mesa's EGL (Debian: libegl-mesa0) or "
        "OSMesa (Debian: libosmesa6; `make install` does this), and set MUJOCO_GL=egl or "
        "MUJOCO_GL=osmesa before Brax or MuJoCo is imported (`import evotrain` first does it)."
    )


def _quiet_sdl() -> None:
    """Gymnasium's classic-control drawing uses pygame; give SDL no screen and no sound."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


class _ClassicControlPainter:
    """Draws gymnax classic-control states with the Gymnasium twin's ``rgb_array`` mode."""

    def __init__(self, env: Any) -> None:
        name = env.spec.env_id.split(":", 1)[1]
        if name not in _CLASSIC_STATE:
            raise ValueError(
                f"No renderer for {env.spec.env_id}: gymnax envs are drawn through their "
                f"Gymnasium twins, which exist for {', '.join(sorted(_CLASSIC_STATE))}. "
                "Brax envs and Gymnasium envs with an rgb_array mode can be rendered."
            )
        _quiet_sdl()
        import gymnasium

        self._name = name
        self._gym = gymnasium.make(name, render_mode="rgb_array")
        self._gym.reset(seed=0)
        self._twin = self._gym.unwrapped
        for attr, field in _CLASSIC_PARAMS[name].items():
            setattr(self._twin, attr, float(np.asarray(getattr(env.env_params, field))))
        self.native_fps = float(self._gym.metadata.get("render_fps", MAX_FPS))

    def paint(self, inner: Any) -> Frame:
        self._twin.state = np.array(
            [float(np.asarray(getattr(inner, f))) for f in _CLASSIC_STATE[self._name]]
        )
        if self._name == "Pendulum-v1":
            self._twin.last_u = float(np.asarray(inner.last_u))
        return np.array(self._gym.render(), dtype=np.uint8)

    def close(self) -> None:
        self._gym.close()


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
    _quiet_sdl()
    import gymnasium

    gym_env = gymnasium.make(env.raw.spec.id, render_mode="rgb_array", **env.make_kwargs)
    if "rgb_array" not in gym_env.metadata.get("render_modes", ()):
        gym_env.close()
        raise ValueError(f"{env.spec.env_id} has no rgb_array rendering, so it cannot be drawn.")
    return gym_env


def _episode_source(
    model: Any,
    env: Env,
    seed: int,
    width: int | None,
    height: int | None,
    camera: str | int | None,
) -> tuple[Iterator[Step], float, Callable[[], None]]:
    """The episode's steps for ``env``'s family, its native frame rate and a closer."""
    family = env.spec.family
    if family != "brax" and camera is not None:
        raise ValueError("camera applies to Brax envs only.")
    if family == "brax":
        w, h = width or 320, height or 240
        if (width is None) != (height is None):  # one given: keep 4:3
            w, h = (width, round(width * 3 / 4)) if width else (round(height * 4 / 3), height)
        brax_painter = _MujocoPainter(env, w, h, camera)
        return (
            _jax_steps(model, env, brax_painter, seed),
            brax_painter.native_fps,
            brax_painter.close,
        )
    if family == "gymnax":
        painter = _ClassicControlPainter(env)
        return _jax_steps(model, env, painter, seed), painter.native_fps, painter.close
    if isinstance(env, HostEnv):
        gym_env = _open_gymnasium(env)
        native_fps = float(gym_env.metadata.get("render_fps") or MAX_FPS)
        return _gymnasium_steps(model, env, gym_env, seed), native_fps, gym_env.close
    raise ValueError(
        f"{env.spec.env_id} ({family}) has nothing to draw: rollout videos cover Brax, "
        "gymnax classic-control and Gymnasium envs."
    )


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
                frame = _resize(paint(), width, height)
                frames.append(_caption(frame, t, total) if caption else frame)
            if last:
                break
    finally:
        closer()
    return Rollout(frames, native_fps / stride, stride, total, length)


def _resize(frame: Frame, width: int | None, height: int | None) -> Frame:
    """``frame`` at ``width`` x ``height``; a missing one keeps the aspect ratio."""
    h, w = frame.shape[:2]
    if width is None and height is None:
        return frame
    width = width or max(1, round(w * height / h))
    height = height or max(1, round(h * width / w))
    if (width, height) == (w, h):
        return frame
    from PIL import Image

    return np.asarray(Image.fromarray(frame).resize((width, height), Image.BILINEAR))


def _caption(frame: Frame, step: int, total: float) -> Frame:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.fromarray(frame)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, frame.shape[0] // 24))
    text = f"step {step}   return {total:.1f}"
    _, _, right, bottom = draw.textbbox((4, 3), text, font=font)
    draw.rectangle((0, 0, right + 4, bottom + 4), fill=(0, 0, 0))
    draw.text((4, 3), text, fill=(255, 255, 255), font=font)
    return np.asarray(image)


# ----------------------------------------------------------------- files
def _video_target(path: str | os.PathLike, overwrite: bool) -> Path:
    """``path`` as a Path, refused unless it is a ``.gif``/``.mp4`` that may be written."""
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        raise ValueError(f"Write rollouts to a .gif or .mp4 file, not {path.name!r}.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True (CLI: --force) to replace it.")
    return path


def save_video(
    frames: list[Frame], path: str | os.PathLike, fps: float, *, overwrite: bool = False
) -> Path:
    """Writes frames as an animated GIF (Pillow) or an H.264 MP4 (imageio-ffmpeg).

    Args:
        frames: ``(height, width, 3)`` uint8 images of one size.
        path: a ``.gif`` or ``.mp4`` file.
        fps: frames per second (a GIF stores whole hundredths of a second per frame).
        overwrite: replace an existing file (otherwise it is refused).

    Returns:
        The path written.

    Raises:
        ValueError: for an unknown suffix, no frames or frames of different sizes.
        FileExistsError: if ``path`` exists and ``overwrite`` is False.
    """
    path = _video_target(path, overwrite)
    if not frames:
        raise ValueError("No frames to write.")
    if len({f.shape for f in frames}) != 1:
        raise ValueError("All frames must have the same size.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".gif":
        _save_gif(frames, path, fps)
    else:
        _save_mp4(frames, path, fps)
    return path


def _save_gif(frames: list[Frame], path: Path, fps: float) -> None:
    from PIL import Image

    images = [Image.fromarray(f) for f in frames]
    duration = max(20, int(round(100.0 / fps)) * 10)
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration, loop=0)


def _save_mp4(frames: list[Frame], path: Path, fps: float) -> None:
    try:
        import imageio_ffmpeg
    except ImportError as err:
        raise ValueError(
            'MP4 needs imageio-ffmpeg: pip install "evotrain[video]" (or write a .gif).'
        ) from err
    height, width = frames[0].shape[:2]
    if width % 2 or height % 2:
        raise ValueError(f"MP4 needs an even width and height, got {width}x{height}.")
    writer = imageio_ffmpeg.write_frames(
        str(path), (width, height), fps=fps, codec="libx264", macro_block_size=1, quality=7
    )
    writer.send(None)
    for frame in frames:
        writer.send(np.ascontiguousarray(frame))
    writer.close()


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
    path = _video_target(path, overwrite)  # checked before the (long) rollout
    rollout = record_rollout(model, **kwargs)
    save_video(rollout.frames, path, fps or rollout.fps, overwrite=overwrite)
    return rollout
