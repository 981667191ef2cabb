/* Unit tests for node/pallets/topology.c: network keys of endpoints and the
 * same-network links weighed with correlation and timing (issue 16). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/errors.h"
#include "node/pallets/topology.h"

#include <stdlib.h>
#include <string.h>

static void expect_network(const char *endpoint, const char *want)
{
    char key[NM_TOPOLOGY_KEY_MAX];
    bool got = nm_topology_network(endpoint, key);
    assert_int_equal(got, want != NULL);
    assert_string_equal(key, want ? want : "");
}

static void test_endpoints_map_to_their_networks(void **state)
{
    (void)state;
    expect_network("1.2.3.4:8091", "1.2.3.");
    expect_network("1.2.3.200", "1.2.3.");
    expect_network("http://10.0.0.7:80/v1", "10.0.0.");
    expect_network("[2001:db8:1:2::1]:9000", "[2001:db8:1:");
    expect_network("grpc://Miner.Example.COM:50051", "miner.example.com");
    expect_network("1.2.3:80", "1.2.3"); /* not an IPv4 address: the name itself */
    expect_network("", NULL);
    expect_network(":8091", NULL);
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    expect_network(longname, NULL); /* longer than a key holds: none */
}

#define V 6
#define M 64

struct world {
    uint16_t w[V][M];
    struct nm_wrow rows[V];
    uint64_t at[V];
    uint32_t global[M];
    uint16_t miners[M];
    const char *network[V];
    struct nm_collusion_finding out[V];
};

static uint64_t rng = 0x70b0;

static uint32_t noise(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng >> 33) % 200;
}

/* Every row near uniform (1024 each, 65536 in all: 65535 after the last
 * is trimmed) with its own noise; pushed rows add 600 on miners 0..7. */
static void world_make(struct world *x, const bool *pushed)
{
    memset(x, 0, sizeof *x);
    for (uint32_t j = 0; j < M; j++) {
        x->miners[j] = (uint16_t)j;
        x->global[j] = 1000000000 / M;
    }
    for (int v = 0; v < V; v++) {
        uint32_t sum = 0;
        for (uint32_t j = 0; j < M; j++) {
            x->w[v][j] = (uint16_t)(700 + noise() + (pushed[v] && j < 8 ? 600 : 0));
            sum += x->w[v][j];
        }
        /* scale to a sum of exactly 65535 (the last entry takes the rest) */
        uint32_t acc = 0;
        for (uint32_t j = 0; j + 1 < M; j++)
            acc += x->w[v][j] = (uint16_t)((uint64_t)x->w[v][j] * 65535 / sum);
        x->w[v][M - 1] = (uint16_t)(65535 - acc);
        x->rows[v] = (struct nm_wrow){M, NULL, x->w[v]};
        x->out[v].partner = -1;
    }
}

static long links(struct world *x, const struct nm_topology_params *p)
{
    struct nm_topology_input in = {V, x->network, x->rows, x->at, x->global, x->miners, M, M};
    return nm_topology_links(p, &in, x->out);
}

static void test_same_network_correlated_and_timely_pairs_are_linked(void **state)
{
    (void)state;
    static struct world x;
    /* 0, 1: one network, pushing the same miners, same block: linked.
     * 2: same network, honest noise: not linked.
     * 3, 4: pushing the same miners, other networks each: not a topology link.
     * 5: same network and push as 0 but 5 blocks later: outside the window. */
    bool pushed[V] = {true, true, false, true, true, true};
    world_make(&x, pushed);
    const char *nets[V] = {"10.0.0.", "10.0.0.", "10.0.0.", "10.0.1.", "10.0.2.", "10.0.0."};
    uint64_t at[V] = {5, 5, 5, 5, 5, 10};
    memcpy(x.network, nets, sizeof nets);
    memcpy(x.at, at, sizeof at);
    struct nm_topology_params p = {150000000, 1, 4096};
    assert_int_equal(links(&x, &p), 1);
    assert_int_equal(x.out[0].kinds, NM_COLL_TOPOLOGY);
    assert_int_equal(x.out[0].partner, 1);
    assert_int_equal(x.out[1].partner, 0);
    assert_true(x.out[0].score >= 375000000 && x.out[0].score == x.out[1].score);
    for (int v = 2; v < V; v++)
        assert_int_equal(x.out[v].kinds, 0);
    /* A wider window brings 5 in (linked to 0 and 1). */
    world_make(&x, pushed);
    memcpy(x.network, nets, sizeof nets);
    memcpy(x.at, at, sizeof at);
    p.window_blocks = 5;
    assert_int_equal(links(&x, &p), 3);
    assert_int_equal(x.out[5].kinds, NM_COLL_TOPOLOGY);
    /* Off, and bounded: max_pairs 1 examines only the first pair. */
    world_make(&x, pushed);
    memcpy(x.network, nets, sizeof nets);
    memcpy(x.at, at, sizeof at);
    p.threshold_ppb = 0;
    assert_int_equal(links(&x, &p), 0);
    assert_int_equal(x.out[0].kinds, 0);
    p.threshold_ppb = 150000000;
    p.max_pairs = 1;
    assert_int_equal(links(&x, &p), 1); /* (0, 1) */
    p.max_pairs = 0;
    world_make(&x, pushed);
    memcpy(x.network, nets, sizeof nets);
    memcpy(x.at, at, sizeof at);
    assert_int_equal(links(&x, &p), 0);
}

static void test_other_findings_keep_their_partner(void **state)
{
    (void)state;
    static struct world x;
    bool pushed[V] = {true, true, false, false, false, false};
    world_make(&x, pushed);
    const char *nets[V] = {"h", "h", "", "", "", ""};
    memcpy(x.network, nets, sizeof nets);
    x.out[0] = (struct nm_collusion_finding){.kinds = 2, .partner = 4, .score = 7};
    struct nm_topology_params p = {150000000, 0, 4096};
    assert_int_equal(links(&x, &p), 1);
    assert_int_equal(x.out[0].kinds, 2 | NM_COLL_TOPOLOGY);
    assert_int_equal(x.out[0].partner, 4); /* the copy finding says who */
    assert_int_equal(x.out[0].score, 7);
    assert_int_equal(x.out[1].partner, 0);
    /* A uid past the width is refused. */
    uint16_t uids[1] = {M};
    uint16_t w[1] = {65535};
    x.rows[1] = (struct nm_wrow){1, uids, w};
    assert_int_equal(links(&x, &p), NM_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_endpoints_map_to_their_networks),
        cmocka_unit_test(test_same_network_correlated_and_timely_pairs_are_linked),
        cmocka_unit_test(test_other_findings_keep_their_partner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
