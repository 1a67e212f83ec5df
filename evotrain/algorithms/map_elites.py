"""``MAPElites(policy, env, descriptor=...)``: quality-diversity over an MLP policy's
weights behind the SB3-style shell.

Each generation evaluates a batch of iso-line children of the archive's elites and keeps,
in every cell of the behaviour-descriptor space, the fittest policy found there
(:mod:`evotrain.strategies.map_elites`, :mod:`evotrain.qd`). ``predict`` acts with the
archive's fittest elite, or, after :meth:`~evotrain.algorithms.qd_family.QDFamily.select`,
with the elite whose behaviour is nearest the one asked for.
"""

from __future__ import annotations

import dataclasses
from typing import final

from evotrain.algorithms.qd_family import QD_COLUMNS, MLPQDSettings, QDFamily
from evotrain.algorithms.settings import setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import algorithm_metric
from evotrain.strategies.map_elites import (
    MAPElitesConfig,
    MAPElitesParams,
    MAPElitesStrategy,
    check_params,
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MAPElitesSettings(MLPQDSettings):
    """:class:`MAPElites`'s keywords (see its docs)."""

    pop_size: int = setting(128, size=MAX_POP_SIZE)
    iso_sigma: float = setting(0.01)
    line_sigma: float = setting(0.1)
    init_sigma: float = setting(0.1)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_params(self.params())

    def params(self) -> MAPElitesParams:
        return MAPElitesParams(
            iso_sigma=float(self.iso_sigma),
            line_sigma=float(self.line_sigma),
            init_sigma=float(self.init_sigma),
        )


@final
class MAPElites(QDFamily):
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
    columns = (*QD_COLUMNS, algorithm_metric("archive_mean", "elite mean"))
    settings: MAPElitesSettings

    def _make_strategy(self) -> tuple[MAPElitesStrategy, MAPElitesParams]:
        config, initializer = self._strategy_parts(MAPElitesConfig)
        return MAPElitesStrategy(config, initializer), self.settings.params()


__all__ = ["MAPElites", "MAPElitesSettings"]
