/* authority.c - authority set, quorum thresholds and the weighted
 * round-robin proposer schedule (see authority.h). */
#include "node/bft/authority.h"

#include <stdlib.h>
#include <string.h>

#include "node/errors.h"

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Schedule weights: the powers divided by their gcd, and if the period is
 * still longer than NM_BFT_SCHEDULE_MAX, scaled down to it (at least 1 each). */
static uint32_t schedule_weights(const struct nm_bft_authority *list, uint32_t count,
                                 uint64_t total, uint32_t *weights)
{
    uint64_t g = 0;
    for (uint32_t i = 0; i < count; i++)
        g = gcd_u64(g, list[i].power);
    uint64_t period = total / g;
    uint64_t sum = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t w = list[i].power / g;
        if (period > NM_BFT_SCHEDULE_MAX) {
            w = (uint64_t)(((unsigned __int128)list[i].power * NM_BFT_SCHEDULE_MAX) / total);
            if (w == 0)
                w = 1;
        }
        weights[i] = (uint32_t)w;
        sum += w;
    }
    return (uint32_t)sum;
}

static int build_schedule(struct nm_bft_authorities *set)
{
    int err = NM_E_NOMEM;
    uint32_t *weights = calloc(set->count, sizeof *weights);
    int64_t *prio = calloc(set->count, sizeof *prio);
    if (!weights || !prio)
        goto out;
    uint32_t len = schedule_weights(set->list, set->count, set->total_power, weights);
    set->schedule = malloc((size_t)len * sizeof *set->schedule);
    if (!set->schedule)
        goto out;
    for (uint32_t slot = 0; slot < len; slot++) {
        uint32_t best = 0;
        for (uint32_t i = 0; i < set->count; i++) {
            prio[i] += weights[i];
            if (prio[i] > prio[best])
                best = i;
        }
        prio[best] -= len;
        set->schedule[slot] = (uint16_t)best;
    }
    set->schedule_len = len;
    err = 0;
out:
    free(weights);
    free(prio);
    return err;
}

int nm_bft_authorities_init(struct nm_bft_authorities *set, const struct nm_bft_authority *list,
                            uint32_t count)
{
    memset(set, 0, sizeof *set);
    if (count == 0 || count > NM_BFT_MAX_AUTHORITIES)
        return NM_E_BFT_AUTHORITIES;
    uint64_t total = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (list[i].power == 0 || __builtin_add_overflow(total, list[i].power, &total) ||
            total > NM_BFT_MAX_TOTAL_POWER)
            return NM_E_BFT_AUTHORITIES;
        for (uint32_t j = 0; j < i; j++)
            if (nm_account_eq(&list[i].account, &list[j].account))
                return NM_E_BFT_AUTHORITIES;
    }
    set->list = malloc(count * sizeof *set->list);
    if (!set->list)
        return NM_E_NOMEM;
    memcpy(set->list, list, count * sizeof *set->list);
    set->count = count;
    set->total_power = total;
    int err = build_schedule(set);
    if (err) {
        nm_bft_authorities_fini(set);
        return err;
    }
    return 0;
}

void nm_bft_authorities_fini(struct nm_bft_authorities *set)
{
    free(set->list);
    free(set->schedule);
    memset(set, 0, sizeof *set);
}

int nm_bft_authorities_find(const struct nm_bft_authorities *set, const nm_account *acct)
{
    for (uint32_t i = 0; i < set->count; i++)
        if (nm_account_eq(&set->list[i].account, acct))
            return (int)i;
    return NM_E_BFT_UNKNOWN_AUTHORITY;
}

uint32_t nm_bft_authorities_proposer(const struct nm_bft_authorities *set, uint64_t height,
                                     uint32_t round)
{
    uint64_t slot = (height % set->schedule_len + round % set->schedule_len) % set->schedule_len;
    return set->schedule[slot];
}

bool nm_bft_authorities_quorum(const struct nm_bft_authorities *set, uint64_t power)
{
    return power <= set->total_power && power * 3 > set->total_power * 2;
}

bool nm_bft_authorities_one_third(const struct nm_bft_authorities *set, uint64_t power)
{
    return power <= set->total_power && power * 3 > set->total_power;
}
