"""Speciation, stagnation and offspring allocation over fixed-size species tables.

Species live in ``max_species`` slots. A species has a representative genome; a genome
joins the closest living species whose representative is within the compatibility
threshold, otherwise it founds a new species in a free slot (one at a time, in population
order, as neat-python does), or joins the closest species when no slot is free.
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


def speciate(
    population: Genome,
    state: SpeciesState,
    generation: Array,
    params: NEATParams,
    num_inputs: int,
) -> tuple[Array, SpeciesState]:
    """Assigns every genome of ``population`` to a species and refreshes the representatives.

    Returns:
        ``(species (pop,) int32, state)``.
    """
    pop = population.nodes.shape[0]
    s_max = state.alive.shape[0]
    threshold = state.threshold
    dist = jnp.where(
        state.alive[None, :], _pairwise(population, state.reps, params, num_inputs), jnp.inf
    )
    closest = jnp.argmin(dist, axis=1)
    assigned = jnp.min(dist, axis=1) < threshold
    species = jnp.where(assigned, closest, -1)
    alive = state.alive

    def found(carry):
        species, dist, alive, reps = carry
        unassigned = species < 0
        founder = jnp.argmax(unassigned)
        slot = jnp.argmax(~alive)
        rep = jax.tree_util.tree_map(lambda x: x[founder], population)
        ref = reference(rep)
        d_new = jax.vmap(lambda g: distance_to(g, ref, params, num_inputs))(population)
        join = unassigned & ((d_new < threshold) | (jnp.arange(pop) == founder))
        species = jnp.where(join, slot, species)
        dist = dist.at[:, slot].set(d_new)
        reps = jax.tree_util.tree_map(lambda r, x: r.at[slot].set(x), reps, rep)
        return species, dist, alive.at[slot].set(True), reps

    def can_found(carry):
        species, _, alive, _ = carry
        return jnp.any(species < 0) & jnp.any(~alive)

    species, dist, alive, reps = jax.lax.while_loop(
        can_found, found, (species, dist, alive, state.reps)
    )
    new_slots = alive & ~state.alive
    species = jnp.where(species < 0, jnp.argmin(dist, axis=1), species)

    # New representative of each old species: its member closest to the old representative.
    member = species[:, None] == jnp.arange(s_max)[None, :]
    own = jnp.where(member, dist, jnp.inf)
    closest_member = jnp.argmin(own, axis=0)
    has_members = member.any(axis=0)
    refresh = has_members & ~new_slots
    reps = jax.tree_util.tree_map(
        lambda r, p: jnp.where(refresh.reshape((-1,) + (1,) * (r.ndim - 1)), p[closest_member], r),
        reps,
        population,
    )
    size = member.sum(axis=0).astype(jnp.int32)
    alive = alive & has_members
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
) -> tuple[SpeciesState, Array]:
    """Records improvements and marks stagnant species (keeping the ``species_elitism`` best).

    Returns:
        ``(state, reproducing (S,) bool)``: species allowed to have offspring.
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
    return state.replace(best=best, last_improved=last), reproducing


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
