"""The logging half of the SB3-style shell: the model's logger and its run config."""

from __future__ import annotations

import dataclasses
from typing import Any

from evotrain.logging import Logger, default_logger
from evotrain.persistence.checkpoint import json_value


class LoggedModel:
    """Gives a model ``logger``, ``set_logger`` and ``run_config``.

    The model sets ``_logger = None`` and ``_custom_logger = False`` and has ``verbose``,
    ``tensorboard_log``, ``policy_name``, ``env``, ``settings``, ``seed``, ``eval_config``
    and ``strategy_params``
    (:class:`~evotrain.algorithms.base.BaseEvolver` does).
    """

    _logger: Logger | None
    _custom_logger: bool
    verbose: int
    tensorboard_log: str | None

    @property
    def logger(self) -> Logger:
        """The logger ``learn`` records to (see :meth:`set_logger`)."""
        if self._logger is None:
            self._logger = self._default_logger(type(self).__name__, True)
        return self._logger

    def set_logger(self, logger: Logger) -> None:
        """Logs to ``logger`` (from :func:`evotrain.logging.configure`) from now on, instead
        of the default (a stdout table at ``verbose >= 1``, plus TensorBoard when
        ``tensorboard_log`` is set)."""
        if not isinstance(logger, Logger):
            raise TypeError(
                f"set_logger takes an evotrain.logging.Logger (see evotrain.logging.configure); "
                f"got {type(logger).__name__}."
            )
        self._logger = logger
        self._custom_logger = True

    def run_config(self) -> dict[str, Any]:
        """This model's settings as plain JSON values (what W&B records as the run config):
        every keyword, the evaluation settings and the strategy's numbers."""
        config: dict[str, Any] = {
            "algorithm": type(self).__name__,
            "policy": self.policy_name,
            "env": self.env.spec.env_id,
            **self.settings.record()[0],  # every keyword (evotrain.algorithms.settings)
            "seed": self.seed,  # as drawn, when none was given
            **dataclasses.asdict(self.eval_config),
        }
        if dataclasses.is_dataclass(self.strategy_params):
            config.update(dataclasses.asdict(self.strategy_params))
        return json_value(config)

    def _default_logger(self, tb_log_name: str, new_run: bool) -> Logger:
        if self._logger is not None and not self._custom_logger:
            self._logger.close()
        return default_logger(self.verbose, self.tensorboard_log, tb_log_name, new_run)


__all__ = ["LoggedModel"]
