"""The shell's host-env half: evaluating Gymnasium envs in this process or on Ray workers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from evotrain.envs import Env
from evotrain.evaluation import EvalConfig, HostEvaluator
from evotrain.evaluation.ray_pool import PAYLOADS, RayEvaluator, WorkerPieces
from evotrain.networks import Network
from evotrain.types import positive_int

if TYPE_CHECKING:
    from evotrain.algorithms.base import BaseEvolver
    from evotrain.algorithms.settings import Settings


class HostEvaluation:
    """Gives a model its host evaluator (``evaluator``, ``n_workers``, ``ray_address``,
    ``ray_payload``) and ``close``.

    The model has ``env``, ``policy``, ``eval_config``, ``seed``, ``settings``, ``policy_name``,
    ``default_ray_payload`` and, once built, ``_step``
    (:class:`~evotrain.algorithms.base.BaseEvolver` does).
    """

    env: Env
    policy: Network
    eval_config: EvalConfig
    seed: int
    default_ray_payload: str
    settings: Settings
    policy_name: str

    def _set_evaluator(
        self,
        evaluator: str,
        n_workers: int | None,
        ray_address: str | None,
        ray_payload: str | None,
    ) -> None:
        if evaluator not in ("inprocess", "ray"):
            raise ValueError(f"evaluator must be 'inprocess' or 'ray', got {evaluator!r}.")
        if evaluator == "ray" and self.env.jittable:
            raise ValueError(
                f"evaluator='ray' is for host envs (Gymnasium); {self.env.spec.env_id} is "
                "evaluated inside the jitted step, on the model's devices (devices=...)."
            )
        if ray_payload not in (None, *PAYLOADS):
            raise ValueError(
                f"ray_payload must be 'seeds', 'params' or None (the algorithm's choice), got "
                f"{ray_payload!r}."
            )
        self.evaluator = evaluator
        self.n_workers = None if n_workers is None else positive_int("n_workers", n_workers)
        self.ray_address = ray_address
        self.ray_payload = ray_payload or self.default_ray_payload

    def _host_evaluator(self) -> tuple[Any, bool]:
        """The host env's evaluator and whether it takes seeds (see ``ray_payload``)."""
        if self.evaluator == "ray":
            ray = RayEvaluator(self._worker_factory(), self.n_workers, self.ray_address)
            return ray, self.ray_payload == "seeds"
        return HostEvaluator(self.env, self.policy, self.eval_config), False

    def _worker_factory(self) -> Callable[[], WorkerPieces]:
        """A picklable recipe that builds this model's evaluation pieces in a Ray worker:
        the same class and settings, on the worker's copy of the env."""
        settings = {k: v for k, v in self.settings.keywords().items() if k != "env_kwargs"}
        settings.update(
            seed=self.seed, verbose=0, tensorboard_log=None, devices=1, evaluator="inprocess"
        )
        return functools.partial(
            worker_pieces, type(self), self.policy_name, self.env.recipe(), settings
        )

    def close(self) -> None:
        """Stops what the model started outside this process (its Ray workers) and closes
        its host envs. The model stays usable: a later ``learn`` starts them again."""
        close = getattr(getattr(self, "_step", None), "evaluate", None)
        if close is not None and hasattr(close, "close"):
            close.close()


def worker_pieces(
    cls: type[BaseEvolver], policy: str, env_recipe: Callable[[], Env], settings: dict[str, Any]
) -> WorkerPieces:
    """Builds ``cls(policy, env, **settings)`` in a Ray worker and returns what evaluating
    needs: the env, the policy network, the evaluation settings and the ask program."""
    model = cls(policy, env_recipe(), **settings)
    return WorkerPieces(
        env=model.env, network=model.policy, eval_config=model.eval_config, ask=model._step.ask
    )


__all__ = ["HostEvaluation", "worker_pieces"]
