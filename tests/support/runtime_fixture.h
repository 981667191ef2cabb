/* runtime_fixture.h - a runtime at block 1 on an in-memory database, with
 * dev keys (alice and bob funded, carol without an account) signing real
 * extrinsics; a dump of every row a call may write (params, events and
 * extrinsics too) to show that a refused one changed nothing. Shared by
 * tests/test_runtime.c and tests that drive nm_runtime_validate/apply with
 * signed bytes; uses cmocka asserts, so only for tests. (The pallet tests'
 * unsigned-call fixture is state_fixture.h.) */
#ifndef NM_TESTS_RUNTIME_FIXTURE_H
#define NM_TESTS_RUNTIME_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/crypto.h"
#include "node/db.h"
#include "node/extrinsic.h"
#include "node/pallets/pallet.h"
#include "node/runtime.h"
#include "tests/support/db_query.h"

#define RTFX_FUNDS (1000 * NM_UNITS_PER_NMT)

struct rtfx {
    struct nm_db *db;
    struct nm_runtime rt;
    nm_hash genesis;
    struct nm_keypair alice, bob, carol; /* carol starts with no account */
};

/* The genesis hash of a chain named label. */
void rtfx_genesis_of(const char *label, nm_hash *out);
/* A fresh database and runtime (dev: the faucet exists) at block 1 with
 * alice and bob holding RTFX_FUNDS; rtfx_free closes and frees it. */
struct rtfx *rtfx_new(bool dev);
void rtfx_free(struct rtfx *f);
/* cmocka setup/teardown: *state is a dev struct rtfx. */
int rtfx_setup(void **state);
int rtfx_teardown(void **state);

struct nm_call rtfx_transfer_call(const nm_account *dest, uint64_t amount);
struct nm_call rtfx_faucet_call(const nm_account *dest);

/* A signed extrinsic's bytes (malloc'd: the caller frees data). */
struct rtfx_ext {
    uint8_t *data;
    size_t len;
};
struct rtfx_ext rtfx_build(const struct nm_keypair *kp, const nm_hash *genesis, uint64_t nonce,
                           const struct nm_call *call);
struct rtfx_ext rtfx_transfer(struct rtfx *f, const struct nm_keypair *from, uint64_t nonce,
                              const nm_account *to, uint64_t amount);
/* An extrinsic carrying arbitrary call bytes, correctly signed. */
struct rtfx_ext rtfx_raw_extrinsic(const struct nm_keypair *kp, const nm_hash *genesis,
                                   uint64_t nonce, const uint8_t *call, size_t call_len);
/* What x pays under the chain's fee rates now (node/fee.h). */
uint64_t rtfx_fee_of(struct rtfx *f, const struct rtfx_ext *x);

struct nm_account_info rtfx_account(struct rtfx *f, const nm_account *id);
void rtfx_set_account(struct rtfx *f, const nm_account *id, uint64_t free, uint64_t nonce);
/* nm_runtime_validate with the signature checked and the given window. */
int rtfx_validate(struct rtfx *f, const struct rtfx_ext *x, uint64_t window);
/* Applies x at index 0 of the current block (asserting the hash it
 * reports); returns the include result, the call's own error in
 * *call_err. */
int rtfx_apply(struct rtfx *f, const struct rtfx_ext *x, int *call_err);

/* Every state, event and extrinsic row as text (malloc'd). */
char *rtfx_dump_rows(struct nm_db *db);
void rtfx_snapshot_take(struct rtfx *f, struct tq_snapshot *s);
/* Asserts nothing changed since s (root and rows), and frees s. */
void rtfx_snapshot_assert_same(struct rtfx *f, struct tq_snapshot *s);
/* The incrementally kept commitment equals one folded from the tables. */
void rtfx_assert_commitment_matches(struct rtfx *f);
/* The events of the current block, "name data" one a line (malloc'd). */
char *rtfx_events_text(struct rtfx *f);
/* Fails the test when text lacks frag. */
void rtfx_assert_contains(const char *text, const char *frag);

#endif
