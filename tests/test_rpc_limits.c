/* Request limits of the JSON-RPC transport against a real node thread over
 * 127.0.0.1 (issue 17, items 1 and 8): strict JSON before any parse
 * (trailing garbage, "\u0000" in a method, 1e999, depth and value bombs),
 * UTF-8 text frames, unmasked frames (still served: a pinned limitation of
 * lws 4.1), a frame announcing 2^62 bytes, the timeout on
 * unfinished messages and POST bodies, the bound on unfinished bytes of all
 * connections, and a flood of the largest allowed requests and unfinished
 * frames, and requests as costly to parse as allowed, while blocks are
 * produced. Bounded: about 20 s. test-runner: alone (it measures block
 * gaps, so it runs while no other test loads the cores). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "node/chainspec.h"
#include "service/node.h"
#include "tests/support/node_fixture.h"
#include "tests/support/ws_flood.h"
#include "tests/support/ws_raw.h"

#include <cjson/cJSON.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQUEST_TIMEOUT_SECS 1
#define MAX_REQUEST (512 * 1024)
#define MAX_BUFFERED (16 * 1024 * 1024)
/* The flood: block gaps within GAP_SLACK_PCT of the block time, and the
 * node's resident memory grows by less than this (the buffered bound, the
 * parse of one largest request per flooding client, allocator slack). */
#define FLOOD_SECONDS 6
#ifdef __SANITIZE_ADDRESS__
#define FLOOD_RSS_MAX_KB (1024 * 1024)
#define GAP_SLACK_PCT 50 /* ASan and UBSan slow every block several times */
#define BOMB_RSS_MAX_KB (256 * 1024) /* ASan keeps freed memory in quarantine */
#else
#define FLOOD_RSS_MAX_KB (64 * 1024)
/* The bound. Blocks come in slots (a late turn delays one block,
 * not every later one), and requests keep a quiet window before each block
 * (rpc/server_slots.c) so the node thread sleeps when its block timer fires
 * and the scheduler runs it at once, even with other builds on the cores.
 * `make soak-flood` runs this test several times in a row. */
#define GAP_SLACK_PCT 10
#define BOMB_RSS_MAX_KB (16 * 1024)
#endif

/* The bound on block intervals: GAP_SLACK_PCT, or NM_GAP_SLACK_PCT (1-100)
 * from the environment. */
static long long gap_bound_ms(void)
{
    const char *env = getenv("NM_GAP_SLACK_PCT");
    long pct = env ? strtol(env, NULL, 10) : GAP_SLACK_PCT;
    if (pct < 1 || pct > 100)
        pct = GAP_SLACK_PCT;
    return 1000 + 10 * pct;
}

struct fx {
    struct nmt_node n;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int start_rated(void **state, bool produce, uint32_t rate_per_conn)
{
    struct fx *f = calloc(1, sizeof *f);
    struct nm_rpc_methods_config mc;
    nm_rpc_methods_config_init(&mc);
    mc.rate_per_conn = rate_per_conn;
    mc.rate_per_ip = 0;
    struct nm_node_config cfg = {
        .produce = produce,
        .rpc_methods = &mc,
        .max_connections = 200,
        .rpc_max_buffered_bytes = MAX_BUFFERED,
        .rpc_request_timeout_secs = REQUEST_TIMEOUT_SECS,
    };
    nmt_node_start(&f->n, "limits", &cfg, 0, 0);
    *state = f;
    return 0;
}

static int start(void **state, bool produce)
{
    return start_rated(state, produce, 0);
}

static int setup(void **state)
{
    return start(state, false);
}

static int setup_rate_limited(void **state)
{
    return start_rated(state, false, 100);
}

static int setup_producing(void **state)
{
    return start(state, true);
}

static void flood_stop(void);

static int teardown(void **state)
{
    struct fx *f = *state;
    flood_stop();
    nmt_node_stop(&f->n);
    free(f);
    return 0;
}

/* The error code of a reply, or 0 if it has a result. */
static int reply_code(const char *text)
{
    cJSON *r = cJSON_Parse(text);
    assert_non_null(r);
    const cJSON *err = cJSON_GetObjectItem(r, "error");
    int code = err ? cJSON_GetObjectItem(err, "code")->valueint : 0;
    if (!err)
        assert_non_null(cJSON_GetObjectItem(r, "result"));
    cJSON_Delete(r);
    return code;
}

static int call_code(int fd, const char *request, size_t len)
{
    assert_true(wsr_send_frame(fd, 1, true, request, len));
    char *reply = wsr_recv_text(fd);
    assert_non_null(reply);
    int code = reply_code(reply);
    free(reply);
    return code;
}

/* When the node made the block of a chain_newHead notification (its
 * header's timestamp, ms): block intervals as the node kept them, free of
 * this test's own scheduling on a loaded machine. */
static long long head_time(const char *notification)
{
    cJSON *n = cJSON_Parse(notification);
    const cJSON *result = cJSON_GetObjectItem(cJSON_GetObjectItem(n, "params"), "result");
    const cJSON *ts = cJSON_GetObjectItem(result, "timestamp");
    assert_true(cJSON_IsNumber(ts));
    long long ms = (long long)ts->valuedouble;
    cJSON_Delete(n);
    return ms;
}

static void expect_served(struct fx *f)
{
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}";
    assert_int_equal(call_code(fd, req, sizeof req - 1), 0);
    close(fd);
}

static void test_text_that_is_not_strict_json_is_refused_before_dispatch(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    static const char garbage[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\"}trailing";
    static const char nul[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system_health\\u0000\"}";
    static const char huge_id[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1e999,\"method\":\"system_health\"}";
    assert_int_equal(call_code(fd, garbage, sizeof garbage - 1), -32700);
    assert_int_equal(call_code(fd, nul, sizeof nul - 1), -32700);
    assert_int_equal(call_code(fd, huge_id, sizeof huge_id - 1), -32700);
    /* invalid UTF-8 is never echoed back, whatever frame carried it */
    static const char bad_utf8[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc3\x28\"}";
    assert_true(wsr_send_frame(fd, 2, true, bad_utf8, sizeof bad_utf8 - 1));
    char *reply = wsr_recv_text(fd);
    assert_non_null(reply);
    assert_null(strstr(reply, "\xc3\x28"));
    assert_int_equal(reply_code(reply), -32700);
    free(reply);
    /* the connection stays usable */
    static const char ok[] = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"system_health\"}";
    assert_int_equal(call_code(fd, ok, sizeof ok - 1), 0);
    close(fd);
}

static void test_json_bombs_are_refused_at_the_limits_without_a_tree(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 5000, 0);
    assert_true(fd >= 0);
    /* the largest allowed text as "[0,0,...]": 262,143 values */
    size_t n = MAX_REQUEST - 1;
    char *bomb = malloc(n);
    bomb[0] = '[';
    for (size_t i = 1; i + 1 < n; i += 2) {
        bomb[i] = '0';
        bomb[i + 1] = ',';
    }
    bomb[n - 1] = ']';
    bomb[n - 2] = '0';
    long before = nmt_rss_kb();
    for (int i = 0; i < 20; i++)
        assert_int_equal(call_code(fd, bomb, n), -32600);
    memset(bomb, '[', n);
    assert_int_equal(call_code(fd, bomb, n), -32600);
    free(bomb);
    long grown = nmt_rss_kb() - before;
    print_message("resident memory after 21 bombs of 512 KiB: %+ld KiB\n", grown);
    assert_true(grown < BOMB_RSS_MAX_KB);
    close(fd);
    expect_served(f);
}

static void test_invalid_utf8_in_a_text_frame_closes_with_1007(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    static const char bad[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\xfe\"}";
    assert_true(wsr_send_frame(fd, 1, true, bad, sizeof bad - 1));
    assert_int_equal(nmt_close_code(fd, NULL, 0), 1007);
    close(fd);
    expect_served(f);
}

/* A known limitation, pinned (docs/rpc.md, "Limits"): RFC 6455 5.1 says a
 * server must close a connection whose client sends an unmasked frame, but
 * Debian's lws 4.1.6 never checks the mask bit and no API of it reports the
 * bit, so the node serves such a frame like any other (with every check on
 * its text). Upstream lws closes with 1002 "client unmasked" since after
 * 4.1.6: when an upgrade does, this test fails on purpose; then assert the
 * close here and update docs/rpc.md. */
static void test_unmasked_client_frames_are_still_served_with_lws_4_1(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"system_health\"}";
    unsigned char frame[2 + sizeof req];
    frame[0] = 0x81;                            /* FIN, text */
    frame[1] = (unsigned char)(sizeof req - 1); /* mask bit clear, no key */
    memcpy(frame + 2, req, sizeof req - 1);
    assert_true(wsr_send_all(fd, frame, 2 + sizeof req - 1));
    char *reply = wsr_recv_text(fd);
    if (!reply)
        print_message("the unmasked frame was refused (%s): the lws limitation is gone; "
                      "assert the 1002 close here and update docs/rpc.md\n",
                      lws_get_library_version());
    assert_non_null(reply);
    assert_int_equal(reply_code(reply), 0);
    free(reply);
    close(fd);
}

static void test_a_frame_announcing_2_62_bytes_is_closed_at_once(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    unsigned char hdr[14] = {0x81, 0x80 | 127, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
    assert_true(wsr_send_all(fd, hdr, sizeof hdr));
    assert_true(wsr_send_all(fd, "abcdefgh", 8));
    long long t0 = now_ms();
    int code = nmt_close_code(fd, NULL, 0);
    assert_true(code == 1009 || code == 0);
    assert_true(now_ms() - t0 < 2000);
    close(fd);
    expect_served(f);
}

static void test_an_unfinished_message_is_cut_after_the_request_timeout(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, (REQUEST_TIMEOUT_SECS + 3) * 1000, 0);
    assert_true(fd >= 0);
    assert_true(wsr_send_frame(fd, 1, false, "[", 1));
    long long t0 = now_ms();
    assert_true(nmt_close_code(fd, NULL, 0) >= 0);
    long long took = now_ms() - t0;
    print_message("unfinished message cut after %lld ms\n", took);
    assert_true(took >= REQUEST_TIMEOUT_SECS * 1000 - 100);
    assert_true(took < (REQUEST_TIMEOUT_SECS + 2) * 1000);
    close(fd);

    /* a slow POST body, one byte at a time, the same */
    fd = wsr_tcp(f->n.port, (REQUEST_TIMEOUT_SECS + 3) * 1000, 0);
    assert_true(fd >= 0);
    static const char head[] = "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                               "application/json\r\nContent-Length: 100000\r\n\r\n{";
    assert_true(wsr_send_all(fd, head, sizeof head - 1));
    t0 = now_ms();
    char buf[512];
    bool closed = false;
    while (now_ms() - t0 < (REQUEST_TIMEOUT_SECS + 2) * 1000) {
        if (send(fd, " ", 1, MSG_NOSIGNAL) != 1) {
            closed = true;
            break;
        }
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r == 0) {
            closed = true;
            break;
        }
        usleep(100 * 1000);
    }
    assert_true(closed);
    close(fd);
    expect_served(f);
}

static void test_unfinished_messages_of_all_connections_are_bounded(void **state)
{
    struct fx *f = *state;
    enum { HOLDERS = 40 };
    int fds[HOLDERS], refused = 0;
    char *part = malloc(MAX_REQUEST / 2);
    memset(part, ' ', MAX_REQUEST / 2);
    part[0] = '[';
    long before = nmt_rss_kb();
    for (int i = 0; i < HOLDERS; i++) {
        fds[i] = wsr_open(f->n.port, NULL, NULL, 3000, 0);
        assert_true(fds[i] >= 0);
        (void)wsr_send_frame(fds[i], 1, false, part, MAX_REQUEST / 2);
    }
    /* 40 x 256 KiB (buffers of 512 KiB) is over the 16 MiB bound: the late
     * ones are closed with "server busy" */
    for (int i = 0; i < HOLDERS; i++) {
        struct timeval tv = {.tv_sec = 0, .tv_usec = 300 * 1000};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (nmt_close_code(fds[i], NULL, 0) == 1008)
            refused++;
    }
    print_message("%d of %d holders refused; resident memory %+ld KiB\n", refused, HOLDERS,
                  nmt_rss_kb() - before);
    assert_true(refused >= HOLDERS - MAX_BUFFERED / MAX_REQUEST);
    for (int i = 0; i < HOLDERS; i++)
        close(fds[i]);
    free(part);
    expect_served(f);
}

/* issue 17: a request counted as one call whatever its size. At 100 calls
 * a second, 512 KiB requests (33 calls each) are limited after three or so. */
static void test_large_requests_cost_more_of_the_rate_limit(void **state)
{
    struct fx *f = *state;
    int fd = wsr_open(f->n.port, NULL, NULL, 5000, 0);
    assert_true(fd >= 0);
    size_t n = 0;
    char *big = wsr_largest_request(MAX_REQUEST, &n);
    int served = 0, limited = 0;
    long long t0 = now_ms();
    for (int i = 0; i < 8; i++) {
        int code = call_code(fd, big, n);
        served += code != -32005;
        limited += code == -32005;
    }
    long long elapsed_ms = now_ms() - t0;
    free(big);
    print_message("8 requests of 512 KiB at 100 calls/s in %lld ms: %d answered, %d rate "
                  "limited\n",
                  elapsed_ms, served, limited);
    /* As one call each, all 8 would pass (a burst of 100). At 32 calls or
     * more each, at most 6 pass at once (3 or so, the bucket's slack and
     * the one that may overdraw it), plus one per 32 calls the bucket
     * refilled meanwhile (100 a second of the time measured, which is long
     * under sanitizers). */
    int affordable = 6 + (int)(elapsed_ms / 10 / 32);
    assert_true(served <= affordable);
    if (affordable < 8)
        assert_true(limited >= 8 - affordable);
    close(fd);
}

/* ---- the flood while blocks are produced ---- */

/* The flood runs as an attacker program would (tests/support/ws_flood.h):
 * its own process and session, at nice 19, since a remote attacker's CPU
 * is not the node's; what it makes the node do (read, check, parse,
 * answer) stays on the node thread at the node's priority. Stopped by its
 * PID at the end of the test and in teardown. */
static struct wsr_flood *flood;

static void flood_stop(void)
{
    wsr_flood_stop(flood);
    flood = NULL;
}

static void test_a_flood_does_not_delay_blocks_or_bloat_memory(void **state)
{
    struct fx *f = *state;
    int sub = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(sub >= 0);
    char *r =
        wsr_call(sub, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_subscribeNewHeads\"}");
    assert_non_null(r);
    free(r);
    /* the first head, then measure from there */
    r = wsr_recv_text(sub);
    assert_non_null(r);
    free(r);
    long before = nmt_rss_kb();

    flood = wsr_flood_start(f->n.port, MAX_REQUEST);
    assert_non_null(flood);

    long long last = -1, worst = 0, best = 1000000, start = now_ms();
    int heads = 0;
    long peak = 0;
    while (now_ms() - start < FLOOD_SECONDS * 1000) {
        r = wsr_recv_text(sub);
        assert_non_null(r);
        long long t = head_time(r);
        free(r);
        if (last >= 0 && t - last > worst)
            worst = t - last;
        if (last >= 0 && t - last < best)
            best = t - last;
        last = t;
        heads++;
        long grown = nmt_rss_kb() - before;
        if (grown > peak)
            peak = grown;
    }
    long sent = wsr_flood_sent(flood);
    flood_stop();
    close(sub);
    print_message("flood: %ld requests (512 KiB, or 65,000 values), %d heads, block intervals "
                  "%lld-%lld ms (bound %lld), peak RSS %+ld KiB (bound %d KiB)\n",
                  sent, heads, best, worst, gap_bound_ms(), peak, FLOOD_RSS_MAX_KB);
    assert_true(sent > 0);
    assert_true(heads >= FLOOD_SECONDS - 1);
    assert_true(worst <= gap_bound_ms());
    assert_true(peak < FLOOD_RSS_MAX_KB);
}

/* issue 17: unfinished messages all finished at once made a 62 s gap. Here
 * 40 messages as costly to parse as allowed (65,000 values) complete in the
 * same instant; the node's slice per loop turn spreads them over later
 * turns, so no block waits for all of them. */
static void test_requests_finished_at_once_do_not_delay_a_block(void **state)
{
    struct fx *f = *state;
    enum { CONNS = 40, VALUES = 65000 };
    size_t n = 0;
    char *req = malloc(2 * VALUES + 128);
    n += (size_t)snprintf(req, 128, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[");
    for (int i = 0; i < VALUES; i++) {
        req[n++] = (char)('0' + i % 10);
        req[n++] = ',';
    }
    req[n - 1] = ']';
    req[n++] = '}';
    int sub = wsr_open(f->n.port, NULL, NULL, 5000, 0);
    char *r =
        wsr_call(sub, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_subscribeNewHeads\"}");
    free(r);
    int fds[CONNS];
    for (int i = 0; i < CONNS; i++) {
        fds[i] = wsr_open(f->n.port, NULL, NULL, 10000, 0);
        assert_true(fds[i] >= 0);
    }
    r = wsr_recv_text(sub); /* just after a block: the next is ~1 s away */
    assert_non_null(r);
    long long last = head_time(r), worst = 0;
    free(r);
    /* all but the last byte (within the 1 s request timeout) ... */
    for (int i = 0; i < CONNS; i++)
        assert_true(wsr_send_frame(fds[i], 1, false, req, n - 1));
    usleep(200 * 1000);
    for (int i = 0; i < CONNS; i++) /* ... then the last byte of each, at once */
        assert_true(wsr_send_frame(fds[i], 0, true, "}", 1));
    for (int heads = 0; heads < 3; heads++) {
        r = wsr_recv_text(sub);
        assert_non_null(r);
        long long t = head_time(r);
        free(r);
        if (t - last > worst)
            worst = t - last;
        last = t;
    }
    for (int i = 0; i < CONNS; i++) {
        char *reply = wsr_recv_text(fds[i]);
        assert_non_null(reply);
        free(reply);
        close(fds[i]);
    }
    close(sub);
    free(req);
    print_message("40 costly requests finished at once: worst block interval %lld ms (bound "
                  "%lld)\n", worst, gap_bound_ms());
    assert_true(worst <= gap_bound_ms());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_text_that_is_not_strict_json_is_refused_before_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_bombs_are_refused_at_the_limits_without_a_tree,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_in_a_text_frame_closes_with_1007, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_frame_announcing_2_62_bytes_is_closed_at_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_unmasked_client_frames_are_still_served_with_lws_4_1,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_an_unfinished_message_is_cut_after_the_request_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unfinished_messages_of_all_connections_are_bounded,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_requests_cost_more_of_the_rate_limit,
                                        setup_rate_limited, teardown),
        cmocka_unit_test_setup_teardown(test_a_flood_does_not_delay_blocks_or_bloat_memory,
                                        setup_producing, teardown),
        cmocka_unit_test_setup_teardown(test_requests_finished_at_once_do_not_delay_a_block,
                                        setup_producing, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
