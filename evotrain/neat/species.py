"""Speciation, stagnation and offspring allocation over fixed-size species tables.

Species live in ``max_species`` slots, each with a representative genome from the current
population (see :func:`speciate`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from flax import struct

from evotrain.neat.align import reference
from evotrain.neat.distance import distance_to
from evotrain.neat.genome import Genome
from evotrain.neat.params import NEATParams
from evotrain.types import Array

ALLOCATIONS = ("rank", "fitness")


@struct.dataclass
class SpeciesState:
    """Attributes:
    reps: representatives, a :class:`Genome` with leading axis ``max_species``.
    alive: ``(S,)`` bool.
    best: ``(S,)`` best species fitness seen.
    last_improved: ``(S,)`` int32 generation of the last improvement.
    size: ``(S,)`` int32 members in the current population.
    threshold: ``()`` the compatibility threshold in force.
    """

    reps: Genome
    alive: Array
    best: Array
    last_improved: Array
    size: Array
    threshold: Array


def _pairwise(population: Genome, reps: Genome, params: NEATParams, num_inputs: int) -> Array:
    """``(pop, S)`` distances of every genome to every representative."""
    refs = jax.vmap(reference)(reps)
    one = lambda g, r: distance_to(g, r, params, num_inputs)  # noqa: E731
    return jax.vmap(lambda g: jax.vmap(lambda r: one(g, r))(refs))(population)


def _claim_representatives(dist: Array, alive: Array) -> tuple[Array, Array]:
    """Each living species, in slot order, claims the unclaimed genome closest to its old
    representative as its new one.

    Args:
        dist: ``(pop, S)`` distances to the old representatives.
        alive: ``(S,)`` bool.

    Returns:
        ``(rep_index (S,) int32, has_rep (S,) bool)``.
    """
    pop, s_max = dist.shape

    def claim(s, carry):
        claimed, rep_index, has_rep = carry
        col = jnp.where(claimed, jnp.inf, dist[:, s])
        g = jnp.argmin(col)
        ok = alive[s] & ~claimed.all()
        claimed = claimed.at[g].set(claimed[g] | ok)
        return claimed, rep_index.at[s].set(g), has_rep.at[s].set(ok)

    init = (jnp.zeros((pop,), bool), jnp.zeros((s_max,), jnp.int32), jnp.zeros((s_max,), bool))
    _, rep_index, has_rep = jax.lax.fori_loop(0, s_max, claim, init)
    return rep_index, has_rep


def _is_rep(rep_index: Array, has_rep: Array, pop: int) -> Array:
    """``(pop,)`` bool: the genomes claimed as representatives."""
    return jnp.zeros((pop,), bool).at[rep_index].max(has_rep)


def speciate(
    population: Genome,
    state: SpeciesState,
    generation: Array,
    params: NEATParams,
    num_inputs: int,
) -> tuple[Array, SpeciesState]:
    """Assigns every genome of ``population`` to a species, as neat-python does.

    First every living species takes as its new representative the genome of
    ``population`` closest to its old one (so a species lives on until stagnation removes
    it). Then every other genome joins the closest species within the compatibility
    threshold; genomes within no species' threshold found new species one at a time, in
    population order, while free slots remain, and join the closest species after that.

    All of this is one loop with a single distance computation in its body, because a
    compiled step holds a separate copy of the distance code for every place it is used
    (the largest part of a NEAT step's compile time). Round 0 measures the old
    representatives and lets each living species claim its new one; every later round
    measures the current representatives and founds one new species, until no genome is
    left outside every threshold or no slot is free.

    Returns:
        ``(species (pop,) int32, state)``.
    """
    pop = population.nodes.shape[0]
    s_max = state.alive.shape[0]
    threshold = state.threshold

    def pick(mask: Array, new: Genome, old: Genome) -> Genome:
        return jax.tree_util.tree_map(
            lambda n, o: jnp.where(mask.reshape((-1,) + (1,) * (o.ndim - 1)), n, o), new, old
        )

    def round_(carry):
        i, reps, alive, rep_index, has_rep, _, _ = carry
        dist = jnp.where(alive[None, :], _pairwise(population, reps, params, num_inputs), jnp.inf)
        first = i == 0
        claim_index, claimed = _claim_representatives(dist, alive & first)
        rep_index = jnp.where(first, claim_index, rep_index)
        has_rep = jnp.where(first, claimed, has_rep)
        unassigned = ~_is_rep(rep_index, has_rep, pop) & (jnp.min(dist, axis=1) >= threshold)
        found = ~first & jnp.any(unassigned) & jnp.any(~alive)
        founder = jnp.argmax(unassigned)
        slot = jnp.argmax(~alive)
        founded = jax.tree_util.tree_map(lambda r, x: r.at[slot].set(x[founder]), reps, population)
        claimed_reps = jax.tree_util.tree_map(lambda x: x[rep_index], population)
        reps = pick(
            jnp.broadcast_to(first, (s_max,)),
            pick(has_rep, claimed_reps, reps),
            pick(jnp.broadcast_to(found, (s_max,)), founded, reps),
        )
        alive = jnp.where(first, has_rep, alive | (found & (jnp.arange(s_max) == slot)))
        return i + 1, reps, alive, rep_index, has_rep, dist, ~first & ~found

    init = (
        jnp.int32(0),
        state.reps,
        state.alive,
        jnp.zeros((s_max,), jnp.int32),
        jnp.zeros((s_max,), bool),
        jnp.zeros((pop, s_max), jnp.float32),
        jnp.bool_(False),
    )
    _, reps, alive, rep_index, has_rep, dist, _ = jax.lax.while_loop(lambda c: ~c[-1], round_, init)
    is_rep = _is_rep(rep_index, has_rep, pop)
    new_slots = alive & ~state.alive
    # Everyone joins the closest species; old representatives stay in their own (a founder
    # is at distance 0 from its own).
    own_slot = (
        jnp.zeros((pop,), jnp.int32)
        .at[jnp.where(has_rep, rep_index, pop)]
        .set(jnp.arange(s_max, dtype=jnp.int32), mode="drop")
    )
    closest = jnp.argmin(jnp.where(alive[None, :], dist, jnp.inf), axis=1)
    species = jnp.where(is_rep, own_slot, closest)

    member = species[:, None] == jnp.arange(s_max)[None, :]
    size = member.sum(axis=0).astype(jnp.int32)
    alive = alive & (size > 0)
    best = jnp.where(new_slots, -jnp.inf, state.best)
    last_improved = jnp.where(new_slots, generation, state.last_improved)
    n_species = alive.sum()
    step = params.compatibility_threshold_step
    target = params.species_target
    adjust = jnp.where(n_species > target, step, jnp.where(n_species < target, -step, 0.0))
    threshold = jnp.where(target > 0, jnp.maximum(threshold + adjust, step), threshold)
    new_state = SpeciesState(
        reps=reps,
        alive=alive,
        best=best,
        last_improved=last_improved,
        size=size,
        threshold=threshold,
    )
    return species.astype(jnp.int32), new_state


def species_fitness(fitness: Array, species: Array, num_species: int) -> Array:
    """``(S,)`` best member fitness of each species (``-inf`` for empty ones)."""
    member = species[:, None] == jnp.arange(num_species)[None, :]
    return jnp.max(jnp.where(member, fitness[:, None], -jnp.inf), axis=0)


def update_stagnation(
    state: SpeciesState, fitness: Array, species: Array, generation: Array, params: NEATParams
) -> SpeciesState:
    """Records improvements and removes stagnant species (keeping the ``species_elitism``
    best), as neat-python does: a removed species has no offspring, no elites, and its
    slot is free for a new species at the next speciation.

    Returns:
        The state; its ``alive`` mask ``(S,)`` marks the species that live on and have
        offspring.
    """
    s_max = state.alive.shape[0]
    fit = species_fitness(fitness, species, s_max)
    improved = state.alive & (fit > state.best)
    best = jnp.where(improved, fit, state.best)
    last = jnp.where(improved, generation, state.last_improved)
    stagnant = state.alive & (generation - last >= params.max_stagnation)
    ranked = jnp.where(state.alive, fit, -jnp.inf)
    order = jnp.argsort(-ranked, stable=True)
    rank = jnp.zeros((s_max,), jnp.int32).at[order].set(jnp.arange(s_max, dtype=jnp.int32))
    protected = state.alive & (rank < params.species_elitism)
    reproducing = state.alive & (~stagnant | protected)
    reproducing = jnp.where(reproducing.any(), reproducing, state.alive & (rank == 0))
    return state.replace(best=best, last_improved=last, alive=reproducing)


def allocate_offspring(
    fitness: Array,
    species: Array,
    reproducing: Array,
    prev_size: Array,
    pop_size: int,
    params: NEATParams,
    method: str,
) -> Array:
    """Offspring count of every species slot, ``(S,)`` int32 summing to ``pop_size``.

    ``method="fitness"``: explicit fitness sharing (neat-python): each species' mean member
    fitness, min-max normalized over the population, sets its share. ``method="rank"``
    (TensorNEAT): shares fall linearly with the rank of the species' best fitness. The
    share is approached from the previous size at ``spawn_number_change_rate`` and floored
    at ``min_species_size``.
    """
    s_max = reproducing.shape[0]
    member = species[:, None] == jnp.arange(s_max)[None, :]
    finite = jnp.isfinite(fitness)
    if method == "fitness":
        lo = jnp.min(jnp.where(finite, fitness, jnp.inf))
        hi = jnp.max(jnp.where(finite, fitness, -jnp.inf))
        span = jnp.maximum(hi - lo, 1.0)
        norm = jnp.where(finite, (fitness - lo) / span, 0.0)
        count = member.sum(axis=0)
        mean = (member * norm[:, None]).sum(axis=0) / jnp.maximum(count, 1)
        weight = jnp.where(reproducing, mean, 0.0)
        weight = jnp.where(weight.sum() > 0, weight, reproducing.astype(jnp.float32))
    else:
        fit = jnp.where(reproducing, species_fitness(fitness, species, s_max), -jnp.inf)
        order = jnp.argsort(-fit, stable=True)
        rank = jnp.zeros((s_max,), jnp.float32).at[order].set(jnp.arange(s_max, dtype=jnp.float32))
        n = reproducing.sum()
        weight = jnp.where(reproducing, n - rank, 0.0)
    target = weight / jnp.maximum(weight.sum(), 1e-12) * pop_size
    prev = jnp.where(reproducing, prev_size.astype(jnp.float32), 0.0)
    smoothed = prev + params.spawn_number_change_rate * (target - prev)
    smoothed = jnp.where(reproducing, jnp.maximum(smoothed, params.min_species_size), 0.0)
    scaled = smoothed / jnp.maximum(smoothed.sum(), 1e-12) * pop_size
    base = jnp.floor(scaled)
    remainder = pop_size - base.sum()
    frac_order = jnp.argsort(-(scaled - base), stable=True)
    bonus = (
        jnp.zeros((s_max,)).at[frac_order].set((jnp.arange(s_max) < remainder).astype(jnp.float32))
    )
    return (base + bonus).astype(jnp.int32)
