"""The SB3-style shell shared by every algorithm: learn, predict, set_env, counters.

A concrete algorithm (``OpenES``, ``GA``) only says which strategy it builds and with what
hyperparameters; this base owns the env adapter, the policy network, the
:class:`~evotrain.training.state.TrainState`, the one jitted generation step and the
Python generation loop.
"""

from __future__ import annotations

import abc
import dataclasses
import os
import time
from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from evotrain.callbacks import MaybeCallback, make_callback
from evotrain.checkpoint import json_value
from evotrain.checks import positive_int
from evotrain.envs import Discrete, Env, FunctionFit, JaxEnv, make_env, outputs_to_action
from evotrain.evaluation import EvalConfig, HostEvaluator, make_evaluator, normalize, rollout_batch
from evotrain.info import GenerationInfo
from evotrain.logging import KVWriter, Logger, make_output_format, run_folder
from evotrain.networks import MLP
from evotrain.training import HostGenerationStep, TrainState, init_train_state, make_generation_step
from evotrain.training.compile import jit_program
from evotrain.training.memory import available_memory_bytes, check_step_memory, step_bytes
from evotrain.types import PyTree


class BaseEvolver(abc.ABC):
    """Common shell of evotrain's algorithms.

    Args:
        policy: a policy alias (``"MlpPolicy"``).
        env: an env id (``"gymnax:CartPole-v1"``, ``"brax:hopper"``, ``"xor"``, ...) or an
            env object of a supported family.
        pop_size: individuals per generation.
        n_episodes: episodes per individual per generation.
        episode_reduce: an individual's fitness from its episodes' returns: ``"mean"``
            (default) or ``"min"`` (the worst episode; robust policies over lucky ones).
        max_episode_steps: horizon override (default: the env's own).
        pop_batch_size: evaluate this many individuals at a time to bound memory.
        obs_normalization: normalize observations with running statistics (saved with
            the model and used by ``predict``).
        reward_shift: subtracted from every step's reward in the training fitness (ARS's
            shift, e.g. ``1.0`` for Brax hopper's survival bonus so that standing still
            earns nothing); ``evaluate_policy`` and ``EvalCallback`` report true returns.
        policy_kwargs: ``net_arch`` (hidden sizes, default ``[32, 32]``) and
            ``activation_fn`` (name, default ``"tanh"``).
        env_kwargs: family options passed when ``env`` is an id (``backend``,
            ``episode_length`` for Brax).
        seed: the run's seed; None draws one (stored in ``self.seed``).
        verbose: 0 silent, 1 a table row per generation.
    """

    policy_aliases: ClassVar[dict[str, type]] = {"MlpPolicy": MLP}
    policy_kwarg_names: ClassVar[tuple[str, ...]] = ("net_arch", "activation_fn")
    stdout_keys: ClassVar[tuple[str, ...]] = ()
    """Algorithm metrics (``train/*`` log keys) shown in the stdout table too."""
    algorithm_name: ClassVar[str] = "base"
    fast_compile: ClassVar[bool] = False
    """Compile with :data:`evotrain.training.compile.CPU_COMPILER_OPTIONS` on the CPU
    (for algorithms whose programs are control-bound rather than dense math)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> BaseEvolver:
        # The constructor's arguments, as given, are what save() records to rebuild the model.
        self = super().__new__(cls)
        self._init_args = (args, dict(kwargs))
        return self

    def __init__(
        self,
        policy: str,
        env: Any,
        *,
        pop_size: int,
        n_episodes: int = 1,
        episode_reduce: str = "mean",
        max_episode_steps: int | None = None,
        pop_batch_size: int | None = None,
        obs_normalization: bool = False,
        reward_shift: float = 0.0,
        policy_kwargs: dict[str, Any] | None = None,
        env_kwargs: dict[str, Any] | None = None,
        seed: int | None = None,
        verbose: int = 0,
        tensorboard_log: str | None = None,
    ) -> None:
        if policy not in self.policy_aliases:
            raise ValueError(
                f"Unknown policy {policy!r} for {type(self).__name__}; available: "
                f"{', '.join(self.policy_aliases)}."
            )
        self.policy_name = policy
        self.pop_size = positive_int("pop_size", pop_size)
        self.policy_kwargs = dict(policy_kwargs or {})
        unknown = set(self.policy_kwargs) - set(self.policy_kwarg_names)
        if unknown:
            raise ValueError(
                f"Unknown policy_kwargs {sorted(unknown)}; {policy} takes "
                f"{', '.join(self.policy_kwarg_names) or 'none'}."
            )
        self.eval_config = EvalConfig(
            n_episodes=positive_int("n_episodes", n_episodes),
            max_steps=max_episode_steps,
            pop_batch_size=pop_batch_size,
            obs_normalization=bool(obs_normalization),
            reward_shift=float(reward_shift),
            episode_reduce=episode_reduce,
        )
        self.eval_config.check_pop_size(self.pop_size)
        self.seed = int(seed) if seed is not None else int.from_bytes(os.urandom(4), "little") >> 1
        self.verbose = int(verbose)
        self.tensorboard_log = None if tensorboard_log is None else os.fspath(tensorboard_log)
        self._logger: Logger | None = None
        self._custom_logger = False
        self.num_generations = 0
        self.num_timesteps = 0
        self.history: list[dict[str, Any]] = []
        self.env: Env = make_env(env, **(env_kwargs or {}))
        self.policy = self._make_policy()
        self.strategy, self.strategy_params = self._make_strategy()
        init = jit_program(
            lambda key: init_train_state(
                key, self.strategy, self.strategy_params, self.env.spec.obs_size
            ),
            self.fast_compile,
        )
        self.train_state: TrainState = init(jax.random.key(self.seed))
        self._predict_key = jax.random.key(self.seed ^ 0x5EED)
        self._build_step()

    # ----------------------------------------------------------------- building
    def _make_policy(self) -> Any:
        """The policy network for ``self.env`` (an MLP over a flat vector by default)."""
        spec = self.env.spec
        net_arch = tuple(int(h) for h in self.policy_kwargs.get("net_arch", (32, 32)))
        activation = self.policy_kwargs.get("activation_fn", "tanh")
        return MLP((spec.obs_size, *net_arch, spec.num_outputs), activation)

    def _policy_summary(self) -> str:
        return f"{self.policy.num_params} params"

    @abc.abstractmethod
    def _make_strategy(self) -> tuple[Any, PyTree]:
        """Returns the strategy object and its ``*Params`` for ``self.policy``."""

    def _build_step(self) -> None:
        self._compiled_step: Any = None
        network = self.policy
        if self.env.jittable:
            self._step = self._jitted_step(self.eval_config)
        else:
            evaluate = HostEvaluator(self.env, network, self.eval_config)
            self._step = HostGenerationStep(
                self.strategy, self.strategy_params, evaluate, self.fast_compile
            )
        spec = self.env.spec
        use_norm = self.eval_config.obs_normalization
        function_fit = isinstance(self.env, FunctionFit)

        def act(params, norm, obs, carry, reset, key, deterministic):
            plan = network.prepare(params)
            fresh = network.initial_carry(plan)
            carry = jax.tree_util.tree_map(
                lambda c, f: jnp.where(reset.reshape((-1,) + (1,) * f.ndim), f, c), carry, fresh
            )
            if use_norm:
                obs = normalize(norm, obs)
            outputs, carry = jax.vmap(network.step, in_axes=(None, 0, 0))(plan, carry, obs)
            if function_fit:
                return outputs, carry
            if isinstance(spec.action, Discrete) and not deterministic:
                return jax.random.categorical(key, outputs, axis=-1).astype(jnp.int32), carry
            return outputs_to_action(spec.action, outputs), carry

        def fresh_carry(params, n):
            plan = network.prepare(params)
            one = network.initial_carry(plan)
            return jax.tree_util.tree_map(lambda f: jnp.broadcast_to(f, (n,) + f.shape), one)

        self._act = jax.jit(act, static_argnames=("deterministic",))
        self._fresh_carry = jax.jit(fresh_carry, static_argnums=1)
        self._rollouts: dict[int, tuple[Env, Callable]] = {}

    def jitted_rollout(
        self, keys: jax.Array, env: Env | None = None
    ) -> tuple[jax.Array, jax.Array]:
        """Deterministic episodes of the current policy, one per key, in one jitted call.

        Args:
            keys: ``(n,)`` episode keys.
            env: a jittable env adapter with the model's sizes (default: the model's env).

        Returns:
            ``(returns (n,), lengths (n,))`` over the env's own horizon.

        Raises:
            TypeError: for envs that are not jittable rollouts (Gymnasium, function fitting).
        """
        env = self.env if env is None else env
        if not isinstance(env, JaxEnv):
            raise TypeError(f"{env.spec.env_id} is not a jittable env, so it has no rollout.")
        cached = self._rollouts.get(id(env))
        if cached is None or cached[0] is not env:
            network = self.policy
            use_norm = self.eval_config.obs_normalization
            horizon = env.spec.max_steps

            def run(params, norm, keys):
                batched = jax.tree_util.tree_map(
                    lambda x: jnp.broadcast_to(x, (keys.shape[0],) + x.shape), params
                )
                norm = norm if use_norm else None
                res = rollout_batch(env, network, batched, keys, horizon, norm, False)
                return res.returns, res.lengths

            cached = (env, jit_program(run, self.fast_compile))
            self._rollouts[id(env)] = cached
        return cached[1](self.policy_params, self.train_state.obs_norm, keys)

    # ----------------------------------------------------------------- env access
    def get_env(self) -> Env:
        """The env adapter (its ``raw`` attribute is the wrapped env object)."""
        return self.env

    def set_env(self, env: Any, **env_kwargs: Any) -> None:
        """Trains or predicts on another env of the same observation and action sizes.

        Raises:
            ValueError: if the observation size, action kind or action size differ.
        """
        new = make_env(env, **env_kwargs)
        old, cur = self.env.spec, new.spec
        if old.interface != cur.interface:
            raise ValueError(
                f"set_env: the new env {cur.describe()} does not match the model's env "
                f"{old.describe()}. Observation size, action kind and action size must be "
                "equal; create a new model for a different env."
            )
        self.env = new
        self._build_step()

    # ----------------------------------------------------------------- training
    def learn(
        self,
        generations: int,
        callback: MaybeCallback = None,
        log_interval: int = 1,
        tb_log_name: str | None = None,
        reset_num_generations: bool = True,
        progress_bar: bool = False,
    ) -> BaseEvolver:
        """Evolves for ``generations`` generations, continuing from the current population.

        Args:
            generations: number of generations to run.
            callback: a :class:`~evotrain.callbacks.BaseCallback`, a plain function
                ``f(locals_) -> bool`` (``locals_`` holds ``self``, ``generation`` and
                ``info``, the :class:`~evotrain.info.GenerationInfo`), or a list of
                either. They run between generations; returning False stops training.
            log_interval: dump the logger (a stdout table row at ``verbose=1``, CSV rows,
                TensorBoard points, ...) every this many generations.
            tb_log_name: the TensorBoard run name (default: the algorithm's name); runs
                go to numbered folders ``{tensorboard_log}/{tb_log_name}_{N}``.
            reset_num_generations: reset ``num_generations`` and ``num_timesteps`` first
                (the population itself always continues). With False the counters,
                logs and TensorBoard steps continue, in the latest run folder.
            progress_bar: show a rich progress bar over generations.

        Returns:
            self.
        """
        generations = positive_int("generations", generations)
        log_interval = positive_int("log_interval", log_interval)
        if reset_num_generations:
            self.num_generations = 0
            self.num_timesteps = 0
        if not self._custom_logger:
            self._logger = self._default_logger(
                tb_log_name or type(self).__name__, reset_num_generations
            )
        self.logger.set_config(self.run_config())
        callback = make_callback(callback, progress_bar)
        callback.init_callback(self)
        if self.verbose >= 1:
            print(
                f"{type(self).__name__} on {self.env.spec.describe()}, pop {self.pop_size}, "
                f"{self._policy_summary()}, {jax.default_backend()} device"
            )
        step = self._ready_step()
        start = time.perf_counter()
        callback.on_training_start(locals(), globals())
        try:
            for _ in range(generations):
                callback.on_generation_start()
                gen_start = time.perf_counter()
                self.train_state, metrics = step(self.train_state)
                record = jax.device_get(metrics)
                gen_time = time.perf_counter() - gen_start
                record = self._record(record, gen_time, time.perf_counter() - start)
                best = jax.device_get(self.train_state.best_params)
                info = GenerationInfo.from_record(record, best)
                self._log_generation(info)
                go = callback.on_generation_end(info)
                if self.num_generations % log_interval == 0 or not go:
                    self.logger.dump(step=self.num_generations)
                if not go:
                    break
        finally:
            callback.on_training_end()
            self.logger.flush()
        return self

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> str:
        """Saves the model to the folder ``path``: an Orbax checkpoint of the training state
        plus JSON (constructor arguments, env sizes, counters, history, versions). No
        pickle. Returns the absolute path.

        Raises:
            FileExistsError: a saved model is at ``path`` (pass ``overwrite=True``), or
                something that is not a saved model (never replaced).
        """
        from evotrain.checkpoint import save_model

        return save_model(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str], env: Any = None, **overrides: Any) -> BaseEvolver:
        """Rebuilds a model saved with :meth:`save`, ready to ``predict`` or continue with
        ``learn(..., reset_num_generations=False)`` exactly where it stopped.

        Args:
            path: the saved model's folder.
            env: the env to use (default: the saved env id; required when the model was
                trained on an env object).
            **overrides: constructor arguments to change (``verbose``, ``tensorboard_log``,
                ...), or ones that could not be stored (a custom optax ``optimizer``).

        Raises:
            FileNotFoundError: nothing at ``path``.
            evotrain.checkpoint.CheckpointError: not a saved model, corrupted or incomplete,
                saved by another algorithm or a newer evotrain, or an env of other sizes.
        """
        from evotrain.checkpoint import load_model

        return load_model(cls, path, env=env, **overrides)

    # ----------------------------------------------------------------- logging
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
        """This model's settings as plain JSON values (what W&B records as the run config)."""
        config: dict[str, Any] = {
            "algorithm": type(self).__name__,
            "policy": self.policy_name,
            "env": self.env.spec.env_id,
            "pop_size": self.pop_size,
            "seed": self.seed,
            "policy_kwargs": self.policy_kwargs,
            **dataclasses.asdict(self.eval_config),
        }
        if dataclasses.is_dataclass(self.strategy_params):
            config.update(dataclasses.asdict(self.strategy_params))
        return json_value(config)

    def _default_logger(self, tb_log_name: str, new_run: bool) -> Logger:
        writers: list[KVWriter] = []
        folder = None
        if self.verbose >= 1:
            writers.append(make_output_format("stdout", None))
        if self.tensorboard_log is not None:
            folder = run_folder(self.tensorboard_log, tb_log_name, new_run)
            writers.append(make_output_format("tensorboard", folder))
        if self._logger is not None and not self._custom_logger:
            self._logger.close()
        return Logger(folder, writers)

    def _log_generation(self, info: GenerationInfo) -> None:
        """Records one generation's values (the keys are listed in the README)."""
        log = self.logger
        hide = "stdout"
        log.record("time/generations", info.generation)
        log.record("fitness/max", info.fitness_max)
        log.record("fitness/mean", info.fitness_mean)
        log.record("fitness/std", info.fitness_std)
        log.record("fitness/nonfinite", info.nonfinite)
        log.record("time/total_timesteps", info.num_timesteps)
        log.record("time/steps_per_s", info.steps_per_s)
        log.record("time/elapsed_s", info.elapsed_s)
        train = {f"train/{name}": value for name, value in info.algorithm.items()}
        for key in self.stdout_keys:  # table columns in the algorithm's order
            if key in train:
                log.record(key, train[key])
        for key, value in train.items():
            if key not in self.stdout_keys:
                log.record(key, value, exclude=hide)
        log.record("fitness/min", info.fitness_min, exclude=hide)
        log.record("fitness/best", info.best_fitness, exclude=hide)
        log.record("time/env_steps", info.env_steps, exclude=hide)
        log.record("time/generation_s", info.time_s, exclude=hide)
        log.record("fitness/population", info.fitness, exclude=hide)

    def _jitted_step(self, eval_config: EvalConfig) -> Any:
        """The jitted generation step of a jittable env, evaluating with ``eval_config``."""
        evaluate = make_evaluator(self.env, self.policy, eval_config)
        return jit_program(
            make_generation_step(self.strategy, self.strategy_params, evaluate), self.fast_compile
        )

    def _ready_step(self) -> Any:
        """The generation step, compiled ahead of time once and checked against free memory.

        Raises:
            PopulationTooLargeError: when one generation cannot fit in memory (the message
                says which ``pop_batch_size`` would).
        """
        if not self.env.jittable:
            return self._step
        if self._compiled_step is None:
            self._compiled_step = self._checked_compile(self._jitted_step, self.train_state)
        return self._compiled_step

    def _checked_compile(self, build: Callable[[EvalConfig], Any], ts: TrainState) -> Any:
        """Compiles ``build(self.eval_config)`` for ``ts`` and checks it fits in free memory.

        Args:
            build: makes the jitted generation step for an :class:`EvalConfig`; the check
                calls it again with smaller ``pop_batch_size`` values to find one that fits.
            ts: the train state the step will run on.

        Raises:
            PopulationTooLargeError: see :meth:`_ready_step`.
        """
        compiled = build(self.eval_config).lower(ts).compile()

        def measure(batch: int) -> int:
            config = dataclasses.replace(self.eval_config, pop_batch_size=batch)
            return step_bytes(build(config).lower(ts).compile())

        check_step_memory(
            step_bytes(compiled),
            self.pop_size,
            self.eval_config.pop_batch_size,
            available_memory_bytes(),
            measure,
        )
        return compiled

    def _record(self, metrics: dict[str, Any], gen_time: float, elapsed: float) -> dict[str, Any]:
        self.num_generations += 1
        steps = int(metrics["env_steps"])
        self.num_timesteps += steps
        info = {k: (np.asarray(v) if np.ndim(v) else v.item()) for k, v in metrics.items()}
        info.update(
            generation=self.num_generations,
            total_env_steps=self.num_timesteps,
            steps_per_s=steps / max(gen_time, 1e-9),
            time_s=gen_time,
            elapsed_s=elapsed,
        )
        self.history.append(info)
        return info

    # ----------------------------------------------------------------- acting
    @property
    def policy_params(self) -> PyTree:
        """The parameters the model acts with (see the algorithm's docs)."""
        return self.strategy.policy_params(self.train_state.strategy_state)

    def predict(
        self,
        observation: np.ndarray,
        state: Any = None,
        episode_start: np.ndarray | None = None,
        deterministic: bool = True,
    ) -> tuple[np.ndarray, Any]:
        """The policy's action for one observation ``(obs_size,)`` or a batch ``(n, obs_size)``.

        Discrete actions are the argmax of the outputs (``deterministic=False`` samples from
        their softmax); box actions are squashed into the bounds (the same either way). For
        function-fitting problems the network's raw outputs are returned.

        Recurrent policies carry their memory in ``state``, as SB3's recurrent policies do:
        pass the returned state back with the next observation, and ``episode_start``
        (``(n,)`` bool, or a bool for a single observation) to reset the memory of the envs
        whose episode just began. ``state=None`` starts from a fresh memory.

        Returns:
            ``(action, state)``; ``state`` is None for policies without memory.
        """
        obs = np.asarray(observation, dtype=np.float32)
        single = obs.ndim == 1
        batch = obs[None] if single else obs
        size = self.env.spec.obs_size
        if batch.ndim != 2 or batch.shape[1] != size:
            raise ValueError(
                f"predict expects observations of shape ({size},) or (n, {size}) for "
                f"{self.env.spec.env_id}; got {obs.shape}."
            )
        n = batch.shape[0]
        params = self.policy_params
        carry = self._fresh_carry(params, n) if state is None else _as_carry(state, single)
        if episode_start is None:
            reset = np.zeros((n,), bool)
        else:
            reset = np.asarray(episode_start, bool).reshape(n)
        self._predict_key, key = jax.random.split(self._predict_key)
        action, carry = self._act(
            params,
            self.train_state.obs_norm,
            jnp.asarray(batch),
            carry,
            jnp.asarray(reset),
            key,
            deterministic=bool(deterministic),
        )
        action = np.asarray(action)
        leaves = jax.tree_util.tree_leaves(carry)
        new_state = None
        if leaves:
            new_state = tuple(np.asarray(x[0] if single else x) for x in leaves)
        return (action[0] if single else action), new_state


def _as_carry(state: Any, single: bool) -> Any:
    """A predict ``state`` (tuple of arrays) as the network's batched carry."""
    leaves = tuple(jnp.asarray(x) for x in state)
    if single:
        leaves = tuple(x[None] for x in leaves)
    return leaves[0] if len(leaves) == 1 else leaves
