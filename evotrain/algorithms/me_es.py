"""``MEES(policy, env, descriptor=...)``: ME-ES over an MLP policy's weights behind the
SB3-style shell.

An OpenAI-ES takes ``run_length`` search-gradient steps from an elite, every batch it
samples goes into the archive, and runs alternate between climbing the fitness (from the
fittest elite) and the novelty (from the most novel one)
(:mod:`evotrain.strategies.me_es`, Colas et al. 2020). Everything else (the descriptor,
the archive's cells, ``select``, ``elite``, saves) is the quality-diversity shell's
(:class:`~evotrain.algorithms.qd_family.QDFamily`).
"""

from __future__ import annotations

import dataclasses
from typing import final

import optax

from evotrain.algorithms.es import default_optimizer
from evotrain.algorithms.qd_family import QD_COLUMNS, MLPQDSettings, QDFamily
from evotrain.algorithms.settings import optimizer_setting, setting
from evotrain.limits import MAX_POP_SIZE
from evotrain.logging.metrics import algorithm_metric
from evotrain.strategies.me_es import MEESConfig, MEESStrategy
from evotrain.strategies.open_es import OpenESParams, check_params


@dataclasses.dataclass(frozen=True, kw_only=True)
class MEESSettings(MLPQDSettings):
    """:class:`MEES`'s keywords (see its docs)."""

    pop_size: int = setting(64, size=MAX_POP_SIZE)
    learning_rate: float = setting(0.01, positive=True)
    optimizer: optax.GradientTransformation | None = optimizer_setting()
    sigma: float = setting(0.02, positive=True)
    run_length: int = setting(10, positive=True)
    novelty_k: int = setting(10, positive=True)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_params(self.es_params())
        if self.pop_size % 2:
            raise ValueError(
                f"MEES samples antithetic pairs: pop_size must be even, got {self.pop_size}."
            )

    def es_params(self) -> OpenESParams:
        """The ES's numbers: a constant ``sigma``."""
        sigma = float(self.sigma)
        return OpenESParams(sigma_init=sigma, sigma_decay=1.0, sigma_limit=sigma)


@final
class MEES(QDFamily):
    """ME-ES (explore-exploit) on an MLP policy (see the module docs).

    Args:
        policy: ``"MlpPolicy"``.
        env: a jittable env id or object that declares behaviour descriptors.
        pop_size: the ES's batch per generation (even: antithetic pairs).
        learning_rate: Adam's learning rate for the ES's mean (ignored when ``optimizer``
            is given).
        optimizer: any optax transform to apply the search gradient with.
        sigma: the ES's perturbation scale.
        run_length: ES steps before the next run starts from another elite.
        novelty_k: nearest elites the novelty averages over.
        **kwargs: the quality-diversity keywords (``descriptor``, ``bins`` or ``cells``,
            ``low``/``high``, ``qd_offset``, ``zero_init``; see
            :class:`~evotrain.algorithms.qd_family.QDFamily`) and the shell's.
    """

    algorithm_name = "mees"
    display_name = "ME-ES"
    settings_type = MEESSettings
    columns = (*QD_COLUMNS, algorithm_metric("explore", "explore"))
    settings: MEESSettings

    def _make_strategy(self) -> tuple[MEESStrategy, OpenESParams]:
        s = self.settings
        config, initializer = self._strategy_parts(
            MEESConfig, run_length=int(s.run_length), novelty_k=int(s.novelty_k)
        )
        optimizer = s.optimizer or default_optimizer(s.learning_rate)
        return MEESStrategy(config, optimizer, initializer), s.es_params()


__all__ = ["MEES", "MEESSettings"]
