/* Unit tests for console/dashboard_cache and console/dashboard_queue: the
 * dashboard's model fed with canned messages (heads, chain info, subnets,
 * metagraphs with optional consensus fields, governance, latency) and the
 * dirty bits it returns, with the Nth allocation failing for N = 1, 2, 3 ...;
 * the queue's order, wake-up and bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/dashboard_cache.h"
#include "console/dashboard/dashboard_queue.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned apply(struct nm_cache *c, enum nm_dq_kind kind, int status, int64_t num,
                      const char *json, const char *text)
{
    struct nm_dq_msg m = {.kind = kind, .status = status, .num = num, .text = (char *)text};
    m.json = json ? cJSON_Parse(json) : NULL;
    if (json)
        assert_non_null(m.json);
    unsigned d = nm_cache_apply(c, &m);
    cJSON_Delete(m.json);
    return d;
}

static void test_cache_heads_give_height_and_block_times(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    assert_int_equal(
        apply(&c, NM_DQ_HEAD, 0, 0, "{\"height\":10,\"timestamp\":1000,\"epoch\":1}", NULL),
        NM_DIRTY_OVERVIEW | NM_DIRTY_STATUS);
    apply(&c, NM_DQ_HEAD, 0, 0, "{\"number\":\"0xb\",\"timestamp\":2100}", NULL);
    apply(&c, NM_DQ_HEAD, 0, 0, "{\"height\":12,\"timestamp\":3000}", NULL);
    assert_int_equal(c.height, 12);
    assert_int_equal(c.block_times_ms.n, 2);
    assert_true(nm_series_at(&c.block_times_ms, 0) == 1100);
    assert_true(nm_series_at(&c.block_times_ms, 1) == 900);
    /* An older head (after a reconnect) changes nothing. */
    assert_int_equal(apply(&c, NM_DQ_HEAD, 0, 0, "{\"height\":5}", NULL), 0);
    assert_int_equal(c.height, 12);
    nm_cache_fini(&c);
}

static void test_cache_bft_state_gives_finality_round_and_online_authorities(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_HEAD, 0, 0, "{\"height\":41}", NULL);
    assert_int_equal(
        apply(&c, NM_DQ_BFT, 0, 0,
              "{\"running\":true,\"height\":42,\"round\":2,\"step\":\"prevote\","
              "\"finality\":\"bft\",\"finalizedHeight\":41,\"authorities\":["
              "{\"index\":0,\"online\":true},{\"index\":1,\"online\":false},"
              "{\"index\":2,\"online\":true},{\"index\":3,\"online\":true}]}",
              NULL),
        NM_DIRTY_OVERVIEW | NM_DIRTY_BFT);
    assert_true(c.have_bft && c.bft_chain && c.bft_running);
    assert_int_equal(c.bft_height, 42);
    assert_int_equal(c.bft_round, 2);
    assert_string_equal(c.bft_step, "prevote");
    assert_int_equal(c.finalized, 41);
    assert_int_equal(c.bft_authorities, 4);
    assert_int_equal(c.bft_online, 3);
    /* a dev node: instant finality, nobody votes */
    apply(&c, NM_DQ_BFT, 0, 0, "{\"running\":false,\"finality\":\"instant\"}", NULL);
    assert_false(c.bft_chain || c.bft_running);
    /* not an object: ignored */
    assert_int_equal(apply(&c, NM_DQ_BFT, 0, 0, "[1]", NULL), 0);
    nm_cache_fini(&c);
}

static void test_cache_chain_info_and_epoch_progress(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    uint64_t into, len;
    assert_false(nm_cache_epoch_progress(&c, &into, &len));
    apply(&c, NM_DQ_CHAIN, 0, 0,
          "{\"name\":\"Dev\\u001b\",\"dev\":true,\"height\":42,\"finalized\":41,\"epoch\":4,"
          "\"tempo\":10,\"block_time_ms\":1000,\"pending\":3}",
          NULL);
    assert_true(c.dev);
    assert_string_equal(c.chain_name, "Dev?"); /* control characters neutralised */
    assert_int_equal(c.finalized, 41);
    assert_int_equal(c.pending, 3);
    assert_true(nm_cache_epoch_progress(&c, &into, &len));
    assert_int_equal(into, 2);
    assert_int_equal(len, 10);
    apply(&c, NM_DQ_EPOCH, 0, 0, "{\"epoch\":4,\"tempo\":10,\"start\":40,\"end\":49}", NULL);
    assert_true(nm_cache_epoch_progress(&c, &into, &len));
    assert_int_equal(into, 2);
    nm_cache_fini(&c);
}

static void test_cache_subnets_and_metagraph_with_optional_fields(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    const char *subnets = "[{\"id\":1,\"name\":\"codegen\",\"task\":\"CODE_GEN\","
                          "\"status\":\"active\",\"emission_weight\":10,\"miners\":2,"
                          "\"validators\":1,\"min_stake_miner\":\"1000000000\"}]";
    assert_true(apply(&c, NM_DQ_SUBNETS, 0, 0, subnets, NULL) & NM_DIRTY_SUBNETS);
    assert_int_equal(apply(&c, NM_DQ_SUBNETS, 0, 0, subnets, NULL), 0); /* unchanged */
    assert_int_equal(c.nsubnets, 1);
    assert_int_equal(c.subnets[0].min_stake_miner, 1000000000);
    assert_non_null(nm_cache_subnet(&c, 1));
    assert_null(nm_cache_subnet(&c, 2));
    assert_int_equal(apply(&c, NM_DQ_NEURONS, 0, 1,
                           "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"hotkey\":\"5x\","
                           "\"role\":\"validator\",\"stake\":\"5000000000\",\"endpoint\":\"\"},"
                           "{\"uid\":1,\"role\":\"miner\",\"stake\":\"7\"}]}",
                           NULL),
                     NM_DIRTY_METAGRAPH);
    assert_int_equal(c.mg_subnet, 1);
    assert_int_equal(c.nneurons, 2);
    assert_int_equal(c.neuron_fields, 0);
    apply(&c, NM_DQ_NEURONS, 0, 1,
          "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"role\":\"validator\",\"reputation\":0.75,"
          "\"similarity\":\"0.5\",\"outlier\":true,\"cluster\":2,\"reward\":\"10\"}]}",
          NULL);
    assert_int_equal(c.neuron_fields, NM_NF_REPUTATION | NM_NF_SIMILARITY | NM_NF_OUTLIER |
                                          NM_NF_COLLUSION | NM_NF_REWARD);
    assert_true(c.neurons[0].reputation == 0.75);
    assert_true(c.neurons[0].similarity == 0.5);
    assert_true(c.neurons[0].outlier);
    assert_true(c.neurons[0].collusion);
    assert_int_equal(c.neurons[0].reward, 10);
    /* issue 16: a validator's weights age (null: none standing) */
    apply(&c, NM_DQ_NEURONS, 0, 1,
          "{\"subnet\":1,\"neurons\":[{\"uid\":0,\"role\":\"validator\",\"weights_age\":12,"
          "\"weights_stale_at\":61,\"weights_stale\":false},{\"uid\":2,\"role\":\"validator\","
          "\"weights_age\":null,\"weights_stale_at\":null,\"weights_stale\":true}]}",
          NULL);
    assert_int_equal(c.neuron_fields, NM_NF_WEIGHTS_AGE);
    assert_int_equal(c.neurons[0].weights_age, 12);
    assert_int_equal(c.neurons[0].weights_stale_at, 61);
    assert_false(c.neurons[0].weights_stale);
    assert_int_equal(c.neurons[1].weights_age, -1);
    assert_true(c.neurons[1].weights_stale);
    /* Garbage where a list belongs empties it without harm. */
    apply(&c, NM_DQ_NEURONS, 0, 1, "{\"neurons\":7}", NULL);
    assert_int_equal(c.nneurons, 0);
    nm_cache_fini(&c);
}

static void test_cache_new_genesis_resets_every_table_but_keeps_link_and_signer(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    apply(&c, NM_DQ_LINK, NM_LINK_UP, 0, NULL, "connected");
    apply(&c, NM_DQ_SIGNER, 0, 0, "{\"address\":\"5Alice\"}", "alice");
    const char *info_a = "{\"genesis_hash\":\"0xaaaa\",\"height\":90,\"tempo\":10}";
    assert_false(apply(&c, NM_DQ_CHAIN, 0, 0, info_a, NULL) & NM_DIRTY_NEW_CHAIN);
    apply(&c, NM_DQ_SUBNETS, 0, 0, "[{\"id\":3,\"name\":\"old\"}]", NULL);
    apply(&c, NM_DQ_NEURONS, 0, 3, "{\"subnet\":3,\"neurons\":[{\"uid\":0}]}", NULL);
    apply(&c, NM_DQ_PROPOSALS, 0, 0, "{\"proposals\":[{\"status\":\"voting\"}]}", NULL);
    apply(&c, NM_DQ_HEAD, 0, 0, "{\"height\":91,\"timestamp\":5000}", NULL);
    /* The same chain again (a reconnect) keeps everything. */
    assert_false(apply(&c, NM_DQ_CHAIN, 0, 0, info_a, NULL) & NM_DIRTY_NEW_CHAIN);
    assert_int_equal(c.nsubnets, 1);
    assert_int_equal(c.height, 91);
    /* Another genesis behind the same address: everything chain-made goes. */
    unsigned d = apply(&c, NM_DQ_CHAIN, 0, 0, "{\"genesis_hash\":\"0xbbbb\",\"height\":4}",
                       NULL);
    assert_true(d & NM_DIRTY_NEW_CHAIN);
    assert_int_equal(d & NM_DIRTY_ALL, NM_DIRTY_ALL);
    assert_int_equal(c.height, 4); /* not stuck at the old chain's 91 */
    assert_int_equal(c.nsubnets, 0);
    assert_int_equal(c.nneurons, 0);
    assert_null(c.gov_overview);
    assert_int_equal(c.open_proposals, 0);
    assert_int_equal(c.block_times_ms.n, 0);
    assert_string_equal(c.genesis, "0xbbbb");
    assert_string_equal(c.old_genesis, "0xaaaa");
    assert_int_equal(c.link, NM_LINK_UP);
    assert_string_equal(c.signer, "alice");
    assert_string_equal(c.signer_address, "5Alice");
    /* The new chain's heads count from its own height. */
    apply(&c, NM_DQ_HEAD, 0, 0, "{\"height\":5}", NULL);
    assert_int_equal(c.height, 5);
    nm_cache_fini(&c);
}

static void test_cache_governance_latency_link_and_signer(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    assert_int_equal(apply(&c, NM_DQ_PROPOSALS, -1, 0, NULL, NULL), NM_DIRTY_GOVERNANCE);
    assert_int_equal(c.gov, NM_GOV_UNAVAILABLE);
    assert_int_equal(apply(&c, NM_DQ_PROPOSALS, -1, 0, NULL, NULL), 0);
    apply(&c, NM_DQ_PROPOSALS, 0, 0,
          "{\"proposals\":[{\"id\":1,\"status\":\"voting\"},{\"id\":2,\"status\":\"executed\"}]}",
          NULL);
    assert_int_equal(c.gov, NM_GOV_OK);
    assert_int_equal(c.open_proposals, 1);
    assert_int_equal(apply(&c, NM_DQ_LATENCY, 0, 0,
                           "{\"p50_us\":10,\"p95_us\":20,\"p99_us\":30,\"calls\":4,"
                           "\"source\":\"node\"}",
                           NULL),
                     NM_DIRTY_OVERVIEW);
    assert_string_equal(c.latency_source, "node");
    assert_true(nm_series_at(&c.lat_p99, 0) == 30);
    /* An idle window (no calls) keeps the line as it was. */
    assert_int_equal(apply(&c, NM_DQ_LATENCY, 0, 0,
                           "{\"p50_us\":0,\"p95_us\":0,\"p99_us\":0,\"calls\":0}", NULL),
                     0);
    assert_true(apply(&c, NM_DQ_LINK, NM_LINK_DOWN, 0, NULL, "link lost") & NM_DIRTY_STATUS);
    assert_int_equal(c.link, NM_LINK_DOWN);
    assert_int_equal(apply(&c, NM_DQ_LINK, NM_LINK_DOWN, 0, NULL, "link lost"), 0);
    apply(&c, NM_DQ_SIGNER, 0, 0, "{\"address\":\"5abc\"}", "alice");
    assert_string_equal(c.signer, "alice");
    assert_string_equal(c.signer_address, "5abc");
    assert_int_equal(apply(&c, NM_DQ_OUTPUT, 0, 0, NULL, "text"), 0);
    nm_cache_fini(&c);
}

static void test_queue_keeps_order_wakes_and_is_bounded(void **state)
{
    (void)state;
    struct nm_dq *q;
    assert_int_equal(nm_dq_new(&q), 0);
    struct pollfd p = {.fd = nm_dq_fd(q), .events = POLLIN};
    assert_int_equal(poll(&p, 1, 0), 0);
    assert_int_equal(nm_dq_push(q, NM_DQ_OUTPUT, 0, 1, NULL, "one"), 0);
    assert_int_equal(nm_dq_push(q, NM_DQ_HEAD, 0, 2, cJSON_CreateObject(), NULL), 0);
    assert_int_equal(poll(&p, 1, 0), 1);
    struct nm_dq_msg *m = nm_dq_take_all(q);
    assert_non_null(m);
    assert_string_equal(m->text, "one");
    assert_non_null(m->next);
    assert_int_equal(m->next->num, 2);
    assert_null(m->next->next);
    nm_dq_msg_free(m->next);
    nm_dq_msg_free(m);
    assert_int_equal(poll(&p, 1, 0), 0);
    for (int i = 0; i < NM_DQ_MAX; i++)
        assert_int_equal(nm_dq_push(q, NM_DQ_OUTPUT, 0, i, NULL, NULL), 0);
    assert_int_equal(nm_dq_push(q, NM_DQ_OUTPUT, 0, 0, cJSON_CreateObject(), "dropped"), -1);
    assert_int_equal(nm_dq_dropped(q), 1);
    nm_dq_free(q); /* frees the waiting messages */
}

/* --- fault injection: the Nth allocation fails, for N = 1, 2, 3 ... ---- */

static long alloc_count, alloc_fail_at; /* 0: never fail */

static bool alloc_should_fail(void)
{
    return alloc_fail_at > 0 && ++alloc_count == alloc_fail_at;
}

static void *failing_calloc(size_t n, size_t size)
{
    return alloc_should_fail() ? NULL : calloc(n, size);
}

static void *failing_malloc(size_t size)
{
    return alloc_should_fail() ? NULL : malloc(size);
}

/* Everything the cache allocates (its tables and, through cJSON's hooks,
 * its copies of JSON) fails at allocation number at; 0 turns it off. */
static void fail_allocation(struct nm_cache *c, long at)
{
    alloc_count = 0;
    alloc_fail_at = at;
    c->alloc = failing_calloc;
    cJSON_Hooks hooks = {.malloc_fn = at ? failing_malloc : NULL, .free_fn = NULL};
    cJSON_InitHooks(at ? &hooks : NULL);
}

/* What a failed update must leave as it was. */
struct snapshot {
    size_t nsubnets, nneurons;
    int mg_subnet, open_proposals;
    enum nm_gov_state gov;
    char first_subnet[48];
    int first_uid;
};

static struct snapshot snap(const struct nm_cache *c)
{
    struct snapshot s = {c->nsubnets, c->nneurons, c->mg_subnet, c->open_proposals, c->gov,
                         "", -1};
    if (c->nsubnets)
        snprintf(s.first_subnet, sizeof s.first_subnet, "%s", c->subnets[0].name);
    if (c->nneurons)
        s.first_uid = c->neurons[0].uid;
    return s;
}

static void test_cache_allocation_failures_leave_it_unchanged(void **state)
{
    (void)state;
    static const struct {
        enum nm_dq_kind kind;
        int64_t num;
        const char *json;
    } updates[] = {
        {NM_DQ_SUBNETS, 0, "[{\"id\":1,\"name\":\"old\"}]"},
        {NM_DQ_NEURONS, 1, "{\"neurons\":[{\"uid\":4,\"role\":\"miner\"}]}"},
        {NM_DQ_PROPOSALS, 0, "{\"proposals\":[{\"id\":1,\"status\":\"voting\"}]}"},
    };
    static const char *const next[] = {
        "[{\"id\":1,\"name\":\"new\"},{\"id\":2,\"name\":\"two\"}]",
        "{\"neurons\":[{\"uid\":7,\"role\":\"validator\"},{\"uid\":8}]}",
        "{\"proposals\":[{\"id\":1,\"status\":\"voting\"},{\"id\":2,\"status\":\"open\"},"
        "{\"id\":3,\"status\":\"executed\",\"title\":\"a longer title\"}]}",
    };
    for (size_t u = 0; u < sizeof updates / sizeof updates[0]; u++) {
        struct nm_cache c;
        nm_cache_init(&c);
        apply(&c, updates[u].kind, 0, updates[u].num, updates[u].json, NULL);
        struct nm_dq_msg m = {.kind = updates[u].kind, .num = updates[u].num};
        m.json = cJSON_Parse(next[u]);
        assert_non_null(m.json);
        unsigned dirty = 0;
        long n;
        for (n = 1; n < 1000 && !dirty; n++) {
            struct snapshot before = snap(&c);
            unsigned failures = c.alloc_failures;
            fail_allocation(&c, n);
            dirty = nm_cache_apply(&c, &m);
            fail_allocation(&c, 0);
            if (dirty)
                break;
            /* The failed update changed nothing and was counted. */
            struct snapshot after = snap(&c);
            assert_memory_equal(&before, &after, sizeof before);
            assert_int_equal(c.alloc_failures, failures + 1);
        }
        assert_true(dirty != 0);
        assert_true(n > 1); /* at least one allocation was made to fail */
        struct snapshot done = snap(&c);
        if (u == 0)
            assert_string_equal(done.first_subnet, "new");
        else if (u == 1)
            assert_int_equal(done.first_uid, 7);
        else
            assert_int_equal(done.open_proposals, 2);
        cJSON_Delete(m.json);
        nm_cache_fini(&c); /* LeakSanitizer (make asan) checks nothing stayed */
    }
}

static void test_cache_peers_keep_each_peers_rtt_history(void **state)
{
    (void)state;
    struct nm_cache c;
    nm_cache_init(&c);
    const char *first =
        "[{\"peerId\":\"12D3KooWA\",\"address\":\"/ip4/127.0.0.1/tcp/1\","
        "\"direction\":\"inbound\",\"pingUs\":1500,\"bestNumber\":\"0x10\",\"score\":2.5,"
        "\"agent\":\"neuromesh/0.2\",\"protocols\":[\"/ipfs/id/1.0.0\",\"/meshsub/1.1.0\","
        "\"/neuromesh/sync/1\"]},"
        "{\"peerId\":\"12D3KooWB\",\"direction\":\"outbound\",\"pingUs\":null,"
        "\"bestNumber\":null,\"score\":-3}]";
    assert_int_equal(apply(&c, NM_DQ_PEERS, 0, 0, first, NULL), NM_DIRTY_PEERS);
    assert_true(c.have_peers);
    assert_int_equal(c.npeer_rows, 2);
    assert_string_equal(c.peer_rows[0].protocols, "id meshsub sync");
    assert_int_equal(c.peer_rows[0].best, 16);
    assert_true(c.peer_rows[0].score == 2.5);
    assert_int_equal(c.peer_rows[0].nrtt, 1);
    assert_int_equal(c.peer_rows[1].rtt_us, -1);
    assert_int_equal(c.peer_rows[1].best, -1);
    assert_int_equal(c.peer_rows[1].nrtt, 0);
    /* B left, A measured again: A's history goes on */
    assert_int_equal(apply(&c, NM_DQ_PEERS, 0, 0,
                           "[{\"peerId\":\"12D3KooWA\",\"pingUs\":2500}]", NULL),
                     NM_DIRTY_PEERS);
    assert_int_equal(c.npeer_rows, 1);
    assert_int_equal(c.peer_rows[0].nrtt, 2);
    assert_true(c.peer_rows[0].rtt_ms[0] == 1.5 && c.peer_rows[0].rtt_ms[1] == 2.5);
    for (int i = 0; i < NM_PEER_RTT_HISTORY + 5; i++)
        apply(&c, NM_DQ_PEERS, 0, 0, "[{\"peerId\":\"12D3KooWA\",\"pingUs\":4000}]", NULL);
    assert_int_equal(c.peer_rows[0].nrtt, NM_PEER_RTT_HISTORY); /* bounded, newest kept */
    assert_true(c.peer_rows[0].rtt_ms[NM_PEER_RTT_HISTORY - 1] == 4.0);
    assert_int_equal(apply(&c, NM_DQ_PEERS, 0, 0, "{\"not\":\"a list\"}", NULL), 0);
    assert_int_equal(c.npeer_rows, 1);
    nm_cache_fini(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_heads_give_height_and_block_times),
        cmocka_unit_test(test_cache_peers_keep_each_peers_rtt_history),
        cmocka_unit_test(test_cache_chain_info_and_epoch_progress),
        cmocka_unit_test(test_cache_bft_state_gives_finality_round_and_online_authorities),
        cmocka_unit_test(test_cache_subnets_and_metagraph_with_optional_fields),
        cmocka_unit_test(test_cache_governance_latency_link_and_signer),
        cmocka_unit_test(test_cache_new_genesis_resets_every_table_but_keeps_link_and_signer),
        cmocka_unit_test(test_cache_allocation_failures_leave_it_unchanged),
        cmocka_unit_test(test_queue_keeps_order_wakes_and_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
