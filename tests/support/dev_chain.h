/* dev_chain.h - shared by the chain-level tests (tests/test_faults_*.c):
 * a dev chain opened at a path (":memory:" or a file) with alice as its
 * author, a signed dev-account transfer into its pool, and `node --check`
 * as an assertion. cmocka only. */
#ifndef NM_TESTS_DEV_CHAIN_H
#define NM_TESTS_DEV_CHAIN_H

#include "node/chain.h"

struct nm_chain *dev_chain_open(const char *path);
/* Submits a transfer of amount from one dev account to another. */
void dev_chain_transfer(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                        uint64_t amount);
/* nm_chain_check passes. */
void dev_chain_assert_check(struct nm_chain *c);

#endif
