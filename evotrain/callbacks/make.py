"""``learn``'s ``callback`` argument as one callback."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from evotrain.callbacks.base import BaseCallback, CallbackList, ConvertCallback
from evotrain.callbacks.progress import ProgressBarCallback

MaybeCallback = BaseCallback | Callable[..., Any] | Iterable[Any] | None


def make_callback(callback: MaybeCallback, progress_bar: bool = False) -> BaseCallback:
    """``learn``'s ``callback`` argument as one callback.

    Accepts None, a callback, a plain function, or a list of either; ``progress_bar=True``
    appends a :class:`~evotrain.callbacks.ProgressBarCallback`.
    """
    if callback is None:
        items: list[Any] = []
    elif isinstance(callback, BaseCallback) or callable(callback):
        items = [callback]
    elif isinstance(callback, Iterable) and not isinstance(callback, (str, bytes)):
        items = list(callback)
    else:
        raise TypeError(
            f"callback must be a BaseCallback, a function, a list of them or None; got "
            f"{type(callback).__name__}."
        )
    converted = [c if isinstance(c, BaseCallback) else ConvertCallback(c) for c in items]
    if progress_bar:
        converted.append(ProgressBarCallback())
    if len(converted) == 1:
        return converted[0]
    return CallbackList(converted)


__all__ = ["MaybeCallback", "make_callback"]
