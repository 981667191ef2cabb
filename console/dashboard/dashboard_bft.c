/* dashboard_bft.c - the dashboard cache's BFT authority rows (issue 11):
 * the set from bft_authorities (account, power, quorum) merged with what a
 * voting node's bft_state saw of each authority (online, last signed
 * height, missed proposals, late votes), matched by account so a set that
 * changed (an offender removed) keeps nobody's figures on another row. */
#include "console/dashboard/dashboard_cache.h"

#include "console/commands/jget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct nm_authority_row *find_row(struct nm_authority_row *rows, size_t n,
                                         const char *account)
{
    for (size_t i = 0; account[0] && i < n; i++)
        if (strcmp(rows[i].account, account) == 0)
            return &rows[i];
    return NULL;
}

static void copy_seen(struct nm_authority_row *to, const struct nm_authority_row *from)
{
    to->seen = from->seen;
    to->online = from->online;
    to->last_signed = from->last_signed;
    to->missed = from->missed;
    to->late = from->late;
}

/* Rows from a list of {index, account, power}, keeping the seen figures of
 * accounts already shown. 0, or -1 when out of memory (nothing changed). */
static int rebuild(struct nm_cache *c, const cJSON *list)
{
    size_t n = (size_t)cJSON_GetArraySize(list);
    struct nm_authority_row *rows = n ? c->alloc(n, sizeof *rows) : NULL;
    if (n && !rows) {
        c->alloc_failures++;
        return -1;
    }
    size_t k = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        if (!cJSON_IsObject(a))
            continue;
        struct nm_authority_row *r = &rows[k];
        uint64_t index;
        r->index = nm_jget_has_u64(a, "index", &index) && index < 1u << 20 ? (int)index : (int)k;
        nm_cache_text(r->account, sizeof r->account, nm_jget_str(a, "account"));
        r->power = nm_jget_u64(a, "power");
        r->late = -1;
        const struct nm_authority_row *old = find_row(c->auth_rows, c->nauth_rows, r->account);
        if (old)
            copy_seen(r, old);
        k++;
    }
    free(c->auth_rows);
    c->auth_rows = rows;
    c->nauth_rows = k;
    return 0;
}

unsigned nm_cache_apply_bft_set(struct nm_cache *c, const cJSON *set)
{
    const cJSON *list = nm_jget(set, "authorities");
    if (!cJSON_IsObject(set) || !cJSON_IsArray(list))
        return 0;
    if (rebuild(c, list))
        return 0;
    c->have_auth_set = true;
    c->auth_total_power = nm_jget_u64(set, "totalPower");
    c->auth_quorum_power = nm_jget_u64(set, "quorumPower");
    return NM_DIRTY_BFT;
}

unsigned nm_cache_apply_bft_seen(struct nm_cache *c, const cJSON *state)
{
    const cJSON *list = nm_jget(state, "authorities");
    if (!cJSON_IsArray(list)) { /* a node that does not vote sees nobody */
        bool any = false;
        for (size_t i = 0; i < c->nauth_rows; i++) {
            any |= c->auth_rows[i].seen;
            c->auth_rows[i].seen = false;
        }
        return any ? NM_DIRTY_BFT : 0;
    }
    if (!c->have_auth_set) {
        if (rebuild(c, list))
            return 0;
        c->auth_total_power = nm_jget_u64(state, "totalPower");
    }
    for (size_t i = 0; i < c->nauth_rows; i++)
        c->auth_rows[i].seen = false;
    const cJSON *a;
    cJSON_ArrayForEach(a, list)
    {
        char account[sizeof c->auth_rows[0].account];
        nm_cache_text(account, sizeof account, nm_jget_str(a, "account"));
        struct nm_authority_row *r = find_row(c->auth_rows, c->nauth_rows, account);
        if (!r)
            continue; /* not in the set shown (it changed meanwhile) */
        r->seen = true;
        r->online = cJSON_IsTrue(nm_jget(a, "online"));
        r->last_signed = nm_jget_u64(a, "lastSignedHeight");
        r->missed = nm_jget_u64(a, "missedRounds");
        uint64_t late;
        r->late = nm_jget_has_u64(a, "lateVotes", &late) && late <= INT64_MAX ? (int64_t)late
                                                                               : -1;
    }
    return NM_DIRTY_BFT;
}

const char *nm_authority_status(const struct nm_authority_row *r)
{
    return !r->seen ? "-" : r->online ? "online" : "offline";
}

void nm_cache_bft_summary(const struct nm_cache *c, char *set_line, size_t set_cap,
                          char *round_line, size_t round_cap)
{
    size_t online = 0, seen = 0;
    for (size_t i = 0; i < c->nauth_rows; i++) {
        seen += c->auth_rows[i].seen;
        online += c->auth_rows[i].seen && c->auth_rows[i].online;
    }
    int n = snprintf(set_line, set_cap, "%zu authorit%s", c->nauth_rows,
                     c->nauth_rows == 1 ? "y" : "ies");
    if (seen && n >= 0 && (size_t)n < set_cap)
        n += snprintf(set_line + n, set_cap - (size_t)n, ", %zu online, %zu offline", online,
                      seen - online);
    if (c->have_auth_set && c->auth_total_power && n >= 0 && (size_t)n < set_cap)
        snprintf(set_line + n, set_cap - (size_t)n, "; quorum %llu of %llu power",
                 (unsigned long long)c->auth_quorum_power,
                 (unsigned long long)c->auth_total_power);
    if (!c->have_bft)
        snprintf(round_line, round_cap, "the node serves no bft_state");
    else if (!c->bft_chain)
        snprintf(round_line, round_cap,
                 "finality instant: one authority, each block final when made (#%llu)",
                 (unsigned long long)c->finalized);
    else if (!c->bft_running)
        snprintf(round_line, round_cap,
                 "best #%llu, finalized #%llu; this node does not vote: online, last signed, "
                 "missed and late are known to voting nodes",
                 (unsigned long long)c->height, (unsigned long long)c->finalized);
    else {
        n = snprintf(round_line, round_cap,
                     "best #%llu, finalized #%llu; deciding #%llu, round %llu, %s",
                     (unsigned long long)c->height, (unsigned long long)c->finalized,
                     (unsigned long long)c->bft_height, (unsigned long long)c->bft_round,
                     c->bft_step[0] ? c->bft_step : "?");
        if (c->bft_self >= 0 && n >= 0 && (size_t)n < round_cap)
            snprintf(round_line + n, round_cap - (size_t)n, "; this node is #%d", c->bft_self);
    }
}
