/* dev_chain.c - a dev chain for chain-level tests (see dev_chain.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/dev_chain.h"

#include "node/extrinsic.h"

#include <stdlib.h>

struct nm_chain *dev_chain_open(const char *path)
{
    struct nm_chain_spec spec;
    struct nm_keypair alice;
    char msg[256];
    struct nm_chain *c = NULL;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    int err = nm_chain_open(path, &spec, &alice, &c, msg, sizeof msg);
    nm_chainspec_fini(&spec);
    if (err)
        fail_msg("open %s: %s", path, msg);
    return c;
}

void dev_chain_transfer(struct nm_chain *c, const char *from, uint64_t nonce, const char *to,
                        uint64_t amount)
{
    struct nm_keypair src, dst;
    assert_int_equal(nm_keypair_dev(from, &src), 0);
    assert_int_equal(nm_keypair_dev(to, &dst), 0);
    struct nm_call call = {.kind = NM_CALL_TRANSFER};
    call.u.transfer.dest = dst.pub;
    call.u.transfer.amount = amount;
    uint8_t *data;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&src, &c->genesis, nonce, &call, &data, &len), 0);
    assert_int_equal(nm_chain_submit(c, data, len, NULL), 0);
    free(data);
}

void dev_chain_assert_check(struct nm_chain *c)
{
    struct nm_chain_spec spec;
    char msg[512];
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    int err = nm_chain_check(c, &spec, msg, sizeof msg);
    nm_chainspec_fini(&spec);
    if (err)
        fail_msg("check: %s", msg);
}
