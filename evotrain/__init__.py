"""evotrain: SB3-style neuroevolution over jitted JAX (NEAT, HyperNEAT, OpenAI-ES, GA, ...).

>>> from evotrain import OpenES, evaluate_policy
>>> model = OpenES("MlpPolicy", "gymnax:CartPole-v1", pop_size=256, seed=0).learn(30)
>>> mean, std = evaluate_policy(model, model.get_env(), n_eval_episodes=10)

Public names are imported lazily, so ``import evotrain`` (and
``evotrain.networks.numpy_network``) does not load JAX until an algorithm is used.
"""

from __future__ import annotations

from evotrain.algorithms.registry import REGISTRY
from evotrain.runtime.gl import configure_mujoco_gl
from evotrain.runtime.lazy import lazy_exports

__version__ = "0.2.0"

configure_mujoco_gl()  # before anything imports MuJoCo (Brax does): see evotrain.runtime.gl

_EXPORTS = {
    **{entry.class_name: "evotrain.algorithms" for entry in REGISTRY},  # every algorithm
    "BaseEvolver": "evotrain.algorithms",
    "GenerationInfo": "evotrain.training.info",
    "evaluate_policy": "evotrain.algorithms",
    "FunctionFit": "evotrain.envs",
    "make_env": "evotrain.envs",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
