/* Deterministic simulation of the BFT state machines (tests/support/bft_sim):
 * under `make test` 200 seeds with faults (a few seconds: the suite has a
 * time budget; `make soak` runs 100,000 by default); with --seed S one
 * seed verbosely, with --seeds N (from --from F) a soak that prints the
 * seeds and steps run (`make soak SEED=... / SEEDS=...`). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/crypto.h"
#include "tests/support/bft_sim.h"

#define TEST_SEEDS 200

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

/* Runs seeds [from, from + count); prints every failure; returns failures. */
static uint64_t run_seeds(uint64_t from, uint64_t count, uint32_t heights, bool print_totals)
{
    uint64_t failures = 0, steps = 0, decisions = 0, evidence = 0, refused = 0, forged = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t seed = from; seed < from + count; seed++) {
        struct bft_sim_options opt = {.seed = seed, .heights = heights};
        struct bft_sim_result res;
        if (!bft_sim_run(&opt, &res)) {
            bft_sim_print_failure(seed, &res);
            failures++;
        }
        steps += res.steps;
        decisions += res.decisions;
        evidence += res.evidence;
        refused += res.refused_signs;
        forged += res.forgeries_dropped;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (print_totals)
        printf("bft-sim: %llu seeds (%llu..%llu), %llu steps, %llu decisions, %llu evidence, "
               "%llu signatures refused by the double-sign record, %llu forged votes dropped, "
               "%llu failed, %.1f s\n",
               (unsigned long long)count, (unsigned long long)from,
               (unsigned long long)(from + count - 1), (unsigned long long)steps,
               (unsigned long long)decisions, (unsigned long long)evidence,
               (unsigned long long)refused, (unsigned long long)forged,
               (unsigned long long)failures,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return failures;
}

static void test_fault_free_network_finalizes_every_height_in_round_zero(void **state)
{
    (void)state;
    struct bft_sim_options opt = {.seed = 7, .no_faults = true, .nodes = 4, .heights = 20};
    struct bft_sim_result res;
    assert_true(bft_sim_run(&opt, &res));
    /* 4 nodes x 21 heights, every one decided in round 0 */
    assert_true(res.decisions >= 4 * 21);
    assert_int_equal(res.rounds, 0);
    assert_int_equal(res.evidence, 0);
    assert_int_equal(res.refused_signs, 0);
}

static void test_same_seed_is_the_same_execution(void **state)
{
    (void)state;
    struct bft_sim_options opt = {.seed = 4242};
    struct bft_sim_result a, b;
    bft_sim_run(&opt, &a);
    bft_sim_run(&opt, &b);
    assert_int_equal(a.steps, b.steps);
    assert_int_equal(a.messages, b.messages);
    assert_int_equal(a.end_ms, b.end_ms);
    assert_int_equal(a.ok, b.ok);
}

static void test_hundreds_of_faulty_seeds_keep_agreement_validity_liveness(void **state)
{
    (void)state;
    assert_int_equal(run_seeds(1, TEST_SEEDS, 2, true), 0);
}

/* Mutation check: without the double-sign record a restarted authority
 * signs twice, and the simulator must say so (evidence against an honest
 * authority, or worse). */
static void test_forgetting_the_sign_record_is_caught(void **state)
{
    (void)state;
    uint64_t caught = 0;
    for (uint64_t seed = 1; seed <= 400 && !caught; seed++) {
        struct bft_sim_options opt = {.seed = seed, .heights = 2, .forget_on_crash = true};
        struct bft_sim_result res;
        if (!bft_sim_run(&opt, &res) && strstr(res.why, "honest authority"))
            caught = seed;
    }
    assert_true(caught > 0);
}

static int soak(int argc, char **argv)
{
    uint64_t from = 1, count = 0, seed = 0;
    bool one = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seed") == 0) {
            seed = strtoull(argv[i + 1], NULL, 10);
            one = true;
        } else if (strcmp(argv[i], "--seeds") == 0) {
            count = strtoull(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--from") == 0) {
            from = strtoull(argv[i + 1], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--seed S | --seeds N [--from F]]\n", argv[0]);
            return 2;
        }
    }
    if (nm_crypto_init() != 0)
        return 1;
    if (one) {
        struct bft_sim_options opt = {.seed = seed, .verbose = true};
        struct bft_sim_result res;
        bool ok = bft_sim_run(&opt, &res);
        if (!ok)
            bft_sim_print_failure(seed, &res);
        printf("bft-sim: seed %llu %s: %llu steps, %llu deliveries, %llu decisions, %llu evidence, "
               "%llu refused signatures, %llu ms simulated\n",
               (unsigned long long)seed, ok ? "ok" : "FAILED", (unsigned long long)res.steps,
               (unsigned long long)res.messages, (unsigned long long)res.decisions,
               (unsigned long long)res.evidence, (unsigned long long)res.refused_signs,
               (unsigned long long)res.end_ms);
        return ok ? 0 : 1;
    }
    return run_seeds(from, count ? count : 100000, 0, true) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return soak(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_free_network_finalizes_every_height_in_round_zero),
        cmocka_unit_test(test_same_seed_is_the_same_execution),
        cmocka_unit_test(test_forgetting_the_sign_record_is_caught),
        cmocka_unit_test(test_hundreds_of_faulty_seeds_keep_agreement_validity_liveness),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
