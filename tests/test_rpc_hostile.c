/* End-to-end hostile input against a real node thread (node/node.c with
 * rpc/server.c and rpc/methods.c) over real sockets on 127.0.0.1: 10,000
 * malformed frames of many shapes, protocol violations, an oversize frame,
 * a flood past the rate limits, the connection cap, and a client that
 * never reads. After each: the node still serves a well-behaved client at
 * once, the chain did not change, and memory stayed bounded. Bounded in
 * count and time (about 10 s). test-runner: alone (its rate-limit counts
 * charge the node thread's time, so other tests on the cores change them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "node/chainspec.h"
#include "node/errors.h"
#include "service/node.h"
#include "tests/support/node_fixture.h"
#include "tests/support/ws_raw.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MALFORMED_FRAMES 10000
#define PIPELINE 50
#ifdef __SANITIZE_ADDRESS__
/* ASan keeps up to 256 MiB of freed memory in quarantine, plus shadow */
#define RSS_GROWTH_MAX_KB (1024 * 1024)
#else
#define RSS_GROWTH_MAX_KB (16 * 1024)
#endif

struct fx {
    struct nmt_node n;
    char best_hash[80];
    long rss_kb;
};

struct limits {
    uint32_t rate_per_conn, rate_per_ip;
    size_t max_request, max_outbound;
};

static cJSON *ask(int fd, const char *method, const char *params)
{
    char req[512];
    snprintf(req, sizeof req, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"%s\",\"params\":%s}",
             method, params);
    char *text = wsr_call(fd, req);
    if (!text)
        return NULL;
    cJSON *reply = cJSON_Parse(text);
    free(text);
    return reply;
}

/* A fresh well-behaved client gets system_health answered, and the chain
 * is as it was. */
static void expect_node_serving_and_chain_unchanged(struct fx *f)
{
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    assert_true(fd >= 0);
    cJSON *health = ask(fd, "system_health", "[]");
    assert_non_null(health);
    assert_non_null(cJSON_GetObjectItem(health, "result"));
    cJSON_Delete(health);
    cJSON *info = ask(fd, "chain_info", "[]");
    const cJSON *r = cJSON_GetObjectItem(info, "result");
    assert_non_null(r);
    assert_string_equal(cJSON_GetObjectItem(r, "best_hash")->valuestring, f->best_hash);
    assert_int_equal(cJSON_GetObjectItem(r, "pending")->valueint, 0);
    cJSON_Delete(info);
    close(fd);
    long grown = nmt_rss_kb() - f->rss_kb;
    if (grown > RSS_GROWTH_MAX_KB)
        fail_msg("resident memory grew by %ld KiB", grown);
    print_message("resident memory grew by %ld KiB (bound %d KiB)\n", grown, RSS_GROWTH_MAX_KB);
}

static int start(void **state, const struct limits *lim)
{
    struct fx *f = calloc(1, sizeof *f);
    struct nm_rpc_methods_config mc;
    nm_rpc_methods_config_init(&mc);
    mc.token = "hostile-token";
    mc.rate_per_conn = lim->rate_per_conn;
    mc.rate_per_ip = lim->rate_per_ip;
    mc.max_response_bytes = 128 * 1024;
    struct nm_node_config cfg = {
        .produce = false,
        .rpc_methods = &mc,
        .rpc_max_request_bytes = lim->max_request,
        .rpc_max_outbound_bytes = lim->max_outbound,
    };
    nmt_node_start(&f->n, "hostile", &cfg, 0, 0);
    int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
    cJSON *info = ask(fd, "chain_info", "[]");
    snprintf(f->best_hash, sizeof f->best_hash, "%s",
             cJSON_GetObjectItem(cJSON_GetObjectItem(info, "result"), "best_hash")->valuestring);
    cJSON_Delete(info);
    close(fd);
    f->rss_kb = nmt_rss_kb();
    *state = f;
    return 0;
}

static int setup_unlimited(void **state)
{
    struct limits lim = {0, 0, 256 * 1024, 256 * 1024};
    return start(state, &lim);
}

static int setup_rate_limited(void **state)
{
    struct limits lim = {100, 250, 256 * 1024, 1024 * 1024};
    return start(state, &lim);
}

static int setup_defaults(void **state)
{
    struct limits lim = {1000, 5000, 0, 0};
    return start(state, &lim);
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nmt_node_stop(&f->n);
    free(f);
    return 0;
}

static uint32_t rng = 2463534242u;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Sends malformed frame number i; returns how many replies it is owed
 * (0 for a notification). */
static int send_malformed(int fd, int i)
{
    char buf[8192];
    size_t n = 0;
    int opcode = 1, owed = 1;
    switch (i % 12) {
    case 0: /* random bytes (as binary: a text frame of them closes with 1007) */
    case 1:
        n = 1 + next_rand() % 300;
        for (size_t k = 0; k < n; k++)
            buf[k] = (char)next_rand();
        opcode = 2;
        break;
    case 2: { /* a valid request cut short */
        static const char req[] =
            "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"account_get\",\"params\":[\"5Grw\"]}";
        n = 1 + next_rand() % (sizeof req - 2);
        memcpy(buf, req, n);
        break;
    }
    case 3: /* nesting far past any parser's depth */
        n = 4000;
        memset(buf, '[', n);
        break;
    case 4:
        n = (size_t)snprintf(buf, sizeof buf,
                             "{\"jsonrpc\":2,\"id\":[1],\"method\":{\"x\":%u},\"params\":7}",
                             next_rand());
        break;
    case 5: /* a long method name with newlines and format directives */
        n = (size_t)snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"");
        for (int k = 0; k < 3000; k++)
            buf[n++] = "ab\\n%s"[k % 6];
        n += (size_t)snprintf(buf + n, sizeof buf - n, "\"}");
        break;
    case 6: /* a batch of garbage */
        n = (size_t)snprintf(buf, sizeof buf, "[1,\"x\",null,{},[],{\"jsonrpc\":\"2.0\"}");
        for (int k = 0; k < 40; k++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, ",{\"id\":%d}", k);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "]");
        break;
    case 7: /* invalid UTF-8 inside strings (binary frame: never echoed) */
        opcode = 2;
        n = (size_t)snprintf(buf, sizeof buf,
                             "{\"jsonrpc\":\"2.0\",\"id\":\"\xff\xfe\",\"method\":\"\xc3\x28\"}");
        break;
    case 8: { /* real methods, wrong params */
        static const char *const bad[] = {
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"account_get\",\"params\":[1e308]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlock\",\"params\":[{}]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_getBlockHash\",\"params\":[-1]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_submitExtrinsic\",\"params\":"
            "[\"0x00ff\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"node_shutdown\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_removeExtrinsic\",\"params\":"
            "[[\"0x00\"]]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"events_subscribe\",\"params\":[\"!\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"subnet_get\",\"params\":[\"0x10000\"]}",
        };
        const char *b = bad[next_rand() % (sizeof bad / sizeof bad[0])];
        n = strlen(b);
        memcpy(buf, b, n);
        break;
    }
    case 9: { /* a valid request in three fragments */
        static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"system_name\"}";
        bool ok = wsr_send_frame(fd, 1, false, req, 10) &&
                  wsr_send_frame(fd, 0, false, req + 10, 10) &&
                  wsr_send_frame(fd, 0, true, req + 20, sizeof req - 21);
        return ok ? 1 : -1;
    }
    case 10: /* empty */ n = 0; break;
    case 11: /* a notification: no reply owed */
        n = (size_t)snprintf(buf, sizeof buf,
                             "{\"jsonrpc\":\"2.0\",\"method\":\"chain_getHeader\","
                             "\"params\":[\"0x%08x\"]}",
                             next_rand());
        owed = 0;
        break;
    }
    return wsr_send_frame(fd, opcode, true, buf, n) ? owed : -1;
}

static void test_ten_thousand_malformed_frames_are_answered_and_change_nothing(void **state)
{
    struct fx *f = *state;
    enum { CONNS = 4 };
    int fds[CONNS];
    for (int c = 0; c < CONNS; c++) {
        fds[c] = wsr_open(f->n.port, NULL, NULL, 5000, 0);
        assert_true(fds[c] >= 0);
    }
    int sent = 0, replies = 0, errors = 0;
    while (sent < MALFORMED_FRAMES) {
        int c = (sent / PIPELINE) % CONNS, owed = 0;
        for (int k = 0; k < PIPELINE && sent < MALFORMED_FRAMES; k++, sent++) {
            int o = send_malformed(fds[c], sent);
            assert_true(o >= 0);
            owed += o;
        }
        for (int k = 0; k < owed; k++) {
            char *reply = wsr_recv_text(fds[c]);
            if (!reply)
                fail_msg("no reply %d of %d after %d frames", k, owed, sent);
            cJSON *r = cJSON_Parse(reply);
            assert_non_null(r);
            errors += cJSON_IsObject(r) && cJSON_GetObjectItem(r, "error") != NULL;
            cJSON_Delete(r);
            free(reply);
            replies++;
        }
    }
    for (int c = 0; c < CONNS; c++)
        close(fds[c]);
    assert_true(replies >= MALFORMED_FRAMES * 10 / 12);
    assert_true(errors >= replies * 8 / 10);

    /* protocol violations close the offender only. (An unmasked client
     * frame is not among them: lws 4.1.6 accepts it, see docs/rpc.md
     * "Unmasked client frames"; an earlier row here, 81 00 00 00 00 00, was
     * closed only for the continuation frame its zero bytes make.) */
    static const unsigned char violations[][6] = {
        {0x83, 0x80, 1, 2, 3, 4}, /* reserved opcode 3 */
        {0xc1, 0x80, 1, 2, 3, 4}, /* RSV1 without an extension */
        {0x09, 0x80, 1, 2, 3, 4}, /* fragmented ping */
        {0x80, 0x80, 1, 2, 3, 4}, /* continuation with nothing to continue */
    };
    for (size_t v = 0; v < sizeof violations / sizeof violations[0]; v++) {
        int fd = wsr_open(f->n.port, NULL, NULL, 3000, 0);
        assert_true(fd >= 0);
        assert_true(wsr_send_all(fd, violations[v], 6));
        /* whatever came before the violation may be answered; then the
         * node sends a close frame with 1002 (protocol error) at once */
        int code = -1;
        for (int frames = 0; frames < 4 && code < 0; frames++) {
            int opcode = -1;
            size_t len = 0;
            char *p = wsr_recv_frame(fd, &opcode, &len);
            if (!p)
                break;
            if (opcode == 8)
                code = len >= 2 ? ((unsigned char)p[0] << 8) | (unsigned char)p[1] : 0;
            free(p);
        }
        assert_int_equal(code, 1002);
        close(fd);
    }
    expect_node_serving_and_chain_unchanged(f);
}

static void test_oversize_frame_is_refused_and_the_connection_goes_on(void **state)
{
    struct fx *f = *state;
    size_t big = 8 * 1024 * 1024;
    char *payload = malloc(big);
    assert_non_null(payload);
    memset(payload, '[', big);
    int fd = wsr_open(f->n.port, NULL, NULL, 10000, 0);
    assert_true(fd >= 0);
    assert_true(wsr_send_frame(fd, 1, true, payload, big));
    free(payload);
    char *reply = wsr_recv_text(fd);
    assert_non_null(reply);
    assert_non_null(strstr(reply, "\"code\":-32006"));
    free(reply);
    cJSON *ok = ask(fd, "system_version", "[]");
    assert_non_null(cJSON_GetObjectItem(ok, "result"));
    cJSON_Delete(ok);
    close(fd);
    expect_node_serving_and_chain_unchanged(f);
}

/* Sends n requests on fd without waiting, then reads the n replies;
 * returns how many were refused with -32005. */
static int flood(int fd, int n)
{
    static const char req[] = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"system_health\"}";
    for (int i = 0; i < n; i++)
        assert_true(wsr_send_text(fd, req));
    int limited = 0;
    for (int i = 0; i < n; i++) {
        char *reply = wsr_recv_text(fd);
        assert_non_null(reply);
        limited += strstr(reply, "\"code\":-32005") != NULL;
        free(reply);
    }
    return limited;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* At most burst + rate * elapsed calls may pass (slow machines pass more),
 * and nearly the whole burst: a call also costs one more per millisecond of
 * the node's time it took (rpc/ratelimit.h), which under sanitizers or load
 * a few of them do, so up to a tenth of the burst may go to those. */
static void expect_limited(int limited, int sent, int burst, int rate, double elapsed)
{
    int may_pass = burst + (int)(rate * elapsed) + 2;
    int must_pass = (burst < sent ? burst : sent) * 9 / 10 - 2;
    if (sent - limited > may_pass || sent - limited < must_pass)
        fail_msg("%d of %d passed in %.2f s (burst %d, %d/s)", sent - limited, sent, elapsed,
                 burst, rate);
}

static void test_floods_past_the_rate_limits_are_refused_politely(void **state)
{
    struct fx *f = *state;
    struct timespec t0;
    /* one connection: 100 calls/s, burst 100 */
    int fd = wsr_open(f->n.port, NULL, NULL, 5000, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int limited = flood(fd, 1000);
    expect_limited(limited, 1000, 100, 100, seconds_since(&t0));
    assert_true(limited > 0);
    /* ... and the same connection is served again a second later */
    struct timespec pause = {1, 100000000};
    nanosleep(&pause, NULL);
    assert_int_equal(flood(fd, 50), 0);
    close(fd);
    /* per address: 250 calls/s across three connections */
    nanosleep(&pause, NULL);
    int fds[3], total_limited = 0;
    for (int c = 0; c < 3; c++)
        fds[c] = wsr_open(f->n.port, NULL, NULL, 5000, 0);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int c = 0; c < 3; c++)
        total_limited += flood(fds[c], 400);
    /* each connection alone may pass 100/s: the address's 250/s binds */
    expect_limited(total_limited, 1200, 250, 250, seconds_since(&t0));
    for (int c = 0; c < 3; c++)
        close(fds[c]);
    nanosleep(&pause, NULL);
    expect_node_serving_and_chain_unchanged(f);
}

static void test_connection_cap_refuses_the_extra_and_members_are_served(void **state)
{
    struct fx *f = *state;
    enum { CAP = 100 };
    int fds[CAP];
    for (int i = 0; i < CAP; i++) {
        fds[i] = wsr_open(f->n.port, NULL, NULL, 3000, 0);
        assert_true(fds[i] >= 0);
    }
    for (int i = 0; i < 5; i++)
        assert_int_equal(wsr_open(f->n.port, NULL, NULL, 3000, 0), -1);
    char *body = NULL;
    assert_int_equal(wsr_http(f->n.port, "POST", "/", NULL, "{}", &body), 503);
    assert_non_null(strstr(body, "-32008"));
    free(body);
    cJSON *ok = ask(fds[CAP - 1], "system_health", "[]");
    assert_non_null(cJSON_GetObjectItem(ok, "result"));
    cJSON_Delete(ok);
    for (int i = 0; i < CAP; i++)
        close(fds[i]);
    struct timespec pause = {0, 200000000};
    nanosleep(&pause, NULL);
    expect_node_serving_and_chain_unchanged(f);
}

static void test_a_client_that_never_reads_is_dropped_with_a_reason(void **state)
{
    struct fx *f = *state;
    int lazy = wsr_open(f->n.port, NULL, NULL, 5000, 4096);
    assert_true(lazy >= 0);
    /* a batch of 50 rpc_methods: about 90 KB of reply for 2.5 KB asked;
     * 400 of them (36 MB) overflow the 256 KiB queue plus all the kernel
     * buffers */
    char req[4096];
    size_t n = 0;
    req[n++] = '[';
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(req + n, sizeof req - n,
                              "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"rpc_methods\"}",
                              i ? "," : "", i);
    snprintf(req + n, sizeof req - n, "]");
    int sent = 0;
    for (; sent < 400; sent++)
        if (!wsr_send_text(lazy, req))
            break; /* the node already cut us off */
    struct timespec pause = {0, 300000000};
    nanosleep(&pause, NULL);
    expect_node_serving_and_chain_unchanged(f);
    /* reading now: what the kernel held, then the close (1008) or EOF */
    int replies = 0, close_code = -1;
    for (;;) {
        int opcode = -1;
        size_t len = 0;
        char *p = wsr_recv_frame(lazy, &opcode, &len);
        if (!p) {
            close_code = 0;
            break;
        }
        if (opcode == 8) {
            close_code = len >= 2 ? ((unsigned char)p[0] << 8) | (unsigned char)p[1] : 0;
            if (len > 2)
                assert_non_null(strstr(p + 2, "outbound queue limit exceeded"));
            free(p);
            break;
        }
        replies++;
        free(p);
    }
    close(lazy);
    assert_true(close_code == 1008 || close_code == 0);
    assert_true(replies < sent);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_ten_thousand_malformed_frames_are_answered_and_change_nothing, setup_unlimited,
            teardown),
        cmocka_unit_test_setup_teardown(test_oversize_frame_is_refused_and_the_connection_goes_on,
                                        setup_unlimited, teardown),
        cmocka_unit_test_setup_teardown(test_floods_past_the_rate_limits_are_refused_politely,
                                        setup_rate_limited, teardown),
        cmocka_unit_test_setup_teardown(
            test_connection_cap_refuses_the_extra_and_members_are_served, setup_defaults,
            teardown),
        cmocka_unit_test_setup_teardown(test_a_client_that_never_reads_is_dropped_with_a_reason,
                                        setup_unlimited, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
