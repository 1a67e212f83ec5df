"""Saving and loading models: an Orbax checkpoint of the training state plus JSON.

A saved model is a folder::

    model/
      evotrain.json     what was saved: format, algorithm, constructor arguments, env
                        sizes, counters, evotrain/jax versions, the sha256 of every other
                        file, and its own sha256
      history.json      the per-generation history (model.history)
      state/            Orbax checkpoint of the TrainState (PRNG keys as raw uint32 data)

Nothing is pickled, so loading a file cannot run code. Saving writes a sibling temporary
folder and renames it into place, so a reader never sees a half-written model. Creating a
new model is exclusive (of two processes saving to one new path, one wins and the other
gets ``FileExistsError``); an existing model is replaced only with ``overwrite=True``, only
when the new one is complete, and never when its folder holds files no save wrote.
Symbolic links, files and other folders are never replaced.

Loading first checks ``evotrain.json`` (its seal, every field's type and the sizes it
asks for) and the hash of every file, and refuses any difference with a
:class:`CheckpointError` before building the model or restoring an array (see
:mod:`evotrain.persistence.metadata`). Models saved before the hashes existed (format 1)
still load, with an :class:`UnverifiedCheckpointWarning`.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from evotrain import distributed
from evotrain.envs.spec import ActionRangeWarning
from evotrain.persistence.integrity import file_hashes
from evotrain.persistence.metadata import (
    FORMAT,
    FORMAT_VERSION,
    HISTORY_FILE,
    META_FILE,
    STATE_DIR,
    CheckpointError,
    UnverifiedCheckpointWarning,
    parse_metadata,
    sealed_metadata,
    verify_files,
)
from evotrain.persistence.publish import check_save_target, publish
from evotrain.persistence.validate import validate_settings
from evotrain.training.sharding import replicate


def _raw_keys(tree: Any) -> Any:
    return jax.tree_util.tree_map(
        lambda x: jax.random.key_data(x) if jnp.issubdtype(x.dtype, jax.dtypes.prng_key) else x,
        tree,
    )


def _typed_keys(raw: Any, like: Any) -> Any:
    def back(r: Any, template: Any) -> Any:
        if jnp.issubdtype(template.dtype, jax.dtypes.prng_key):
            # The saved data holds no impl; the model's keys use the default one (keys made
            # by jax.random.key), which a shape-only template still is.
            return jax.random.wrap_key_data(jnp.asarray(r))
        return jnp.asarray(r, template.dtype)

    return jax.tree_util.tree_map(back, raw, like)


def json_value(value: Any) -> Any:
    """``value`` as JSON data: containers recursively, arrays as (nested) lists, NumPy
    and JAX scalars as Python numbers, other objects as their text. Non-finite floats stay
    floats (Python's json writes and reads them)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic, jax.Array)):
        return np.asarray(value).tolist()
    return str(value)


def save_model(model: Any, path: str | os.PathLike[str], overwrite: bool = False) -> str:
    """Saves ``model`` to the folder ``path`` (see the module docs); returns the path.

    The model is written to a hidden sibling folder and published in one step:

    - to a new path, creation is exclusive: of several processes saving to one new path at
      once, exactly one succeeds and the others get :class:`FileExistsError`;
    - over a saved model (``overwrite=True``), its own files are replaced; a saved-model
      folder that also holds files the save did not write (yours) is refused, not emptied.

    Raises:
        FileExistsError: ``path`` holds a saved model and ``overwrite`` is False; it is
            something else (a file, a folder that is not a saved model, a symbolic link),
            which is never replaced; or another process created it first.
        NotADirectoryError: a part of ``path``'s parent is a file.
    """
    import orbax.checkpoint as ocp

    given = os.fspath(path)
    path = os.path.abspath(given)
    check_save_target(path, overwrite, given)
    stored, needed = model.settings.record()
    policy, env = model.policy_name, model.env_arg
    spec = model.env.spec
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "algorithm": type(model).__name__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "versions": {"evotrain": _evotrain_version(), "jax": jax.__version__},
        "policy": policy,
        "env": env if isinstance(env, str) else None,
        "kwargs": stored,
        "kwargs_required_at_load": needed,
        "env_spec": {
            "env_id": spec.env_id,
            "obs_size": spec.obs_size,
            "action": type(spec.action).__name__,
            "num_outputs": spec.num_outputs,
            "describe": spec.describe(),
        },
        "seed": model.seed,
        "num_generations": model.num_generations,
        "num_timesteps": model.num_timesteps,
    }
    parent = os.path.dirname(path)
    os.makedirs(parent, exist_ok=True)
    tmp = _saving_folder(path)
    main = distributed.is_main_process()
    failure: BaseException | None = None
    try:
        # Every array replicated over the model's devices (spanning every process of a
        # multi-process run), which Orbax writes once, collectively.
        state = replicate(
            {"train_state": model.train_state, "predict_key": model._predict_key}, model._mesh
        )
        checkpointer = ocp.StandardCheckpointer()
        checkpointer.save(os.path.join(tmp, STATE_DIR), _raw_keys(state))
        checkpointer.wait_until_finished()
        if main:
            with open(os.path.join(tmp, HISTORY_FILE), "w") as f:
                json.dump(json_value(model.history), f)
            files = file_hashes(tmp)  # everything written so far: state/ and history.json
            with open(os.path.join(tmp, META_FILE), "wb") as f:
                f.write(sealed_metadata(meta, files))
            try:
                publish(tmp, path, overwrite, given)
            except (FileExistsError, NotADirectoryError) as err:
                failure = err
    except BaseException:
        if main:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if failure is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    # Every process learns whether process 0 published the model, and fails with it.
    if distributed.broadcast_int(int(failure is not None)):
        raise failure or FileExistsError(
            f"Process 0 could not publish the save at {given}; its error says why."
        )
    distributed.sync(f"evotrain-saved:{path}")
    return path


def _saving_folder(path: str) -> str:
    """A new hidden sibling folder of ``path`` to save into, the same on every process."""
    parent, name = os.path.split(path)
    if not distributed.is_multi_process():
        return tempfile.mkdtemp(prefix=f".{name}.saving-", dir=parent)
    token = distributed.broadcast_int(int.from_bytes(os.urandom(4), "little") >> 1)
    tmp = os.path.join(parent, f".{name}.saving-{token:08x}")
    os.makedirs(tmp, exist_ok=True)
    return tmp


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``evotrain.json`` of a saved model, checked for format, version, field types
    and sizes, with every file of the model checked against the hashes it records.

    Raises:
        FileNotFoundError: nothing at ``path``.
        CheckpointError: not a saved model, a newer format, corrupted or invalid metadata,
            or a file changed, missing or added since the save (named in the message).
    """
    meta = parse_metadata(path)
    verify_files(path, meta)
    return meta


def load_model(cls: type, path: str | os.PathLike[str], env: Any = None, **overrides: Any) -> Any:
    """Rebuilds a model saved by :func:`save_model` (see ``BaseEvolver.load``)."""
    import orbax.checkpoint as ocp

    path = os.path.abspath(os.fspath(path))
    meta = parse_metadata(path)
    if not verify_files(path, meta):
        warnings.warn(
            f"The saved model at {path} has format version 1 and records no sha256 hashes, "
            "so damage to its files cannot be detected. Re-save it "
            "(model.save(path, overwrite=True)) to add them.",
            UnverifiedCheckpointWarning,
            stacklevel=3,
        )
    if meta["algorithm"] != cls.__name__:
        raise CheckpointError(
            f"The model at {path} was saved by {meta['algorithm']}, not {cls.__name__}; "
            f"load it with {meta['algorithm']}.load."
        )
    where = validate_settings(meta, cls.settings_type)
    if where is not None:
        raise CheckpointError(
            f"{os.path.join(path, META_FILE)} is invalid: {where}. It is corrupted or was "
            "edited by hand; the saved model is not loaded. Restore it from a copy or save "
            "the model again."
        )
    missing = [k for k in meta["kwargs_required_at_load"] if k not in overrides]
    if missing:
        raise CheckpointError(
            f"The model at {path} was created with {', '.join(missing)} that cannot be stored "
            f"without pickle; pass {', '.join(f'{k}=...' for k in missing)} to "
            f"{cls.__name__}.load."
        )
    if env is None:
        env = meta["env"]
        if env is None:
            raise CheckpointError(
                f"The model at {path} was trained on an env object "
                f"({meta['env_spec']['env_id']}); pass env=... to {cls.__name__}.load."
            )
    kwargs = {**cls.upgrade_saved_kwargs(dict(meta["kwargs"])), **overrides}
    from evotrain.algorithms.saved import ABSTRACT_STATE

    token = ABSTRACT_STATE.set(True)  # the model's arrays are only described, not made
    try:
        with warnings.catch_warnings():
            # Settings are the saved model's; the warning is for choosing them (see NEAT).
            warnings.simplefilter("ignore", ActionRangeWarning)
            model = cls(meta["policy"], env, **kwargs)
    except (TypeError, ValueError) as err:
        raise CheckpointError(
            f"{cls.__name__} refuses the settings of the model at {path} (with the overrides "
            f"given, if any): {err}"
        ) from err
    finally:
        ABSTRACT_STATE.reset(token)
    saved, spec = meta["env_spec"], model.env.spec
    if (saved["obs_size"], saved["action"], saved["num_outputs"]) != spec.interface:
        raise CheckpointError(
            f"The env {spec.describe()} does not match the saved model's env "
            f"{saved['describe']}: observation size, action kind and action size must be equal."
        )
    like = {"train_state": model.train_state, "predict_key": model._predict_key}
    expected = jax.eval_shape(_raw_keys, like)
    check_saved_arrays(path, expected, meta)
    try:
        # Restored as host arrays, whatever the devices and processes that saved them.
        target = jax.tree_util.tree_map(lambda x: np.zeros(x.shape, x.dtype), expected)
        raw = ocp.StandardCheckpointer().restore(os.path.join(path, STATE_DIR), target)
        state = _typed_keys(raw, like)
        with open(os.path.join(path, HISTORY_FILE), encoding="utf-8") as f:
            history = [_history_entry(h) for h in json.load(f)]
    except Exception as err:  # noqa: BLE001 - any failure here means a damaged save
        raise CheckpointError(
            f"The saved model at {path} is corrupted or incomplete ({type(err).__name__}: {err})."
        ) from err
    model.train_state = state["train_state"]
    model._predict_key = state["predict_key"]
    model.num_generations = int(meta["num_generations"])
    model.num_timesteps = int(meta["num_timesteps"])
    model.history = history
    return model


def _described(tree: Any) -> dict[str, tuple[tuple[int, ...], str]]:
    """``{"train_state.strategy_state.mean": (shape, dtype name), ...}`` of a tree of
    arrays, shape-dtype structs or Orbax array metadata."""
    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return {
        jax.tree_util.keystr(key, simple=True, separator="."): (
            tuple(int(n) for n in leaf.shape),
            np.dtype(leaf.dtype).name,
        )
        for key, leaf in leaves
    }


def check_saved_arrays(path: str, expected: Any, meta: dict[str, Any]) -> None:
    """Refuses a saved model whose arrays are not those its metadata implies: every array
    of ``state/`` must exist with the shape and dtype of ``expected`` (the state a model
    built from ``meta``'s settings has), and no other array may be there. Reads only the
    checkpoint's array metadata, none of the arrays.

    Raises:
        CheckpointError: naming the array, its saved shape and dtype and the expected ones.
    """
    import orbax.checkpoint as ocp

    try:
        saved_tree = ocp.StandardCheckpointer().metadata(os.path.join(path, STATE_DIR))
        saved = _described(saved_tree.item_metadata.tree)
    except Exception as err:  # noqa: BLE001 - any failure here means a damaged save
        raise CheckpointError(
            f"The saved model at {path} is corrupted or incomplete: its array metadata "
            f"cannot be read ({type(err).__name__}: {err})."
        ) from err
    want = _described(expected)
    settings = (
        f"the settings its {META_FILE} records ({meta['algorithm']}, policy {meta['policy']!r}, "
        f"env {meta['env_spec']['describe']})"
    )
    for name in sorted(want.keys() | saved.keys()):
        if want.get(name) == saved.get(name):
            continue
        if name not in saved:
            found = "is missing from the saved arrays"
        elif name not in want:
            found = f"is saved ({_shape_text(saved[name])}) but the model has no such array"
        else:
            found = (
                f"is saved as {_shape_text(saved[name])} but {settings} make it "
                f"{_shape_text(want[name])}"
            )
        raise CheckpointError(
            f"The saved model at {path} does not match its {META_FILE}: array {name} {found}. "
            f"The file was edited or belongs to other arrays; the model is not loaded."
        )


def _shape_text(described: tuple[tuple[int, ...], str]) -> str:
    shape, dtype = described
    return f"{dtype}{list(shape)}"


_RENAMED_FIELDS = {"total_env_steps": "num_timesteps"}
"""History fields saved under an older name (before one name per quantity)."""


def _history_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        _RENAMED_FIELDS.get(k, k): (np.asarray(v, np.float32) if isinstance(v, list) else v)
        for k, v in entry.items()
    }


def _evotrain_version() -> str:
    from evotrain import __version__

    return __version__


__all__ = [
    "CheckpointError",
    "FORMAT_VERSION",
    "UnverifiedCheckpointWarning",
    "json_value",
    "load_model",
    "read_metadata",
    "save_model",
]
