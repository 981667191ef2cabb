/* Unit tests for node/runtime with the balances pallet: extrinsic checks,
 * fees and nonces, failed calls, events, existential rules, the faucet and
 * the state commitment. */
#include "tests/support/runtime_fixture.h"

#include "node/errors.h"
#include "node/fee.h"
#include "node/pallets/balances.h"
#include "tests/support/db_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMT NM_UNITS_PER_NMT
#define FUNDS RTFX_FUNDS

/* --- validate --- */

static void test_validate_accepts_a_good_extrinsic_and_changes_nothing(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    struct tq_snapshot s;
    rtfx_snapshot_take(f, &s);
    nm_account signer;
    uint64_t nonce = 99;
    assert_int_equal(nm_runtime_validate(&f->rt, x.data, x.len, false, 0, &signer, &nonce), 0);
    assert_true(nm_account_eq(&signer, &f->alice.pub));
    assert_int_equal(nonce, 0);
    rtfx_snapshot_assert_same(f, &s);
    free(x.data);
}

static void test_validate_rejects_bad_signature(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    x.data[x.len - 1] ^= 1; /* in the signature */
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_BAD_SIGNATURE);
    x.data[x.len - 1] ^= 1;
    x.data[x.len - NM_SIG_LEN - 1] ^= 1; /* last byte of the call: the amount */
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_BAD_SIGNATURE);
    free(x.data);
    /* Signed by bob, claiming to be alice. */
    x = rtfx_transfer(f, &f->bob, 0, &f->carol.pub, NMT);
    memcpy(x.data + 1 + 4, f->alice.pub.b, NM_PUBKEY_LEN);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_BAD_SIGNATURE);
    free(x.data);
}

static void test_validate_skips_signature_when_already_checked(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    x.data[x.len - 1] ^= 1;
    assert_int_equal(nm_runtime_validate(&f->rt, x.data, x.len, true, 0, NULL, NULL), 0);
    free(x.data);
}

static void test_validate_rejects_extrinsic_for_another_chain(void **state)
{
    struct rtfx *f = *state;
    nm_hash other;
    rtfx_genesis_of("another-chain", &other);
    struct nm_call c = rtfx_transfer_call(&f->bob.pub, NMT);
    struct rtfx_ext x = rtfx_build(&f->alice, &other, 0, &c);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_WRONG_CHAIN);
    free(x.data);
    /* Same 4-byte tag, other genesis: the signature still catches it. */
    nm_hash near = f->genesis;
    near.b[31] ^= 0xff;
    x = rtfx_build(&f->alice, &near, 0, &c);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_BAD_SIGNATURE);
    free(x.data);
}

static void test_validate_rejects_stale_nonce(void **state)
{
    struct rtfx *f = *state;
    rtfx_set_account(f, &f->alice.pub, FUNDS, 3);
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 2, &f->bob.pub, NMT);
    assert_int_equal(rtfx_validate(f, &x, 64), NM_E_STALE_NONCE);
    free(x.data);
    x = rtfx_transfer(f, &f->alice, 3, &f->bob.pub, NMT);
    assert_int_equal(rtfx_validate(f, &x, 0), 0);
    free(x.data);
}

static void test_validate_rejects_future_nonce_beyond_window(void **state)
{
    struct rtfx *f = *state;
    rtfx_set_account(f, &f->alice.pub, FUNDS, 5);
    struct rtfx_ext in = rtfx_transfer(f, &f->alice, 5 + 64, &f->bob.pub, NMT);
    struct rtfx_ext out = rtfx_transfer(f, &f->alice, 5 + 65, &f->bob.pub, NMT);
    struct rtfx_ext next = rtfx_transfer(f, &f->alice, 6, &f->bob.pub, NMT);
    assert_int_equal(rtfx_validate(f, &in, 64), 0);
    assert_int_equal(rtfx_validate(f, &out, 64), NM_E_FUTURE_NONCE);
    /* Without a window only the exact nonce goes. */
    assert_int_equal(rtfx_validate(f, &next, 0), NM_E_FUTURE_NONCE);
    free(in.data);
    free(out.data);
    free(next.data);
}

static void test_validate_rejects_signer_who_cannot_pay_the_fee(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 1);
    uint64_t fee = rtfx_fee_of(f, &x);
    assert_true(fee > f->rt.params.tx_fee); /* base + bytes + weight */
    rtfx_set_account(f, &f->alice.pub, fee - 1, 0);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_INSUFFICIENT_BALANCE);
    free(x.data);
    /* Exactly the fee is enough to be included. */
    rtfx_set_account(f, &f->alice.pub, fee, 0);
    x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 1);
    assert_int_equal(rtfx_validate(f, &x, 0), 0);
    free(x.data);
    /* An account that does not exist cannot pay at all. */
    x = rtfx_transfer(f, &f->carol, 0, &f->bob.pub, 1);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_INSUFFICIENT_BALANCE);
    free(x.data);
}

static void test_validate_rejects_unknown_call_bytes(void **state)
{
    struct rtfx *f = *state;
    static const uint8_t unknown[] = {0x09, 0x09, 1, 2, 3};
    struct rtfx_ext x = rtfx_raw_extrinsic(&f->alice, &f->genesis, 0, unknown, sizeof unknown);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_UNKNOWN_CALL);
    free(x.data);
    static const uint8_t too_short[] = {0x01};
    x = rtfx_raw_extrinsic(&f->alice, &f->genesis, 0, too_short, sizeof too_short);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_DECODE);
    free(x.data);
    /* A transfer call with a byte too many. */
    struct nm_call c = rtfx_transfer_call(&f->bob.pub, NMT);
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(&c, &w);
    nm_put_u8(&w, 0);
    x = rtfx_raw_extrinsic(&f->alice, &f->genesis, 0, w.data, w.len);
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_TRAILING);
    free(x.data);
    nm_writer_fini(&w);
}

static void test_validate_rejects_every_truncation_and_trailing_bytes(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    for (size_t len = 0; len < x.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, x.data, len);
        int err = nm_runtime_validate(&f->rt, copy, len, false, 0, NULL, NULL);
        assert_int_not_equal(err, 0);
        free(copy);
    }
    uint8_t *longer = malloc(x.len + 1);
    memcpy(longer, x.data, x.len);
    longer[x.len] = 0;
    assert_int_equal(nm_runtime_validate(&f->rt, longer, x.len + 1, false, 0, NULL, NULL),
                     NM_E_TRAILING);
    free(longer);
    x.data[0] = NM_EXTRINSIC_VERSION + 1;
    assert_int_equal(rtfx_validate(f, &x, 0), NM_E_DECODE);
    free(x.data);
}

/* --- apply --- */

static void test_apply_transfer_moves_funds_charges_fee_and_emits_events(void **state)
{
    struct rtfx *f = *state;
    uint64_t total_before, total_after;
    assert_int_equal(nm_balances_total(f->db, &total_before), 0);
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 5 * NMT);
    uint64_t fee = rtfx_fee_of(f, &x);
    int call_err = -1;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, 0);
    struct nm_account_info a = rtfx_account(f, &f->alice.pub), b = rtfx_account(f, &f->bob.pub);
    assert_int_equal(a.free, FUNDS - 5 * NMT - fee);
    assert_int_equal(a.nonce, 1);
    assert_int_equal(b.free, FUNDS + 5 * NMT);
    assert_int_equal(b.nonce, 0);
    /* The fee leaves circulation. */
    assert_int_equal(nm_balances_total(f->db, &total_after), 0);
    assert_int_equal(total_after, total_before - fee);

    char *ev = rtfx_events_text(f);
    const char *transfer_at = strstr(ev, "balances.Transfer ");
    const char *success_at = strstr(ev, "system.ExtrinsicSuccess ");
    assert_non_null(transfer_at);
    assert_non_null(success_at);
    assert_true(transfer_at < success_at);
    rtfx_assert_contains(ev, "\"amount\":\"5000000000\"");
    char fee_text[64];
    snprintf(fee_text, sizeof fee_text, "\"fee\":\"%llu\",\"weight\":%d",
             (unsigned long long)fee, NM_WEIGHT_EXTRINSIC + 50);
    rtfx_assert_contains(ev, fee_text);
    rtfx_assert_contains(ev, "\"call\":\"balances.transfer\"");
    assert_null(strstr(ev, "ExtrinsicFailed"));
    free(ev);
    rtfx_assert_commitment_matches(f);
    free(x.data);
}

static void test_apply_records_the_extrinsic_row(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext ok = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    struct rtfx_ext bad = rtfx_transfer(f, &f->alice, 1, &f->bob.pub, 10 * FUNDS);
    assert_int_equal(rtfx_apply(f, &ok, NULL), 0);
    assert_int_equal(rtfx_apply(f, &bad, NULL), 0);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(f->db),
                                        "SELECT nonce, call, ok, error FROM extrinsics"
                                        " ORDER BY nonce",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 0);
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "balances.transfer");
    assert_int_equal(sqlite3_column_int(st, 2), 1);
    assert_int_equal(sqlite3_column_type(st, 3), SQLITE_NULL);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 1);
    assert_int_equal(sqlite3_column_int(st, 2), 0);
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "INSUFFICIENT_BALANCE");
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    free(ok.data);
    free(bad.data);
}

static void test_failed_call_is_included_and_only_charges_fee_and_nonce(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, FUNDS + 1);
    uint64_t fee = rtfx_fee_of(f, &x);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, NM_E_INSUFFICIENT_BALANCE);

    /* Twin: the same start, where only the fee and nonce change is made. */
    struct rtfx *twin = rtfx_new(true);
    struct nm_account_info a = rtfx_account(twin, &twin->alice.pub);
    assert_int_equal(nm_balances_put(&twin->rt, &twin->alice.pub, &a, a.free - fee, 1), 0);
    nm_hash got, expect;
    nm_runtime_state_root(&f->rt, &got);
    nm_runtime_state_root(&twin->rt, &expect);
    assert_memory_equal(got.b, expect.b, NM_HASH_LEN);
    char *rows_got = rtfx_dump_rows(f->db), *rows_twin = rtfx_dump_rows(twin->db);
    /* Accounts are the first section: identical up to the first "--". */
    *strstr(rows_got, "--") = '\0';
    *strstr(rows_twin, "--") = '\0';
    assert_string_equal(rows_got, rows_twin);
    free(rows_got);
    free(rows_twin);
    rtfx_free(twin);

    assert_int_equal(rtfx_account(f, &f->bob.pub).free, FUNDS);
    char *ev = rtfx_events_text(f);
    rtfx_assert_contains(ev, "system.ExtrinsicFailed ");
    rtfx_assert_contains(ev, "\"error\":\"INSUFFICIENT_BALANCE\"");
    rtfx_assert_contains(ev, "\"message\":\"insufficient balance\"");
    assert_null(strstr(ev, "balances.Transfer"));
    assert_null(strstr(ev, "ExtrinsicSuccess"));
    free(ev);
    rtfx_assert_commitment_matches(f);
    free(x.data);
}

static void test_failed_call_rolls_back_its_own_partial_writes(void **state)
{
    struct rtfx *f = *state;
    /* The receiver would overflow: the pallet checks before writing, and
     * whatever it did write goes with the savepoint. */
    rtfx_set_account(f, &f->bob.pub, UINT64_MAX - 10, 0);
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 11);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, NM_E_OVERFLOW);
    assert_int_equal(rtfx_account(f, &f->bob.pub).free, UINT64_MAX - 10);
    assert_int_equal(rtfx_account(f, &f->alice.pub).free, FUNDS - rtfx_fee_of(f, &x));
    rtfx_assert_commitment_matches(f);
    free(x.data);
}

static void test_apply_rejects_without_changing_anything(void **state)
{
    struct rtfx *f = *state;
    rtfx_set_account(f, &f->alice.pub, FUNDS, 2);
    nm_hash other;
    rtfx_genesis_of("another-chain", &other);
    struct nm_call c = rtfx_transfer_call(&f->bob.pub, NMT);
    struct rtfx_ext cases[5];
    cases[0] = rtfx_transfer(f, &f->alice, 1, &f->bob.pub, NMT); /* stale */
    cases[1] = rtfx_transfer(f, &f->alice, 3, &f->bob.pub, NMT); /* future: no window here */
    cases[2] = rtfx_build(&f->alice, &other, 2, &c);              /* wrong chain */
    cases[3] = rtfx_transfer(f, &f->alice, 2, &f->bob.pub, NMT);
    cases[3].data[cases[3].len - 1] ^= 1;                    /* bad signature */
    cases[4] = rtfx_transfer(f, &f->carol, 0, &f->bob.pub, NMT); /* cannot pay */
    const int expect[5] = {NM_E_STALE_NONCE, NM_E_FUTURE_NONCE, NM_E_WRONG_CHAIN,
                           NM_E_BAD_SIGNATURE, NM_E_INSUFFICIENT_BALANCE};
    for (int i = 0; i < 5; i++) {
        struct tq_snapshot s;
        rtfx_snapshot_take(f, &s);
        assert_int_equal(rtfx_apply(f, &cases[i], NULL), expect[i]);
        rtfx_snapshot_assert_same(f, &s);
        free(cases[i].data);
    }
}

static void test_nonces_advance_one_by_one(void **state)
{
    struct rtfx *f = *state;
    for (uint64_t n = 0; n < 3; n++) {
        struct rtfx_ext x = rtfx_transfer(f, &f->alice, n, &f->bob.pub, NMT);
        assert_int_equal(rtfx_apply(f, &x, NULL), 0);
        /* Replay of the same bytes is stale now. */
        assert_int_equal(rtfx_apply(f, &x, NULL), NM_E_STALE_NONCE);
        free(x.data);
    }
    assert_int_equal(rtfx_account(f, &f->alice.pub).nonce, 3);
    assert_int_equal(rtfx_account(f, &f->bob.pub).free, FUNDS + 3 * NMT);
}

static void test_self_transfer_fails_but_pays_the_fee(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->alice.pub, NMT);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, NM_E_SELF_TRANSFER);
    struct nm_account_info a = rtfx_account(f, &f->alice.pub);
    assert_int_equal(a.free, FUNDS - rtfx_fee_of(f, &x));
    assert_int_equal(a.nonce, 1);
    assert_int_equal(tq_event_count(f->db, "system.ExtrinsicFailed"), 1);
    free(x.data);
}

static void test_zero_amount_transfer_fails(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 0);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, NM_E_ZERO_AMOUNT);
    assert_int_equal(rtfx_account(f, &f->bob.pub).free, FUNDS);
    free(x.data);
}

static void test_new_account_needs_the_existential_deposit(void **state)
{
    struct rtfx *f = *state;
    uint64_t ed = f->rt.params.existential_deposit;
    assert_true(ed > 1);
    struct rtfx_ext below = rtfx_transfer(f, &f->alice, 0, &f->carol.pub, ed - 1);
    struct rtfx_ext exact = rtfx_transfer(f, &f->alice, 1, &f->carol.pub, ed);
    struct rtfx_ext small = rtfx_transfer(f, &f->alice, 2, &f->carol.pub, 1);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &below, &call_err), 0);
    assert_int_equal(call_err, NM_E_EXISTENTIAL);
    assert_false(rtfx_account(f, &f->carol.pub).exists);
    assert_int_equal(rtfx_apply(f, &exact, &call_err), 0);
    assert_int_equal(call_err, 0);
    struct nm_account_info c = rtfx_account(f, &f->carol.pub);
    assert_true(c.exists);
    assert_int_equal(c.free, ed);
    /* Once it exists, any amount may top it up. */
    assert_int_equal(rtfx_apply(f, &small, &call_err), 0);
    assert_int_equal(call_err, 0);
    assert_int_equal(rtfx_account(f, &f->carol.pub).free, ed + 1);
    rtfx_assert_commitment_matches(f);
    free(below.data);
    free(exact.data);
    free(small.data);
}

static void test_sender_keeps_the_deposit_or_empties_the_account(void **state)
{
    struct rtfx *f = *state;
    uint64_t ed = f->rt.params.existential_deposit, start = 10 * NMT;
    rtfx_set_account(f, &f->alice.pub, start, 0);
    /* same shape, same fee */
    struct rtfx_ext probe = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 1);
    uint64_t fee = rtfx_fee_of(f, &probe);
    free(probe.data);
    uint64_t after_fee = start - fee;
    /* Leaving dust (0 < rest < ED) is refused... */
    struct rtfx_ext dust = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, after_fee - (ed - 1));
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &dust, &call_err), 0);
    assert_int_equal(call_err, NM_E_EXISTENTIAL);
    after_fee -= fee;
    /* ...leaving exactly the deposit is fine... */
    struct rtfx_ext keep = rtfx_transfer(f, &f->alice, 1, &f->bob.pub, after_fee - ed);
    assert_int_equal(rtfx_apply(f, &keep, &call_err), 0);
    assert_int_equal(call_err, 0);
    assert_int_equal(rtfx_account(f, &f->alice.pub).free, ed);
    /* ...and so is sending everything left after the fee. */
    rtfx_set_account(f, &f->alice.pub, 3 * NMT, 2);
    struct rtfx_ext all = rtfx_transfer(f, &f->alice, 2, &f->bob.pub, 3 * NMT - fee);
    assert_int_equal(rtfx_apply(f, &all, &call_err), 0);
    assert_int_equal(call_err, 0);
    struct nm_account_info a = rtfx_account(f, &f->alice.pub);
    assert_int_equal(a.free, 0);
    /* Never reaped: the nonce stays so old transactions stay stale. */
    assert_true(a.exists);
    assert_int_equal(a.nonce, 3);
    rtfx_assert_commitment_matches(f);
    free(dust.data);
    free(keep.data);
    free(all.data);
}

static void test_faucet_pays_on_a_dev_chain(void **state)
{
    struct rtfx *f = *state;
    uint64_t pay = f->rt.params.faucet_amount;
    assert_true(pay > 0);
    struct nm_call c = rtfx_faucet_call(&f->carol.pub);
    struct rtfx_ext x = rtfx_build(&f->alice, &f->genesis, 0, &c);
    int call_err = -1;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, 0);
    assert_int_equal(rtfx_account(f, &f->carol.pub).free, pay);
    assert_int_equal(tq_event_count(f->db, "balances.Faucet"), 1);
    rtfx_assert_commitment_matches(f);
    free(x.data);
}

static void test_faucet_refuses_on_other_chains(void **state)
{
    (void)state;
    struct rtfx *f = rtfx_new(false);
    /* Even with a faucet amount set, a non-dev chain pays nothing. */
    assert_int_equal(nm_runtime_param_set(&f->rt, "faucet_amount", 5 * NMT), 0);
    struct nm_call c = rtfx_faucet_call(&f->carol.pub);
    struct rtfx_ext x = rtfx_build(&f->alice, &f->genesis, 0, &c);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, NM_E_NOT_DEV_CHAIN);
    assert_false(rtfx_account(f, &f->carol.pub).exists);
    assert_int_equal(rtfx_account(f, &f->alice.pub).free, FUNDS - rtfx_fee_of(f, &x));
    assert_int_equal(tq_event_count(f->db, "balances.Faucet"), 0);
    free(x.data);
    rtfx_free(f);
}

static void test_faucet_refuses_on_dev_chain_with_zero_amount(void **state)
{
    struct rtfx *f = *state;
    assert_int_equal(nm_runtime_param_set(&f->rt, "faucet_amount", 0), 0);
    struct nm_call c = rtfx_faucet_call(&f->carol.pub);
    struct rtfx_ext x = rtfx_build(&f->alice, &f->genesis, 0, &c);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &x, &call_err), 0);
    assert_int_equal(call_err, NM_E_NOT_DEV_CHAIN);
    free(x.data);
}

/* --- commitment and params --- */

static void test_fold_state_equals_incremental_commitment_after_a_sequence(void **state)
{
    struct rtfx *f = *state;
    assert_int_equal(nm_runtime_param_set(&f->rt, "tempo", 10), 0);
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_fee", 7), 0);
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_byte_fee", 0), 0);
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_weight_fee", 0), 0);
    struct nm_call fc = rtfx_faucet_call(&f->carol.pub);
    struct rtfx_ext steps[6];
    steps[0] = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, 3 * NMT);
    steps[1] = rtfx_transfer(f, &f->bob, 0, &f->carol.pub, 2 * NMT);
    steps[2] = rtfx_transfer(f, &f->alice, 1, &f->alice.pub, NMT);      /* fails */
    steps[3] = rtfx_build(&f->carol, &f->genesis, 0, &fc);
    steps[4] = rtfx_transfer(f, &f->carol, 1, &f->bob.pub, 10 * FUNDS); /* fails */
    steps[5] = rtfx_transfer(f, &f->bob, 1, &f->alice.pub, 1);
    for (int i = 0; i < 6; i++) {
        nm_runtime_begin_block(&f->rt, 2 + (uint64_t)i, 2000 + (uint64_t)i);
        assert_int_equal(rtfx_apply(f, &steps[i], NULL), 0);
        rtfx_assert_commitment_matches(f);
        free(steps[i].data);
    }
    assert_int_equal(rtfx_account(f, &f->carol.pub).nonce, 2);
    /* The fee in force was the one set: 7 units. */
    assert_int_equal(rtfx_account(f, &f->alice.pub).free, FUNDS - 3 * NMT - 2 * 7 + 1);
}

static void test_param_set_changes_the_root_and_the_cache(void **state)
{
    struct rtfx *f = *state;
    nm_hash r0, r1, r2, r3;
    nm_runtime_state_root(&f->rt, &r0);
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_fee", 100000), 0);
    nm_runtime_state_root(&f->rt, &r1);
    /* A param row is state even at its default value. */
    assert_false(nm_hash_eq(&r0, &r1));
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_fee", 5), 0);
    nm_runtime_state_root(&f->rt, &r2);
    assert_false(nm_hash_eq(&r1, &r2));
    assert_int_equal(f->rt.params.tx_fee, 5);
    rtfx_assert_commitment_matches(f);
    /* Back to the earlier value, back to the earlier root. */
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_fee", 100000), 0);
    nm_runtime_state_root(&f->rt, &r3);
    assert_memory_equal(r1.b, r3.b, NM_HASH_LEN);
    assert_int_equal(nm_runtime_param_set(&f->rt, "no_such_param", 1), NM_E_INVAL);
    nm_runtime_state_root(&f->rt, &r3);
    assert_memory_equal(r1.b, r3.b, NM_HASH_LEN);
}

static void test_new_fee_applies_to_the_next_extrinsic(void **state)
{
    struct rtfx *f = *state;
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_fee", 5), 0);
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_byte_fee", 2), 0);
    assert_int_equal(nm_runtime_param_set(&f->rt, "tx_weight_fee", 3), 0);
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    assert_int_equal(rtfx_apply(f, &x, NULL), 0);
    /* Issue 16: base + per byte + per weight unit (a transfer weighs the
     * extrinsic's share plus its own 50). */
    uint64_t weight = NM_WEIGHT_EXTRINSIC + 50;
    assert_int_equal(rtfx_account(f, &f->alice.pub).free,
                     FUNDS - NMT - (5 + 2 * x.len + 3 * weight));
    free(x.data);
}

/* Issue 16/17: a 4,096-entry weight vector pays for its bytes and its
 * weight, far more than a transfer; the fee is charged even when the call
 * fails, and the event names fee and weight. */
static void test_fee_follows_bytes_and_weight(void **state)
{
    struct rtfx *f = *state;
    struct rtfx_ext t = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    uint8_t *pairs = calloc(4096, 4);
    assert_non_null(pairs);
    for (uint32_t i = 0; i < 4096; i++) {
        pairs[4 * i] = (uint8_t)i;
        pairs[4 * i + 1] = (uint8_t)(i >> 8);
        pairs[4 * i + 2] = 1;
    }
    struct nm_call wc = {.kind = NM_CALL_WEIGHTS_SUBMIT};
    wc.u.weights.subnet = 7; /* no such subnet: the call fails, the fee is paid */
    wc.u.weights.list = (struct nm_weight_list){.n = 4096, .pairs = pairs};
    struct rtfx_ext w = rtfx_build(&f->alice, &f->genesis, 1, &wc);
    uint64_t tfee = rtfx_fee_of(f, &t), wfee = rtfx_fee_of(f, &w);
    struct nm_fee_rates rates;
    nm_fee_rates_of(&f->rt.params, &rates);
    assert_true(w.len > 4 * 4096);
    assert_int_equal(nm_fee_weight(&wc), NM_WEIGHT_EXTRINSIC + 150 + 2 * 4096);
    assert_int_equal(wfee, rates.base + rates.per_byte * w.len +
                               rates.per_weight * (NM_WEIGHT_EXTRINSIC + 150 + 2 * 4096));
    assert_true(wfee > 50 * tfee);
    assert_int_equal(rtfx_apply(f, &t, NULL), 0);
    int call_err = 0;
    assert_int_equal(rtfx_apply(f, &w, &call_err), 0);
    assert_int_equal(call_err, NM_E_UNKNOWN_SUBNET);
    assert_int_equal(rtfx_account(f, &f->alice.pub).free, FUNDS - NMT - tfee - wfee);
    free(pairs);
    free(t.data);
    free(w.data);
}

static void test_runtime_reloads_params_and_commitment_from_the_database(void **state)
{
    struct rtfx *f = *state;
    assert_int_equal(nm_runtime_param_set(&f->rt, "tempo", 42), 0);
    struct rtfx_ext x = rtfx_transfer(f, &f->alice, 0, &f->bob.pub, NMT);
    assert_int_equal(rtfx_apply(f, &x, NULL), 0);
    free(x.data);
    assert_int_equal(nm_runtime_save(&f->rt), 0);
    nm_hash before, after;
    nm_runtime_state_root(&f->rt, &before);
    struct nm_runtime again;
    assert_int_equal(nm_runtime_init(&again, f->db, &f->genesis, true), 0);
    nm_runtime_state_root(&again, &after);
    assert_memory_equal(before.b, after.b, NM_HASH_LEN);
    assert_int_equal(again.params.tempo, 42);
    assert_int_equal(again.params.block_time_ms, 1000); /* dev default, not stored */
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, rtfx_setup, rtfx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_validate_accepts_a_good_extrinsic_and_changes_nothing),
        T(test_validate_rejects_bad_signature),
        T(test_validate_skips_signature_when_already_checked),
        T(test_validate_rejects_extrinsic_for_another_chain),
        T(test_validate_rejects_stale_nonce),
        T(test_validate_rejects_future_nonce_beyond_window),
        T(test_validate_rejects_signer_who_cannot_pay_the_fee),
        T(test_validate_rejects_unknown_call_bytes),
        T(test_validate_rejects_every_truncation_and_trailing_bytes),
        T(test_apply_transfer_moves_funds_charges_fee_and_emits_events),
        T(test_apply_records_the_extrinsic_row),
        T(test_failed_call_is_included_and_only_charges_fee_and_nonce),
        T(test_failed_call_rolls_back_its_own_partial_writes),
        T(test_apply_rejects_without_changing_anything),
        T(test_nonces_advance_one_by_one),
        T(test_self_transfer_fails_but_pays_the_fee),
        T(test_zero_amount_transfer_fails),
        T(test_new_account_needs_the_existential_deposit),
        T(test_sender_keeps_the_deposit_or_empties_the_account),
        T(test_faucet_pays_on_a_dev_chain),
        cmocka_unit_test(test_faucet_refuses_on_other_chains),
        T(test_faucet_refuses_on_dev_chain_with_zero_amount),
        T(test_fold_state_equals_incremental_commitment_after_a_sequence),
        T(test_param_set_changes_the_root_and_the_cache),
        T(test_new_fee_applies_to_the_next_extrinsic),
        T(test_fee_follows_bytes_and_weight),
        T(test_runtime_reloads_params_and_commitment_from_the_database),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
