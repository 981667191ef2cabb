/* epoch.c - the epoch arithmetic, its JSON shape and the epoch pipeline
 * (see epoch.h). */
#include "node/epoch.h"

#include "node/errors.h"
#include "node/json.h"
#include "node/pallets/consensus.h"
#include "node/pallets/emissions.h"
#include "node/pallets/governance.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"
#include "node/runtime.h"

#include <stdlib.h>

void nm_epoch_at(const struct nm_epoch_base *base, uint64_t height, struct nm_epoch_pos *out)
{
    out->height = height;
    out->tempo = base->tempo;
    uint64_t since = height > base->start ? height - base->start : 0;
    if (base->tempo == 0) {
        out->epoch = base->epoch;
        out->first = base->start;
        out->last = UINT64_MAX;
    } else {
        uint64_t n = since / base->tempo;
        out->epoch = base->epoch + n;
        out->first = base->start + n * base->tempo;
        out->last = out->first + (base->tempo - 1);
    }
    out->index = height > out->first ? height - out->first : 0;
    out->left = out->last > height ? out->last - height : 0;
}

bool nm_epoch_ends(const struct nm_epoch_base *base, uint64_t height)
{
    struct nm_epoch_pos pos;
    nm_epoch_at(base, height, &pos);
    return base->tempo != 0 && height >= base->start && pos.last == height;
}

void nm_epoch_roll(const struct nm_epoch_base *base, uint64_t height, uint64_t tempo,
                   struct nm_epoch_base *out)
{
    struct nm_epoch_pos pos;
    nm_epoch_at(base, height, &pos);
    out->epoch = pos.epoch;
    out->start = height;
    out->tempo = tempo;
}

void nm_epoch_json_add(cJSON *obj, const struct nm_epoch_pos *pos)
{
    nm_json_add_u64(obj, "epoch", pos->epoch);
    nm_json_add_u64(obj, "height", pos->height);
    nm_json_add_u64(obj, "tempo", pos->tempo);
    nm_json_add_u64(obj, "start", pos->first);
    nm_json_add_u64(obj, "end", pos->last);
    nm_json_add_u64(obj, "block_in_epoch", pos->index + 1);
    nm_json_add_u64(obj, "blocks_left", pos->left);
    nm_json_add_u64(obj, "epoch_ends_at", pos->last);
}

/* --- the pipeline --- */

static int subnet_ids(struct nm_db *db, uint16_t **ids, size_t *n)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT id FROM subnets ORDER BY id");
    if (!st)
        return NM_E_DB;
    size_t cap = 16;
    *n = 0;
    *ids = malloc(cap * sizeof **ids);
    int rc, err = *ids ? 0 : NM_E_NOMEM;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            uint16_t *more = realloc(*ids, 2 * cap * sizeof **ids);
            if (!more) {
                err = NM_E_NOMEM;
                break;
            }
            *ids = more;
            cap *= 2;
        }
        (*ids)[(*n)++] = (uint16_t)sqlite3_column_int(st, 0);
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    return err;
}

int nm_epoch_end_block(struct nm_runtime *rt)
{
    if (!nm_epoch_ends(&rt->epoch, rt->height))
        return 0;
    struct nm_epoch_pos pos;
    nm_epoch_at(&rt->epoch, rt->height, &pos);
    uint64_t epoch = pos.epoch, emitted = 0, allotted = 0, paid = 0, slashed = 0;
    uint16_t *ids = NULL;
    size_t n = 0;
    struct nm_subnet *s = malloc(sizeof *s);
    int err = s ? nm_emissions_accrue(rt, &emitted) : NM_E_NOMEM;
    /* GOV-002: the treasury takes its share first; it counts as paid. */
    uint64_t treasury =
        (uint64_t)((unsigned __int128)emitted * rt->params.treasury_share_ppb / 1000000000u);
    if (!err && treasury && !(err = nm_governance_treasury_deposit(rt, treasury, "emissions")))
        paid += treasury;
    uint64_t to_subnets = emitted - treasury;
    if (!err)
        err = subnet_ids(rt->db, &ids, &n);
    for (size_t i = 0; i < n && !err; i++) {
        if ((err = nm_subnets_get(rt->db, ids[i], s)))
            break;
        if (s->status != NM_SUBNET_ACTIVE) {
            err = nm_weights_prune(rt, s->id, NM_WEIGHTS_KEEP_NONE);
            continue;
        }
        uint64_t part = nm_emission_subnet_part(to_subnets, s->spec.emission_weight);
        part = part > to_subnets - allotted ? to_subnets - allotted : part;
        allotted += part;
        err = nm_consensus_process_subnet(rt, s, epoch, part, &paid, &slashed);
    }
    if (!err)
        err = nm_emissions_settle(rt, emitted, paid, emitted - paid, slashed);
    if (!err) {
        cJSON *ev = cJSON_CreateObject();
        if (!ev) {
            err = NM_E_NOMEM;
        } else {
            cJSON_AddNumberToObject(ev, "epoch", epoch);
            nm_json_add_amount(ev, "emitted", emitted);
            nm_json_add_amount(ev, "paid", paid);
            nm_json_add_amount(ev, "treasury", treasury);
            nm_json_add_amount(ev, "burned", emitted - paid);
            err = nm_runtime_event(rt, "emissions.Paid", ev);
        }
    }
    free(ids);
    free(s);
    return err;
}
