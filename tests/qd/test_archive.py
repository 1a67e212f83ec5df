"""Property tests (hypothesis) of archive insertion: against a one-at-a-time reference, in
any batch order, with ties, non-finite candidates and descriptors outside the bounds; and
CMA-MAE's thresholds at their limits (learning rate 1 is CMA-ME's elitism, 0 CMA-ES's)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evotrain.qd import (
    CVTLayout,
    GridLayout,
    coverage,
    cvt_centroids,
    empty_archive,
    insert,
    nearest,
    qd_score,
)

GRID = GridLayout(bins=(4, 3), low=(0.0, -1.0), high=(1.0, 1.0))
N = 12
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_insert = jax.jit(insert, static_argnums=1)

# Fitness from a few values, so that ties happen; descriptors partly outside the box.
fitness_values = st.sampled_from([-1.0, 0.0, 0.5, 2.0, 3.0, np.inf, -np.inf, np.nan])
descriptor_values = st.floats(-1.5, 1.5, width=32) | st.sampled_from([np.nan, np.inf])
batches = st.tuples(
    st.lists(fitness_values, min_size=N, max_size=N),
    st.lists(st.lists(descriptor_values, min_size=2, max_size=2), min_size=N, max_size=N),
)


def _grid_cell(d: np.ndarray) -> int:
    """The reference: clip each coordinate's bin to the grid, row-major."""
    coords = []
    for x, b, lo, hi in zip(d, GRID.bins, GRID.low, GRID.high):
        coords.append(int(min(max(np.floor((x - lo) / (hi - lo) * b), 0), b - 1)))
    return coords[0] * GRID.bins[1] + coords[1]


def _reference(fitness, descriptors):
    """One candidate at a time, in batch order: strictly fitter replaces."""
    best = np.full(GRID.num_cells, -np.inf, np.float32)
    owner = np.full(GRID.num_cells, -1)
    rejected = 0
    for i, (f, d) in enumerate(zip(fitness, descriptors)):
        if not (np.isfinite(f) and np.all(np.isfinite(d))):
            rejected += 1
            continue
        cell = _grid_cell(d)
        if f > best[cell]:
            best[cell], owner[cell] = f, i
    return best, owner, rejected


def _batch(fitness, descriptors):
    f = np.asarray(fitness, np.float32)
    d = np.asarray(descriptors, np.float32)
    genotypes = {"id": jnp.arange(N, dtype=jnp.int32), "w": jnp.ones((N, 3))}
    return genotypes, f, d


@PROPERTY
@given(batches)
def test_a_batch_inserts_as_one_candidate_at_a_time_would(batch):
    genotypes, f, d = _batch(*batch)
    template = {"id": jnp.zeros((), jnp.int32), "w": jnp.zeros(3)}
    archive, ins = _insert(empty_archive(GRID, template), GRID, genotypes, f, d)
    best, owner, rejected = _reference(f, d)
    np.testing.assert_array_equal(np.asarray(archive.fitness), best)
    np.testing.assert_array_equal(np.asarray(archive.filled), owner >= 0)
    filled = owner >= 0
    np.testing.assert_array_equal(np.asarray(archive.genotypes["id"])[filled], owner[filled])
    np.testing.assert_array_equal(np.asarray(archive.descriptors)[filled], d[owner[filled]])
    assert int(archive.rejected) == rejected
    assert int(ins.added.sum()) == int(filled.sum()) and not np.any(
        np.asarray(ins.added) & ~np.asarray(ins.valid)
    )
    valid = np.asarray(ins.valid)
    cells = [_grid_cell(x) for x in d[valid]]
    np.testing.assert_array_equal(np.asarray(ins.cell)[valid], cells)


@PROPERTY
@given(batches, st.permutations(range(N)))
def test_the_elites_do_not_depend_on_batch_order_except_through_ties(batch, perm):
    genotypes, f, d = _batch(*batch)
    template = {"id": jnp.zeros((), jnp.int32), "w": jnp.zeros(3)}
    a, _ = _insert(empty_archive(GRID, template), GRID, genotypes, f, d)
    perm = np.asarray(perm)
    shuffled = jax.tree_util.tree_map(lambda x: x[perm], genotypes)
    b, _ = _insert(empty_archive(GRID, template), GRID, shuffled, f[perm], d[perm])
    np.testing.assert_array_equal(np.asarray(a.fitness), np.asarray(b.fitness))
    np.testing.assert_array_equal(np.asarray(a.filled), np.asarray(b.filled))
    # Which of equally fit candidates holds a cell follows the order: the lowest index.
    _, owner, _ = _reference(f[perm], d[perm])
    filled = owner >= 0
    np.testing.assert_array_equal(np.asarray(b.genotypes["id"])[filled], perm[owner[filled]])


def test_ties_go_to_the_lowest_index_and_equal_fitness_never_replaces():
    template = jnp.zeros(())
    d = np.full((3, 2), 0.1, np.float32)  # one cell
    archive, ins = insert(empty_archive(GRID, template), GRID, jnp.arange(3.0), [1.0, 2.0, 2.0], d)
    assert float(archive.genotypes[ins.cell[0]]) == 1.0 and list(np.asarray(ins.added)) == [0, 1, 0]
    archive, ins = insert(archive, GRID, jnp.asarray([7.0]), [2.0], d[:1])
    assert not bool(ins.added[0]) and float(archive.genotypes[ins.cell[0]]) == 1.0


def test_descriptors_outside_the_bounds_land_in_the_border_cells():
    d = jnp.asarray([[-5.0, -5.0], [5.0, 5.0], [5.0, -5.0], [1.0, 1.0], [0.0, -1.0]])
    cells = GRID.index(d, None)
    assert list(np.asarray(cells)) == [0, 11, 9, 11, 0]


@pytest.mark.parametrize("seed", [0, 1])
def test_cma_mae_thresholds_at_their_limits_and_in_between(seed):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(4, N)).astype(np.float32)
    d = rng.uniform(-1, 1, size=(4, N, 2)).astype(np.float32)
    genotypes = jnp.zeros((N,))
    # lr = 1 from -inf: the threshold is the elite's fitness (CMA-ME's archive).
    archive = empty_archive(GRID, jnp.zeros(()))
    for k in range(4):
        archive, ins = insert(archive, GRID, genotypes, f[k], d[k], learning_rate=1.0)
    filled = np.asarray(archive.filled)
    np.testing.assert_array_equal(
        np.asarray(archive.threshold)[filled], np.asarray(archive.fitness)[filled]
    )
    # lr = 0: the threshold never moves, every candidate above it improves by f - t_min.
    archive = empty_archive(GRID, jnp.zeros(()), threshold_min=-10.0)
    archive, ins = insert(archive, GRID, genotypes, f[0], d[0], learning_rate=0.0)
    np.testing.assert_array_equal(np.asarray(archive.threshold), -10.0)
    np.testing.assert_allclose(np.asarray(ins.improvement), f[0] + 10.0, rtol=1e-6)
    # In between: a batch equals its candidates one at a time in ascending fitness.
    lr, t_min = 0.3, -2.0
    archive = empty_archive(GRID, jnp.zeros(()), threshold_min=t_min)
    batch, _ = insert(archive, GRID, genotypes, f[0], d[0], lr)
    one = archive
    for i in np.argsort(f[0], kind="stable"):
        one, _ = insert(one, GRID, genotypes[:1], f[0][i : i + 1], d[0][i : i + 1], lr)
    np.testing.assert_allclose(np.asarray(batch.threshold), np.asarray(one.threshold), rtol=1e-5)
    assert np.all(np.asarray(batch.threshold) >= t_min)


def test_cvt_centroids_are_fixed_by_their_seed_and_cells_go_to_the_nearest():
    layout = CVTLayout(num_cells=16, low=(0.0, 0.0), high=(1.0, 2.0), samples=2000, iterations=10)
    a, b = layout.centroids(), layout.centroids()
    np.testing.assert_array_equal(a, b)
    assert a.shape == (16, 2) and np.all(a >= 0) and np.all(a[:, 1] <= 2.0)
    other = cvt_centroids(16, (0.0, 0.0), (1.0, 2.0), 1, 2000, 10)
    assert not np.array_equal(a, np.asarray(other))
    points = np.random.default_rng(0).uniform(0, 1, size=(50, 2)).astype(np.float32)
    brute = np.argmin(((points[:, None] - a[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(np.asarray(nearest(points, a)), brute)
    twin = np.asarray([[0.5, 0.5], [0.5, 0.5]], np.float32)
    assert int(nearest(jnp.asarray([[0.5, 0.5]]), twin)[0]) == 0  # ties: lowest index
    archive, _ = insert(
        empty_archive(layout, jnp.zeros(())), layout, jnp.zeros(50), np.ones(50), points
    )
    np.testing.assert_array_equal(np.asarray(archive.centroids), a)  # kept with the archive
    assert float(coverage(archive)) == len(set(brute.tolist())) / 16
    assert float(qd_score(archive, offset=-1.0)) == 2.0 * len(set(brute.tolist()))


def test_layouts_refuse_impossible_spaces():
    with pytest.raises(ValueError, match="one bound per descriptor dimension"):
        GridLayout(bins=(2, 2), low=(0.0,), high=(1.0,))
    with pytest.raises(ValueError, match="finite low < high"):
        GridLayout(bins=(2,), low=(1.0,), high=(1.0,))
    with pytest.raises(ValueError, match="bins must be positive"):
        GridLayout(bins=(0,), low=(0.0,), high=(1.0,))
    with pytest.raises(ValueError, match="num_cells must be from 1"):
        CVTLayout(num_cells=100, low=(0.0,), high=(1.0,), samples=50)


def test_parents_are_drawn_uniformly_from_the_filled_cells_only():
    from evotrain.strategies.map_elites import uniform_filled

    filled = np.zeros(50, bool)
    filled[[3, 17, 18, 40]] = True
    draws = np.asarray(uniform_filled(jax.random.key(0), jnp.asarray(filled), 8000))
    assert set(np.unique(draws)) == {3, 17, 18, 40}
    counts = np.bincount(draws, minlength=50)[[3, 17, 18, 40]]
    assert np.all(np.abs(counts - 2000) < 200)  # 2000 +- 5 standard deviations (39 each)
    one = np.zeros(50, bool)
    one[49] = True
    assert set(np.asarray(uniform_filled(jax.random.key(1), jnp.asarray(one), 100))) == {49}
