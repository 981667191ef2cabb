/* Unit tests for console/dashboard_link: the backoff schedule, and against
 * a real node in this process: connect, subscribe, lose the node (the link
 * says so), get it back on the same port (the link reconnects and the
 * subscription to new heads works again), and commands through the link's
 * session transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/dashboard_link.h"
#include "service/node.h"
#include "rpc/methods.h"

#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void test_link_backoff_doubles_up_to_the_cap(void **state)
{
    (void)state;
    assert_int_equal(nm_link_backoff_ms(0, 250, 8000), 250);
    assert_int_equal(nm_link_backoff_ms(1, 250, 8000), 500);
    assert_int_equal(nm_link_backoff_ms(3, 250, 8000), 2000);
    assert_int_equal(nm_link_backoff_ms(5, 250, 8000), 8000);
    assert_int_equal(nm_link_backoff_ms(60, 250, 8000), 8000);
}

struct fx {
    char dir[64], db[96];
    struct nm_chain_spec spec;
    struct nm_node *node;
    int port;
};

static void start_node(struct fx *f, int port)
{
    struct nm_keypair alice;
    char msg[256];
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    struct nm_node_config cfg = {
        .spec = &f->spec,
        .db_path = f->db,
        .author = &alice,
        .rpc_port = port,
        .produce = true,
    };
    int err = nm_node_start(&cfg, &f->node, msg, sizeof msg);
    if (err)
        fprintf(stderr, "node: %s\n", msg);
    assert_int_equal(err, 0);
    f->port = nm_node_rpc_port(f->node);
}

/* Waits up to ms for a message of kind (and, for NM_DQ_LINK, state);
 * frees everything taken. */
static bool wait_for(struct nm_dq *q, enum nm_dq_kind kind, int link_state, int ms)
{
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= ms)
            return false;
        struct pollfd p = {.fd = nm_dq_fd(q), .events = POLLIN};
        poll(&p, 1, (int)(ms - spent));
        bool found = false;
        struct nm_dq_msg *m = nm_dq_take_all(q);
        while (m) {
            struct nm_dq_msg *next = m->next;
            if (m->kind == kind && (kind != NM_DQ_LINK || m->status == link_state))
                found = true;
            nm_dq_msg_free(m);
            m = next;
        }
        if (found)
            return true;
    }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void test_link_reconnects_and_resubscribes(void **state)
{
    (void)state;
    struct fx f;
    memset(&f, 0, sizeof f);
    snprintf(f.dir, sizeof f.dir, "/tmp/nm-test-link-XXXXXX");
    assert_non_null(mkdtemp(f.dir));
    snprintf(f.db, sizeof f.db, "%s/chain.db", f.dir);
    assert_int_equal(nm_chainspec_dev(&f.spec), 0);
    f.spec.params.block_time_ms = 100;
    start_node(&f, 0);
    struct nm_dq *q;
    assert_int_equal(nm_dq_new(&q), 0);
    char url[64];
    snprintf(url, sizeof url, "ws://127.0.0.1:%d", f.port);
    struct nm_link_config lc = {.url = url,
                                .queue = q,
                                .feeds = NM_FEED_DASHBOARD,
                                .backoff_min_ms = 50,
                                .backoff_max_ms = 200};
    struct nm_link *l;
    assert_int_equal(nm_link_start(&lc, &l), 0);
    assert_true(wait_for(q, NM_DQ_LINK, NM_LINK_UP, 5000));
    assert_true(nm_link_wait_up(l, 1000));
    assert_true(wait_for(q, NM_DQ_HEAD, 0, 5000));
    assert_true(wait_for(q, NM_DQ_SUBNETS, 0, 5000));

    /* Commands share the link through the session transport. */
    struct nm_session_transport t;
    nm_link_transport(l, &t);
    cJSON *r = NULL;
    struct nm_rpc_error err = {0};
    assert_int_equal(t.call(t.ud, "system_health", NULL, 5000, &r, &err), 0);
    assert_non_null(cJSON_GetObjectItemCaseSensitive(r, "peers"));
    cJSON_Delete(r);

    nm_node_stop(f.node);
    f.node = NULL;
    assert_true(wait_for(q, NM_DQ_LINK, NM_LINK_DOWN, 5000));
    start_node(&f, atoi(strrchr(url, ':') + 1));
    assert_true(wait_for(q, NM_DQ_LINK, NM_LINK_UP, 10000));
    /* New heads flow again: the subscription was made anew. */
    assert_true(wait_for(q, NM_DQ_HEAD, 0, 5000));

    t.close(t.ud); /* the session's close: no notification after it */
    nm_link_stop(l);
    nm_dq_free(q);
    nm_node_stop(f.node);
    nm_chainspec_fini(&f.spec);
    nftw(f.dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_backoff_doubles_up_to_the_cap),
        cmocka_unit_test(test_link_reconnects_and_resubscribes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
