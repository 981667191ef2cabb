/* authorities.c - the BFT authority set in state and equivocation reports
 * (see authorities.h). */
#include "node/pallets/authorities.h"

#include "node/bft/evidence.h"
#include "node/bft/tendermint.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/json.h"
#include "node/pallets/governance.h"
#include "node/pallets/staking.h"
#include "node/runtime.h"

#include <stdlib.h>
#include <string.h>

/* One row: the authority's index at genesis, its account, power left. */
struct auth_row {
    uint16_t idx;
    nm_account account;
    uint64_t power;
};

static void auth_entry(struct nm_writer *w, const struct auth_row *r)
{
    nm_put_u8(w, NM_TAG_BFT_AUTHORITY);
    nm_put_u16(w, r->idx);
    nm_put_raw(w, r->account.b, NM_PUBKEY_LEN);
    nm_put_u64(w, r->power);
}

static void auth_entry_of(struct nm_writer *w, const void *row)
{
    auth_entry(w, row);
}

static void auth_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct auth_row *r = row;
    sqlite3_bind_int(st, 1, r->idx);
    if (whole) {
        sqlite3_bind_blob(st, 2, r->account.b, NM_PUBKEY_LEN, SQLITE_STATIC);
        nm_bind_u64(st, 3, r->power);
    }
}

static const struct nm_state_table auth_table = {
    .insert_sql = "INSERT OR REPLACE INTO bft_authorities(idx, account, power)"
                  " VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM bft_authorities WHERE idx=?1",
    .bind = auth_bind,
    .entry = auth_entry_of,
};

/* Every row (power 0 included), in index order. */
static int load_rows(struct nm_db *db, struct auth_row *rows, size_t cap, size_t *count)
{
    sqlite3_stmt *st =
        nm_db_stmt(db, "SELECT idx, account, power FROM bft_authorities ORDER BY idx");
    if (!st)
        return NM_E_DB;
    int rc, err = 0;
    *count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && !err) {
        if (*count == cap) {
            err = NM_E_DB;
            break;
        }
        struct auth_row *r = &rows[*count];
        r->idx = (uint16_t)sqlite3_column_int(st, 0);
        r->power = nm_column_u64(st, 2);
        if (!(err = nm_column_account(st, 1, &r->account)))
            (*count)++;
    }
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = NM_E_DB;
    sqlite3_reset(st);
    return err;
}

int nm_authorities_load(struct nm_db *db, struct nm_bft_authority *list, size_t cap,
                        size_t *count)
{
    struct auth_row rows[NM_CHAINSPEC_MAX_AUTHORITIES];
    size_t n;
    int err = load_rows(db, rows, NM_CHAINSPEC_MAX_AUTHORITIES, &n);
    *count = 0;
    for (size_t i = 0; !err && i < n; i++)
        if (rows[i].power) {
            if (*count == cap)
                return NM_E_DB;
            list[(*count)++] = (struct nm_bft_authority){rows[i].account, rows[i].power};
        }
    return err;
}

int nm_authorities_genesis(struct nm_runtime *rt, const struct nm_chain_spec *spec)
{
    if (spec->authority_count <= 1)
        return 0; /* one authority: instant finality, nothing to keep */
    for (size_t i = 0; i < spec->authority_count; i++) {
        struct auth_row r = {(uint16_t)i, spec->authorities[i].account,
                             spec->authorities[i].power};
        int err = nm_runtime_row_put(rt, &auth_table, NULL, &r);
        if (err)
            return err;
    }
    return 0;
}

/* Slashes bft_slash_ppb of who's stake on each subnet into the treasury. */
static int slash_stakes(struct nm_runtime *rt, const nm_account *who, uint64_t *total)
{
    uint16_t subnets[1024];
    size_t n = 0;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT subnet FROM stakes WHERE account=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    while (n < sizeof subnets / sizeof subnets[0] && sqlite3_step(st) == SQLITE_ROW)
        subnets[n++] = (uint16_t)sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    *total = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t amount;
        int err = nm_staking_slash(rt, who, subnets[i], rt->params.bft_slash_ppb, &amount);
        if (err)
            return err;
        *total += amount; /* parts of one account's stake: no overflow */
    }
    return *total ? nm_governance_treasury_deposit(rt, *total, "bft.equivocation") : 0;
}

/* Whether both votes were signed by an account whose row has power 0: a
 * second report of one offence (several nodes report what they saw), or
 * evidence against an authority governance removed. */
static bool signed_by_one_out(const struct nm_bft_evidence *ev, const struct auth_row *rows,
                              size_t n)
{
    uint8_t a[NM_BFT_VOTE_SIGNED_LEN], b[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(&ev->a, a);
    nm_bft_vote_signed_bytes(&ev->b, b);
    for (size_t i = 0; i < n; i++)
        if (!rows[i].power && nm_verify(&rows[i].account, a, sizeof a, ev->a.sig) &&
            nm_verify(&rows[i].account, b, sizeof b, ev->b.sig))
            return true;
    return false;
}

int nm_authorities_report(struct nm_runtime *rt, const nm_account *signer,
                          const struct nm_call *c)
{
    (void)signer; /* anyone may report: the evidence speaks for itself */
    struct nm_bft_evidence ev;
    int err = nm_bft_evidence_decode(c->u.bft_report.evidence, NM_BFT_EVIDENCE_LEN, &ev);
    if (err)
        return err;
    struct auth_row rows[NM_CHAINSPEC_MAX_AUTHORITIES];
    struct nm_bft_authority list[NM_CHAINSPEC_MAX_AUTHORITIES];
    uint16_t row_of[NM_CHAINSPEC_MAX_AUTHORITIES];
    size_t n, count = 0;
    if ((err = load_rows(rt->db, rows, NM_CHAINSPEC_MAX_AUTHORITIES, &n)))
        return err;
    for (size_t i = 0; i < n; i++)
        if (rows[i].power) {
            row_of[count] = (uint16_t)i;
            list[count++] = (struct nm_bft_authority){rows[i].account, rows[i].power};
        }
    if (count < 2)
        return NM_E_BFT_AUTHORITIES; /* no set here, or its last authority: never removed */
    struct nm_bft_authorities set;
    if ((err = nm_bft_authorities_init(&set, list, (uint32_t)count)))
        return err;
    /* against the current set: evidence of a set since changed is refused */
    err = nm_bft_evidence_verify(&ev, &rt->genesis, &set);
    nm_bft_authorities_fini(&set);
    if (err)
        return signed_by_one_out(&ev, rows, n) ? NM_E_BFT_ALREADY_OUT : err;
    struct auth_row *old = &rows[row_of[ev.a.authority]];
    struct auth_row removed = *old;
    removed.power = 0;
    uint64_t slashed = 0;
    if ((err = nm_runtime_row_put(rt, &auth_table, old, &removed)) ||
        (err = slash_stakes(rt, &removed.account, &slashed)))
        return err;
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NM_E_NOMEM;
    nm_json_add_account(e, "offender", &removed.account);
    nm_json_add_u64(e, "height", ev.a.height);
    cJSON_AddNumberToObject(e, "round", ev.a.round);
    cJSON_AddStringToObject(e, "step", nm_bft_step_name(ev.a.step));
    nm_json_add_amount(e, "slashed", slashed);
    return nm_runtime_event(rt, "authorities.Offence", e);
}

static int auth_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    struct auth_row r = {.idx = (uint16_t)sqlite3_column_int(row, 0),
                         .power = nm_column_u64(row, 2)};
    int err = nm_column_account(row, 1, &r.account);
    if (!err)
        auth_entry(w, &r);
    return err;
}

int nm_authorities_fold(struct nm_db *db, struct nm_lthash *acc)
{
    return nm_runtime_fold_rows(db, "SELECT idx, account, power FROM bft_authorities",
                                auth_row_entry, acc);
}

/* --- governance: changes of the set (issue 11) --- */

static const char *const change_names[NM_AUTHORITY__CHANGE_COUNT] = {"add", "remove", "power"};

const char *nm_authority_change_name(uint8_t op)
{
    return op < NM_AUTHORITY__CHANGE_COUNT ? change_names[op] : NULL;
}

int nm_authority_change_parse(const char *name)
{
    for (int i = 0; i < NM_AUTHORITY__CHANGE_COUNT; i++)
        if (strcmp(change_names[i], name) == 0)
            return i;
    return -1;
}

/* Which row op writes (*at: its position in rows, n for a new row) and
 * its new contents, after every check. */
static int change_plan(const struct auth_row *rows, size_t n, uint8_t op, const nm_account *who,
                       uint64_t power, size_t *at, struct auth_row *out)
{
    size_t found = n, powered = 0, free_row = n;
    uint16_t next_idx = 0;
    for (size_t i = 0; i < n; i++) {
        powered += rows[i].power != 0;
        if (nm_account_eq(&rows[i].account, who))
            found = i;
        else if (!rows[i].power && free_row == n)
            free_row = i;
        if (rows[i].idx >= next_idx)
            next_idx = (uint16_t)(rows[i].idx + 1);
    }
    if (powered == 0)
        return NM_E_BFT_SET_FIXED; /* one authority, from the chain spec */
    bool has_power = found < n && rows[found].power;
    if (op >= NM_AUTHORITY__CHANGE_COUNT)
        return NM_E_INVAL;
    if (op == NM_AUTHORITY_ADD && has_power)
        return NM_E_BFT_IS_AUTHORITY;
    if (op != NM_AUTHORITY_ADD && !has_power)
        return NM_E_BFT_NOT_AUTHORITY;
    if (op == NM_AUTHORITY_REMOVE) {
        if (powered == 1)
            return NM_E_BFT_LAST_AUTHORITY;
        power = 0;
    } else if (power == 0 || power > NM_AUTHORITY_MAX_POWER) {
        return NM_E_BFT_POWER_BOUNDS;
    } else if (op == NM_AUTHORITY_POWER && rows[found].power == power) {
        return NM_E_NO_CHANGE;
    }
    if (found < n) { /* its row: a removed authority comes back in its place */
        *at = found;
        *out = rows[found];
    } else if (n < NM_CHAINSPEC_MAX_AUTHORITIES) {
        *at = n;
        *out = (struct auth_row){.idx = next_idx};
    } else if (free_row < n) { /* full: a removed one's row is reused */
        *at = free_row;
        *out = rows[free_row];
    } else {
        return NM_E_BFT_SET_FULL;
    }
    out->account = *who;
    out->power = power;
    return 0;
}

int nm_authorities_change(struct nm_runtime *rt, uint8_t op, const nm_account *who,
                          uint64_t power, bool write)
{
    struct auth_row rows[NM_CHAINSPEC_MAX_AUTHORITIES], row;
    size_t n, at;
    int err = load_rows(rt->db, rows, NM_CHAINSPEC_MAX_AUTHORITIES, &n);
    if (err || (err = change_plan(rows, n, op, who, power, &at, &row)) || !write)
        return err;
    uint64_t old_power = at < n && nm_account_eq(&rows[at].account, who) ? rows[at].power : 0;
    if ((err = nm_runtime_row_put(rt, &auth_table, at < n ? &rows[at] : NULL, &row)))
        return err;
    uint64_t total = 0, count = 0;
    if (at == n)
        n++;
    rows[at] = row;
    for (size_t i = 0; i < n; i++) {
        total += rows[i].power; /* at most 128 x 2^53: no overflow */
        count += rows[i].power != 0;
    }
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NM_E_NOMEM;
    cJSON_AddStringToObject(e, "change", change_names[op]);
    nm_json_add_account(e, "account", who);
    nm_json_add_u64(e, "power", row.power);
    nm_json_add_u64(e, "old_power", old_power);
    nm_json_add_u64(e, "authorities", count);
    nm_json_add_u64(e, "total_power", total);
    return nm_runtime_event(rt, "authorities.SetChanged", e);
}
