"""Periodic evaluation on a separate env, with the best model kept, as SB3's EvalCallback."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from evotrain.callbacks.base import BaseCallback, EventCallback
from evotrain.distributed import is_main_process, print_main
from evotrain.evaluation.evaluate_policy import evaluate_policy
from evotrain.types import positive_int


class EvalCallback(EventCallback):
    """Evaluates the model every ``eval_freq`` generations.

    Each evaluation runs ``n_eval_episodes`` episodes of the policy (``predict``, as
    :func:`~evotrain.evaluate_policy` does, episode ``i`` of every evaluation from the same
    seed, so evaluations are comparable) and records ``eval/mean_reward``,
    ``eval/std_reward`` and ``eval/mean_ep_length`` in the logger.

    Args:
        eval_env: env id, env object or adapter (its sizes must match the model's).
        callback_on_new_best: run when the mean reward beats the best so far (for example
            :class:`~evotrain.callbacks.StopTrainingOnFitnessThreshold`).
        callback_after_eval: run after every evaluation (for example
            :class:`~evotrain.callbacks.StopTrainingOnNoImprovement`).
        n_eval_episodes: episodes per evaluation.
        eval_freq: generations between evaluations.
        log_path: folder for ``evaluations.npz`` with SB3's keys ``timesteps`` ``(E,)``,
            ``results`` ``(E, n_eval_episodes)`` and ``ep_lengths`` ``(E,
            n_eval_episodes)``, plus ``generations`` ``(E,)``.
        best_model_save_path: folder where the best model is saved as ``best_model``
            (``model.save``; replaced at each new best). A W&B logger also stores each
            new best as a ``best_model`` artifact.
        deterministic: passed to ``predict``.
        seed: seed of the evaluation episodes.
        verbose: 1 prints each evaluation.

    Attributes:
        best_mean_reward, last_mean_reward: over evaluations so far (``-inf`` before one).
        evaluations_timesteps, evaluations_results, evaluations_length: the history.
    """

    def __init__(
        self,
        eval_env: Any,
        callback_on_new_best: BaseCallback | None = None,
        callback_after_eval: BaseCallback | None = None,
        n_eval_episodes: int = 5,
        eval_freq: int = 10,
        log_path: str | None = None,
        best_model_save_path: str | None = None,
        deterministic: bool = True,
        seed: int = 0,
        verbose: int = 1,
    ) -> None:
        super().__init__(callback_after_eval, verbose)
        self.eval_env = eval_env
        self.callback_on_new_best = callback_on_new_best
        if callback_on_new_best is not None:
            callback_on_new_best.parent = self
        self.n_eval_episodes = positive_int("n_eval_episodes", n_eval_episodes)
        self.eval_freq = positive_int("eval_freq", eval_freq)
        self.log_path = None if log_path is None else os.path.join(log_path, "evaluations")
        self.best_model_save_path = best_model_save_path
        self.deterministic = bool(deterministic)
        self.seed = int(seed)
        self.best_mean_reward = -np.inf
        self.last_mean_reward = -np.inf
        self.evaluations_timesteps: list[int] = []
        self.evaluations_generations: list[int] = []
        self.evaluations_results: list[list[float]] = []
        self.evaluations_length: list[list[int]] = []

    def _init_callback(self) -> None:
        from evotrain.envs import make_env

        env = make_env(self.eval_env)
        own, other = self.model.get_env().spec, env.spec
        if own.interface != other.interface:
            raise ValueError(
                f"EvalCallback: the eval env {other.describe()} does not match the model's env "
                f"{own.describe()} (observation size, action kind and size must be equal)."
            )
        self.eval_env = env
        for folder in (self.best_model_save_path, self.log_path and os.path.dirname(self.log_path)):
            if folder:
                os.makedirs(folder, exist_ok=True)
        super()._init_callback()
        if self.callback_on_new_best is not None:
            self.callback_on_new_best.init_callback(self.model)

    def _on_training_start(self) -> None:
        super()._on_training_start()
        if self.callback_on_new_best is not None:
            self.callback_on_new_best.on_training_start(
                self.locals, self.globals, total_generations=self.total_generations
            )

    def generations_until_read(self) -> int | None:
        """The next generation that is a multiple of ``eval_freq`` (it evaluates then)."""
        return self.eval_freq - self.model.num_generations % self.eval_freq

    def _on_generation_end(self) -> bool:
        if self.num_generations % self.eval_freq != 0:
            return True
        rewards, lengths = evaluate_policy(
            self.model,
            self.eval_env,
            n_eval_episodes=self.n_eval_episodes,
            deterministic=self.deterministic,
            return_episode_rewards=True,
            seed=self.seed,
        )
        self.evaluations_timesteps.append(self.num_timesteps)
        self.evaluations_generations.append(self.num_generations)
        self.evaluations_results.append([float(r) for r in rewards])
        self.evaluations_length.append([int(n) for n in lengths])
        if self.log_path is not None and is_main_process():
            np.savez(
                self.log_path,
                timesteps=np.asarray(self.evaluations_timesteps),
                generations=np.asarray(self.evaluations_generations),
                results=np.asarray(self.evaluations_results),
                ep_lengths=np.asarray(self.evaluations_length),
            )
        mean, std = float(np.mean(rewards)), float(np.std(rewards))
        self.last_mean_reward = mean
        self.logger.record("eval/mean_reward", mean, exclude="stdout")
        self.logger.record("eval/std_reward", std, exclude="stdout")
        self.logger.record("eval/mean_ep_length", float(np.mean(lengths)), exclude="stdout")
        if self.verbose >= 1:
            print_main(
                f"Eval at generation {self.num_generations}: mean reward {mean:.4g} +/- "
                f"{std:.3g} over {self.n_eval_episodes} episodes"
            )
        go = True
        if mean > self.best_mean_reward:
            self.best_mean_reward = mean
            if self.best_model_save_path is not None:
                path = self.model.save(
                    os.path.join(self.best_model_save_path, "best_model"), overwrite=True
                )
                self.logger.log_artifact(
                    path, "best_model", aliases=("best", f"generation-{self.num_generations}")
                )
                if self.verbose >= 1:
                    print_main("New best mean reward: saved best_model")
            if self.callback_on_new_best is not None:
                go = self.callback_on_new_best.on_generation_end(self.info)
        return self._on_event() and go

    def _on_training_end(self) -> None:
        super()._on_training_end()
        if self.callback_on_new_best is not None:
            self.callback_on_new_best.on_training_end()


__all__ = ["EvalCallback"]
