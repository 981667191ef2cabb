/* runtime_fixture.c - a runtime on an in-memory database with signed
 * extrinsics of dev keys, for tests/test_runtime.c and any test that drives
 * nm_runtime_validate/apply with real extrinsics (see runtime_fixture.h). */
#include "tests/support/runtime_fixture.h"

#include "tests/support/db_query.h"

#include "node/errors.h"
#include "node/fee.h"
#include "node/pallets/balances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtfx_genesis_of(const char *label, nm_hash *out)
{
    nm_hash_bytes(label, strlen(label), out);
}

/* A fresh database and runtime with alice and bob funded. */
struct rtfx *rtfx_new(bool dev)
{
    struct rtfx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    rtfx_genesis_of("test-chain", &f->genesis);
    assert_int_equal(nm_db_open(":memory:", &f->db), 0);
    assert_int_equal(nm_runtime_init(&f->rt, f->db, &f->genesis, dev), 0);
    nm_runtime_begin_block(&f->rt, 1, 1000);
    assert_int_equal(nm_keypair_dev("alice", &f->alice), 0);
    assert_int_equal(nm_keypair_dev("bob", &f->bob), 0);
    assert_int_equal(nm_keypair_dev("charlie", &f->carol), 0);
    struct nm_account_info none = {0};
    assert_int_equal(nm_balances_put(&f->rt, &f->alice.pub, &none, RTFX_FUNDS, 0), 0);
    assert_int_equal(nm_balances_put(&f->rt, &f->bob.pub, &none, RTFX_FUNDS, 0), 0);
    return f;
}

void rtfx_free(struct rtfx *f)
{
    nm_db_close(f->db);
    free(f);
}

int rtfx_setup(void **state)
{
    *state = rtfx_new(true);
    return 0;
}

int rtfx_teardown(void **state)
{
    rtfx_free(*state);
    return 0;
}

struct nm_call rtfx_transfer_call(const nm_account *dest, uint64_t amount)
{
    struct nm_call c;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_TRANSFER;
    c.u.transfer.dest = *dest;
    c.u.transfer.amount = amount;
    return c;
}

struct nm_call rtfx_faucet_call(const nm_account *dest)
{
    struct nm_call c;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_FAUCET;
    c.u.faucet.dest = *dest;
    return c;
}

struct rtfx_ext rtfx_build(const struct nm_keypair *kp, const nm_hash *genesis, uint64_t nonce,
                           const struct nm_call *call)
{
    struct rtfx_ext x;
    assert_int_equal(nm_extrinsic_build(kp, genesis, nonce, call, &x.data, &x.len), 0);
    return x;
}

struct rtfx_ext rtfx_transfer(struct rtfx *f, const struct nm_keypair *from, uint64_t nonce,
                              const nm_account *to, uint64_t amount)
{
    struct nm_call c = rtfx_transfer_call(to, amount);
    return rtfx_build(from, &f->genesis, nonce, &c);
}

/* What x pays under the chain's fee rates now (node/fee.h). */
uint64_t rtfx_fee_of(struct rtfx *f, const struct rtfx_ext *x)
{
    struct nm_extrinsic e;
    struct nm_call c;
    struct nm_fee_rates rates;
    struct nm_fee fee;
    assert_int_equal(nm_extrinsic_decode(x->data, x->len, &e), 0);
    assert_int_equal(nm_call_decode(e.call, e.call_len, &c), 0);
    nm_fee_rates_of(&f->rt.params, &rates);
    assert_int_equal(nm_fee_compute(&rates, x->len, &c, &fee), 0);
    return fee.total;
}

/* An extrinsic carrying arbitrary call bytes, correctly signed. */
struct rtfx_ext rtfx_raw_extrinsic(const struct nm_keypair *kp, const nm_hash *genesis,
                                   uint64_t nonce, const uint8_t *call, size_t call_len)
{
    struct rtfx_ext x;
    assert_int_equal(nm_extrinsic_build_bytes(kp, genesis, nonce, call, call_len, &x.data, &x.len),
                     0);
    return x;
}

struct nm_account_info rtfx_account(struct rtfx *f, const nm_account *id)
{
    struct nm_account_info info;
    assert_int_equal(nm_balances_get(f->db, id, &info), 0);
    return info;
}

void rtfx_set_account(struct rtfx *f, const nm_account *id, uint64_t free, uint64_t nonce)
{
    struct nm_account_info old = rtfx_account(f, id);
    assert_int_equal(nm_balances_put(&f->rt, id, &old, free, nonce), 0);
}

int rtfx_validate(struct rtfx *f, const struct rtfx_ext *x, uint64_t window)
{
    return nm_runtime_validate(&f->rt, x->data, x->len, false, window, NULL, NULL);
}

/* Applies x at index 0 of the current block; returns the include result,
 * and the call's own error in *call_err. */
int rtfx_apply(struct rtfx *f, const struct rtfx_ext *x, int *call_err)
{
    struct nm_apply_result res;
    memset(&res, 0, sizeof res);
    int rc = nm_runtime_apply(&f->rt, x->data, x->len, false, 0, &res);
    if (rc == 0) {
        nm_hash expect;
        nm_extrinsic_hash(x->data, x->len, &expect);
        assert_memory_equal(res.hash.b, expect.b, NM_HASH_LEN);
    }
    if (call_err)
        *call_err = res.error;
    return rc;
}

/* Every state row and the event and extrinsic rows, as text. */
char *rtfx_dump_rows(struct nm_db *db)
{
    const char *const sql[] = {
        "SELECT * FROM accounts ORDER BY 1",   "SELECT * FROM params ORDER BY 1",
        "SELECT * FROM stakes ORDER BY 1, 2",  "SELECT * FROM subnets ORDER BY 1",
        "SELECT * FROM neurons ORDER BY 1, 2", "SELECT * FROM events ORDER BY 1, 2",
        "SELECT * FROM extrinsics ORDER BY 1",
    };
    return tq_dump(db, sql, sizeof sql / sizeof sql[0]);
}

void rtfx_snapshot_take(struct rtfx *f, struct tq_snapshot *s)
{
    tq_snapshot_take(&f->rt, rtfx_dump_rows(f->db), s);
}

/* Asserts nothing changed since s, and frees s. */
void rtfx_snapshot_assert_same(struct rtfx *f, struct tq_snapshot *s)
{
    tq_snapshot_assert_same(&f->rt, rtfx_dump_rows(f->db), s);
}

void rtfx_assert_commitment_matches(struct rtfx *f)
{
    tq_assert_commitment_matches(&f->rt, f->db);
}

/* The events of the current block, "name data" one a line. */
char *rtfx_events_text(struct rtfx *f)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db),
                                        "SELECT name, data FROM events WHERE height=?1"
                                        " ORDER BY idx",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)f->rt.height);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    while (sqlite3_step(st) == SQLITE_ROW)
        fprintf(out, "%s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    fclose(out);
    return text;
}

void rtfx_assert_contains(const char *text, const char *frag)
{
    if (!strstr(text, frag))
        fail_msg("\"%s\" lacks \"%s\"", text, frag);
}
