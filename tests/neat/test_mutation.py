import jax
import jax.numpy as jnp
import numpy as np
import pytest

from evotrain.neat import GenomeConfig, NEATParams, assign_split_keys, initial_genome
from evotrain.neat.draws import Draws
from evotrain.neat.genome import C_ENABLED, C_IN, C_OUT, C_WEIGHT, N_KEY, Genome
from evotrain.neat.mutation import add_connection, apply_split, delete_node


def _draws(seed, n=64):
    u, z = Draws.population(jax.random.key(seed), 1, n, n)
    return Draws(u[0], z[0])


CFG = GenomeConfig(2, 1, max_nodes=6, max_conns=8)


def _genome(key=0):
    p = NEATParams()
    return initial_genome(jax.random.key(key), CFG, p.bias, p.response, p.weight)


def test_initial_genome_is_fully_connected():
    g = _genome()
    np.testing.assert_array_equal(g.nodes[:3, N_KEY], [0, 1, 2])
    assert np.isnan(np.asarray(g.nodes[3:])).all()
    np.testing.assert_array_equal(g.conns[:2, :2], [[0, 2], [1, 2]])
    assert np.isnan(np.asarray(g.conns[2:])).all()


def test_same_split_in_a_generation_gets_the_same_key():
    pairs = jnp.array([[0, 2], [1, 2], [0, 2], [5, 5], [1, 2]], jnp.float32)
    do = jnp.array([True, True, True, False, True])
    keys, nxt = assign_split_keys(pairs, do, jnp.float32(10))
    keys = np.asarray(keys)
    assert keys[0] == keys[2] != keys[1] == keys[4]
    assert set(keys[[0, 1]].tolist()) == {10.0, 11.0} and np.isnan(keys[3])
    assert float(nxt) == 12.0


def test_split_keeps_function_shape():
    g = _genome()
    old_weight = float(g.conns[0, C_WEIGHT])
    s = apply_split(g, jnp.array(True), jnp.array(0), jnp.float32(7), CFG)
    assert float(s.conns[0, C_ENABLED]) == 0.0
    new = np.asarray(s.conns[2:4])
    np.testing.assert_array_equal(new[:, [C_IN, C_OUT]], [[0, 7], [7, 2]])
    assert new[0, C_WEIGHT] == 1.0 and new[1, C_WEIGHT] == pytest.approx(old_weight)
    assert float(s.nodes[3, N_KEY]) == 7.0


def test_split_without_room_is_a_no_op():
    g = _genome()
    full = Genome(nodes=g.nodes, conns=g.conns.at[2:].set(jnp.array([3.0, 4.0, 0.1, 1.0])))
    s = apply_split(full, jnp.array(True), jnp.array(0), jnp.float32(7), CFG)
    np.testing.assert_array_equal(np.asarray(s.conns), np.asarray(full.conns))


def test_add_connection_never_closes_a_cycle():
    g = _genome()
    g = apply_split(g, jnp.array(True), jnp.array(0), jnp.float32(3), CFG)  # 0->3->2
    g = apply_split(g, jnp.array(True), jnp.array(3), jnp.float32(4), CFG)  # 3->4->2
    params = NEATParams(conn_add=1.0)
    for seed in range(200):
        out = add_connection(_draws(seed), g, params, CFG)
        rows = np.asarray(out.conns)
        rows = rows[~np.isnan(rows[:, 0])]
        pairs = {(int(a), int(b)) for a, b in rows[:, :2]}
        assert (4, 3) not in pairs and (2, 3) not in pairs and (2, 4) not in pairs
        assert len(pairs) == len(rows)


def test_delete_node_removes_its_connections():
    g = apply_split(_genome(), jnp.array(True), jnp.array(0), jnp.float32(3), CFG)
    out = delete_node(_draws(0), g, NEATParams(node_delete=1.0), CFG)
    assert np.isnan(np.asarray(out.nodes[3])).all()
    rows = np.asarray(out.conns)
    rows = rows[~np.isnan(rows[:, 0])]
    assert 3 not in rows[:, :2]


def test_draws_run_out_loudly():
    draws = Draws(jnp.zeros(3), jnp.zeros(1))
    draws.uniform((2,))
    with pytest.raises(ValueError, match="more uniforms requested"):
        draws.uniform((2,))


def test_choice_is_uniform_over_the_mask():
    mask = jnp.array([False, True, True, False, True])
    u, z = Draws.population(jax.random.key(0), 3000, 5, 1)
    idx = jax.vmap(lambda a, b: Draws(a, b).choice(mask)[0])(u, z)
    counts = np.bincount(np.asarray(idx), minlength=5)
    assert counts[0] == counts[3] == 0
    assert np.all(np.abs(counts[[1, 2, 4]] - 1000) < 120)


def test_population_draws_are_uniform_and_standard_normal():
    u, z = Draws.population(jax.random.key(3), 400, 50, 50)
    u, z = np.asarray(u).ravel(), np.asarray(z).ravel()
    assert u.shape == z.shape == (20000,)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.003
    assert np.all(np.isfinite(z))
    assert abs(z.mean()) < 0.03 and abs(z.std() - 1.0) < 0.03
    assert abs(np.mean(np.abs(z) > 1.96) - 0.05) < 0.006
    assert abs(np.corrcoef(u, z)[0, 1]) < 0.03  # the two blocks are independent
    u2, _ = Draws.population(jax.random.key(4), 400, 50, 50)
    assert not np.array_equal(u, np.asarray(u2).ravel())
