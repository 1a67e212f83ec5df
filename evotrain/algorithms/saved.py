"""The persistence half of the SB3-style shell: ``save`` and ``load`` (Orbax + JSON)."""

from __future__ import annotations

import contextvars
import os
from typing import Any, Self

ABSTRACT_STATE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "evotrain_abstract_state", default=False
)
"""While True, constructors give the model only the shapes and dtypes of its initial
:class:`TrainState` (``jax.ShapeDtypeStruct`` leaves), allocating none of it: a load
compares them with the saved arrays before restoring any (see ``persistence.checkpoint``)."""


class SavedModel:
    """Gives a model ``save``, ``load`` and ``upgrade_saved_kwargs``; the work is
    :mod:`evotrain.persistence.checkpoint`'s."""

    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> str:
        """Saves the model to the folder ``path``: an Orbax checkpoint of the training state
        plus JSON (constructor arguments, env sizes, counters, history, versions). No
        pickle. Returns the absolute path.

        Raises:
            FileExistsError: a saved model is at ``path`` (pass ``overwrite=True``), or
                something that is not a saved model (never replaced).
        """
        from evotrain.persistence.checkpoint import save_model

        return save_model(self, path, overwrite=overwrite)

    @classmethod
    def upgrade_saved_kwargs(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The keywords a save recorded, as this version must be given them to rebuild the
        model the save holds (defaults that have changed since filled in, as the settings'
        fields declare: :meth:`evotrain.algorithms.settings.Settings.upgrade`)."""
        return cls.settings_type.upgrade(kwargs)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, path: str | os.PathLike[str], env: Any = None, **overrides: Any) -> Self:
        """Rebuilds a model saved with :meth:`save`, ready to ``predict`` or continue with
        ``learn(..., reset_num_generations=False)`` exactly where it stopped.

        Args:
            path: the saved model's folder.
            env: the env to use (default: the saved env id; required when the model was
                trained on an env object).
            **overrides: constructor arguments to change (``verbose``, ``tensorboard_log``,
                ...), or ones that could not be stored (a custom optax ``optimizer``).

        Raises:
            FileNotFoundError: nothing at ``path``.
            evotrain.persistence.checkpoint.CheckpointError: not a saved model, corrupted or incomplete,
                saved by another algorithm or a newer evotrain, or an env of other sizes.
        """
        from evotrain.persistence.checkpoint import load_model

        return load_model(cls, path, env=env, **overrides)


__all__ = ["ABSTRACT_STATE", "SavedModel"]
