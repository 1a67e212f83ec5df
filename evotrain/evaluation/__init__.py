"""Population evaluation: rollouts, chunking, observation normalization."""

from evotrain.evaluation.evaluate import EvalConfig, Evaluator, make_evaluator
from evotrain.evaluation.host import EnvEvaluationError, HostEvaluator
from evotrain.evaluation.normalization import NormState, ObsBatchStats, init_norm, merge, normalize
from evotrain.evaluation.result import Evaluation, combine
from evotrain.evaluation.rollout import RolloutResult, rollout_batch

__all__ = [
    "EnvEvaluationError",
    "EvalConfig",
    "Evaluation",
    "Evaluator",
    "HostEvaluator",
    "NormState",
    "ObsBatchStats",
    "RolloutResult",
    "init_norm",
    "make_evaluator",
    "merge",
    "normalize",
    "combine",
    "rollout_batch",
]
