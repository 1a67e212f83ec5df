"""Headless OpenGL for MuJoCo's offline renderer (Brax rollout videos).

MuJoCo picks its OpenGL backend from ``MUJOCO_GL`` once, when ``mujoco`` is first imported
(Brax imports it). On a Linux machine without a display the default (GLFW) cannot open a
context, so ``import evotrain`` sets ``MUJOCO_GL`` beforehand when the user has not:
``egl`` when an EGL vendor library is installed (Mesa's ``libegl-mesa0`` renders on the
CPU, NVIDIA's on the GPU), else ``osmesa`` when Debian's ``libosmesa6`` is. ``make
install`` installs ``libosmesa6`` on a Debian machine that has neither.
"""

from __future__ import annotations

import ctypes.util
import os
import platform
import sys

EGL_VENDORS = ("EGL_mesa", "EGL_nvidia")


def headless_backend() -> str | None:
    """``"egl"`` or ``"osmesa"``: the offline backend this machine's libraries support."""
    if ctypes.util.find_library("EGL") and any(ctypes.util.find_library(v) for v in EGL_VENDORS):
        return "egl"
    if ctypes.util.find_library("OSMesa"):
        return "osmesa"
    return None


def configure_mujoco_gl() -> str | None:
    """Sets ``MUJOCO_GL`` for a headless Linux machine, before MuJoCo is imported.

    Leaves the variable alone when the user set it, on a machine with a display, on other
    systems, and once ``mujoco`` is already imported (it would have no effect).

    Returns:
        The value of ``MUJOCO_GL`` afterwards (None if unset).
    """
    if (
        "MUJOCO_GL" not in os.environ
        and platform.system() == "Linux"
        and not os.environ.get("DISPLAY")
        and "mujoco" not in sys.modules
    ):
        backend = headless_backend()
        if backend is not None:
            os.environ["MUJOCO_GL"] = backend
    return os.environ.get("MUJOCO_GL")
