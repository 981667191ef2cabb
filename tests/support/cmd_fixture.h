/* cmd_fixture.h - shared by the console command tests (tests/test_commands*.c):
 * a fake node (a session transport with canned answers, per method, and
 * notifications for submitted extrinsics) and a session over it on a dev
 * or a live chain, in a throw-away home. Uses cmocka asserts, so only for
 * tests. */
#ifndef NM_TESTS_CMD_FIXTURE_H
#define NM_TESTS_CMD_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "client/session.h"
#include "node/call.h"
#include "node/ss58.h"

#include <stdbool.h>

#define FAKE_MAX 16

struct fake_answer {
    const char *method;
    const char *result;   /* JSON text, or NULL for an error */
    const char *err_data; /* JSON text of the error's data */
    int err_code;
};

struct fake {
    struct fake_answer answers[FAKE_MAX];
    int nanswers;
    const char *notifications[4]; /* sent on subscribe, in order */
    const char *reject_data;      /* subscribe answers error 1010 with this data */
    int calls;
    int subscribes;
    char last_method[64];
    char *submitted; /* hex of the last submitted extrinsic */
    char home[64];
};

#define GENESIS "0x1111111111111111111111111111111111111111111111111111111111111111"
#define CHAIN_INFO(dev)                                                                           \
    "{\"name\":\"Test\",\"id\":\"test\",\"dev\":" dev ",\"height\":7,\"finalized\":7,"            \
    "\"best_hash\":\"0x22\",\"genesis_hash\":\"" GENESIS "\",\"epoch\":0,\"tempo\":10,"           \
    "\"block_time_ms\":1000,\"tx_fee\":\"100000\",\"existential_deposit\":\"1000000\","           \
    "\"pending\":0}"

struct cmd_fixture {
    struct fake fake;
    struct nm_session *s;
    char alice[NM_SS58_STRLEN];
    char bob[NM_SS58_STRLEN];
};

/* Canned answers: the last one given for a method wins. */
void cmd_fx_answer(struct fake *f, const char *method, const char *result);
void cmd_fx_error(struct fake *f, const char *method, int code, const char *data);

/* cmocka setup/teardown: *state becomes a struct cmd_fixture. */
int cmd_fx_setup_dev(void **state);
int cmd_fx_setup_live(void **state);
int cmd_fx_teardown(void **state);

/* Runs line offline and checks that it is a usage error with message msg
 * (and no result). */
void cmd_fx_expect_usage(const char *line, const char *msg);
/* Builds line's call; fails the test with the message when it is refused. */
void cmd_fx_build_ok(struct nm_session *s, const char *line, struct nm_call *c);
/* The fake node as a session transport. */
struct nm_session_transport cmd_fx_transport(struct fake *f);

#endif
