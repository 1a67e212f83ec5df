"""Environment adapters: one :class:`EnvSpec` and one reset/step contract for every family."""

from evotrain.envs.base import Env, EnvState, HostEnv, JaxEnv
from evotrain.envs.function_fit import FunctionFit, negative_mse
from evotrain.envs.registry import UnknownEnvError, make_env
from evotrain.envs.spec import ActionRangeWarning, Box, Discrete, EnvSpec, outputs_to_action

__all__ = [
    "ActionRangeWarning",
    "Box",
    "Discrete",
    "Env",
    "EnvSpec",
    "EnvState",
    "FunctionFit",
    "HostEnv",
    "JaxEnv",
    "UnknownEnvError",
    "make_env",
    "negative_mse",
    "outputs_to_action",
]
