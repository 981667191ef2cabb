/* consensus.c - epoch processing of every subnet: aggregation, reputation,
 * outliers, collusion, payouts, stats and summaries (see consensus.h).
 * The JSON views are in consensus_json.c. */
#include "node/pallets/consensus.h"
#include "node/json.h"
#include "node/pallets/consensus_store.h"

#include "node/pallets/collusion.h"
#include "node/pallets/consensus_math.h"
#include "node/errors.h"
#include "node/pallets/emissions.h"
#include "node/pallets/governance.h"
#include "node/pallets/incentive.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/pallets/topology.h"
#include "node/pallets/weights.h"
#include "node/pallets/weights_codec.h"
#include "node/pallets/yuma_mode.h"

#include <stdlib.h>
#include <string.h>

/* --- one subnet's epoch --- */

struct neuron_info {
    bool present;
    uint8_t role;
    nm_account account;
    uint64_t registered_at;
};

struct work {
    struct nm_runtime *rt;
    const struct nm_subnet *s;
    uint16_t subnet;
    uint64_t epoch;
    uint32_t width;              /* 1 + the highest uid */
    struct neuron_info *by_uid;  /* width */
    struct nm_neuron_stats *old; /* width: the stored stats of each uid's account */
    bool *had_stats;             /* width */
    bool *permit;                /* v: holds a validator permit now (issue 16) */
    int32_t *slot;               /* width: uid -> validator index, -1 */
    uint32_t v, m;
    uint16_t *vuid, *miners;
    struct nm_wrow *rows, *prev; /* v each; rows: the standing submissions */
    struct nm_wrow *fresh;       /* v: rows submitted in this epoch, else empty */
    uint64_t *at, *row_epoch;    /* v: block and bucket of each row */
    uint16_t **row_mem;          /* 2v: rows then prev, each row one allocation */
    uint32_t *prev_global;       /* width, or NULL */
    uint64_t *rep_in, *stake;
    uint32_t *global;
    uint64_t *sim, *rep;
    uint8_t *flags;
    uint32_t *streak;
    struct nm_consensus_output out;
    struct nm_collusion_finding *find;
    bool analysed;
    uint64_t *reward_v, *reward_m;
    uint32_t *dividends;         /* v under the Yuma mode (yuma_mode.h), else NULL */
    uint32_t suspects, confirmed;
    uint64_t slashed;
};

static void work_fini(struct work *w)
{
    for (uint32_t i = 0; w->row_mem && i < 2 * w->v; i++)
        free(w->row_mem[i]);
    free(w->row_mem);
    free(w->by_uid);
    free(w->old);
    free(w->had_stats);
    free(w->permit);
    free(w->slot);
    free(w->vuid);
    free(w->miners);
    free(w->rows);
    free(w->prev);
    free(w->fresh);
    free(w->at);
    free(w->row_epoch);
    free(w->prev_global);
    free(w->rep_in);
    free(w->stake);
    free(w->global);
    free(w->sim);
    free(w->rep);
    free(w->flags);
    free(w->streak);
    free(w->find);
    free(w->reward_v);
    free(w->reward_m);
    free(w->dividends);
}

static int load_neurons(struct work *w)
{
    sqlite3_stmt *st = nm_db_stmt(w->rt->db, "SELECT MAX(uid) FROM neurons WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, w->subnet);
    int rc = sqlite3_step(st);
    w->width = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
                   ? (uint32_t)sqlite3_column_int(st, 0) + 1
                   : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return NM_E_DB;
    size_t n = w->width ? w->width : 1;
    w->by_uid = calloc(n, sizeof *w->by_uid);
    w->old = calloc(n, sizeof *w->old);
    w->had_stats = calloc(n, sizeof *w->had_stats);
    w->slot = malloc(n * sizeof *w->slot);
    w->vuid = malloc(n * sizeof *w->vuid);
    w->miners = malloc(n * sizeof *w->miners);
    if (!w->by_uid || !w->old || !w->had_stats || !w->slot || !w->vuid || !w->miners)
        return NM_E_NOMEM;
    if (!(st = nm_db_stmt(w->rt->db, "SELECT uid, account, role, registered_at FROM neurons"
                                     " WHERE subnet=?1 ORDER BY uid")))
        return NM_E_DB;
    sqlite3_bind_int(st, 1, w->subnet);
    for (uint32_t i = 0; i < w->width; i++)
        w->slot[i] = -1;
    int err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t uid = (uint32_t)sqlite3_column_int(st, 0);
        struct neuron_info *n = &w->by_uid[uid];
        if (uid >= w->width || nm_column_account(st, 1, &n->account)) {
            err = NM_E_DB;
            break;
        }
        n->present = true;
        n->role = (uint8_t)sqlite3_column_int(st, 2);
        n->registered_at = nm_column_u64(st, 3);
        if (n->role == NM_ROLE_VALIDATOR) {
            w->slot[uid] = (int32_t)w->v;
            w->vuid[w->v++] = (uint16_t)uid;
        } else {
            w->miners[w->m++] = (uint16_t)uid;
        }
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    return err;
}

/* The stored stats of every current neuron's account. */
static int load_stats(struct work *w)
{
    /* The stored uid is the entry's; the neuron's current one indexes. */
    sqlite3_stmt *st = nm_db_stmt(w->rt->db, "SELECT s.subnet, s.account, s.uid, s.role,"
                                             " s.epoch, s.weight, s.incentive, s.reward,"
                                             " s.reputation, s.similarity, s.flags, s.streak,"
                                             " n.uid FROM neuron_stats s JOIN neurons n"
                                             " ON n.subnet=s.subnet AND n.account=s.account"
                                             " WHERE s.subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, w->subnet);
    int rc, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct nm_neuron_stats s;
        uint32_t uid = (uint32_t)sqlite3_column_int(st, 12);
        if ((err = nm_neuron_stats_read(st, &s)))
            break;
        if (uid >= w->width) {
            err = NM_E_DB;
            break;
        }
        w->old[uid] = s;
        w->had_stats[uid] = true;
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    return err;
}

/* Masks and stores one submission into rows[slot]. */
struct bucket_ctx {
    struct work *w;
    struct nm_wrow *rows;
    uint16_t **mem; /* per validator: its row's uids and weights */
    uint64_t *at;   /* may be NULL */
    uint64_t *epoch_of; /* may be NULL */
};

static int bucket_row(void *ctx, const struct nm_weights_row *row)
{
    struct bucket_ctx *b = ctx;
    struct work *w = b->w;
    if (row->uid >= w->width || w->slot[row->uid] < 0 ||
        !nm_account_eq(&w->by_uid[row->uid].account, &row->account) ||
        !w->permit[w->slot[row->uid]] ||
        row->block < w->by_uid[row->uid].registered_at)
        return 0; /* its author is no longer (or not then) a validator here */
    uint32_t k = (uint32_t)w->slot[row->uid];
    size_t n;
    if (nm_wcodec_count(row->data, row->len, &n))
        return NM_E_DB;
    uint16_t *uids = malloc((n ? n : 1) * (sizeof *uids + sizeof(uint16_t)));
    uint32_t *values = malloc((n ? n : 1) * sizeof *values);
    uint64_t *raw = malloc((n ? n : 1) * sizeof *raw);
    int err = NM_E_NOMEM;
    if (!uids || !values || !raw)
        goto out;
    uint16_t *weights = uids + (n ? n : 1);
    if ((err = nm_wcodec_decode(row->data, row->len, uids, values, n, &n)))
        goto out;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct neuron_info *ni = uids[i] < w->width ? &w->by_uid[uids[i]] : NULL;
        if (ni && ni->present && ni->role == NM_ROLE_MINER && ni->registered_at <= row->block &&
            values[i] <= NM_WEIGHT_SUM) {
            uids[kept] = uids[i];
            raw[kept++] = values[i];
        }
    }
    err = 0;
    if (kept == 0)
        goto out;
    if (kept < n) { /* renormalise what is left, then drop zeros */
        if ((err = nm_normalize_l1(raw, kept, weights)))
            goto out;
        size_t nz = 0;
        for (size_t i = 0; i < kept; i++)
            if (weights[i]) {
                uids[nz] = uids[i];
                weights[nz++] = weights[i];
            }
        kept = nz;
    } else {
        for (size_t i = 0; i < kept; i++)
            weights[i] = (uint16_t)raw[i];
    }
    free(b->mem[k]);
    b->mem[k] = uids;
    uids = NULL;
    b->rows[k] = (struct nm_wrow){(uint32_t)kept, b->mem[k], weights};
    if (b->at)
        b->at[k] = row->block;
    if (b->epoch_of)
        b->epoch_of[k] = row->epoch;
out:
    free(uids);
    free(values);
    free(raw);
    return err;
}

static int load_previous_global(struct work *w)
{
    if (w->epoch == 0)
        return 0;
    sqlite3_stmt *st = nm_db_stmt(w->rt->db, "SELECT global FROM epochs"
                                             " WHERE subnet=?1 AND epoch=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, w->subnet);
    nm_bind_u64(st, 2, w->epoch - 1);
    int rc = sqlite3_step(st), err = 0;
    if (rc == SQLITE_ROW) {
        const uint8_t *data = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0), n;
        uint16_t *uids = NULL;
        uint32_t *values = NULL;
        err = nm_wcodec_count(data, len, &n) ? NM_E_DB : 0;
        if (!err) {
            uids = malloc((n ? n : 1) * sizeof *uids);
            values = malloc((n ? n : 1) * sizeof *values);
            w->prev_global = calloc(w->width ? w->width : 1, sizeof *w->prev_global);
            err = uids && values && w->prev_global ? 0 : NM_E_NOMEM;
        }
        if (!err && nm_wcodec_decode(data, len, uids, values, n, &n))
            err = NM_E_DB;
        for (size_t i = 0; !err && i < n; i++)
            if (uids[i] < w->width)
                w->prev_global[uids[i]] = values[i];
        free(uids);
        free(values);
    } else if (rc != SQLITE_DONE) {
        err = NM_E_DB;
    }
    sqlite3_reset(st);
    return err;
}

static int load(struct work *w)
{
    int err;
    if ((err = load_neurons(w)) || (err = load_stats(w)))
        return err;
    size_t v = w->v ? w->v : 1;
    w->rows = calloc(v, sizeof *w->rows);
    w->prev = calloc(v, sizeof *w->prev);
    w->at = calloc(v, sizeof *w->at);
    w->row_epoch = calloc(v, sizeof *w->row_epoch);
    w->fresh = calloc(v, sizeof *w->fresh);
    w->row_mem = calloc(2 * v, sizeof *w->row_mem);
    w->rep_in = malloc(v * sizeof *w->rep_in);
    w->stake = malloc(v * sizeof *w->stake);
    w->global = calloc(w->width ? w->width : 1, sizeof *w->global);
    w->sim = malloc(v * sizeof *w->sim);
    w->rep = malloc(v * sizeof *w->rep);
    w->flags = malloc(v * sizeof *w->flags);
    w->streak = calloc(v, sizeof *w->streak);
    w->find = malloc(v * sizeof *w->find);
    w->reward_v = calloc(v, sizeof *w->reward_v);
    w->reward_m = calloc(w->m ? w->m : 1, sizeof *w->reward_m);
    if (!w->rows || !w->prev || !w->at || !w->row_epoch || !w->fresh || !w->row_mem || !w->rep_in || !w->stake || !w->global ||
        !w->sim || !w->rep || !w->flags || !w->streak || !w->find || !w->reward_v || !w->reward_m)
        return NM_E_NOMEM;
    const struct nm_params *p = &w->rt->params;
    for (uint32_t k = 0; k < w->v; k++) {
        uint16_t uid = w->vuid[k];
        const struct nm_neuron_stats *old = &w->old[uid];
        w->rep_in[k] = w->had_stats[uid] && old->role == NM_ROLE_VALIDATOR
                           ? old->reputation
                           : p->initial_reputation_ppb;
        if ((err = nm_staking_get(w->rt->db, &w->by_uid[uid].account, w->subnet, &w->stake[k])))
            return err;
    }
    /* issue 16: a validator that lost its permit since it submitted (others
     * bonded more) no longer counts, standing weights or not */
    if (!(w->permit = calloc(v, sizeof *w->permit)))
        return NM_E_NOMEM;
    uint32_t k_permits = p->max_validators > UINT32_MAX ? UINT32_MAX : (uint32_t)p->max_validators;
    if (nm_permits_select(w->stake, w->v, w->s->spec.min_stake_validator, k_permits, w->permit) <
        0)
        return NM_E_NOMEM;
    struct bucket_ctx cur = {w, w->rows, w->row_mem, w->at, w->row_epoch};
    struct bucket_ctx prev = {w, w->prev, w->row_mem + w->v, NULL, NULL};
    /* issue 16: each validator's latest submission stands until it is
     * older than the activity cutoff */
    if ((err = nm_weights_standing_each(w->rt->db, w->subnet,
                                        nm_weights_standing_from(p, w->rt->height), bucket_row,
                                        &cur)))
        return err;
    for (uint32_t k = 0; k < w->v; k++)
        if (w->rows[k].n && w->row_epoch[k] == w->epoch)
            w->fresh[k] = w->rows[k];
    if (w->epoch > 0 &&
        (err = nm_weights_bucket_each(w->rt->db, w->subnet, w->epoch - 1, bucket_row, &prev)))
        return err;
    return load_previous_global(w);
}

/* Streaks, penalties and slashing (step 3). */
/* Issue 16, the seed's third signal: validators announcing from one
 * network whose weights also lean the same way at about the same time
 * (topology.h). Their endpoints are read from table neurons. */
static int topology(struct work *w)
{
    const struct nm_params *p = &w->rt->params;
    if (!p->collusion_topology_ppb || w->m < p->collusion_min_miners)
        return 0;
    char(*keys)[NM_TOPOLOGY_KEY_MAX] = calloc(w->v + 1, sizeof *keys);
    const char **network = malloc((w->v + 1) * sizeof *network);
    sqlite3_stmt *st =
        nm_db_stmt(w->rt->db, "SELECT endpoint FROM neurons WHERE subnet=?1 AND uid=?2");
    int err = !keys || !network ? NM_E_NOMEM : !st ? NM_E_DB : 0;
    for (uint32_t k = 0; k < w->v && !err; k++) {
        sqlite3_bind_int(st, 1, w->subnet);
        sqlite3_bind_int(st, 2, w->vuid[k]);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            nm_topology_network((const char *)sqlite3_column_text(st, 0), keys[k]);
        sqlite3_reset(st);
        network[k] = keys[k];
    }
    struct nm_topology_params tp = {p->collusion_topology_ppb, p->collusion_topology_blocks,
                                    (uint32_t)p->collusion_topology_pairs};
    struct nm_topology_input in = {w->v,      network, w->rows, w->at, w->global,
                                   w->miners, w->m,    w->width};
    long linked = err ? 0 : nm_topology_links(&tp, &in, w->find);
    free(keys);
    free(network);
    return err ? err : linked < 0 ? (int)linked : 0;
}

static int judge(struct work *w)
{
    const struct nm_params *p = &w->rt->params;
    struct nm_collusion_params cp = {p->collusion_threshold_ppb, p->collusion_copy_ppb,
                                     (uint32_t)p->collusion_min_miners};
    /* The analysis compares what was submitted in this epoch: a standing
     * submission was analysed in its own. */
    struct nm_collusion_input in = {w->v,    w->width,       w->fresh,  w->at,
                                    w->prev, w->prev_global, w->miners, w->m};
    int err = nm_collusion_analyse(&cp, &in, w->find, &w->analysed);
    if (err || (err = topology(w)))
        return err;
    for (uint32_t k = 0; k < w->v; k++) {
        const struct nm_neuron_stats *old = &w->old[w->vuid[k]];
        uint32_t before =
            w->had_stats[w->vuid[k]] && old->role == NM_ROLE_VALIDATOR ? old->streak : 0;
        if (!w->find[k].kinds) {
            w->streak[k] = 0;
            continue;
        }
        w->suspects++;
        w->flags[k] |= NM_VFLAG_COLLUSION_SUSPECT;
        w->streak[k] = before == UINT32_MAX ? before : before + 1;
        if (w->streak[k] < p->collusion_confirm_epochs)
            continue;
        w->confirmed++;
        w->flags[k] |= NM_VFLAG_COLLUSION_CONFIRMED;
        w->rep[k] = nm_fx_reduce(w->rep[k], p->collusion_penalty_ppb);
        if (p->collusion_slash_ppb && w->streak[k] % p->collusion_confirm_epochs == 0) {
            uint64_t cut = 0;
            if ((err = nm_staking_slash(w->rt, &w->by_uid[w->vuid[k]].account, w->subnet,
                                        p->collusion_slash_ppb, &cut)))
                return err;
            w->slashed += cut;
            w->stake[k] -= cut;
        }
    }
    return 0;
}

/* Step 4: what the subnet's part of the emission pays. */
static int pay(struct work *w, uint64_t part, struct nm_epoch_summary *sum)
{
    const struct nm_params *p = &w->rt->params;
    uint64_t miner_share = p->miner_share_ppb > NM_FX_ONE ? NM_FX_ONE : p->miner_share_ppb;
    uint64_t miners = (uint64_t)((unsigned __int128)part * miner_share / NM_FX_ONE);
    uint64_t validators = (uint64_t)((unsigned __int128)part * p->validator_share_ppb / NM_FX_ONE);
    if (validators > part - miners)
        validators = part - miners;
    uint64_t *shares = malloc(((w->m > w->v ? w->m : w->v) + 1) * sizeof *shares);
    if (!shares)
        return NM_E_NOMEM;
    for (uint32_t j = 0; j < w->m; j++)
        shares[j] = w->global[w->miners[j]];
    nm_split(miners, shares, w->m, w->reward_m);
    for (uint32_t k = 0; k < w->v; k++)
        shares[k] =
            (w->flags[k] & NM_VFLAG_SUBMITTED) && !(w->flags[k] & NM_VFLAG_COLLUSION_CONFIRMED)
                ? w->rep[k]
                : 0;
    /* Issue 16: under basis 1 validators are paid by stake x reputation,
     * so a stake split over many identities earns what it earns whole;
     * under the Yuma mode by its dividends (by stake when there are none). */
    if (w->dividends) {
        uint64_t total = 0;
        for (uint32_t k = 0; k < w->v; k++)
            total += shares[k] = w->flags[k] & NM_VFLAG_COLLUSION_CONFIRMED ? 0 : w->dividends[k];
        for (uint32_t k = 0; k < w->v && !total; k++)
            shares[k] = w->flags[k] & NM_VFLAG_COLLUSION_CONFIRMED ? 0 : w->stake[k];
    } else if (p->aggregation_basis == 1) {
        nm_stake_shares(shares, w->stake, w->v, shares);
    }
    nm_split(validators, shares, w->v, w->reward_v);
    free(shares);
    int err = 0;
    for (uint32_t j = 0; j < w->m && !err; j++)
        err = nm_emissions_pay(w->rt, &w->by_uid[w->miners[j]].account, w->reward_m[j],
                               &sum->miner_paid);
    for (uint32_t k = 0; k < w->v && !err; k++)
        err = nm_emissions_pay(w->rt, &w->by_uid[w->vuid[k]].account, w->reward_v[k],
                               &sum->validator_paid);
    if (!err)
        err = nm_emissions_pay(w->rt, &w->s->owner, part - miners - validators, &sum->owner_paid);
    sum->emission = part;
    sum->burned = part - sum->miner_paid - sum->validator_paid - sum->owner_paid;
    return err;
}

/* Issue 16: a subnet in the Yuma mode takes W_global from Yuma's incentive
 * and pays its validators by Yuma's dividends (yuma_mode.h). A validator
 * without weights this epoch takes no part. */
static int yuma_epoch(struct work *w)
{
    uint8_t mode;
    int err = nm_yuma_mode_get(w->rt->db, w->subnet, &mode);
    if (err || mode != NM_AGG_YUMA)
        return err;
    nm_account *accounts = malloc((w->v + 1) * sizeof *accounts);
    uint64_t *stake = malloc((w->v + 1) * sizeof *stake);
    uint64_t *registered_at = malloc((w->width + 1) * sizeof *registered_at);
    w->dividends = calloc(w->v + 1, sizeof *w->dividends);
    if (!accounts || !stake || !registered_at || !w->dividends) {
        err = NM_E_NOMEM;
        goto out;
    }
    for (uint32_t k = 0; k < w->v; k++) {
        accounts[k] = w->by_uid[w->vuid[k]].account;
        stake[k] = w->rows[k].n ? w->stake[k] : 0;
    }
    for (uint32_t j = 0; j < w->width; j++)
        registered_at[j] = w->by_uid[j].present ? w->by_uid[j].registered_at : 0;
    struct nm_yuma_epoch e = {.subnet = w->subnet,
                              .v = w->v,
                              .width = w->width,
                              .vuid = w->vuid,
                              .accounts = accounts,
                              .rows = w->rows,
                              .stake = stake,
                              .registered_at = registered_at};
    /* this epoch's summary is written after: the last one is the bonds' */
    if (!(err = nm_epoch_summary_last_height(w->rt->db, w->subnet, &e.bonds_at)))
        err = nm_yuma_mode_epoch(w->rt, &e, w->global, w->dividends);
out:
    free(accounts);
    free(stake);
    free(registered_at);
    return err;
}

static int write_stats(struct work *w)
{
    int err = nm_neuron_stats_prune(w->rt, w->subnet);
    uint64_t total = 0;
    for (uint32_t j = 0; j < w->m; j++)
        total += w->global[w->miners[j]];
    for (uint32_t j = 0; j < w->m && !err; j++) {
        uint16_t uid = w->miners[j];
        struct nm_neuron_stats s = {.account = w->by_uid[uid].account,
                                    .uid = uid,
                                    .role = NM_ROLE_MINER,
                                    .epoch = w->epoch,
                                    .weight = w->global[uid],
                                    .reward = w->reward_m[j]};
        s.incentive = total ? (uint64_t)((unsigned __int128)s.weight * NM_FX_ONE / total) : 0;
        err = nm_neuron_stats_put(w->rt, w->subnet, w->had_stats[uid] ? &w->old[uid] : NULL, &s);
    }
    for (uint32_t k = 0; k < w->v && !err; k++) {
        uint16_t uid = w->vuid[k];
        struct nm_neuron_stats s = {.account = w->by_uid[uid].account,
                                    .uid = uid,
                                    .role = NM_ROLE_VALIDATOR,
                                    .epoch = w->epoch,
                                    .reward = w->reward_v[k],
                                    .reputation = w->rep[k],
                                    .similarity = w->sim[k],
                                    .flags = w->flags[k],
                                    .streak = w->streak[k]};
        err = nm_neuron_stats_put(w->rt, w->subnet, w->had_stats[uid] ? &w->old[uid] : NULL, &s);
    }
    return err;
}

static int partner_uid(const struct work *w, int32_t index)
{
    return index < 0 ? -1 : w->vuid[index];
}

static int write_findings(struct work *w)
{
    int err = nm_collusion_rows_clear(w->rt, w->subnet);
    for (uint32_t k = 0; k < w->v && !err; k++) {
        const struct nm_collusion_finding *f = &w->find[k];
        if (!f->kinds)
            continue;
        struct nm_collusion_row row = {w->by_uid[w->vuid[k]].account,
                                       w->vuid[k],
                                       w->epoch,
                                       f->kinds,
                                       f->cluster ? w->vuid[f->cluster - 1] : -1,
                                       partner_uid(w, f->partner),
                                       f->score,
                                       w->streak[k]};
        err = nm_collusion_row_put(w->rt, w->subnet, &row);
    }
    return err;
}

static int write_summary(struct work *w, struct nm_epoch_summary *sum)
{
    struct nm_writer blob;
    nm_writer_init(&blob);
    uint16_t *uids = malloc((w->m ? w->m : 1) * sizeof *uids);
    uint32_t *values = malloc((w->m ? w->m : 1) * sizeof *values);
    int err = NM_E_NOMEM;
    if (!uids || !values)
        goto out;
    size_t n = 0;
    for (uint32_t j = 0; j < w->m; j++)
        if (w->global[w->miners[j]]) {
            uids[n] = w->miners[j];
            values[n++] = w->global[w->miners[j]];
        }
    if ((err = nm_wcodec_encode(uids, values, n, &blob)) || (err = blob.err))
        goto out;
    sum->global = blob.data;
    sum->global_len = blob.len;
    err = nm_epoch_summary_put(w->rt, sum);
out:
    free(uids);
    free(values);
    nm_writer_fini(&blob);
    sum->global = NULL;
    return err;
}

static cJSON *event_head(const struct work *w)
{
    cJSON *ev = cJSON_CreateObject();
    if (ev) {
        cJSON_AddNumberToObject(ev, "subnet", w->subnet);
        cJSON_AddNumberToObject(ev, "epoch", w->epoch);
    }
    return ev;
}

static int emit(struct work *w, const char *name, cJSON *ev)
{
    return ev ? nm_runtime_event(w->rt, name, ev) : NM_E_NOMEM;
}

static int outlier_events(struct work *w)
{
    int err = 0;
    for (uint32_t k = 0; k < w->v && !err; k++) {
        if (!(w->flags[k] & NM_VFLAG_OUTLIER))
            continue;
        cJSON *ev = event_head(w);
        if (ev) {
            cJSON_AddNumberToObject(ev, "uid", w->vuid[k]);
            cJSON_AddNumberToObject(ev, "similarity", w->sim[k]);
            cJSON_AddNumberToObject(ev, "below", w->out.outlier_below);
        }
        err = emit(w, "consensus.Outlier", ev);
    }
    return err;
}

static int collusion_events(struct work *w)
{
    int err = 0;
    /* Clusters, once each, named by their lowest member. */
    for (uint32_t k = 0; k < w->v && !err; k++) {
        const struct nm_collusion_finding *f = &w->find[k];
        if (!(f->kinds & NM_COLL_CLUSTER) || f->cluster != k + 1)
            continue;
        cJSON *ev = event_head(w), *members = cJSON_CreateArray();
        int64_t score = 0;
        for (uint32_t j = 0; j < w->v; j++)
            if ((w->find[j].kinds & NM_COLL_CLUSTER) && w->find[j].cluster == k + 1) {
                nm_json_append(members, cJSON_CreateNumber(w->vuid[j]));
                if (w->find[j].score > score)
                    score = w->find[j].score;
            }
        if (ev) {
            cJSON_AddNumberToObject(ev, "cluster", w->vuid[k]);
            nm_json_add(ev, "members", members);
            cJSON_AddNumberToObject(ev, "score", score);
        } else {
            cJSON_Delete(members);
        }
        err = emit(w, "consensus.CollusionCluster", ev);
    }
    static const struct {
        uint8_t kind;
        const char *name;
    } copies[] = {
        {NM_COLL_COPY, "copy"}, {NM_COLL_LAGGED, "lagged"}, {NM_COLL_CONSENSUS, "consensus"}};
    for (uint32_t k = 0; k < w->v && !err; k++) {
        const struct nm_collusion_finding *f = &w->find[k];
        if (!(f->kinds & (NM_COLL_COPY | NM_COLL_LAGGED | NM_COLL_CONSENSUS)))
            continue;
        cJSON *ev = event_head(w), *kinds = cJSON_CreateArray();
        for (size_t i = 0; i < sizeof copies / sizeof copies[0]; i++)
            if (f->kinds & copies[i].kind)
                nm_json_append(kinds, cJSON_CreateString(copies[i].name));
        if (ev) {
            cJSON_AddNumberToObject(ev, "uid", w->vuid[k]);
            nm_json_add(ev, "kinds", kinds);
            if (f->partner >= 0)
                cJSON_AddNumberToObject(ev, "of", w->vuid[f->partner]);
            else
                cJSON_AddNullToObject(ev, "of");
            cJSON_AddNumberToObject(ev, "score", f->score);
        } else {
            cJSON_Delete(kinds);
        }
        err = emit(w, "consensus.WeightCopying", ev);
    }
    for (uint32_t k = 0; k < w->v && !err; k++) {
        const struct nm_collusion_finding *f = &w->find[k];
        if (f->kinds != NM_COLL_TOPOLOGY)
            continue; /* a topology link alone; with others, their events say it */
        cJSON *ev = event_head(w);
        if (ev) {
            cJSON_AddNumberToObject(ev, "uid", w->vuid[k]);
            cJSON_AddNumberToObject(ev, "of", w->vuid[f->partner]);
            cJSON_AddNumberToObject(ev, "score", f->score);
        }
        err = emit(w, "consensus.SharedNetwork", ev);
    }
    for (uint32_t k = 0; k < w->v && !err; k++) {
        if (!(w->flags[k] & NM_VFLAG_COLLUSION_CONFIRMED))
            continue;
        cJSON *ev = event_head(w);
        if (ev) {
            cJSON_AddNumberToObject(ev, "uid", w->vuid[k]);
            nm_json_add_account(ev, "who", &w->by_uid[w->vuid[k]].account);
            cJSON_AddNumberToObject(ev, "streak", w->streak[k]);
            cJSON_AddNumberToObject(ev, "reputation", w->rep[k]);
        }
        err = emit(w, "consensus.CollusionConfirmed", ev);
    }
    return err;
}

static int epoch_event(struct work *w, const struct nm_epoch_summary *sum)
{
    cJSON *ev = event_head(w);
    if (ev) {
        cJSON_AddNumberToObject(ev, "validators", sum->validators);
        cJSON_AddNumberToObject(ev, "submitted", sum->submitted);
        cJSON_AddNumberToObject(ev, "outliers", sum->outliers);
        nm_json_add_amount(ev, "emission", sum->emission);
        nm_json_add_amount(ev, "miner_paid", sum->miner_paid);
        nm_json_add_amount(ev, "validator_paid", sum->validator_paid);
        nm_json_add_amount(ev, "owner_paid", sum->owner_paid);
        nm_json_add_amount(ev, "burned", sum->burned);
        cJSON_AddStringToObject(ev, "aggregation", w->dividends ? "yuma" : "seed");
    }
    return emit(w, "consensus.EpochProcessed", ev);
}

int nm_consensus_process_subnet(struct nm_runtime *rt, const struct nm_subnet *s, uint64_t epoch,
                                uint64_t part, uint64_t *paid, uint64_t *slashed)
{
    struct work w = {.rt = rt, .s = s, .subnet = s->id, .epoch = epoch};
    struct nm_epoch_summary sum = {.subnet = s->id, .epoch = epoch, .height = rt->height};
    const struct nm_params *p = &rt->params;
    int err = load(&w);
    if (err)
        goto out;
    struct nm_consensus_params cp = {p->reputation_alpha_ppb, p->outlier_k_ppb,
                                     p->outlier_floor_ppb,    p->outlier_penalty_ppb,
                                     p->nonsubmit_decay_ppb,  p->aggregation_basis == 1};
    struct nm_consensus_input in = {w.v, w.width, w.rows, w.rep_in, w.stake};
    w.out = (struct nm_consensus_output){
        .global = w.global, .similarity = w.sim, .reputation = w.rep, .flags = w.flags};
    if ((err = nm_consensus_run(&cp, &in, &w.out)) || (err = judge(&w)) ||
        (err = yuma_epoch(&w)) || (err = pay(&w, part, &sum)))
        goto out;
    sum.validators = w.v;
    sum.submitted = w.out.submitted;
    sum.outliers = w.out.outliers;
    sum.median = w.out.median;
    sum.mad = w.out.mad;
    sum.suspects = w.suspects;
    sum.confirmed = w.confirmed;
    sum.analysed = w.analysed;
    if ((err = write_stats(&w)) || (err = write_findings(&w)) || (err = write_summary(&w, &sum)) ||
        (err = outlier_events(&w)) || (err = collusion_events(&w)) ||
        (err = epoch_event(&w, &sum)) || (err = nm_weights_prune(rt, s->id, epoch)))
        goto out;
    *paid += sum.miner_paid + sum.validator_paid + sum.owner_paid;
    *slashed += w.slashed;
out:
    work_fini(&w);
    return err;
}
