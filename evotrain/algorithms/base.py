"""The SB3-style shell shared by every algorithm: learn, predict, set_env, counters.

A concrete algorithm (``OpenES``, ``GA``) only says which strategy it builds and with what
hyperparameters; this base owns the env adapter, the policy network, the
:class:`~evotrain.training.state.TrainState`, the one jitted generation step and the
Python generation loop.
"""

from __future__ import annotations

import abc
import contextvars
import functools
import os
import time
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

import jax
import numpy as np

from evotrain.algorithms.logged import LoggedModel
from evotrain.callbacks import MaybeCallback, make_callback
from evotrain.distributed import print_main
from evotrain.envs import Env, make_env
from evotrain.evaluation import EvalConfig, HostEvaluator
from evotrain.evaluation.predict import Predictor
from evotrain.evaluation.ray_pool import PAYLOADS, RayEvaluator, WorkerPieces
from evotrain.logging.metrics import Metric, record_generation, titles
from evotrain.networks import MLP, Network
from evotrain.training import HostGenerationStep, TrainState
from evotrain.training.compile import jit_program
from evotrain.training.info import GenerationInfo, history_record
from evotrain.training.program import Capacity, GenerationProgram, Recipe, make_program
from evotrain.training.sharding import (
    Devices,
    check_split,
    population_mesh,
    replicate,
    resolve_devices,
)
from evotrain.training.state import init_program
from evotrain.types import PyTree, nonfinite_setting, positive_float, positive_int

PolicyBuilder = Callable[..., Network]
"""``build(num_inputs, num_outputs, **options) -> Network``: what a policy alias names."""


ABSTRACT_STATE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "evotrain_abstract_state", default=False
)
"""While True, constructors give the model only the shapes and dtypes of its initial
:class:`TrainState` (``jax.ShapeDtypeStruct`` leaves), allocating none of it: a load
compares them with the saved arrays before restoring any (see ``persistence.checkpoint``)."""


POSITIVE_SETTINGS = frozenset(
    {
        "learning_rate",
        "sigma",
        "sigma_init",
        "init_sigma",
        "mutation_sigma",
        "lr_std",
        "lr_B",
        "std_lr",
        "max_velocity",
        "std_max_change",
        "max_weight",
    }
)
"""Constructor keywords of any algorithm that are step sizes or scales: finite and > 0."""


def check_settings(owner: str, kwargs: dict[str, Any]) -> None:
    """Refuses, before anything is built, settings no algorithm can run with: any
    non-finite float among the keywords (nested ones in ``policy_kwargs``, ``env_kwargs``
    and an evosax strategy's options included), and a step size or scale
    (:data:`POSITIVE_SETTINGS`) that is not > 0.

    Raises:
        ValueError: naming the keyword and its value.
    """
    for name, value in kwargs.items():
        bad = nonfinite_setting(value, name)
        if bad is not None:
            raise ValueError(
                f"{owner}: {bad} must be a finite number, got {value!r:.80}. Non-finite "
                "settings would turn every parameter into NaN; give a finite value."
            )
        if name in POSITIVE_SETTINGS and value is not None:
            positive_float(f"{owner}: {name}", value)


class BaseEvolver(LoggedModel, abc.ABC):
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
    policy_kwarg_names: ClassVar[tuple[str, ...]] = ("net_arch", "activation_fn")
    columns: ClassVar[tuple[Metric, ...]] = ()
    """The algorithm's own metrics in the log (see :mod:`evotrain.logging.metrics`)."""
    fast_compile: ClassVar[bool] = False
    """Compile with :data:`evotrain.training.compile.CPU_COMPILER_OPTIONS` on the CPU
    (for algorithms whose programs are control-bound rather than dense math)."""
    default_ray_payload: ClassVar[str] = "seeds"
    """What Ray workers receive by default: ``"seeds"`` (strategy state + key) or
    ``"params"`` (the individuals; NEAT's genomes are small)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> BaseEvolver:
        check_settings(cls.__name__, kwargs)
        # The constructor's arguments, as given, are what save() records to rebuild the model.
        self = super().__new__(cls)
        self._init_args = (args, dict(kwargs))
        # Which run this model is: a checkpoint folder belongs to one (CheckpointCallback).
        # A loaded model is a new run; it resumes into a folder only when told to.
        self.run_id = uuid.uuid4().hex[:16]
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
        devices: Devices = "auto",
        evaluator: str = "inprocess",
        n_workers: int | None = None,
        ray_address: str | None = None,
        ray_payload: str | None = None,
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
        self.devices = devices
        self._mesh = population_mesh(resolve_devices(devices))
        self.seed = int(seed) if seed is not None else int.from_bytes(os.urandom(4), "little") >> 1
        self.verbose = int(verbose)
        self.tensorboard_log = None if tensorboard_log is None else os.fspath(tensorboard_log)
        self._logger = None
        self._custom_logger = False
        self.num_generations = 0
        self.num_timesteps = 0
        self.history: list[dict[str, Any]] = []
        self.env: Env = make_env(env, **(env_kwargs or {}))
        if self.env.jittable:  # host envs are evaluated on the host, on no mesh
            check_split(self.pop_size, self._mesh.size, pop_batch_size)
        self._set_evaluator(evaluator, n_workers, ray_address, ray_payload)
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
        args, kwargs = self._init_args
        policy = args[0] if args else kwargs["policy"]
        settings = {k: v for k, v in kwargs.items() if k not in ("policy", "env", "env_kwargs")}
        settings.update(
            seed=self.seed, verbose=0, tensorboard_log=None, devices=1, evaluator="inprocess"
        )
        return functools.partial(worker_pieces, type(self), policy, self.env.recipe(), settings)

    def close(self) -> None:
        """Stops what the model started outside this process (its Ray workers) and closes
        its host envs. The model stays usable: a later ``learn`` starts them again."""
        close = getattr(getattr(self, "_step", None), "evaluate", None)
        if close is not None and hasattr(close, "close"):
            close.close()

    def _make_policy(self) -> Network:
        """The network the policy alias names, sized for ``self.env``."""
        build = self.policy_aliases[self.policy_name]
        spec = self.env.spec
        return build(spec.obs_size, spec.num_outputs, **self._policy_options())

    def _policy_options(self) -> dict[str, Any]:
        """Keywords of the policy builder (by default: ``policy_kwargs``)."""
        return dict(self.policy_kwargs)

    def _policy_summary(self) -> str:
        return f"{self.policy.num_params} params"

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
        return self._predictor.rollout(self.policy_params, self.train_state.obs_norm, keys, env)

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
        program = self._ready_step()
        if generations_per_dispatch is not None:
            generations_per_dispatch = positive_int(
                "generations_per_dispatch", generations_per_dispatch
            )
        start = time.perf_counter()
        callback.on_training_start(locals(), globals(), total_generations=generations)
        pace = _Pace(program, generations_per_dispatch)
        try:
            left, go = generations, True
            while left > 0 and go:
                n = pace.next(left, callback.generations_until_read())
                callback.on_generation_start()
                began = time.perf_counter()
                generations_run = self._dispatch(program, n)
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

    def _dispatch(
        self, program: GenerationProgram | HostGenerationStep, n: int
    ) -> list[tuple[dict[str, Any], PyTree]]:
        """Runs up to ``n`` generations in one call; each generation's host metrics and
        best-so-far individual, in order."""
        if isinstance(program, GenerationProgram):
            self.train_state, chunk = program.run(self.train_state, n)
            metrics, best, done = jax.device_get((chunk.metrics, chunk.best_params, chunk.done))
            pick = lambda tree, i: jax.tree_util.tree_map(lambda x: x[i], tree)  # noqa: E731
            return [(pick(metrics, i), pick(best, i)) for i in range(int(done))]
        self.train_state, metrics = program(self.train_state)
        return [(jax.device_get(metrics), jax.device_get(self.train_state.best_params))]

    # ----------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str], overwrite: bool = False) -> str:
        """Saves the model to the folder ``path``: an Orbax checkpoint of the training state
        plus JSON (constructor arguments, env sizes, counters, history, versions). No
        pickle. Returns the absolute path.

        Raises:
            FileExistsError: a saved model is at ``path`` (pass ``overwrite=True``), or
                something that is not a saved model (never replaced).
        """
        from evotrain.persistence.checkpoint import save_model

        return save_model(self, path, overwrite=overwrite)

    @classmethod
    def upgrade_saved_kwargs(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The keywords a save recorded, as this version must be given them to rebuild the
        model the save holds (a subclass fills in defaults that have changed since)."""
        return kwargs

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
            evotrain.persistence.checkpoint.CheckpointError: not a saved model, corrupted or incomplete,
                saved by another algorithm or a newer evotrain, or an env of other sizes.
        """
        from evotrain.persistence.checkpoint import load_model

        return load_model(cls, path, env=env, **overrides)

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

    def _ready_step(self) -> GenerationProgram | HostGenerationStep:
        """The generation program, with the current generation's level compiled ahead of
        time and checked against free memory.

        Raises:
            PopulationTooLargeError: when one generation cannot fit in memory (the message
                says which ``pop_batch_size`` would).
        """
        if isinstance(self._step, GenerationProgram):
            self.train_state = replicate(self.train_state, self._mesh)
            self._step.compiled(self.train_state)
        return self._step

    def _record(self, metrics: dict[str, Any], gen_time: float, elapsed: float) -> dict[str, Any]:
        self.num_generations += 1
        self.num_timesteps += int(metrics["env_steps"])
        record = history_record(
            metrics, self.num_generations, self.num_timesteps, gen_time, elapsed
        )
        self.history.append(record)
        return record

    # ----------------------------------------------------------------- acting
    @property
    def policy_params(self) -> PyTree:
        """The parameters the model acts with: "the model" that :meth:`predict`, saves,
        exports and the zoo use. For distribution-based strategies (OpenES, CMA-ES, ...)
        the distribution's mean; for population-based ones (GA, NEAT, HyperNEAT, ...) the
        fittest individual of the last evaluated generation. :attr:`best_ever_params` is
        the fittest individual of any generation.

        Picked once per strategy state: ``predict`` called step by step reuses it (picking
        an individual out of the population eagerly cost 3/4 of a NEAT ``predict`` call)."""
        state = self.train_state.strategy_state
        picked = self._acting
        if picked is None or picked[0] is not state:
            picked = self._acting = (state, self.strategy.policy_params(state))
        return picked[1]

    @property
    def best_ever_params(self) -> PyTree:
        """The fittest individual evaluated in any generation so far (its fitness is
        ``train_state.best_fitness``); not the one the model acts with (:attr:`policy_params`)."""
        return self.train_state.best_params

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
        self._predict_key, key = jax.random.split(self._predict_key)
        return self._predictor.predict(
            self.policy_params,
            self.train_state.obs_norm,
            observation,
            state,
            episode_start,
            deterministic,
            key,
        )


class _Pace:
    """How many generations the next dispatch runs: the caller's fixed number, or as many
    as keep a dispatch near :data:`DISPATCH_SECONDS` (one until a generation was timed);
    never past the program's chunk size, the generations left or a callback's next read."""

    def __init__(self, program: Any, fixed: int | None) -> None:
        self.most = program.size if isinstance(program, GenerationProgram) else 1
        if fixed is None and jax.process_count() > 1:
            # Every process must run the same generations per dispatch (the program holds
            # collectives), and their clocks differ: no timing, the callbacks' limit only.
            fixed = self.most
        self.fixed = fixed
        self.gen_time: float | None = None

    def next(self, left: int, until_read: int | None) -> int:
        if self.fixed is not None:
            n = self.fixed
        elif self.gen_time is None:
            n = 1
        else:
            n = max(1, int(DISPATCH_SECONDS / max(self.gen_time, 1e-9)))
        return max(1, min(n, self.most, left, until_read or left))

    def ran(self, gen_time: float) -> None:
        self.gen_time = gen_time


DISPATCH_SECONDS = 0.5
"""The wall time a dispatch aims at when ``learn`` chooses the generations per dispatch:
short enough that logs and progress bars stay live, long enough to amortize the host."""


def worker_pieces(
    cls: type[BaseEvolver], policy: str, env_recipe: Callable[[], Env], settings: dict[str, Any]
) -> WorkerPieces:
    """Builds ``cls(policy, env, **settings)`` in a Ray worker and returns what evaluating
    needs: the env, the policy network, the evaluation settings and the ask program."""
    model = cls(policy, env_recipe(), **settings)
    return WorkerPieces(
        env=model.env, network=model.policy, eval_config=model.eval_config, ask=model._step.ask
    )
