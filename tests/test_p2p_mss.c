/* Unit tests for node/p2p/mss: multistream-select 1.0 dialer and listener
 * talking through memory, byte by byte, with refusals and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/p2p/mss.h"

#include <string.h>

static const char *const LISTEN[] = {"/noise", "/ipfs/ping/1.0.0", NULL};

/* Moves a's queued output into b, chunk bytes at a time. */
static int pump(struct nm_mss *a, struct nm_mss *b, size_t chunk, int *b_status)
{
    size_t len;
    const uint8_t *out = nm_mss_output(a, &len);
    uint8_t copy[NM_MSS_OUT_MAX];
    memcpy(copy, out, len);
    nm_mss_output_clear(a);
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk, used;
        *b_status = nm_mss_feed(b, copy + off, n, &used);
        if (*b_status < 0)
            return *b_status;
    }
    return (int)len;
}

static void negotiate(size_t chunk)
{
    static const char *const want[] = {"/tls/1.0.0", "/noise", NULL};
    struct nm_mss d, l;
    assert_int_equal(nm_mss_init(&d, true, want), 0);
    assert_int_equal(nm_mss_init(&l, false, LISTEN), 0);
    int ds = NM_MSS_MORE, ls = NM_MSS_MORE;
    for (int round = 0; round < 6 && (ds != NM_MSS_DONE || ls != NM_MSS_DONE); round++) {
        assert_true(pump(&d, &l, chunk, &ls) >= 0);
        assert_true(pump(&l, &d, chunk, &ds) >= 0);
    }
    assert_int_equal(ds, NM_MSS_DONE);
    assert_int_equal(ls, NM_MSS_DONE);
    assert_string_equal(nm_mss_protocol(&d), "/noise");
    assert_string_equal(nm_mss_protocol(&l), "/noise");
}

static void test_dialer_and_listener_agree_after_a_refusal(void **state)
{
    (void)state;
    negotiate(4096);
    negotiate(1); /* byte by byte */
    negotiate(3);
}

static void test_dialer_pipelines_header_and_proposal_in_wire_format(void **state)
{
    (void)state;
    static const char *const want[] = {"/yamux/1.0.0", NULL};
    struct nm_mss d;
    assert_int_equal(nm_mss_init(&d, true, want), 0);
    size_t len;
    const uint8_t *out = nm_mss_output(&d, &len);
    static const char expect[] = "\x13/multistream/1.0.0\n\x0d/yamux/1.0.0\n";
    assert_int_equal(len, sizeof expect - 1);
    assert_memory_equal(out, expect, len);
}

static void test_bytes_after_agreement_are_left_for_the_protocol(void **state)
{
    (void)state;
    struct nm_mss l;
    assert_int_equal(nm_mss_init(&l, false, LISTEN), 0);
    static const char in[] = "\x13/multistream/1.0.0\n\x11/ipfs/ping/1.0.0\nPINGDATA";
    size_t used;
    assert_int_equal(nm_mss_feed(&l, (const uint8_t *)in, sizeof in - 1, &used), NM_MSS_DONE);
    assert_int_equal(used, sizeof in - 1 - 8);
    assert_string_equal(nm_mss_protocol(&l), "/ipfs/ping/1.0.0");
}

static void test_dialer_reports_unsupported_when_all_refused(void **state)
{
    (void)state;
    static const char *const want[] = {"/tls/1.0.0", NULL};
    struct nm_mss d;
    assert_int_equal(nm_mss_init(&d, true, want), 0);
    static const char in[] = "\x13/multistream/1.0.0\n\x03na\n";
    size_t used;
    assert_int_equal(nm_mss_feed(&d, (const uint8_t *)in, sizeof in - 1, &used), NM_E_UNSUPPORTED);
    assert_null(nm_mss_protocol(&d));
}

static void test_listener_rejects_malformed_messages(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"\x13/multistream/2.0.0\n", 20},                  /* wrong header */
        {"\x12/multistream/1.0.0", 19},                    /* no newline */
        {"\x00", 1},                                       /* empty message */
        {"\xff\xff\x03", 3},                               /* oversized length */
        {"\x13/multistream/1.0.0\n\x04" "a\0b\n", 25},      /* NUL inside */
        {"\x13/multistream/1.0.0\n\x04\x81\x80\x80", 24},  /* cut-off varint is fine... */
    };
    for (size_t i = 0; i + 1 < sizeof bad / sizeof bad[0]; i++) {
        struct nm_mss l;
        nm_mss_init(&l, false, LISTEN);
        size_t used;
        if (nm_mss_feed(&l, (const uint8_t *)bad[i].bytes, bad[i].len, &used) != NM_E_PROTOCOL)
            fail_msg("case %zu accepted", i);
    }
    /* ...as long as it is completed later: here it never is, and waits */
    struct nm_mss l;
    nm_mss_init(&l, false, LISTEN);
    size_t used;
    assert_int_equal(nm_mss_feed(&l, (const uint8_t *)bad[5].bytes, bad[5].len, &used),
                     NM_MSS_MORE);
}

static void test_listener_gives_up_after_too_many_proposals(void **state)
{
    (void)state;
    struct nm_mss l;
    nm_mss_init(&l, false, LISTEN);
    size_t used, len;
    int rc = nm_mss_feed(&l, (const uint8_t *)"\x13/multistream/1.0.0\n", 20, &used);
    assert_int_equal(rc, NM_MSS_MORE);
    for (int i = 0; i < NM_MSS_MAX_ATTEMPTS; i++) {
        nm_mss_output_clear(&l);
        assert_int_equal(nm_mss_feed(&l, (const uint8_t *)"\x03ls\n", 4, &used), NM_MSS_MORE);
        const uint8_t *out = nm_mss_output(&l, &len);
        assert_memory_equal(out, "\x03na\n", 4);
    }
    assert_int_equal(nm_mss_feed(&l, (const uint8_t *)"\x03ls\n", 4, &used), NM_E_FLOODED);
}

static void test_init_rejects_bad_protocol_lists(void **state)
{
    (void)state;
    struct nm_mss m;
    static const char *const none[] = {NULL};
    assert_int_equal(nm_mss_init(&m, true, none), NM_E_INVAL);
    char longp[NM_MSS_PROTO_MAX + 2];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    const char *const toolong[] = {longp, NULL};
    assert_int_equal(nm_mss_init(&m, false, toolong), NM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dialer_and_listener_agree_after_a_refusal),
        cmocka_unit_test(test_dialer_pipelines_header_and_proposal_in_wire_format),
        cmocka_unit_test(test_bytes_after_agreement_are_left_for_the_protocol),
        cmocka_unit_test(test_dialer_reports_unsupported_when_all_refused),
        cmocka_unit_test(test_listener_rejects_malformed_messages),
        cmocka_unit_test(test_listener_gives_up_after_too_many_proposals),
        cmocka_unit_test(test_init_rejects_bad_protocol_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
