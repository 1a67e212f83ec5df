"""One population across devices: the evaluation's population axis sharded over a 1-D mesh.

The generation step stays one jitted program, run under ``jax.shard_map`` over the mesh
axis :data:`AXIS` as one program per device. Every device holds the whole training state
and runs the strategy's ``ask`` and ``tell`` on identical inputs, so every device holds the
same state, bit for bit. Evaluation is the one split part: each device evaluates its
contiguous slice of the population (``pop_size / n_devices`` individuals, in
``pop_batch_size`` chunks of its own); the slices' fitness is gathered back in population
order (no arithmetic) and the counters are reduced across devices.

Every individual's episodes use the same keys whatever the device count (common random
numbers, :func:`~evotrain.evaluation.rollout.episode_keys`), and an individual's rollout
does not depend on its neighbours, so fitness is bitwise the same on 1, 2 or 4 devices.
Observation statistics are sums over individuals; summed per device and then across
devices they can differ from a one-device sum in the last bit (float addition is not
associative), which is why runs with ``obs_normalization=True`` agree to float tolerance
rather than bitwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from evotrain.evaluation.evaluate import Evaluator
from evotrain.evaluation.normalization import NormState
from evotrain.evaluation.result import Evaluation, across_devices, combine
from evotrain.types import PRNGKey, PyTree

AXIS = "pop"
"""The mesh axis the population is split along."""

Devices = str | int | Sequence[Any]
"""``"auto"`` (every device), a count (the first ``n``), or a list of ``jax.Device``."""


def resolve_devices(devices: Devices = "auto") -> tuple[Any, ...]:
    """The devices a run evaluates on.

    Args:
        devices: ``"auto"`` for every device JAX sees (across processes once
            ``jax.distributed`` is initialized), an int ``n`` for the first ``n`` of them, or
            a list of ``jax.Device`` objects.

    Raises:
        ValueError: an unknown string, a count out of range, an empty list, a repeated device.
        TypeError: a list entry that is not a ``jax.Device``.
    """
    available = jax.devices()
    if isinstance(devices, str):
        if devices != "auto":
            raise ValueError(
                f"devices={devices!r}: pass 'auto' (all {len(available)} devices), a count, "
                "or a list of jax.Device."
            )
        return tuple(available)
    if isinstance(devices, (int, np.integer)) and not isinstance(devices, bool):
        if not 1 <= devices <= len(available):
            raise ValueError(
                f"devices={devices} but JAX sees {len(available)} "
                f"{available[0].platform.upper()} device(s); pass 1 to {len(available)} or "
                "'auto'."
            )
        return tuple(available[: int(devices)])
    chosen = tuple(devices)
    if not chosen:
        raise ValueError("devices is an empty list; pass 'auto', a count or some devices.")
    for d in chosen:
        if not isinstance(d, jax.Device):
            raise TypeError(f"devices must hold jax.Device objects, got {d!r}.")
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"devices lists a device twice: {list(chosen)}.")
    return chosen


def check_split(pop_size: int, n_devices: int, pop_batch_size: int | None) -> None:
    """Raises a ValueError unless the population splits evenly over the devices (and each
    device's share into ``pop_batch_size`` chunks)."""
    if pop_size % n_devices:
        lower = pop_size - pop_size % n_devices
        upper = lower + n_devices
        sizes = f"{lower} or {upper}" if lower else f"{upper}"
        raise ValueError(
            f"pop_size={pop_size} does not split over {n_devices} devices; use a multiple of "
            f"{n_devices} such as {sizes}, or fewer devices (devices=...)."
        )
    share = pop_size // n_devices
    bs = pop_batch_size
    if bs is not None and n_devices > 1 and bs < share and share % bs:
        fits = max(d for d in range(1, bs + 1) if share % d == 0)
        raise ValueError(
            f"pop_batch_size={bs} is per device and must divide each device's {share} "
            f"individuals (pop_size={pop_size} over {n_devices} devices); use {fits}."
        )


def population_mesh(devices: Sequence[Any]) -> Mesh:
    """A 1-D mesh over ``devices`` with axis :data:`AXIS`."""
    return Mesh(np.asarray(devices, dtype=object), (AXIS,))


def shard_evaluator(evaluate: Evaluator, mesh: Mesh) -> Evaluator:
    """``evaluate`` run by each device on its slice of the population (unchanged on one
    device). Call the result inside :func:`replicated_step`'s per-device program.

    Args:
        evaluate: a pure population evaluator (``evaluation.make_evaluator``).
        mesh: the population mesh (:func:`population_mesh`).

    Returns:
        An evaluator with the same signature and results, identical on every device:
        fitness ``(pop_size,)`` gathered in population order, env steps summed, the longest
        episode, statistics summed.
    """
    n = mesh.size
    if n == 1:
        return evaluate

    def local(key: PRNGKey, population: PyTree, norm: NormState) -> Evaluation:
        share = jax.tree_util.tree_leaves(population)[0].shape[0] // n
        start = jax.lax.axis_index(AXIS) * share
        mine = jax.tree_util.tree_map(
            lambda x: jax.lax.dynamic_slice_in_dim(x, start, share), population
        )
        return combine(evaluate(key, mine, norm), across_devices(AXIS))

    return local


def replicate(tree: PyTree, mesh: Mesh) -> PyTree:
    """``tree`` with every array copied to every device of ``mesh`` (unchanged on one)."""
    if mesh.size == 1:
        return tree
    sharding = NamedSharding(mesh, PartitionSpec())
    if sharding.is_fully_addressable:
        return jax.device_put(tree, sharding)
    return jax.tree_util.tree_map(lambda x: _global_copy(x, sharding), tree)


def _global_copy(x: Any, sharding: NamedSharding) -> Any:
    """One process's (identical) value of ``x`` as a replicated array spanning processes."""
    if isinstance(x, jax.Array) and x.sharding.is_equivalent_to(sharding, x.ndim):
        return x
    if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
        data = _global_copy(jax.random.key_data(x), sharding)
        return jax.random.wrap_key_data(data, impl=jax.random.key_impl(x))
    if isinstance(x, jax.Array) and not x.is_fully_addressable:  # replicated elsewhere
        x = x.addressable_data(0)
    local = np.asarray(x)
    return jax.make_array_from_callback(local.shape, sharding, lambda index: local[index])


def replicated_step(step: Any, mesh: Mesh, n_args: int = 1) -> Any:
    """``step(train_state, ...) -> (train_state, ...)`` as one program per device of
    ``mesh``: every device runs ask and tell on the whole (replicated) state, exactly as one
    device would, and evaluates its slice of the population (:func:`shard_evaluator`).
    Nothing outside evaluation is split, so no sum changes its order. ``n_args``: how many
    (replicated) arguments ``step`` takes."""
    if mesh.size == 1:
        return step
    replicated = PartitionSpec()
    return jax.shard_map(
        step, mesh=mesh, in_specs=(replicated,) * n_args, out_specs=replicated, check_vma=False
    )


__all__ = [
    "AXIS",
    "Devices",
    "check_split",
    "population_mesh",
    "replicate",
    "replicated_step",
    "resolve_devices",
    "shard_evaluator",
]
