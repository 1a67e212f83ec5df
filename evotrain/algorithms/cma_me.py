"""``CMAME(policy, env, descriptor=...)``: CMA-ME and CMA-MAE over an MLP policy's
weights behind the SB3-style shell.

A CMA-ES emitter proposes each batch and climbs the archive's improvement rather than
the fitness (:mod:`evotrain.strategies.cma_me`): with ``archive_learning_rate=1`` it is
CMA-ME (Fontaine et al. 2020), below 1 CMA-MAE (Fontaine & Nikolaidis 2023), which also
needs ``threshold_min``. Everything else (the descriptor, the archive's cells, ``select``,
``elite``, saves) is the quality-diversity shell's
(:class:`~evotrain.algorithms.qd_family.QDFamily`).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, final

from evotrain.algorithms.qd_family import QD_COLUMNS, MLPQDSettings, QDFamily
from evotrain.algorithms.settings import setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import algorithm_metric
from evotrain.strategies.cma_me import CMAMEConfig, CMAMEStrategy


@dataclasses.dataclass(frozen=True, kw_only=True)
class CMAMESettings(MLPQDSettings):
    """:class:`CMAME`'s keywords (see its docs)."""

    pop_size: int = setting(64, size=MAX_POP_SIZE)
    sigma0: float = setting(0.1, positive=True)
    archive_learning_rate: float = setting(1.0)
    threshold_min: float | None = setting(None)
    emitters: int = setting(1, positive=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.config_checks()

    def config_checks(self) -> None:
        """Refuses what :class:`~evotrain.strategies.cma_me.CMAMEConfig` would, before
        anything is built (the parameter count and cells are placeholders)."""
        from evotrain.qd import GridLayout

        CMAMEConfig(self.pop_size, 1, GridLayout((1,), (0.0,), (1.0,)), **self.emitter())

    def emitter(self) -> dict[str, Any]:
        """The emitter's settings, as :class:`CMAMEConfig` keywords."""
        threshold = -math.inf if self.threshold_min is None else float(self.threshold_min)
        return {
            "learning_rate": float(self.archive_learning_rate),
            "threshold_min": threshold,
            "sigma0": float(self.sigma0),
            "emitters": int(self.emitters),
        }


@final
class CMAME(QDFamily):
    """CMA-ME / CMA-MAE on an MLP policy (see the module docs).

    Args:
        policy: ``"MlpPolicy"``.
        env: a jittable env id or object that declares behaviour descriptors.
        sigma0: the CMA-ES emitter's first step size (and at every restart).
        archive_learning_rate: 1 for CMA-ME; below 1, CMA-MAE's archive learning rate.
        threshold_min: CMA-MAE's first acceptance threshold (required below 1: the lowest
            fitness worth keeping).
        emitters: CMA-ES emitters that split the batch (each ``pop_size / emitters``
            candidates, its own step size and restarts), all run at once.
        pop_size: the batch per generation, all emitters together.
        **kwargs: the quality-diversity keywords (``descriptor``, ``bins`` or ``cells``,
            ``low``/``high``, ``qd_offset``, ``zero_init``; see
            :class:`~evotrain.algorithms.qd_family.QDFamily`) and the shell's.
    """

    algorithm_name = "cmame"
    display_name = "CMA-ME"
    settings_type = CMAMESettings
    columns = (*QD_COLUMNS, algorithm_metric("restarts", "restarts"))
    settings: CMAMESettings

    def _make_strategy(self) -> tuple[CMAMEStrategy, Any]:
        config, initializer = self._strategy_parts(CMAMEConfig, **self.settings.emitter())
        strategy = CMAMEStrategy(config, initializer)
        return strategy, strategy.default_params


__all__ = ["CMAME", "CMAMESettings"]
