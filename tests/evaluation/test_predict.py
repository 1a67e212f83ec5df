"""``predict``'s jitted programs are shared by models of one configuration, and each model
still acts with its own parameters."""

from __future__ import annotations

import numpy as np

from evotrain import OpenES


def _model(seed, net_arch=(4,)):
    return OpenES("MlpPolicy", "xor", pop_size=8, seed=seed, policy_kwargs={"net_arch": net_arch})


def test_models_of_one_configuration_share_predict_and_each_acts_with_its_own_params():
    a, b, other = _model(0), _model(1), _model(0, net_arch=(5,))
    assert a._predictor._act is b._predictor._act  # traced and compiled once for both
    assert a._predictor._act is not other._predictor._act
    obs = np.random.default_rng(0).uniform(-1, 1, size=(16, 2)).astype(np.float32)
    for model in (a, b, other):
        expected = np.stack([np.asarray(model.policy.apply(model.policy_params, x)) for x in obs])
        outputs, _ = model.predict(obs)
        np.testing.assert_allclose(outputs, expected, rtol=1e-6, atol=1e-6)
    assert not np.allclose(a.predict(obs)[0], b.predict(obs)[0])
