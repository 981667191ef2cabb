/* yuma_mode.c - a subnet's epoch mode and its Yuma bonds as state (see
 * yuma_mode.h). */
#include "node/pallets/yuma_mode.h"

#include "node/errors.h"
#include "node/pallets/subnets.h"
#include "node/pallets/yuma.h"

#include <stdlib.h>
#include <string.h>

bool nm_yuma_mode_param(const char *name, uint16_t *id_out)
{
    return nm_subnets_param_name(name, ".aggregation", id_out);
}

/* ---- subnet_modes ---- */

struct mode_row {
    uint16_t subnet;
    uint8_t mode;
};

static void mode_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct mode_row *r = row;
    sqlite3_bind_int(st, 1, r->subnet);
    if (whole)
        sqlite3_bind_int(st, 2, r->mode);
}

static void mode_entry(struct nm_writer *w, const void *row)
{
    const struct mode_row *r = row;
    nm_put_u8(w, NM_TAG_SUBNET_MODE);
    nm_put_u16(w, r->subnet);
    nm_put_u8(w, r->mode);
}

static const struct nm_state_table mode_table = {
    .insert_sql = "INSERT INTO subnet_modes(subnet, mode) VALUES(?1, ?2)",
    .update_sql = "UPDATE subnet_modes SET mode=?2 WHERE subnet=?1",
    .delete_sql = "DELETE FROM subnet_modes WHERE subnet=?1",
    .bind = mode_bind,
    .entry = mode_entry,
};

int nm_yuma_mode_get(struct nm_db *db, uint16_t subnet, uint8_t *mode)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT mode FROM subnet_modes WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    *mode = rc == SQLITE_ROW ? (uint8_t)sqlite3_column_int(st, 0) : NM_AGG_SEED;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* ---- yuma_bonds ---- */

struct bonds_row {
    uint16_t subnet, uid;
    nm_account account;
    uint32_t width;
    const uint8_t *bonds; /* width x u32 little-endian */
};

static void bonds_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct bonds_row *r = row;
    sqlite3_bind_int(st, 1, r->subnet);
    sqlite3_bind_int(st, 2, r->uid);
    if (!whole)
        return;
    sqlite3_bind_blob(st, 3, r->account.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, r->width ? (const void *)r->bonds : "", (int)(4 * r->width),
                      SQLITE_STATIC);
}

static void bonds_entry(struct nm_writer *w, const void *row)
{
    const struct bonds_row *r = row;
    nm_put_u8(w, NM_TAG_YUMA_BONDS);
    nm_put_u16(w, r->subnet);
    nm_put_u16(w, r->uid);
    nm_put_raw(w, r->account.b, NM_PUBKEY_LEN);
    nm_put_bytes(w, r->bonds, 4 * (size_t)r->width);
}

static const struct nm_state_table bonds_table = {
    .insert_sql = "INSERT INTO yuma_bonds(subnet, uid, account, bonds) VALUES(?1, ?2, ?3, ?4)",
    .delete_sql = "DELETE FROM yuma_bonds WHERE subnet=?1 AND uid=?2",
    .bind = bonds_bind,
    .entry = bonds_entry,
};

#define BONDS_COLUMNS "subnet, uid, account, bonds"

/* Reads a selected row (columns BONDS_COLUMNS); the blob stays the
 * statement's until its next step. */
static int bonds_read(sqlite3_stmt *st, struct bonds_row *r)
{
    int bytes = sqlite3_column_bytes(st, 3);
    r->subnet = (uint16_t)sqlite3_column_int(st, 0);
    r->uid = (uint16_t)sqlite3_column_int(st, 1);
    r->bonds = sqlite3_column_blob(st, 3);
    r->width = (uint32_t)bytes / 4;
    if (nm_column_account(st, 2, &r->account) || bytes % 4 || (bytes && !r->bonds))
        return NM_E_DB;
    return 0;
}

/* Deletes every bonds row of the subnet, one state write each. */
static int bonds_clear(struct nm_runtime *rt, uint16_t subnet)
{
    for (;;) {
        sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT " BONDS_COLUMNS " FROM yuma_bonds"
                                                  " WHERE subnet=?1 ORDER BY uid LIMIT 1");
        if (!st)
            return NM_E_DB;
        sqlite3_bind_int(st, 1, subnet);
        int rc = sqlite3_step(st), err = 0;
        struct bonds_row r;
        uint8_t *copy = NULL;
        if (rc == SQLITE_ROW && !(err = bonds_read(st, &r)) &&
            !(copy = malloc(4 * (size_t)r.width + 1)))
            err = NM_E_NOMEM;
        if (copy) {
            memcpy(copy, r.bonds, 4 * (size_t)r.width);
            r.bonds = copy;
        }
        sqlite3_reset(st);
        if (!err && rc == SQLITE_ROW)
            err = nm_runtime_row_put(rt, &bonds_table, &r, NULL);
        free(copy);
        if (err || rc != SQLITE_ROW)
            return err ? err : rc == SQLITE_DONE ? 0 : NM_E_DB;
    }
}

int nm_yuma_mode_set(struct nm_runtime *rt, uint16_t subnet, uint64_t mode, bool write,
                     uint8_t *old_out)
{
    struct nm_subnet *s = malloc(sizeof *s);
    uint8_t old = NM_AGG_SEED;
    if (!s)
        return NM_E_NOMEM;
    int err = nm_subnets_get(rt->db, subnet, s);
    if (!err && s->status != NM_SUBNET_ACTIVE)
        err = NM_E_SUBNET_RETIRED;
    free(s);
    if (err || (err = nm_yuma_mode_get(rt->db, subnet, &old)))
        return err;
    if (mode >= NM_AGG__COUNT)
        return NM_E_PARAM_BOUNDS;
    if (mode == old)
        return NM_E_NO_CHANGE;
    if (old_out)
        *old_out = old;
    if (!write)
        return 0;
    struct mode_row before = {subnet, old}, after = {subnet, (uint8_t)mode};
    if ((err = nm_runtime_row_put(rt, &mode_table, old ? &before : NULL,
                                  mode ? &after : NULL)))
        return err;
    return old == NM_AGG_YUMA ? bonds_clear(rt, subnet) : 0;
}

int nm_yuma_bonds_load(struct nm_db *db, uint16_t subnet, uint32_t v, const uint16_t *vuid,
                       const nm_account *accounts, uint32_t width, uint32_t *bonds, bool *any)
{
    memset(bonds, 0, (size_t)v * width * sizeof *bonds);
    *any = false;
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT " BONDS_COLUMNS " FROM yuma_bonds"
                                      " WHERE subnet=?1 AND uid=?2");
    if (!st)
        return NM_E_DB;
    int err = 0;
    for (uint32_t k = 0; k < v && !err; k++) {
        sqlite3_bind_int(st, 1, subnet);
        sqlite3_bind_int(st, 2, vuid[k]);
        int rc = sqlite3_step(st);
        struct bonds_row r;
        if (rc == SQLITE_ROW && !(err = bonds_read(st, &r)) && r.width == width &&
            nm_account_eq(&r.account, &accounts[k])) {
            for (uint32_t j = 0; j < width; j++) {
                const uint8_t *b = r.bonds + 4 * (size_t)j;
                bonds[(size_t)k * width + j] =
                    (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                    (uint32_t)b[3] << 24;
            }
            *any = true;
        } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            err = NM_E_DB;
        }
        sqlite3_reset(st);
    }
    return err;
}

int nm_yuma_bonds_store(struct nm_runtime *rt, uint16_t subnet, uint32_t v, const uint16_t *vuid,
                        const nm_account *accounts, uint32_t width, const uint32_t *bonds)
{
    int err = bonds_clear(rt, subnet);
    uint8_t *blob = malloc(4 * (size_t)width + 1);
    if (!blob)
        return NM_E_NOMEM;
    for (uint32_t k = 0; k < v && !err; k++) {
        for (uint32_t j = 0; j < width; j++) {
            uint32_t b = bonds[(size_t)k * width + j];
            uint8_t *p = blob + 4 * (size_t)j;
            p[0] = (uint8_t)b;
            p[1] = (uint8_t)(b >> 8);
            p[2] = (uint8_t)(b >> 16);
            p[3] = (uint8_t)(b >> 24);
        }
        struct bonds_row r = {subnet, vuid[k], accounts[k], width, blob};
        err = nm_runtime_row_put(rt, &bonds_table, NULL, &r);
    }
    free(blob);
    return err;
}

int nm_yuma_mode_clear_subnet(struct nm_runtime *rt, uint16_t subnet)
{
    uint8_t mode;
    int err = nm_yuma_mode_get(rt->db, subnet, &mode);
    struct mode_row before = {subnet, mode};
    if (!err && mode != NM_AGG_SEED)
        err = nm_runtime_row_put(rt, &mode_table, &before, NULL);
    return err ? err : bonds_clear(rt, subnet);
}

/* Zeroes the bonds of every uid registered after the bonds were written:
 * a validator's row, a miner's column (see yuma_mode.h). */
static void bonds_mask_newcomers(const struct nm_yuma_epoch *e, uint32_t *bonds)
{
    for (uint32_t k = 0; k < e->v; k++)
        if (e->registered_at[e->vuid[k]] > e->bonds_at)
            memset(bonds + (size_t)k * e->width, 0, e->width * sizeof *bonds);
    for (uint32_t j = 0; j < e->width; j++)
        if (e->registered_at[j] > e->bonds_at)
            for (uint32_t k = 0; k < e->v; k++)
                bonds[(size_t)k * e->width + j] = 0;
}

int nm_yuma_mode_epoch(struct nm_runtime *rt, const struct nm_yuma_epoch *e, uint32_t *global,
                       uint32_t *dividends)
{
    size_t cells = (size_t)e->v * e->width + 1;
    uint32_t *bonds_in = malloc(cells * sizeof *bonds_in);
    uint32_t *bonds_out = malloc(cells * sizeof *bonds_out);
    uint32_t *consensus = malloc((e->width + 1) * sizeof *consensus);
    bool any = false;
    int err = NM_E_NOMEM;
    if (!bonds_in || !bonds_out || !consensus)
        goto out;
    if ((err = nm_yuma_bonds_load(rt->db, e->subnet, e->v, e->vuid, e->accounts, e->width,
                                  bonds_in, &any)))
        goto out;
    if (any)
        bonds_mask_newcomers(e, bonds_in);
    struct nm_yuma_params p = {.kappa_ppb = rt->params.yuma_kappa_ppb,
                               .bond_alpha_ppb = rt->params.yuma_bond_alpha_ppb};
    struct nm_yuma_input in = {.validators = e->v,
                               .width = e->width,
                               .rows = e->rows,
                               .stake = e->stake,
                               .bonds = any ? bonds_in : NULL};
    struct nm_yuma_output o = {
        .consensus = consensus, .incentive = global, .dividends = dividends, .bonds = bonds_out};
    if (!(err = nm_yuma_run(&p, &in, &o)))
        err = nm_yuma_bonds_store(rt, e->subnet, e->v, e->vuid, e->accounts, e->width, bonds_out);
out:
    free(bonds_in);
    free(bonds_out);
    free(consensus);
    return err;
}

static int mode_fold_row(sqlite3_stmt *st, struct nm_writer *w)
{
    struct mode_row r = {(uint16_t)sqlite3_column_int(st, 0), (uint8_t)sqlite3_column_int(st, 1)};
    mode_entry(w, &r);
    return 0;
}

static int bonds_fold_row(sqlite3_stmt *st, struct nm_writer *w)
{
    struct bonds_row r;
    int err = bonds_read(st, &r);
    if (!err)
        bonds_entry(w, &r);
    return err;
}

int nm_yuma_mode_fold(struct nm_db *db, struct nm_lthash *acc)
{
    int err = nm_runtime_fold_rows(db, "SELECT subnet, mode FROM subnet_modes", mode_fold_row,
                                   acc);
    return err ? err
               : nm_runtime_fold_rows(db, "SELECT " BONDS_COLUMNS " FROM yuma_bonds",
                                      bonds_fold_row, acc);
}
