/* registration.c - the registration burn of each subnet, its adjustment
 * by demand, and the choice of the neuron a full subnet prunes (see
 * registration.h). Integer arithmetic only. */
#include "node/pallets/registration.h"

#include "node/errors.h"
#include "node/json.h"
#include "node/pallets/incentive.h"

#include <stdlib.h>
#include <string.h>

/* Bounds the catch-up of long-idle subnets: after this many empty
 * intervals every burn has long reached its floor. */
#define MAX_CATCH_UP 256

static void reg_entry(struct nm_writer *w, const void *row)
{
    const struct nm_reg_state *r = row;
    nm_put_u8(w, NM_TAG_REGISTRATION);
    nm_put_u16(w, r->subnet);
    nm_put_u64(w, r->burn);
    nm_put_u32(w, r->registrations);
    nm_put_u64(w, r->interval_start);
}

static void reg_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_reg_state *r = row;
    sqlite3_bind_int(st, 1, r->subnet);
    if (!whole)
        return;
    nm_bind_u64(st, 2, r->burn);
    sqlite3_bind_int64(st, 3, r->registrations);
    nm_bind_u64(st, 4, r->interval_start);
}

static const struct nm_state_table reg_table = {
    .insert_sql = "INSERT INTO registration(subnet, burn, registrations, interval_start)"
                  " VALUES(?1, ?2, ?3, ?4)",
    .update_sql = "UPDATE registration SET burn=?2, registrations=?3, interval_start=?4"
                  " WHERE subnet=?1",
    .delete_sql = "DELETE FROM registration WHERE subnet=?1",
    .bind = reg_bind,
    .entry = reg_entry,
};

static int reg_read(sqlite3_stmt *st, struct nm_reg_state *r)
{
    r->subnet = (uint16_t)sqlite3_column_int(st, 0);
    r->burn = nm_column_u64(st, 1);
    r->registrations = (uint32_t)sqlite3_column_int64(st, 2);
    r->interval_start = nm_column_u64(st, 3);
    return 0;
}

static int reg_get(struct nm_db *db, uint16_t subnet, struct nm_reg_state *out, bool *found)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT subnet, burn, registrations, interval_start"
                                      " FROM registration WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        reg_read(st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_registration_state(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                          uint64_t height, struct nm_reg_state *out, bool *stored)
{
    uint64_t interval =
        params->reg_adjustment_interval_blocks ? params->reg_adjustment_interval_blocks : 1;
    uint64_t current = height - height % interval;
    const struct nm_burn_params bp = {
        .target = (uint32_t)params->reg_target_per_interval,
        .alpha_ppb = params->reg_burn_alpha_ppb,
        .min_burn = params->reg_burn_min,
        .max_burn = params->reg_burn_max,
    };
    int err = reg_get(db, subnet, out, stored);
    if (err)
        return err;
    if (!*stored) {
        *out = (struct nm_reg_state){
            .subnet = subnet, .burn = params->reg_burn_min, .interval_start = current};
    } else if (out->interval_start < current) {
        uint64_t ended = (current - out->interval_start) / interval;
        out->burn = nm_burn_next(&bp, out->burn, out->registrations);
        for (uint64_t i = 1; i < ended && i < MAX_CATCH_UP; i++)
            out->burn = nm_burn_next(&bp, out->burn, 0);
        out->registrations = 0;
        out->interval_start = current;
    }
    /* parameters may have moved since: the burn always lies within them */
    if (out->burn > bp.max_burn)
        out->burn = bp.max_burn;
    if (out->burn < bp.min_burn)
        out->burn = bp.min_burn;
    return 0;
}

int nm_registration_count(struct nm_runtime *rt, const struct nm_reg_state *now, bool stored)
{
    struct nm_reg_state old, next = *now;
    bool found;
    int err = reg_get(rt->db, now->subnet, &old, &found);
    if (err)
        return err;
    if (found != stored)
        return NM_E_INTERNAL;
    next.registrations = now->registrations == UINT32_MAX ? UINT32_MAX : now->registrations + 1;
    return nm_runtime_row_put(rt, &reg_table, found ? &old : NULL, &next);
}

int nm_registration_victim(struct nm_runtime *rt, uint16_t subnet, struct nm_neuron *out,
                           uint64_t *score)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT n.account, n.registered_at,"
                                          " COALESCE(s.reward, 0) FROM neurons n"
                                          " LEFT JOIN neuron_stats s ON s.subnet=n.subnet"
                                          " AND s.account=n.account WHERE n.subnet=?1"
                                          " ORDER BY n.uid");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    struct nm_neuron_age *ages = NULL;
    nm_account *who = NULL;
    size_t n = 0, cap = 0;
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            size_t grown = cap ? 2 * cap : 64;
            struct nm_neuron_age *a = realloc(ages, grown * sizeof *a);
            if (a)
                ages = a;
            nm_account *w = a ? realloc(who, grown * sizeof *w) : NULL;
            if (!w) {
                err = NM_E_NOMEM;
                break;
            }
            who = w;
            cap = grown;
        }
        if (nm_column_account(st, 0, &who[n])) {
            err = NM_E_DB;
            break;
        }
        ages[n++] = (struct nm_neuron_age){.score = nm_column_u64(st, 2),
                                           .registered_at = nm_column_u64(st, 1)};
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    if (!err) {
        long chosen = nm_prune_choose(ages, n, rt->params.immunity_period_blocks, rt->height);
        if (chosen < 0) {
            err = NM_E_SUBNET_FULL; /* max_neurons 0: nobody to replace */
        } else {
            *score = ages[chosen].score;
            err = nm_registry_find(rt->db, subnet, &who[chosen], out);
        }
    }
    free(ages);
    free(who);
    return err;
}

cJSON *nm_registration_json(struct nm_db *db, const struct nm_params *params, uint16_t subnet,
                            uint64_t height)
{
    struct nm_reg_state r;
    bool stored;
    cJSON *o = NULL;
    if (nm_registration_state(db, params, subnet, height, &r, &stored) ||
        !(o = cJSON_CreateObject()))
        return NULL;
    nm_json_add_amount(o, "burn", r.burn);
    nm_json_add_u64(o, "registrations", r.registrations);
    nm_json_add_u64(o, "target", params->reg_target_per_interval);
    nm_json_add_u64(o, "interval_blocks", params->reg_adjustment_interval_blocks);
    nm_json_add_u64(o, "next_adjustment",
                    r.interval_start + params->reg_adjustment_interval_blocks);
    nm_json_add_u64(o, "immunity_period", params->immunity_period_blocks);
    return o;
}

int nm_registration_clear(struct nm_runtime *rt, uint16_t subnet)
{
    struct nm_reg_state old;
    bool found;
    int err = reg_get(rt->db, subnet, &old, &found);
    if (err || !found)
        return err;
    return nm_runtime_row_put(rt, &reg_table, &old, NULL);
}

static int reg_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    struct nm_reg_state r;
    reg_read(row, &r);
    reg_entry(w, &r);
    return 0;
}

int nm_registration_fold(struct nm_db *db, struct nm_lthash *acc)
{
    return nm_runtime_fold_rows(db,
                                "SELECT subnet, burn, registrations, interval_start"
                                " FROM registration",
                                reg_row_entry, acc);
}
