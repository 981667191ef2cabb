/* gov_fixture.h - shared by the governance tests (tests/test_governance*.c):
 * calls of the governance pallet on the state fixture, blocks moved on
 * through the end-of-block hooks, a council of alice, bob and carol (2 of
 * 3), stakers, and a snapshot of the governance tables to show that a
 * refused call changed nothing. cmocka only. */
#ifndef NM_TESTS_GOV_FIXTURE_H
#define NM_TESTS_GOV_FIXTURE_H

#include "tests/support/state_fixture.h"

#include "node/pallets/governance.h"

/* An active CODE_GEN subnet owned by alice, no stake minimums. */
uint16_t gfx_subnet(struct fx *f, const char *name);
/* Stakes amount of who's free balance on subnet (asserts). */
void gfx_stake(struct fx *f, const nm_account *who, uint16_t subnet, uint64_t amount);
/* Calls of the pallet, signed by who; each returns the call's error. */
int gfx_propose_param(struct fx *f, const nm_account *who, uint64_t bond, const char *name,
                      uint64_t value);
int gfx_propose_spend(struct fx *f, const nm_account *who, uint64_t bond, const nm_account *to,
                      uint64_t amount);
int gfx_propose_upgrade(struct fx *f, const nm_account *who, uint64_t bond, uint32_t version,
                        uint64_t at);
int gfx_propose_subnet(struct fx *f, const nm_account *who, uint64_t bond, const char *name);
int gfx_vote(struct fx *f, const nm_account *who, uint32_t id, bool aye);
/* kind: NM_CALL_COUNCIL_CANCEL or NM_CALL_COUNCIL_FAST_TRACK */
int gfx_council(struct fx *f, const nm_account *who, uint32_t id, uint16_t kind);
/* Ends the current block and begins the next one. */
void gfx_next_block(struct fx *f);
/* Runs blocks until block `height` has ended (the next one has begun). */
void gfx_run_through(struct fx *f, uint64_t height);
/* Proposal id as stored (a static copy, valid until the next call). */
struct nm_proposal *gfx_load(struct fx *f, uint32_t id);
uint64_t gfx_gov_state(struct fx *f, const char *key);

/* The fixture's rows plus the governance tables and params. */
struct gfx_snap {
    struct tq_snapshot base;
    char *gov;
};
void gfx_snap_take(struct fx *f, struct gfx_snap *s);
/* Asserts that nothing changed since s was taken, and frees s. */
void gfx_snap_assert_same(struct fx *f, struct gfx_snap *s);

/* A council of alice, bob and carol, 2 of 3 (what a chain spec gives). */
void gfx_install_council(struct fx *f);
/* A subnet with alice 100 NMT and bob 300 NMT staked; returns its id. */
uint16_t gfx_with_stakers(struct fx *f);

#endif
