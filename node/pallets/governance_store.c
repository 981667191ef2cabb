/* governance_store.c - the governance tables (proposals, votes,
 * gov_state, council, council_signatures): reading and writing rows, each
 * write keeping the state commitment in step with the row's canonical entry
 * (docs/protocol.md), and the fold that recomputes them (see
 * governance_store.h). */
#include "node/pallets/governance_store.h"

#include "node/errors.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* --- gov_state: treasury, spec version, scheduled upgrade, council M --- */

static void state_entry(struct nm_writer *w, const char *key, uint64_t value)
{
    nm_put_u8(w, NM_TAG_GOV_STATE);
    nm_put_str(w, key);
    nm_put_u64(w, value);
}

static int state_read(struct nm_db *db, const char *key, bool *exists, uint64_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT value FROM gov_state WHERE key=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *exists = rc == SQLITE_ROW;
    *out = *exists ? nm_column_u64(st, 0) : strcmp(key, "spec_version") == 0 ? 1 : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_governance_state_get(struct nm_db *db, const char *key, uint64_t *out)
{
    bool exists;
    return state_read(db, key, &exists, out);
}

struct state_row {
    const char *key;
    uint64_t value;
};

static void state_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct state_row *r = row;
    sqlite3_bind_text(st, 1, r->key, -1, SQLITE_STATIC);
    if (whole)
        nm_bind_u64(st, 2, r->value);
}

static void state_entry_of(struct nm_writer *w, const void *row)
{
    const struct state_row *r = row;
    state_entry(w, r->key, r->value);
}

static const struct nm_state_table state_table = {
    .insert_sql = "INSERT OR REPLACE INTO gov_state(key, value) VALUES(?1, ?2)",
    .delete_sql = "DELETE FROM gov_state WHERE key=?1",
    .bind = state_bind,
    .entry = state_entry_of,
};

int nm_gov_state_put(struct nm_runtime *rt, const char *key, uint64_t value)
{
    bool existed;
    uint64_t old;
    int err = state_read(rt->db, key, &existed, &old);
    if (err)
        return err;
    struct state_row before = {key, old}, after = {key, value};
    return nm_runtime_row_put(rt, &state_table, existed ? &before : NULL, &after);
}

/* --- proposals --- */

static void proposal_entry(struct nm_writer *w, const void *row)
{
    const struct nm_proposal *p = row;
    nm_put_u8(w, NM_TAG_PROPOSAL);
    nm_put_u32(w, p->id);
    nm_put_u8(w, p->kind);
    nm_put_u8(w, p->status);
    nm_put_raw(w, p->proposer.b, NM_PUBKEY_LEN);
    nm_put_u64(w, p->bond);
    nm_put_u64(w, p->created_at);
    nm_put_u64(w, p->vote_end);
    nm_put_u64(w, p->execute_at);
    nm_put_u64(w, p->closed_at);
    nm_put_u64(w, p->ayes);
    nm_put_u64(w, p->nays);
    nm_put_u64(w, p->total_stake);
    nm_put_str(w, p->error);
    nm_put_bytes(w, p->call, p->call_len);
}

#define PROPOSAL_COLUMNS                                                                          \
    "id, kind, status, proposer, bond, created_at, vote_end, execute_at, closed_at, ayes,"        \
    " nays, total_stake, error, call"

static int proposal_read(sqlite3_stmt *st, struct nm_proposal *p)
{
    memset(p, 0, offsetof(struct nm_proposal, call));
    p->id = (uint32_t)sqlite3_column_int64(st, 0);
    p->kind = (uint8_t)sqlite3_column_int(st, 1);
    p->status = (uint8_t)sqlite3_column_int(st, 2);
    int err = nm_column_account(st, 3, &p->proposer);
    p->bond = nm_column_u64(st, 4);
    p->created_at = nm_column_u64(st, 5);
    p->vote_end = nm_column_u64(st, 6);
    p->execute_at = nm_column_u64(st, 7);
    p->closed_at = nm_column_u64(st, 8);
    p->ayes = nm_column_u64(st, 9);
    p->nays = nm_column_u64(st, 10);
    p->total_stake = nm_column_u64(st, 11);
    const unsigned char *error = sqlite3_column_text(st, 12);
    int error_len = sqlite3_column_bytes(st, 12);
    int call_len = sqlite3_column_bytes(st, 13);
    if (err || !error || error_len < 0 || (size_t)error_len >= sizeof p->error || call_len < 0 ||
        (size_t)call_len > sizeof p->call)
        return NM_E_DB;
    memcpy(p->error, error, (size_t)error_len);
    p->error[error_len] = '\0';
    p->call_len = (size_t)call_len;
    if (call_len)
        memcpy(p->call, sqlite3_column_blob(st, 13), (size_t)call_len);
    return 0;
}

int nm_governance_get(struct nm_db *db, uint32_t id, struct nm_proposal *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), err;
    if (rc == SQLITE_ROW)
        err = proposal_read(st, out);
    else
        err = rc == SQLITE_DONE ? NM_E_UNKNOWN_PROPOSAL : NM_E_DB;
    sqlite3_reset(st);
    return err;
}

int nm_governance_call(const struct nm_proposal *p, struct nm_call *out)
{
    int err = nm_call_decode(p->call, p->call_len, out);
    return err ? NM_E_DB : 0; /* stored calls were decoded once: damage */
}

static void proposal_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_proposal *p = row;
    sqlite3_bind_int64(st, 1, p->id);
    if (!whole)
        return;
    sqlite3_bind_int(st, 2, p->kind);
    sqlite3_bind_int(st, 3, p->status);
    sqlite3_bind_blob(st, 4, p->proposer.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    nm_bind_u64(st, 5, p->bond);
    nm_bind_u64(st, 6, p->created_at);
    nm_bind_u64(st, 7, p->vote_end);
    nm_bind_u64(st, 8, p->execute_at);
    nm_bind_u64(st, 9, p->closed_at);
    nm_bind_u64(st, 10, p->ayes);
    nm_bind_u64(st, 11, p->nays);
    nm_bind_u64(st, 12, p->total_stake);
    sqlite3_bind_text(st, 13, p->error, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 14, p->call, (int)p->call_len, SQLITE_STATIC);
}

static const struct nm_state_table proposals_table = {
    .insert_sql = "INSERT INTO proposals(" PROPOSAL_COLUMNS ") VALUES(?1,?2,?3,"
                  "?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
    .update_sql = "UPDATE proposals SET kind=?2, status=?3, proposer=?4, bond=?5,"
                  " created_at=?6, vote_end=?7, execute_at=?8, closed_at=?9,"
                  " ayes=?10, nays=?11, total_stake=?12, error=?13, call=?14"
                  " WHERE id=?1",
    .delete_sql = "DELETE FROM proposals WHERE id=?1",
    .bind = proposal_bind,
    .entry = proposal_entry,
};

/* Writes p (old: its row before, NULL for a new proposal). */
int nm_gov_proposal_put(struct nm_runtime *rt, const struct nm_proposal *old,
                        const struct nm_proposal *p)
{
    return nm_runtime_row_put(rt, &proposals_table, old, p);
}

int nm_gov_count(sqlite3_stmt *st, uint64_t *out)
{
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

/* --- votes, council, signatures --- */

static void vote_entry(struct nm_writer *w, uint32_t id, const nm_account *voter, uint8_t aye)
{
    nm_put_u8(w, NM_TAG_VOTE);
    nm_put_u32(w, id);
    nm_put_raw(w, voter->b, NM_PUBKEY_LEN);
    nm_put_u8(w, aye);
}

static void council_entry(struct nm_writer *w, const nm_account *member)
{
    nm_put_u8(w, NM_TAG_COUNCIL);
    nm_put_raw(w, member->b, NM_PUBKEY_LEN);
}

static void sig_entry(struct nm_writer *w, uint32_t id, uint8_t action, const nm_account *member)
{
    nm_put_u8(w, NM_TAG_COUNCIL_SIG);
    nm_put_u32(w, id);
    nm_put_u8(w, action);
    nm_put_raw(w, member->b, NM_PUBKEY_LEN);
}

int nm_gov_vote_get(struct nm_db *db, uint32_t id, const nm_account *voter, int *aye_out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT aye FROM votes WHERE proposal=?1 AND voter=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, voter->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *aye_out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_gov_is_member(struct nm_db *db, const nm_account *who, bool *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT 1 FROM council WHERE member=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *out = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_gov_sig_exists(struct nm_db *db, uint32_t id, uint8_t action, const nm_account *who,
                      bool *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT 1 FROM council_signatures"
                                      " WHERE proposal=?1 AND action=?2 AND member=?3");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int(st, 2, action);
    sqlite3_bind_blob(st, 3, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *out = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_gov_sigs_clear(struct nm_runtime *rt, uint32_t id)
{
    sqlite3_stmt *st =
        nm_db_stmt(rt->db, "SELECT action, member FROM council_signatures WHERE proposal=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    struct nm_writer w;
    nm_writer_init(&w);
    int rc, err = 0;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_account member;
        if ((err = nm_column_account(st, 1, &member)))
            break;
        nm_writer_reset(&w);
        sig_entry(&w, id, (uint8_t)sqlite3_column_int(st, 0), &member);
        if (!(err = w.err))
            nm_runtime_state_replace(rt, &w, NULL);
    }
    sqlite3_reset(st);
    nm_writer_fini(&w);
    if (err)
        return err;
    if (rc != SQLITE_DONE)
        return NM_E_DB;
    st = nm_db_stmt(rt->db, "DELETE FROM council_signatures WHERE proposal=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int64(st, 1, id);
    return nm_db_step_done(st);
}

struct vote_row {
    uint32_t id;
    const nm_account *voter;
    uint8_t aye;
};

static void vote_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct vote_row *v = row;
    sqlite3_bind_int64(st, 1, v->id);
    sqlite3_bind_blob(st, 2, v->voter->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (whole)
        sqlite3_bind_int(st, 3, v->aye);
}

static void vote_entry_of(struct nm_writer *w, const void *row)
{
    const struct vote_row *v = row;
    vote_entry(w, v->id, v->voter, v->aye);
}

static const struct nm_state_table votes_table = {
    .insert_sql = "INSERT OR REPLACE INTO votes(proposal, voter, aye) VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM votes WHERE proposal=?1 AND voter=?2",
    .bind = vote_bind,
    .entry = vote_entry_of,
};

int nm_gov_vote_put(struct nm_runtime *rt, uint32_t id, const nm_account *voter, int old,
                    uint8_t aye)
{
    struct vote_row before = {id, voter, (uint8_t)old}, after = {id, voter, aye};
    return nm_runtime_row_put(rt, &votes_table, old >= 0 ? &before : NULL, &after);
}

int nm_gov_council_add(struct nm_runtime *rt, const nm_account *member)
{
    sqlite3_stmt *st = nm_db_stmt(rt->db, "INSERT INTO council(member) VALUES(?1)");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, member->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    if (nm_db_step_done(st))
        return NM_E_CHAIN_SPEC; /* a member listed twice */
    struct nm_writer none, after;
    nm_writer_init(&none);
    nm_writer_init(&after);
    council_entry(&after, member);
    return nm_runtime_state_swap(rt, &none, none.len != 0, &after, after.len != 0);
}

struct sig_row {
    uint32_t id;
    uint8_t action;
    const nm_account *member;
};

static void sig_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    (void)whole; /* every column is key */
    const struct sig_row *r = row;
    sqlite3_bind_int64(st, 1, r->id);
    sqlite3_bind_int(st, 2, r->action);
    sqlite3_bind_blob(st, 3, r->member->b, NM_PUBKEY_LEN, SQLITE_STATIC);
}

static void sig_entry_of(struct nm_writer *w, const void *row)
{
    const struct sig_row *r = row;
    sig_entry(w, r->id, r->action, r->member);
}

static const struct nm_state_table sigs_table = {
    .insert_sql = "INSERT INTO council_signatures(proposal, action, member) VALUES(?1, ?2, ?3)",
    .delete_sql = "DELETE FROM council_signatures WHERE proposal=?1 AND action=?2 AND member=?3",
    .bind = sig_bind,
    .entry = sig_entry_of,
};

int nm_gov_sig_add(struct nm_runtime *rt, uint32_t id, uint8_t action, const nm_account *member,
                   uint64_t *count_out)
{
    struct sig_row row = {id, action, member};
    int err = nm_runtime_row_put(rt, &sigs_table, NULL, &row);
    if (err)
        return err;
    sqlite3_stmt *st = nm_db_stmt(rt->db, "SELECT COUNT(*) FROM council_signatures"
                            " WHERE proposal=?1 AND action=?2");
    if (st) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, action);
    }
    return nm_gov_count(st, count_out);
}

/* --- state commitment --- */

static int fold_table(struct nm_db *db, const char *sql, struct nm_lthash *acc,
                      int (*entry)(sqlite3_stmt *, struct nm_writer *, void *), void *scratch)
{
    sqlite3_stmt *st = nm_db_stmt(db, sql);
    if (!st)
        return NM_E_DB;
    struct nm_writer w;
    nm_writer_init(&w);
    int rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        nm_writer_reset(&w);
        if ((err = entry(st, &w, scratch)) || (err = w.err))
            break;
        nm_lthash_add(acc, w.data, w.len);
    }
    sqlite3_reset(st);
    nm_writer_fini(&w);
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    return err;
}

static int fold_proposal(sqlite3_stmt *st, struct nm_writer *w, void *scratch)
{
    int err = proposal_read(st, scratch);
    if (!err)
        proposal_entry(w, scratch);
    return err;
}

static int fold_vote(sqlite3_stmt *st, struct nm_writer *w, void *scratch)
{
    (void)scratch;
    nm_account voter;
    int err = nm_column_account(st, 1, &voter);
    if (!err)
        vote_entry(w, (uint32_t)sqlite3_column_int64(st, 0), &voter,
                   (uint8_t)sqlite3_column_int(st, 2));
    return err;
}

static int fold_state(sqlite3_stmt *st, struct nm_writer *w, void *scratch)
{
    (void)scratch;
    const char *key = (const char *)sqlite3_column_text(st, 0);
    if (!key)
        return NM_E_DB;
    state_entry(w, key, nm_column_u64(st, 1));
    return 0;
}

static int fold_council(sqlite3_stmt *st, struct nm_writer *w, void *scratch)
{
    (void)scratch;
    nm_account member;
    int err = nm_column_account(st, 0, &member);
    if (!err)
        council_entry(w, &member);
    return err;
}

static int fold_sig(sqlite3_stmt *st, struct nm_writer *w, void *scratch)
{
    (void)scratch;
    nm_account member;
    int err = nm_column_account(st, 2, &member);
    if (!err)
        sig_entry(w, (uint32_t)sqlite3_column_int64(st, 0), (uint8_t)sqlite3_column_int(st, 1),
                  &member);
    return err;
}

int nm_governance_fold(struct nm_db *db, struct nm_lthash *acc)
{
    struct nm_proposal *p = malloc(sizeof *p);
    if (!p)
        return NM_E_NOMEM;
    int err;
    if (!(err = fold_table(db, "SELECT " PROPOSAL_COLUMNS " FROM proposals", acc, fold_proposal,
                           p)) &&
        !(err = fold_table(db, "SELECT proposal, voter, aye FROM votes", acc, fold_vote, NULL)) &&
        !(err = fold_table(db, "SELECT key, value FROM gov_state", acc, fold_state, NULL)) &&
        !(err = fold_table(db, "SELECT member FROM council", acc, fold_council, NULL)))
        err = fold_table(db, "SELECT proposal, action, member FROM council_signatures", acc,
                         fold_sig, NULL);
    free(p);
    return err;
}
