"""The SB3-style shell shared by every algorithm: learn, predict, set_env, counters.

A concrete algorithm (``OpenES``, ``GA``) only says which strategy it builds and with what
hyperparameters; this base owns the env adapter, the policy network, the
:class:`~evotrain.training.state.TrainState`, the one jitted generation step and the
Python generation loop.
"""

from __future__ import annotations

import abc
import dataclasses
import functools
import inspect
import os
import time
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

import jax

from evotrain.algorithms.acting import ActingModel
from evotrain.algorithms.host_evaluation import HostEvaluation
from evotrain.algorithms.logged import LoggedModel
from evotrain.algorithms.saved import ABSTRACT_STATE, SavedModel
from evotrain.algorithms.settings import Settings, accepted
from evotrain.callbacks import MaybeCallback, make_callback
from evotrain.distributed import print_main
from evotrain.envs import Env, make_env
from evotrain.evaluation import EvalConfig
from evotrain.evaluation.predict import Predictor
from evotrain.logging.metrics import Metric, record_generation, titles
from evotrain.networks import MLP, Network
from evotrain.training import HostGenerationStep, TrainState
from evotrain.training.compile import jit_program
from evotrain.training.info import GenerationInfo, history_record
from evotrain.training.pace import Pace
from evotrain.training.program import Capacity, GenerationProgram, Recipe, make_program
from evotrain.training.sharding import check_split, population_mesh, resolve_devices
from evotrain.training.state import init_program
from evotrain.types import PyTree, positive_int

PolicyBuilder = Callable[..., Network]
"""``build(num_inputs, num_outputs, **options) -> Network``: what a policy alias names."""


class BaseEvolver(LoggedModel, ActingModel, HostEvaluation, SavedModel, abc.ABC):
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
        devices: where the population is evaluated: ``"auto"`` (every device JAX sees),
            a count (the first ``n``) or a list of ``jax.Device``. The population is split
            evenly over them (``pop_size`` must divide; ``pop_batch_size`` is then per
            device); results are the same on any number of devices (see
            :mod:`evotrain.training.sharding`). Jittable envs only; host envs evaluate in
            this process or on Ray workers (``evaluator``).
        evaluator: how host (Gymnasium) envs are evaluated: ``"inprocess"`` (default),
            or ``"ray"``: on Ray workers, each with its own envs, on this machine or a Ray
            cluster; results are the same either way (:mod:`evotrain.evaluation.ray_pool`).
        n_workers: Ray workers (default: one per CPU Ray has).
        ray_address: the Ray cluster to join (``"auto"`` or ``"host:port"``); default: a
            running Ray, else a new local one with ``n_workers`` CPUs.
        ray_payload: what workers receive per generation: ``"seeds"`` (the strategy's
            state and a key; they rebuild their individuals) or ``"params"`` (their
            individuals); default: the algorithm's choice (:attr:`default_ray_payload`).
    """

    algorithm_name: ClassVar[str]
    """The registry's short name (``--algo``, ``<name>.yaml``, zoo ids)."""
    display_name: ClassVar[str]
    """The name model cards and messages use (``"OpenAI-ES"``)."""
    default_policy: ClassVar[str] = "MlpPolicy"
    """The policy alias the CLI and hyperparameter files use unless told otherwise."""
    policy_aliases: ClassVar[dict[str, PolicyBuilder]] = {"MlpPolicy": MLP.for_sizes}
    """Policy names and the builders they stand for (called by :meth:`_make_policy`)."""
    columns: ClassVar[tuple[Metric, ...]] = ()
    """The algorithm's own metrics in the log (see :mod:`evotrain.logging.metrics`)."""
    fast_compile: ClassVar[bool] = False
    """Compile with :data:`evotrain.training.compile.CPU_COMPILER_OPTIONS` on the CPU
    (for algorithms whose programs are control-bound rather than dense math)."""
    default_ray_payload: ClassVar[str] = "seeds"
    """What Ray workers receive by default: ``"seeds"`` (strategy state + key) or
    ``"params"`` (the individuals; NEAT's genomes are small)."""

    settings_type: ClassVar[type[Settings]] = Settings
    """The shell's keywords as fields (:mod:`evotrain.algorithms.settings`): its
    signature, defaults, checks, save record and size bounds."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__signature__ = cls._signature()  # type: ignore[attr-defined]

    @classmethod
    def _signature(cls) -> inspect.Signature:
        return cls.settings_type.signature()

    def __init__(self, policy: str, env: Any, **kwargs: Any) -> None:
        self.settings = self.settings_type.parse(type(self).__name__, kwargs)
        s = self.settings
        # Which run this model is: a checkpoint folder belongs to one (CheckpointCallback).
        # A loaded model is a new run; it resumes into a folder only when told to.
        self.run_id = uuid.uuid4().hex[:16]
        if policy not in self.policy_aliases:
            raise ValueError(
                f"Unknown policy {policy!r} for {type(self).__name__}; available: "
                f"{', '.join(self.policy_aliases)}."
            )
        self.policy_name = policy
        self.pop_size = s.pop_size
        self.policy_kwargs = dict(s.policy_kwargs or {})
        takes = self._policy_kwarg_names(self.policy_aliases[policy])
        unknown = set(self.policy_kwargs) - set(takes)
        if unknown:
            raise ValueError(
                f"Unknown policy_kwargs {sorted(unknown)}; {policy} takes "
                f"{', '.join(takes) or 'none'}."
            )
        self.eval_config = EvalConfig(
            n_episodes=s.n_episodes,
            max_steps=s.max_episode_steps,
            pop_batch_size=s.pop_batch_size,
            obs_normalization=bool(s.obs_normalization),
            reward_shift=float(s.reward_shift),
            episode_reduce=s.episode_reduce,
        )
        self.eval_config.check_pop_size(self.pop_size)
        self.devices = s.devices
        self._mesh = population_mesh(resolve_devices(s.devices))
        seed = s.seed
        self.seed = int(seed) if seed is not None else int.from_bytes(os.urandom(4), "little") >> 1
        self.verbose = int(s.verbose)
        self.tensorboard_log = None if s.tensorboard_log is None else os.fspath(s.tensorboard_log)
        self._logger = None
        self._custom_logger = False
        self.num_generations = 0
        self.num_timesteps = 0
        self.history: list[dict[str, Any]] = []
        self.env: Env = make_env(env, **(s.env_kwargs or {}))
        self.env_arg = env if isinstance(env, str) else None
        descriptor = self._descriptor_name()
        if descriptor is not None:
            self.eval_config = dataclasses.replace(self.eval_config, descriptor=descriptor)
        if self.env.jittable:  # host envs are evaluated on the host, on no mesh
            check_split(self.pop_size, self._mesh.size, s.pop_batch_size)
        self._set_evaluator(s.evaluator, s.n_workers, s.ray_address, s.ray_payload)
        self.policy = self._make_policy()
        self.strategy, self.strategy_params = self._make_strategy()
        init = init_program(self.strategy, self.env.spec.obs_size, self.fast_compile)
        key = jax.random.key(self.seed)
        if ABSTRACT_STATE.get():  # a load: shapes only, checked against the saved arrays
            self.train_state: TrainState = jax.eval_shape(init, key, self.strategy_params)
        else:
            self.train_state = init(key, self.strategy_params)
        self._predict_key = jax.random.key(self.seed ^ 0x5EED)
        self._acting: tuple[PyTree, PyTree] | None = None  # (strategy state, its policy params)
        self._build_step()

    # ----------------------------------------------------------------- building
    def _make_policy(self) -> Network:
        """The network the policy alias names, sized for ``self.env``."""
        build = self.policy_aliases[self.policy_name]
        spec = self.env.spec
        return build(spec.obs_size, spec.num_outputs, **accepted(build, self._policy_options()))

    def _policy_options(self) -> dict[str, Any]:
        """Keywords for the policy builder (by default: ``policy_kwargs``); it gets those
        its signature names."""
        return dict(self.policy_kwargs)

    @classmethod
    def _policy_kwarg_names(cls, build: PolicyBuilder) -> tuple[str, ...]:
        """What ``policy_kwargs`` may hold for the policy ``build`` makes: the keywords its
        signature names."""
        params = inspect.signature(build).parameters.values()
        return tuple(p.name for p in params if p.kind is p.KEYWORD_ONLY)

    def _policy_summary(self) -> str:
        return f"{self.policy.num_params} params"

    def _descriptor_name(self) -> str | None:
        """The behaviour descriptor evaluation computes for the strategy (None: none);
        asked once the env is made."""
        return None

    @abc.abstractmethod
    def _make_strategy(self) -> tuple[Any, PyTree]:
        """Returns the strategy object and its ``*Params`` for ``self.policy``."""

    def _build_step(self) -> None:
        self._step: GenerationProgram | HostGenerationStep
        if self.env.jittable:
            self._step = make_program(self._recipe())
        else:
            self.close()  # the previous env's workers and envs, if any
            evaluate, seeds = self._host_evaluator()
            self._step = HostGenerationStep(
                self.strategy, self.strategy_params, evaluate, self.fast_compile, seeds
            )
        self._predictor = Predictor(
            self.policy,
            self.env,
            self.eval_config.obs_normalization,
            raw_outputs=self.env.raw_outputs,
            jit=functools.partial(jit_program, fast_compile=self.fast_compile),
        )

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
        self.env_arg = env if isinstance(env, str) else None
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
        generations_per_dispatch: int | None = None,
    ) -> BaseEvolver:
        """Evolves for ``generations`` generations, continuing from the current population.

        Args:
            generations: number of generations to run.
            callback: a :class:`~evotrain.callbacks.BaseCallback`, a plain function
                ``f(locals_) -> bool`` (``locals_`` holds ``self``, ``generation`` and
                ``info``, the :class:`~evotrain.training.info.GenerationInfo`), or a list of
                either. They run between generations; returning False stops training.
            log_interval: dump the logger (a stdout table row at ``verbose=1``, CSV rows,
                TensorBoard points, ...) every this many generations.
            tb_log_name: the TensorBoard run name (default: the algorithm's name); runs
                go to numbered folders ``{tensorboard_log}/{tb_log_name}_{N}``.
            reset_num_generations: reset ``num_generations`` and ``num_timesteps`` first
                (the population itself always continues). With False the counters,
                logs and TensorBoard steps continue, in the latest run folder.
            progress_bar: show a rich progress bar over generations.
            generations_per_dispatch: the most generations one call to the compiled
                program runs (jittable envs; host envs run one). None chooses: as many as
                keep a dispatch near half a second, never past a generation at which a
                callback reads the model (:meth:`~evotrain.callbacks.BaseCallback.
                generations_until_read`); callbacks still see every generation, after
                its dispatch. Results do not depend on it.

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
        self.logger.set_titles(titles(self.columns))
        callback = make_callback(callback, progress_bar)
        callback.init_callback(self)
        if self.verbose >= 1:
            print_main(
                f"{type(self).__name__} on {self.env.spec.describe()}, pop {self.pop_size}, "
                f"{self._policy_summary()}, {jax.default_backend()} device"
            )
        program = self._step
        self.train_state = program.ready(self.train_state)
        if generations_per_dispatch is not None:
            generations_per_dispatch = positive_int(
                "generations_per_dispatch", generations_per_dispatch
            )
        start = time.perf_counter()
        callback.on_training_start(locals(), globals(), total_generations=generations)
        pace = Pace(program.size, generations_per_dispatch, self._mesh.devices.flat[0].platform)
        try:
            left, go = generations, True
            while left > 0 and go:
                n = pace.next(left, callback.generations_until_read())
                if pace.compiles_ahead(left):
                    program.compile_ahead(self.train_state, pace.gen_time)
                callback.on_generation_start()
                began = time.perf_counter()
                self.train_state, generations_run = program.dispatch(self.train_state, n)
                gen_time = (time.perf_counter() - began) / len(generations_run)
                pace.ran(gen_time)
                for i, (record, best) in enumerate(generations_run):
                    if i > 0 and go:
                        callback.on_generation_start()
                    record = self._record(record, gen_time, time.perf_counter() - start)
                    record_generation(self.logger, record, self.columns)
                    if go:  # a callback that stopped mid-dispatch sees no later generation
                        go = callback.on_generation_end(GenerationInfo.from_record(record, best))
                    if self.num_generations % log_interval == 0 or not go:
                        self.logger.dump(step=self.num_generations)
                left -= len(generations_run)
        finally:
            callback.on_training_end()
            self.logger.flush()
        return self

    def _recipe(self) -> Recipe:
        """What this model's generation program is made from (:mod:`evotrain.training.program`)."""
        return Recipe(
            strategy=self.strategy,
            params=self.strategy_params,
            network=self.policy,
            env=self.env,
            eval_config=self.eval_config,
            mesh=self._mesh,
            pop_size=self.pop_size,
            fast_compile=self.fast_compile,
            capacity=self._capacity(),
        )

    def _capacity(self) -> Capacity | None:
        """Capacity levels of a population of genomes (None: the population's shapes are
        fixed)."""
        return None

    def _record(self, metrics: dict[str, Any], gen_time: float, elapsed: float) -> dict[str, Any]:
        self.num_generations += 1
        self.num_timesteps += int(metrics["env_steps"])
        record = history_record(
            metrics, self.num_generations, self.num_timesteps, gen_time, elapsed
        )
        self.history.append(record)
        return record
