/* incentive.c - stake shares, permits, lock cost, burn adjustment and
 * pruning choice (see incentive.h). */
#include "node/pallets/incentive.h"

#include "node/pallets/consensus_math.h"
#include "node/errors.h"

#include <stdlib.h>

typedef unsigned __int128 u128;

unsigned nm_stake_shares(const uint64_t *rep, const uint64_t *stake, size_t n, uint64_t *out)
{
    u128 total = 0; /* n < 2^32 products < 2^94: below 2^126 */
    for (size_t v = 0; v < n; v++)
        total += (u128)(rep[v] > NM_FX_ONE ? NM_FX_ONE : rep[v]) * stake[v];
    unsigned shift = 0;
    while ((total >> shift) >= ((u128)1 << 63))
        shift++;
    for (size_t v = 0; v < n; v++)
        out[v] = (uint64_t)(((u128)(rep[v] > NM_FX_ONE ? NM_FX_ONE : rep[v]) * stake[v]) >> shift);
    return shift;
}

struct ranked {
    uint64_t stake;
    size_t index;
};

static int ranked_cmp(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;
    if (a->stake != b->stake)
        return a->stake > b->stake ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

long nm_permits_select(const uint64_t *stake, size_t n, uint64_t min_stake, uint32_t k,
                       bool *permit)
{
    struct ranked *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return NM_E_NOMEM;
    size_t eligible = 0;
    for (size_t v = 0; v < n; v++) {
        permit[v] = false;
        if (stake[v] >= min_stake)
            r[eligible++] = (struct ranked){stake[v], v};
    }
    qsort(r, eligible, sizeof *r, ranked_cmp); /* a total order: the same on every machine */
    size_t given = eligible < k ? eligible : k;
    for (size_t i = 0; i < given; i++)
        permit[r[i].index] = true;
    free(r);
    return (long)given;
}

uint64_t nm_lock_cost(const struct nm_lock_params *p, uint64_t last_lock, uint64_t last_block,
                      uint64_t now)
{
    if (last_lock == 0)
        return p->floor;
    u128 grown = (u128)last_lock * p->growth_ppb / NM_FX_ONE;
    if (p->decay_blocks) {
        u128 elapsed = now > last_block ? now - last_block : 0;
        u128 fall = (u128)(last_lock / p->decay_blocks) * elapsed;
        grown = fall >= grown ? 0 : grown - fall;
    }
    if (grown > UINT64_MAX)
        grown = UINT64_MAX;
    return (uint64_t)grown < p->floor ? p->floor : (uint64_t)grown;
}

uint64_t nm_burn_next(const struct nm_burn_params *p, uint64_t burn, uint32_t registrations)
{
    u128 next = burn;
    if (p->target) {
        u128 moved = (u128)burn * ((uint64_t)registrations + p->target) / (2 * (u128)p->target);
        uint64_t alpha = p->alpha_ppb > NM_FX_ONE ? NM_FX_ONE : p->alpha_ppb;
        next = ((u128)alpha * burn + (u128)(NM_FX_ONE - alpha) * moved) / NM_FX_ONE;
    }
    if (next > p->max_burn)
        next = p->max_burn;
    if (next < p->min_burn)
        next = p->min_burn;
    return (uint64_t)next;
}

/* Whether x goes before y: the lower score, then the earlier registration
 * (then the lower index, by scanning in order). */
static bool prune_before(const struct nm_neuron_age *x, const struct nm_neuron_age *y)
{
    return x->score < y->score || (x->score == y->score && x->registered_at < y->registered_at);
}

long nm_prune_choose(const struct nm_neuron_age *neurons, size_t n, uint64_t immunity_blocks,
                     uint64_t now)
{
    long chosen = -1, chosen_immune = -1;
    for (size_t i = 0; i < n; i++) {
        const struct nm_neuron_age *x = &neurons[i];
        bool immune = now < x->registered_at || now - x->registered_at < immunity_blocks;
        long *best = immune ? &chosen_immune : &chosen;
        if (*best < 0 || prune_before(x, &neurons[*best]))
            *best = (long)i;
    }
    return chosen >= 0 ? chosen : chosen_immune;
}
