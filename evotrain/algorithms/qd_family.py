"""The quality-diversity shell: a population searched for an archive of elites, one per
cell of a behaviour-descriptor space (:mod:`evotrain.qd`).

What differs between its algorithms (:class:`~evotrain.algorithms.map_elites.MAPElites`,
:class:`~evotrain.algorithms.cma_me.CMAME`) is the strategy that proposes each batch;
the descriptor, the archive's cells, ``select``/``elite`` and acting with an elite live
here once.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import jax
import numpy as np

from evotrain.algorithms.base import BaseEvolver
from evotrain.algorithms.settings import Settings, setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import Metric, algorithm_metric
from evotrain.qd import MAX_CELLS, Archive, CVTLayout, GridLayout, Layout
from evotrain.types import PyTree

DEFAULT_CELLS = 10_000
"""About the most cells a default grid has (10 per dimension up to 4 dimensions)."""

QD_COLUMNS: tuple[Metric, ...] = (
    algorithm_metric("qd_score", "qd score"),
    algorithm_metric("coverage", "cover"),
    algorithm_metric("archive_max", "elite max"),
    algorithm_metric("added", "added"),
)
"""Every quality-diversity shell's log columns (its strategy's ``tell`` reports them)."""


def default_bins(dims: int) -> tuple[int, ...]:
    """Cells per dimension of the grid used when neither ``bins`` nor ``cells`` is
    given: 10, or fewer (at least 2) so that the grid has at most about
    :data:`DEFAULT_CELLS` cells."""
    return (max(2, min(10, int(DEFAULT_CELLS ** (1 / dims) + 1e-9))),) * dims


@dataclasses.dataclass(frozen=True, kw_only=True)
class QDSettings(Settings):
    """The keywords of every quality-diversity shell (see :class:`QDFamily`)."""

    pop_size: int = setting(128, size=MAX_POP_SIZE)
    descriptor: str | None = setting(None)
    bins: tuple[int, ...] | None = setting(None)
    cells: int | None = setting(None, size=MAX_CELLS)
    low: tuple[float, ...] | None = setting(None)
    high: tuple[float, ...] | None = setting(None)
    cvt_seed: int = setting(0)
    qd_offset: float = setting(0.0)

    def __post_init__(self) -> None:
        for name in ("bins", "low", "high"):  # JSON gives lists back
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        super().__post_init__()
        if self.obs_normalization:
            raise ValueError(
                "A quality-diversity archive cannot use obs_normalization=True: the running "
                "statistics move after an elite is measured, so every elite would act "
                "differently from how it scored. Leave it off (scale observations in the "
                "env instead)."
            )
        if self.bins is not None and self.cells is not None:
            raise ValueError(
                "Give bins (a grid archive) or cells (a CVT archive), not both; got "
                f"bins={self.bins} and cells={self.cells}."
            )

    @classmethod
    def individuals_held(cls, kwargs: dict[str, Any]) -> tuple[int, str]:
        """The batch and the archive's cells (where the save says how many)."""
        pop_size, _ = super().individuals_held(kwargs)
        bins, cells = kwargs.get("bins"), kwargs.get("cells")
        archive = cells if isinstance(cells, int) else 0
        if isinstance(bins, list) and all(isinstance(b, int) and b > 0 for b in bins):
            archive = math.prod(bins)  # other values: the constructor refuses them
        return pop_size + archive, "pop_size plus the archive's cells"


@dataclasses.dataclass(frozen=True, kw_only=True)
class MLPQDSettings(QDSettings):
    """The keywords of a quality-diversity shell over an MLP's flat parameters."""

    zero_init: bool = setting(False)


class QDFamily(BaseEvolver):
    """Base of the quality-diversity shells (see the module docs). A subclass builds its
    strategy over :meth:`_layout`'s cells in ``_make_strategy``; the strategy's state holds
    the :class:`~evotrain.qd.Archive` as ``archive``.

    Its keywords (:class:`QDSettings`): ``descriptor`` (default: the env's only one),
    ``bins`` (a grid, :func:`default_bins` by default) or ``cells`` (a CVT archive with
    ``cvt_seed``), ``low``/``high`` (default: the descriptor's bounds), ``qd_offset`` (for
    the logged QD score); over MLP parameters also ``zero_init`` (:class:`MLPQDSettings`).
    """

    columns: ClassVar[tuple[Metric, ...]] = QD_COLUMNS
    settings: QDSettings

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
            f"{type(self).__name__} needs descriptor=...: the behaviour that places each "
            f"policy in the archive. {env.spec.env_id} declares {names}."
        )

    def _strategy_parts(self, config: type, **options: Any) -> tuple[Any, Any]:
        """``(config(pop_size, num_dims, layout, qd_offset, **options), initializer)``
        for a strategy over this model's MLP parameters and archive cells."""
        s = self.settings
        built = config(
            pop_size=self.pop_size,
            num_dims=self.policy.num_params,
            layout=self._layout(),
            qd_offset=float(s.qd_offset),
            **options,
        )
        return built, None if s.zero_init else self.policy.init

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
        """The elite of ``cell``: ``params`` (its genotype: the policy's flat parameters,
        or a genome), ``fitness`` and ``descriptor``.

        Raises:
            KeyError: the cell is empty or out of range.
        """
        archive = self.archive
        num_cells = int(archive.fitness.shape[0])
        if not 0 <= int(cell) < num_cells or not bool(archive.filled[int(cell)]):
            raise KeyError(f"cell {cell} holds no elite (cells 0 to {num_cells - 1}).")
        return {
            "params": jax.tree_util.tree_map(np.asarray, self._genotype(int(cell))),
            "fitness": float(archive.fitness[int(cell)]),
            "descriptor": np.asarray(archive.descriptors[int(cell)]),
        }

    def select(self, descriptor: Any = None) -> QDFamily:
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
    def acting_fitness(self) -> float:
        """The fitness of the elite the model acts with."""
        fitness = np.asarray(self.archive.fitness)
        return float(fitness[self._selected] if self._selected is not None else fitness.max())

    @property
    def policy_params(self) -> PyTree:
        """The fittest elite's parameters, or the selected elite's (:meth:`select`)."""
        if self._selected is None:
            return super().policy_params
        return self._genotype(self._selected)

    def _genotype(self, cell: int) -> PyTree:
        """The genotype (any pytree) in ``cell`` of the archive."""
        return jax.tree_util.tree_map(lambda x: x[cell], self.archive.genotypes)


__all__ = [
    "DEFAULT_CELLS",
    "MLPQDSettings",
    "QD_COLUMNS",
    "QDFamily",
    "QDSettings",
    "default_bins",
]
