"""``MAPElites(policy, env, descriptor=...)``: quality-diversity over an MLP policy's
weights behind the SB3-style shell.

Each generation evaluates a batch of iso-line children of the archive's elites and keeps,
in every cell of the behaviour-descriptor space, the fittest policy found there
(:mod:`evotrain.strategies.map_elites`, :mod:`evotrain.qd`). ``predict`` acts with the
archive's fittest elite, or, after :meth:`MAPElites.select`, with the elite whose
behaviour is nearest the one asked for.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, final

import jax.numpy as jnp
import numpy as np

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.settings import Settings, setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import algorithm_metric
from evotrain.qd import MAX_CELLS, Archive, CVTLayout, GridLayout, Layout
from evotrain.strategies.map_elites import (
    MAPElitesConfig,
    MAPElitesParams,
    MAPElitesStrategy,
    check_params,
)
from evotrain.types import PyTree

DEFAULT_CELLS = 10_000
"""About the most cells a default grid has (10 per dimension up to 4 dimensions)."""


def default_bins(dims: int) -> tuple[int, ...]:
    """Cells per dimension of the grid used when neither ``bins`` nor ``cells`` is
    given: 10, or fewer (at least 2) so that the grid has at most about
    :data:`DEFAULT_CELLS` cells."""
    return (max(2, min(10, int(DEFAULT_CELLS ** (1 / dims) + 1e-9))),) * dims


@dataclasses.dataclass(frozen=True, kw_only=True)
class MAPElitesSettings(Settings):
    """:class:`MAPElites`'s keywords (see its docs)."""

    pop_size: int = setting(128, size=MAX_POP_SIZE)
    descriptor: str | None = setting(None)
    bins: tuple[int, ...] | None = setting(None)
    cells: int | None = setting(None, size=MAX_CELLS)
    low: tuple[float, ...] | None = setting(None)
    high: tuple[float, ...] | None = setting(None)
    cvt_seed: int = setting(0)
    iso_sigma: float = setting(0.01)
    line_sigma: float = setting(0.1)
    init_sigma: float = setting(0.1)
    qd_offset: float = setting(0.0)
    zero_init: bool = setting(False)

    def __post_init__(self) -> None:
        for name in ("bins", "low", "high"):  # JSON gives lists back
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        super().__post_init__()
        if self.bins is not None and self.cells is not None:
            raise ValueError(
                "Give bins (a grid archive) or cells (a CVT archive), not both; got "
                f"bins={self.bins} and cells={self.cells}."
            )
        check_params(self.params())

    @classmethod
    def individuals_held(cls, kwargs: dict[str, Any]) -> tuple[int, str]:
        """The batch and the archive's cells (where the save says how many)."""
        pop_size, _ = super().individuals_held(kwargs)
        bins, cells = kwargs.get("bins"), kwargs.get("cells")
        archive = cells if isinstance(cells, int) else 0
        if isinstance(bins, list) and all(isinstance(b, int) and b > 0 for b in bins):
            archive = math.prod(bins)  # other values: the constructor refuses them
        return pop_size + archive, "pop_size plus the archive's cells"

    def params(self) -> MAPElitesParams:
        return MAPElitesParams(
            iso_sigma=float(self.iso_sigma),
            line_sigma=float(self.line_sigma),
            init_sigma=float(self.init_sigma),
        )


@final
class MAPElites(BaseEvolver):
    """MAP-Elites (Mouret & Clune 2015) with iso-line variation (Vassiliades & Mouret
    2018) on an MLP policy.

    Args:
        policy: ``"MlpPolicy"``.
        env: a jittable env id or object that declares behaviour descriptors (gymnax's
            ``"final_obs"``; Brax's ``"feet_contact"`` and ``"final_xy"``).
        descriptor: the env's descriptor that places each policy in the archive (default:
            the env's only one; function fitting declares ``"outputs"``).
        bins: a grid archive with these cells per descriptor dimension (default: 10 each,
            fewer beyond 4 dimensions: :func:`default_bins`).
        cells: a CVT archive of this many cells instead (centroids by k-means on uniform
            samples with ``cvt_seed``, saved with the model).
        low, high: the descriptor space's bounds (default: the descriptor's own, where the
            env knows them); descriptors outside fall in the border cells.
        cvt_seed: the CVT centroids' seed.
        iso_sigma: the isotropic Gaussian step of a child.
        line_sigma: its step along the line between two elites.
        init_sigma: spread of the first batch around the MLP initializer's draws.
        qd_offset: subtracted from each elite's fitness in the logged QD score (at or
            below the lowest fitness the env gives, so that the score only grows).
        zero_init: draw the first batch around zero instead.
        pop_size: candidates per generation.
        **kwargs: shell options (see :class:`~evotrain.algorithms.base.BaseEvolver`).
    """

    algorithm_name = "mapelites"
    display_name = "MAP-Elites"
    settings_type = MAPElitesSettings
    columns = (
        algorithm_metric("qd_score", "qd score"),
        algorithm_metric("coverage", "cover"),
        algorithm_metric("archive_max", "elite max"),
        algorithm_metric("archive_mean", "elite mean"),
        algorithm_metric("added", "added"),
    )
    settings: MAPElitesSettings

    def __init__(self, policy: str, env: Any, **kwargs: Any) -> None:
        self._selected: int | None = None
        super().__init__(policy, env, **kwargs)

    def _descriptor_name(self) -> str | None:
        """The descriptor named, or the env's only one.

        Raises:
            ValueError: none named, and the env declares none or several.
        """
        if self.settings.descriptor is not None:
            return self.settings.descriptor
        env = self.env
        declared = sorted(env.descriptors())
        if len(declared) == 1:
            return declared[0]
        names = ", ".join(map(repr, declared)) or "none"
        raise ValueError(
            f"MAPElites needs descriptor=...: the behaviour that places each policy in the "
            f"archive. {env.spec.env_id} declares {names}."
        )

    def _make_strategy(self) -> tuple[MAPElitesStrategy, MAPElitesParams]:
        s = self.settings
        config = MAPElitesConfig(
            pop_size=self.pop_size,
            num_dims=self.policy.num_params,
            layout=self._layout(),
            qd_offset=float(s.qd_offset),
        )
        initializer = None if s.zero_init else self.policy.init
        return MAPElitesStrategy(config, initializer), s.params()

    def _layout(self) -> Layout:
        """The archive's cells, from the settings and the descriptor's declared bounds.

        Raises:
            ValueError: no descriptor named, the env declares none, or no bounds known.
        """
        s, env = self.settings, self.env
        name = self.eval_config.descriptor
        desc = env.descriptor(name)
        low, high = s.low or desc.low, s.high or desc.high
        if low is None or high is None:
            raise ValueError(
                f"{env.spec.env_id}'s descriptor {name!r} has no known bounds: pass "
                f"low=(...) and high=(...), {desc.size} values each."
            )
        if s.cells is not None:
            return CVTLayout(s.cells, tuple(low), tuple(high), seed=s.cvt_seed)
        bins = s.bins or default_bins(desc.size)
        if len(bins) == 1 and desc.size > 1:
            bins = bins * desc.size
        if np.prod(bins, dtype=np.float64) > MAX_CELLS:
            raise ValueError(
                f"A grid of {' x '.join(map(str, bins))} cells is more than {MAX_CELLS}: the "
                f"descriptor {name!r} has {desc.size} dimensions. Pass fewer bins, or "
                "cells=N for a CVT archive of N cells."
            )
        return GridLayout(tuple(bins), tuple(low), tuple(high))

    # ------------------------------------------------------------ the archive
    @property
    def archive(self) -> Archive:
        """The archive of elites (:class:`~evotrain.qd.Archive`)."""
        return self.train_state.strategy_state.archive

    @property
    def layout(self) -> Layout:
        """The archive's cells."""
        return self.strategy.config.layout

    def elite(self, cell: int) -> dict[str, Any]:
        """The elite of ``cell``: ``params`` (the policy's flat parameters), ``fitness``
        and ``descriptor``.

        Raises:
            KeyError: the cell is empty or out of range.
        """
        archive = self.archive
        num_cells = int(archive.fitness.shape[0])
        if not 0 <= int(cell) < num_cells or not bool(archive.filled[int(cell)]):
            raise KeyError(f"cell {cell} holds no elite (cells 0 to {num_cells - 1}).")
        return {
            "params": np.asarray(archive.genotypes[int(cell)]),
            "fitness": float(archive.fitness[int(cell)]),
            "descriptor": np.asarray(archive.descriptors[int(cell)]),
        }

    def select(self, descriptor: Any = None) -> MAPElites:
        """Acts from now on with the elite whose descriptor is nearest ``descriptor``
        (``(d,)``), or again with the fittest elite when ``descriptor`` is None.

        Returns:
            self.

        Raises:
            ValueError: the archive is empty, or ``descriptor`` is not of the
                descriptor's size.
        """
        if descriptor is None:
            self._selected = None
            return self
        archive = self.archive
        target = np.asarray(descriptor, np.float32).reshape(-1)
        size = int(archive.descriptors.shape[1])
        if target.shape != (size,):
            raise ValueError(f"select needs a descriptor of {size} values, got {target.shape}.")
        filled = np.asarray(archive.filled)
        if not filled.any():
            raise ValueError("The archive is empty: learn first.")
        distance = np.sum((np.asarray(archive.descriptors) - target) ** 2, axis=1)
        self._selected = int(np.argmin(np.where(filled, distance, np.inf)))
        return self

    @property
    def policy_params(self) -> PyTree:
        """The fittest elite's parameters, or the selected elite's (:meth:`select`)."""
        if self._selected is None:
            return super().policy_params
        return jnp.asarray(self.archive.genotypes[self._selected])


__all__ = ["DEFAULT_CELLS", "MAPElites", "MAPElitesSettings", "default_bins"]
