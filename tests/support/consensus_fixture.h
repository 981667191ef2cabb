/* consensus_fixture.h - shared by the weights, consensus and emissions
 * pallet tests: an in-memory chain (tests/support/state_fixture.h) with one
 * subnet owned by alice, a number of validators and miners registered on
 * it, helpers to submit, commit and reveal weights, and to move blocks and
 * epochs forward through the runtime's end-of-block hook. cmocka only. */
#ifndef NM_TESTS_CONSENSUS_FIXTURE_H
#define NM_TESTS_CONSENSUS_FIXTURE_H

#include "tests/support/state_fixture.h"

#include "node/pallets/weights.h"

#define CFX_MAX 128

struct cfx {
    struct fx f; /* must stay first: fx helpers take it */
    uint16_t subnet;
    uint32_t validators, miners;
    nm_account vacct[CFX_MAX], macct[CFX_MAX];
    uint16_t vuid[CFX_MAX], muid[CFX_MAX];
};

/* Account number i of a kind ('v' validator, 'm' miner, 'x' other). */
nm_account cfx_account(char kind, uint32_t i);
/* Builds the state and stores it in *state (free with cfx_teardown). The
 * subnet has emission_weight percent of the emission and min stakes 0;
 * validators register before miners, so validator k has uid k. */
int cfx_setup_with(void **state, uint32_t validators, uint32_t miners, uint8_t emission_weight);
int cfx_teardown(void **state);

/* Registers who on the subnet with stake (bonded from free balance, which
 * is topped up first); returns the uid. */
uint16_t cfx_register(struct cfx *c, const nm_account *who, uint8_t role, uint64_t stake);
/* Calls of the weights pallet, signed by who; return the call's error. */
int cfx_submit(struct cfx *c, const nm_account *who, const uint16_t *uids, const uint16_t *weights,
               uint32_t n);
int cfx_commit(struct cfx *c, const nm_account *who, const uint16_t *uids, const uint16_t *weights,
               uint32_t n, const uint8_t salt[32]);
int cfx_reveal(struct cfx *c, const nm_account *who, const uint16_t *uids, const uint16_t *weights,
               uint32_t n, const uint8_t salt[32]);
int cfx_options(struct cfx *c, const nm_account *who, uint8_t commit_reveal, uint32_t reveal_delay,
                uint32_t rate_limit, uint64_t softmax_temperature);

/* Ends the current block (running the end-of-block hooks) and begins the
 * next, n times. */
void cfx_advance(struct cfx *c, uint64_t n);
/* Advances until the current epoch has been processed; afterwards the
 * runtime is at the first block of the next epoch. */
void cfx_end_epoch(struct cfx *c);

/* A weights bucket row's vector, decoded; returns the entry count (0 when
 * there is no row). */
size_t cfx_bucket(struct cfx *c, uint64_t epoch, const nm_account *who, uint16_t *uids,
                  uint32_t *values);
/* An integer column of neuron_stats for who (-1 when there is no row). */
int64_t cfx_stat(struct cfx *c, const nm_account *who, const char *column);
/* Count of events named name in the events table. */
int cfx_events(struct cfx *c, const char *name);

#endif
