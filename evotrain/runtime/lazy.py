"""Packages whose public names are imported when first used (PEP 562), so that importing
one of their light modules does not load JAX through the package's ``__init__``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(
    package: str, exports: dict[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` of a package with lazy names.

    Args:
        package: the package's name (for error messages).
        exports: public name -> the module that defines it.
        namespace: the package's ``globals()``.

    Returns:
        ``(__getattr__, __dir__)``: assign them in the package's ``__init__``.
    """

    def getattr_(name: str) -> Any:
        if name in exports:
            return getattr(importlib.import_module(exports[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def dir_() -> list[str]:
        return sorted([*namespace, *exports])

    return getattr_, dir_


__all__ = ["lazy_exports"]
