/* Unit tests for api/redis: URL parsing, then against a real redis-server
 * (Debian's) that the test starts on a free loopback port and kills by PID:
 * two clients share one token bucket, buckets are taken all or none, the
 * cache is shared with its age, a stopped Redis fails within the timeout
 * and the link comes back by itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/redis.h"
#include "node/errors.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct env {
    pid_t redis;
    int port;
    uv_loop_t loop;
    struct nm_api_redis *a, *b; /* two "aggregators" on one Redis */
};

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
        getsockname(fd, (struct sockaddr *)&sa, &len))
        return -1;
    close(fd);
    return ntohs(sa.sin_port);
}

static bool redis_answers(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    char buf[16] = "";
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
              write(fd, "PING\r\n", 6) == 6 && read(fd, buf, sizeof buf - 1) > 0 &&
              !strncmp(buf, "+PONG", 5);
    if (fd >= 0)
        close(fd);
    return ok;
}

/* One raw command (inline protocol) on a connection of its own. */
static bool redis_raw(int port, const char *cmd)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    char buf[64] = "";
    size_t len = strlen(cmd);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
              write(fd, cmd, len) == (ssize_t)len && read(fd, buf, sizeof buf - 1) > 0 &&
              buf[0] == '+';
    if (fd >= 0)
        close(fd);
    return ok;
}

static pid_t start_redis(int port)
{
    char p[16];
    snprintf(p, sizeof p, "%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
        int devnull = open("/dev/null", 1);
        if (devnull >= 0)
            dup2(devnull, 1);
        execlp("redis-server", "redis-server", "--port", p, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 100 && pid > 0 && !redis_answers(port); i++)
        usleep(20000);
    return pid;
}

/* Runs the loop until *flag or max_ms. */
static void run_until(uv_loop_t *loop, const bool *flag, int max_ms)
{
    int64_t end = ms_now() + max_ms;
    while (!*flag && ms_now() < end) {
        uv_run(loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static bool both_up(struct env *e)
{
    int64_t end = ms_now() + 3000;
    while (!(nm_api_redis_up(e->a) && nm_api_redis_up(e->b)) && ms_now() < end) {
        uv_run(&e->loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
    return nm_api_redis_up(e->a) && nm_api_redis_up(e->b);
}

static int setup(void **state)
{
    struct env *e = calloc(1, sizeof *e);
    char err[200], url[64];
    e->port = free_port();
    e->redis = start_redis(e->port);
    if (e->redis <= 0 || !redis_answers(e->port)) {
        fprintf(stderr, "redis-server did not start on port %d (scripts/install-deps.sh)\n",
                e->port);
        return -1;
    }
    uv_loop_init(&e->loop);
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/2", e->port);
    if (nm_api_redis_new(&e->loop, url, 200, true, &e->a, err, sizeof err) ||
        nm_api_redis_new(&e->loop, url, 200, true, &e->b, err, sizeof err))
        return -1;
    *state = e;
    return both_up(e) ? 0 : -1;
}

static int teardown(void **state)
{
    struct env *e = *state;
    if (e->redis > 0) {
        kill(e->redis, SIGKILL);
        waitpid(e->redis, NULL, 0);
    }
    nm_api_redis_close(e->a);
    nm_api_redis_close(e->b);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    uv_loop_close(&e->loop);
    nm_api_redis_free(e->a);
    nm_api_redis_free(e->b);
    free(e);
    return 0;
}

struct take_out {
    bool done, allowed;
    int rc;
    size_t n;
    uint64_t milli[NM_API_REDIS_MAX_BUCKETS];
};

static void on_take(void *ud, int rc, bool allowed, const uint64_t *milli, size_t n)
{
    struct take_out *o = ud;
    o->done = true;
    o->rc = rc;
    o->allowed = allowed;
    o->n = n;
    for (size_t i = 0; i < n; i++)
        o->milli[i] = milli[i];
}

static struct take_out take(struct env *e, struct nm_api_redis *r, const char *const *names,
                            const struct nm_api_rate *rates, size_t n)
{
    struct take_out o = {.done = false};
    nm_api_redis_take(r, names, rates, n, on_take, &o);
    run_until(&e->loop, &o.done, 3000);
    assert_true(o.done);
    return o;
}

static void test_redis_url_forms(void **state)
{
    (void)state;
    char host[64], err[160];
    int port, db;
    assert_int_equal(nm_api_redis_parse_url("redis://10.0.0.1:7000/5", host, sizeof host, &port,
                                            &db, err, sizeof err), 0);
    assert_string_equal(host, "10.0.0.1");
    assert_int_equal(port, 7000);
    assert_int_equal(db, 5);
    assert_int_equal(nm_api_redis_parse_url("redis://cache", host, sizeof host, &port, &db, err,
                                            sizeof err), 0);
    assert_int_equal(port, 6379);
    assert_int_equal(db, 0);
    static const char *const bad[] = {"http://x:1/0", "redis://", "redis://:6379/0",
                                      "redis://h:0/0", "redis://h:99999", "redis://h:1/x",
                                      "redis://user:pw@h:1/0", "redis://h:1/0/extra", NULL};
    for (int i = 0; bad[i]; i++) {
        err[0] = 0;
        assert_int_equal(nm_api_redis_parse_url(bad[i], host, sizeof host, &port, &db, err,
                                                sizeof err), NM_E_INVAL);
        assert_true(strstr(err, "redis") != NULL);
    }
}

static void test_redis_two_clients_share_one_bucket(void **state)
{
    struct env *e = *state;
    const char *names[1] = {"test:shared"};
    struct nm_api_rate slow = {.count = 1, .period_ms = 60000, .burst = 5};
    for (int i = 0; i < 5; i++) {
        struct take_out o = take(e, i % 2 ? e->b : e->a, names, &slow, 1);
        assert_int_equal(o.rc, 0);
        assert_true(o.allowed);
        assert_int_equal(o.n, 1);
        assert_true(o.milli[0] >= (uint64_t)(4 - i) * 1000 && o.milli[0] < (uint64_t)(5 - i) * 1000);
    }
    struct take_out o = take(e, e->a, names, &slow, 1);
    assert_int_equal(o.rc, 0);
    assert_false(o.allowed); /* the sixth, whichever aggregator asks */
    o = take(e, e->b, names, &slow, 1);
    assert_false(o.allowed);
    struct nm_api_limit_verdict v;
    nm_api_limit_verdict_of(o.milli[0], o.allowed, &slow, &v);
    assert_int_equal(v.remaining, 0);
    assert_int_equal(v.limit, 5);
    assert_true(v.retry_after_s >= 59 && v.retry_after_s <= 60);
}

static void test_redis_takes_all_buckets_or_none(void **state)
{
    struct env *e = *state;
    const char *names[2] = {"test:minute", "test:day"};
    struct nm_api_rate rates[2] = {{.count = 10, .period_ms = 60000, .burst = 10},
                                   {.count = 1, .period_ms = 86400000, .burst = 1}};
    struct take_out o = take(e, e->a, names, rates, 2);
    assert_true(o.allowed);
    assert_int_equal(o.n, 2);
    assert_int_equal(o.milli[1], 0);
    uint64_t minute_left = o.milli[0];
    o = take(e, e->b, names, rates, 2);
    assert_false(o.allowed); /* the day bucket is empty ... */
    assert_true(o.milli[0] >= minute_left); /* ... so the minute one kept its token */
}

/* The takes of one loop turn go to Redis as one script call and are
 * decided in the order they were made, each all of its buckets or none. */
static void test_redis_batches_one_turns_takes_in_order(void **state)
{
    struct env *e = *state;
    const char *names[2] = {"test:batch", "test:batch-day"};
    struct nm_api_rate rates[2] = {{.count = 1, .period_ms = 60000, .burst = 10},
                                   {.count = 1, .period_ms = 86400000, .burst = 1}};
    struct take_out o[12];
    uint64_t answered0, answered1, fallbacks;
    nm_api_redis_counts(e->a, &answered0, &fallbacks);
    for (int i = 0; i < 12; i++) { /* 2 and 3 also draw from the day bucket (1 token) */
        o[i] = (struct take_out){.done = false};
        nm_api_redis_take(e->a, names, rates, i == 2 || i == 3 ? 2 : 1, on_take, &o[i]);
    }
    run_until(&e->loop, &o[11].done, 3000);
    nm_api_redis_counts(e->a, &answered1, &fallbacks);
    assert_int_equal(answered1 - answered0, 1); /* one answer for the twelve */
    for (int i = 0; i < 12; i++) {
        assert_true(o[i].done);
        assert_int_equal(o[i].rc, 0);
        /* 3: the day bucket is empty, so it took nothing; 11: the 11th of a burst of 10 */
        assert_int_equal(o[i].allowed, i != 3 && i != 11);
    }
    assert_int_equal(o[2].n, 2);
    assert_int_equal(o[2].milli[1], 0);
    assert_true(o[3].milli[0] == o[2].milli[0]); /* 3 kept the token 2 left */
    assert_true(o[10].milli[0] < 1000);
}

struct get_out {
    bool done;
    int rc;
    char value[64];
    bool hit;
    int64_t age;
};

static void on_get(void *ud, int rc, const char *value, int64_t age_ms)
{
    struct get_out *o = ud;
    o->done = true;
    o->rc = rc;
    o->hit = value != NULL;
    snprintf(o->value, sizeof o->value, "%s", value ? value : "");
    o->age = age_ms;
}

static void test_redis_cache_is_shared_with_its_age(void **state)
{
    struct env *e = *state;
    nm_api_redis_cache_put(e->a, "1|majority|3|{\"x\":1}", "{\"output\":42}", 60000);
    struct get_out o = {.done = false};
    nm_api_redis_cache_get(e->b, "1|majority|3|{\"x\":1}", 60000, on_get, &o);
    run_until(&e->loop, &o.done, 3000);
    assert_int_equal(o.rc, 0);
    assert_true(o.hit);
    assert_string_equal(o.value, "{\"output\":42}");
    assert_true(o.age >= 0 && o.age < 1000);
    o = (struct get_out){.done = false};
    nm_api_redis_cache_get(e->b, "1|majority|3|{\"x\":2}", 60000, on_get, &o);
    run_until(&e->loop, &o.done, 3000);
    assert_int_equal(o.rc, 0);
    assert_false(o.hit);
}

static void test_redis_uses_loaded_scripts_and_survives_a_flush(void **state)
{
    struct env *e = *state;
    const char *names[1] = {"test:flush"};
    struct nm_api_rate r = {.count = 5, .period_ms = 1000, .burst = 20};
    struct take_out o = take(e, e->a, names, &r, 1);
    assert_int_equal(o.rc, 0);
    assert_true(redis_raw(e->port, "SCRIPT FLUSH\r\n"));
    o = take(e, e->a, names, &r, 1);
    assert_int_equal(o.rc, NM_E_IO); /* EVALSHA of a flushed script: NOSCRIPT */
    o = take(e, e->a, names, &r, 1);
    assert_int_equal(o.rc, 0); /* then the whole script again */
    assert_true(o.allowed);
    assert_true(nm_api_redis_up(e->a));
}

static void test_redis_stopped_fails_within_the_timeout_then_comes_back(void **state)
{
    struct env *e = *state;
    const char *names[1] = {"test:stopped"};
    struct nm_api_rate r = {.count = 5, .period_ms = 1000, .burst = 20};
    kill(e->redis, SIGSTOP);
    int64_t t0 = ms_now();
    struct take_out o = take(e, e->a, names, &r, 1);
    int64_t waited = ms_now() - t0;
    kill(e->redis, SIGCONT);
    assert_int_equal(o.rc, NM_E_IO);
    assert_true(waited >= 150 && waited < 1500); /* the 200 ms timeout, by the 50 ms tick */
    assert_false(nm_api_redis_up(e->a));
    o = take(e, e->a, names, &r, 1); /* down: fails at once, nothing sent */
    assert_int_equal(o.rc, NM_E_IO);
    assert_true(both_up(e)); /* reconnected by itself */
    o = take(e, e->a, names, &r, 1);
    assert_int_equal(o.rc, 0);
    assert_true(o.allowed);
    uint64_t answered, fallbacks;
    nm_api_redis_counts(e->a, &answered, &fallbacks);
    assert_true(answered > 0 && fallbacks >= 2);
}

static void test_redis_killed_fails_at_once(void **state)
{
    struct env *e = *state;
    const char *names[1] = {"test:killed"};
    struct nm_api_rate r = {.count = 5, .period_ms = 1000, .burst = 20};
    kill(e->redis, SIGKILL);
    waitpid(e->redis, NULL, 0);
    e->redis = 0;
    struct take_out o = take(e, e->b, names, &r, 1);
    assert_int_equal(o.rc, NM_E_IO);
    struct get_out g = {.done = false};
    nm_api_redis_cache_get(e->b, "k", 1000, on_get, &g);
    run_until(&e->loop, &g.done, 3000);
    assert_int_equal(g.rc, NM_E_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redis_url_forms),
        cmocka_unit_test(test_redis_two_clients_share_one_bucket),
        cmocka_unit_test(test_redis_takes_all_buckets_or_none),
        cmocka_unit_test(test_redis_batches_one_turns_takes_in_order),
        cmocka_unit_test(test_redis_cache_is_shared_with_its_age),
        cmocka_unit_test(test_redis_uses_loaded_scripts_and_survives_a_flush),
        cmocka_unit_test(test_redis_stopped_fails_within_the_timeout_then_comes_back),
        cmocka_unit_test(test_redis_killed_fails_at_once),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup, teardown);
}
