/* state_fixture.h - shared by the pallet tests (tests/test_staking.c,
 * test_subnets.c, test_registry.c and later pallets): an in-memory database
 * with a runtime at block 1 and two funded accounts, a dump of every state
 * row to show that a failed call changed nothing, and the check that the
 * incrementally kept commitment equals one folded from the tables. Uses
 * cmocka asserts, so only for tests. */
#ifndef NM_TESTS_STATE_FIXTURE_H
#define NM_TESTS_STATE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/db.h"
#include "node/pallets/balances.h"
#include "node/runtime.h"
#include "tests/support/db_query.h"

#define NMT NM_UNITS_PER_NMT
#define FUNDS (1000 * NMT)

struct fx {
    struct nm_db *db;
    struct nm_runtime rt;
    nm_account alice, bob, carol; /* alice and bob hold FUNDS, carol nothing */
    struct nm_call call;          /* scratch: calls are large */
};

/* An account id of 32 bytes of fill. */
nm_account fx_account(uint8_t fill);
/* cmocka setup/teardown: *state is a struct fx. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Every state row and the event count as text (malloc'd). */
char *fx_dump_state(struct nm_db *db);

void fx_snapshot_take(struct fx *f, struct tq_snapshot *s);
/* Asserts that nothing changed since s was taken, and frees s. */
void fx_snapshot_assert_same(struct fx *f, struct tq_snapshot *s);
/* The incrementally kept commitment equals one folded from the tables. */
void fx_assert_commitment_matches(struct fx *f);
/* Name and data of the newest event. */
void fx_last_event(struct fx *f, char *name, size_t name_cap, char *data, size_t data_cap);
uint64_t fx_free_of(struct fx *f, const nm_account *who);
uint64_t fx_stake_of(struct fx *f, const nm_account *who, uint16_t subnet);
/* Count of events named name in the events table. */
int fx_event_count(struct fx *f, const char *name);
/* A staking call (NM_CALL_STAKE_ADD / _REMOVE / _WITHDRAW) signed by who;
 * returns the call's error. */
int fx_stake_call(struct fx *f, uint16_t kind, const nm_account *who, uint16_t subnet,
                  uint64_t amount);
/* Creates an active CODE_GEN subnet owned by alice with the given stake
 * minimums (as genesis would: no fee, no deposit); returns its id. */
uint16_t fx_make_subnet(struct fx *f, const char *name, uint64_t min_miner,
                        uint64_t min_validator);

#endif
