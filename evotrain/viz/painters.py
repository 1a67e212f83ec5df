"""What draws one frame of an env: MuJoCo's offscreen renderer for Brax, the Gymnasium
twins' ``rgb_array`` rendering for gymnax's classic-control envs (see :mod:`evotrain.viz.render`)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from evotrain.viz.video import Frame

MAX_FPS = 30.0
"""The highest frame rate a rollout video is drawn at (frames are skipped above it)."""

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


class MujocoPainter:
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
            raise RuntimeError(gl_help(err)) from err
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


def gl_help(err: Exception) -> str:
    backend = os.environ.get("MUJOCO_GL") or "(unset: GLFW, which needs a display)"
    return (
        f"MuJoCo could not open an OpenGL context for offline rendering (MUJOCO_GL={backend}): "
        f"{err}. On a machine without a display install Mesa's EGL (Debian: libegl-mesa0) or "
        "OSMesa (Debian: libosmesa6; `make install` does this), and set MUJOCO_GL=egl or "
        "MUJOCO_GL=osmesa before Brax or MuJoCo is imported (`import evotrain` first does it)."
    )


def quiet_sdl() -> None:
    """Gymnasium's classic-control drawing uses pygame; give SDL no screen and no sound."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


class ClassicControlPainter:
    """Draws gymnax classic-control states with the Gymnasium twin's ``rgb_array`` mode."""

    def __init__(self, env: Any) -> None:
        name = env.spec.env_id.split(":", 1)[1]
        if name not in _CLASSIC_STATE:
            raise ValueError(
                f"No renderer for {env.spec.env_id}: gymnax envs are drawn through their "
                f"Gymnasium twins, which exist for {', '.join(sorted(_CLASSIC_STATE))}. "
                "Brax envs and Gymnasium envs with an rgb_array mode can be rendered."
            )
        quiet_sdl()
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
