"""Facts about this machine that decide whether compiled code and recorded returns carry
over: the CPU model, and JAX's persistent compilation cache kept per CPU model."""

from __future__ import annotations

import os
import re
from pathlib import Path

CACHE_ENV = "JAX_COMPILATION_CACHE_DIR"


def host_cpu() -> str:
    """This machine's CPU model, as XLA's CPU compiler sees it when it tunes code.

    Returns:
        ``"<vendor> family <f> model <m> stepping <s>"`` from ``/proc/cpuinfo`` (Linux
        x86), ``"<implementer> part <p> variant <v>"`` (Linux ARM), else
        ``platform.processor()`` or ``platform.machine()``.
    """
    import platform

    info: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break  # the first processor's block is enough
                key, _, value = line.partition(":")
                info[key.strip()] = value.strip()
    except OSError:
        pass
    if "cpu family" in info and "model" in info:
        return (
            f"{info.get('vendor_id', '?')} family {info['cpu family']} model {info['model']} "
            f"stepping {info.get('stepping', '?')}"
        )
    if "CPU implementer" in info and "CPU part" in info:
        return (
            f"{info['CPU implementer']} part {info['CPU part']} "
            f"variant {info.get('CPU variant', '?')}"
        )
    return platform.processor() or platform.machine()


def cpu_slug(cpu: str | None = None) -> str:
    """``cpu`` (default :func:`host_cpu`) as a folder name: runs of anything but ASCII
    letters and digits become one ``-``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", host_cpu() if cpu is None else cpu).strip("-")


def host_cache_dir(root: str | os.PathLike[str]) -> Path:
    """This CPU model's folder of a compilation cache rooted at ``root``.

    JAX's cache key leaves the CPU model out, and code XLA compiled for another model (a
    checkout or home folder moved between machines) may run there slowly, or stop with an
    illegal instruction. One subfolder per model keeps the entries apart. A ``root`` that
    already ends in this model's folder is returned as it is, so passing the result on (to
    a child process, say) does not nest it.
    """
    root = Path(root).expanduser().absolute()
    slug = cpu_slug()
    return root if root.name == slug else root / slug


def use_compilation_cache(
    root: str | os.PathLike[str] | None = None, min_compile_time_s: float | None = None
) -> Path | None:
    """Turns on JAX's persistent compilation cache in this CPU model's folder.

    Args:
        root: the cache's root (default: ``$JAX_COMPILATION_CACHE_DIR``); entries go to
            :func:`host_cache_dir` of it.
        min_compile_time_s: cache only programs that took at least this long to compile
            (default: JAX's own setting).

    Returns:
        The folder in use, or None (nothing changed) when neither ``root`` nor the
        environment variable names one.
    """
    root = root if root is not None else os.environ.get(CACHE_ENV)
    if not root:
        return None
    import jax

    folder = host_cache_dir(root)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    if min_compile_time_s is not None:
        jax.config.update("jax_persistent_cache_min_compile_time_secs", min_compile_time_s)
    return folder


__all__ = ["CACHE_ENV", "cpu_slug", "host_cache_dir", "host_cpu", "use_compilation_cache"]
