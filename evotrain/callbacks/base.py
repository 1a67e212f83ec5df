"""SB3-style callbacks, called at generation boundaries.

A generation is evolved inside one jitted step, so callbacks cannot run per env step as
SB3's ``on_step`` does; they run between generations on host values
(:class:`~evotrain.training.info.GenerationInfo`). The lifecycle of ``learn(generations)``::

    init_callback(model)                  # once, before the first generation
    on_training_start(locals_, globals_, total_generations=generations)
    for each generation:
        on_generation_start()
        ... the jitted generation ...
        on_generation_end(info) -> bool   # False stops training
    on_training_end()                     # also when training stops early or fails

Subclasses override the underscored hooks. ``_on_generation_end`` calls ``_on_step`` by
default, so a callback written for SB3's ``_on_step`` runs once per generation.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import numpy as np

from evotrain.training.info import GenerationInfo
from evotrain.types import positive_int


class Model(Protocol):
    """What callbacks use of the model they are bound to (any evotrain algorithm)."""

    num_generations: int
    num_timesteps: int

    @property
    def logger(self) -> Any:
        """The model's :class:`~evotrain.logging.Logger`."""
        ...

    def get_env(self) -> Any:
        """The model's env adapter."""
        ...

    def save(self, path: Any, overwrite: bool = False) -> str:
        """Saves the model to a folder."""
        ...


class BaseCallback:
    """Base class of all callbacks.

    Args:
        verbose: 0 silent, 1 messages when the callback acts.

    Attributes:
        model: the model being trained (set by :meth:`init_callback`).
        n_calls: generations this callback has seen end.
        num_generations: the model's ``num_generations`` at the last generation end.
        num_timesteps: the model's ``num_timesteps`` at the last generation end.
        info: the last :class:`GenerationInfo` (None before the first generation ends).
        total_generations: the generations the current ``learn`` call runs (None before
            training starts, or when the caller did not say).
        locals, globals: ``learn``'s locals and globals at training start.
        parent: the callback that triggers this one (EvalCallback, EveryNGenerations), if any.
    """

    def __init__(self, verbose: int = 0) -> None:
        self.verbose = int(verbose)
        self.model: Model = None  # type: ignore[assignment]  # bound by init_callback
        self.n_calls = 0
        self.num_generations = 0
        self.num_timesteps = 0
        self.info: GenerationInfo | None = None
        self.total_generations: int | None = None
        self.locals: dict[str, Any] = {}
        self.globals: dict[str, Any] = {}
        self.parent: BaseCallback | None = None

    # --------------------------------------------------------------- properties
    @property
    def training_env(self) -> Any:
        """The model's env adapter."""
        return self.model.get_env()

    @property
    def logger(self) -> Any:
        """The model's logger."""
        return self.model.logger

    # --------------------------------------------------------------- lifecycle
    def init_callback(self, model: Model) -> None:
        """Binds the callback to ``model``; called once before training starts."""
        self.model = model
        self._init_callback()

    def on_training_start(
        self,
        locals_: dict[str, Any] | None = None,
        globals_: dict[str, Any] | None = None,
        *,
        total_generations: int | None = None,
    ) -> None:
        """Called once when ``learn`` starts.

        Args:
            locals_, globals_: ``learn``'s locals and globals (SB3's convention).
            total_generations: the generations this ``learn`` call runs.
        """
        self.locals = dict(locals_ or {})
        self.globals = dict(globals_ or {})
        self.total_generations = total_generations
        self.num_generations = self.model.num_generations
        self.num_timesteps = self.model.num_timesteps
        self._on_training_start()

    def on_generation_start(self) -> None:
        self._on_generation_start()

    def on_generation_end(self, info: GenerationInfo) -> bool:
        """Records ``info`` and runs the hook; returns False to stop training."""
        self.n_calls += 1
        self.info = info
        self.num_generations = self.model.num_generations
        self.num_timesteps = self.model.num_timesteps
        return _continues(self._on_generation_end(), self)

    def on_training_end(self) -> None:
        self._on_training_end()

    def generations_until_read(self) -> int | None:
        """In how many generations this callback next reads or changes the model itself,
        beyond the :class:`GenerationInfo` it is handed; ``learn`` runs no dispatch past
        that generation (several generations may run per dispatch of the compiled
        program, and their infos are handed over after it).

        Returns:
            1 (the default): every generation, as any callback may, and as one that may
            stop training at any generation must; ``k``: the ``k``-th generation from now
            (an evaluation or a checkpoint); None: never (it reads only the infos).
        """
        return 1

    # --------------------------------------------------------------- hooks
    def _init_callback(self) -> None:
        pass

    def _on_training_start(self) -> None:
        pass

    def _on_generation_start(self) -> None:
        pass

    def _on_generation_end(self) -> bool:
        return self._on_step()

    def _on_step(self) -> bool:
        """SB3's per-step hook, run once per generation here. Return False to stop."""
        return True

    def _on_training_end(self) -> None:
        pass


def _continues(result: Any, callback: Any) -> bool:
    """A hook's result as a continue flag (None means continue; anything else must be bool)."""
    if result is None:
        return True
    if isinstance(result, (bool, np.bool_)):
        return bool(result)
    raise TypeError(
        f"{type(callback).__name__} returned {result!r} from a generation hook; return True "
        "to continue training or False to stop it."
    )


def _soonest(values: Iterable[int | None]) -> int | None:
    """The smallest of ``values`` that are not None (None if all are)."""
    known = [v for v in values if v is not None]
    return min(known) if known else None


class CallbackList(BaseCallback):
    """Runs several callbacks in order; training stops if any of them says so.

    Every callback sees every generation end, even after an earlier one asked to stop.
    """

    def __init__(self, callbacks: Iterable[BaseCallback]) -> None:
        super().__init__()
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, BaseCallback):
                raise TypeError(
                    f"CallbackList takes BaseCallback instances; got {type(cb).__name__}. "
                    "Wrap plain functions with ConvertCallback."
                )

    def _init_callback(self) -> None:
        for cb in self.callbacks:
            cb.init_callback(self.model)

    def on_training_start(
        self,
        locals_: dict[str, Any] | None = None,
        globals_: dict[str, Any] | None = None,
        *,
        total_generations: int | None = None,
    ) -> None:
        super().on_training_start(locals_, globals_, total_generations=total_generations)
        for cb in self.callbacks:
            cb.on_training_start(locals_, globals_, total_generations=total_generations)

    def _on_generation_start(self) -> None:
        for cb in self.callbacks:
            cb.on_generation_start()

    def _on_generation_end(self) -> bool:
        go = True
        for cb in self.callbacks:
            go = cb.on_generation_end(self.info) and go
        return go

    def _on_training_end(self) -> None:
        for cb in self.callbacks:
            cb.on_training_end()

    def generations_until_read(self) -> int | None:
        """The soonest of the callbacks' (None when none reads the model)."""
        return _soonest(cb.generations_until_read() for cb in self.callbacks)


class ConvertCallback(BaseCallback):
    """A plain function as a callback, called at every generation end.

    The function takes ``learn``'s locals (a dict with ``self``, the model, ``generation``
    and ``info``, the :class:`GenerationInfo`) and optionally the globals, as SB3's does:
    ``f(locals_) -> bool`` or ``f(locals_, globals_) -> bool``. Returning False stops
    training; returning None continues.
    """

    def __init__(self, callback: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__(verbose)
        if not callable(callback):
            raise TypeError(f"ConvertCallback needs a callable; got {type(callback).__name__}.")
        self.callback = callback
        self._two_args = _takes_two_args(callback)

    def _on_generation_end(self) -> bool:
        locals_ = dict(
            self.locals, self=self.model, generation=self.num_generations, info=self.info
        )
        if self._two_args:
            return self.callback(locals_, self.globals)
        return self.callback(locals_)


def _takes_two_args(fn: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


class EventCallback(BaseCallback):
    """A callback that triggers a child callback when its event happens.

    Args:
        callback: the child, run on each event; its return value decides whether
            training continues.
    """

    def __init__(self, callback: BaseCallback | None = None, verbose: int = 0) -> None:
        super().__init__(verbose)
        self.callback = callback
        if callback is not None:
            callback.parent = self

    def _init_callback(self) -> None:
        if self.callback is not None:
            self.callback.init_callback(self.model)

    def _on_training_start(self) -> None:
        if self.callback is not None:
            self.callback.on_training_start(
                self.locals, self.globals, total_generations=self.total_generations
            )

    def _on_event(self) -> bool:
        if self.callback is not None:
            return self.callback.on_generation_end(self.info)
        return True

    def _on_training_end(self) -> None:
        if self.callback is not None:
            self.callback.on_training_end()


class EveryNGenerations(EventCallback):
    """Triggers ``callback`` every ``n_generations`` generations (counted on the model)."""

    def __init__(self, n_generations: int, callback: BaseCallback) -> None:
        super().__init__(callback)
        self.n_generations = positive_int("n_generations", n_generations)
        self.last_trigger = 0

    def _on_training_start(self) -> None:
        self.last_trigger = self.model.num_generations
        super()._on_training_start()

    def _on_generation_end(self) -> bool:
        if self.num_generations - self.last_trigger >= self.n_generations:
            self.last_trigger = self.num_generations
            return self._on_event()
        return True

    def generations_until_read(self) -> int | None:
        """The generation that triggers the child (its reads happen only then)."""
        if self.callback is not None and self.callback.generations_until_read() is None:
            return None
        return max(1, self.last_trigger + self.n_generations - self.model.num_generations)


__all__ = [
    "BaseCallback",
    "CallbackList",
    "ConvertCallback",
    "EventCallback",
    "EveryNGenerations",
    "Model",
]
