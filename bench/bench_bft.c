/* bench_bft.c - BFT finality figures (issue 11):
 *  1. checking a commit certificate of 100 authorities, in ms, beside 100
 *     raw libsodium Ed25519 verifies measured in the same run (limit: the
 *     certificate costs at most 1.2x the raw verifies);
 *  2. proposal to finality in the deterministic simulator (simulated ms
 *     and simulator steps per height, p50/p99): 4 authorities on a
 *     fault-free network (1-5 ms delay), then the faulty mix of make test.
 * Prints figures; never fails on time. Usage: bench_bft [--certs N] */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/bft/cert.h"
#include "node/crypto.h"
#include "tests/support/bft_sim.h"

#define AUTHORITIES 100

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int bench_certificate(int certs)
{
    static struct nm_keypair keys[AUTHORITIES];
    struct nm_bft_authority list[AUTHORITIES];
    for (int i = 0; i < AUTHORITIES; i++) {
        nm_keypair_generate(&keys[i]);
        list[i].account = keys[i].pub;
        list[i].power = 1 + (uint64_t)i % 7;
    }
    struct nm_bft_authorities set;
    if (nm_bft_authorities_init(&set, list, AUTHORITIES) != 0)
        return 1;
    nm_hash genesis, block;
    nm_hash_bytes("bench genesis", 13, &genesis);
    nm_hash_bytes("bench block", 11, &block);
    struct nm_bft_cert cert;
    if (nm_bft_cert_init(&cert, 1000, 0, &block, AUTHORITIES) != 0)
        return 1;
    /* raw baseline: each authority's precommit checked with libsodium alone */
    uint8_t msgs[AUTHORITIES][NM_BFT_VOTE_SIGNED_LEN];
    uint8_t sigs[AUTHORITIES][NM_SIG_LEN];
    for (int i = 0; i < AUTHORITIES; i++) {
        struct nm_bft_vote v = {.genesis = genesis, .height = 1000, .round = 0,
                                .step = NM_BFT_PRECOMMIT, .has_block = true, .block = block,
                                .authority = (uint16_t)i};
        nm_bft_vote_sign(&v, &keys[i]);
        nm_bft_vote_signed_bytes(&v, msgs[i]);
        memcpy(sigs[i], v.sig, NM_SIG_LEN);
        if (nm_bft_cert_add(&cert, &v) != 0)
            return 1;
    }
    double best_raw = 1e9, best_cert = 1e9;
    for (int rep = 0; rep < 5; rep++) { /* interleaved, best of 5 */
        double t0 = now_s();
        for (int c = 0; c < certs; c++)
            for (int i = 0; i < AUTHORITIES; i++)
                if (crypto_sign_verify_detached(sigs[i], msgs[i], sizeof msgs[i],
                                                keys[i].pub.b) != 0)
                    return 1;
        double t1 = now_s();
        for (int c = 0; c < certs; c++)
            if (nm_bft_cert_verify(&cert, &genesis, &set) != 0)
                return 1;
        double t2 = now_s();
        if (t1 - t0 < best_raw)
            best_raw = t1 - t0;
        if (t2 - t1 < best_cert)
            best_cert = t2 - t1;
    }
    double raw_ms = best_raw * 1e3 / certs, cert_ms = best_cert * 1e3 / certs;
    printf("certificate of %d authorities: %.3f ms per check; %d raw libsodium verifies: "
           "%.3f ms; ratio %.3fx (limit 1.2x) [best of 5 x %d]\n",
           AUTHORITIES, cert_ms, AUTHORITIES, raw_ms, cert_ms / raw_ms, certs);
    nm_bft_cert_fini(&cert);
    nm_bft_authorities_fini(&set);
    return 0;
}

/* Runs seeds and prints p50/p99 of simulated ms and steps per height. */
static int bench_sim(const char *label, uint64_t seeds, uint32_t heights, bool no_faults)
{
    size_t cap = (size_t)seeds * BFT_SIM_MAX_LATENCIES, n = 0;
    uint32_t *ms = malloc(cap * sizeof *ms), *steps = malloc(cap * sizeof *steps);
    if (!ms || !steps)
        return 1;
    uint64_t total_steps = 0;
    double t0 = now_s();
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct bft_sim_options opt = {.seed = seed, .heights = heights, .no_faults = no_faults,
                                      .nodes = no_faults ? 4 : 0};
        struct bft_sim_result res;
        if (!bft_sim_run(&opt, &res)) {
            bft_sim_print_failure(seed, &res);
            return 1;
        }
        total_steps += res.steps;
        for (uint32_t h = 0; h < res.n_latencies; h++) {
            ms[n] = res.latency_ms[h];
            steps[n++] = res.latency_steps[h];
        }
    }
    double wall = now_s() - t0;
    qsort(ms, n, sizeof *ms, cmp_u32);
    qsort(steps, n, sizeof *steps, cmp_u32);
    printf("%s: %zu heights over %llu seeds: proposal to finality p50 %u ms, p99 %u ms "
           "(simulated); %u / %u steps (p50/p99); %llu steps in %.2f s wall\n",
           label, n, (unsigned long long)seeds, ms[n / 2], ms[n * 99 / 100], steps[n / 2],
           steps[n * 99 / 100], (unsigned long long)total_steps, wall);
    free(ms);
    free(steps);
    return 0;
}

int main(int argc, char **argv)
{
    int certs = 40;
    if (argc == 3 && strcmp(argv[1], "--certs") == 0)
        certs = atoi(argv[2]);
    if (certs <= 0 || nm_crypto_init() != 0) {
        fprintf(stderr, "usage: bench_bft [--certs N]\n");
        return 2;
    }
    if (bench_certificate(certs))
        return 1;
    if (bench_sim("sim, 4 authorities, fault-free 1-5 ms links", 5, 200, true))
        return 1;
    return bench_sim("sim, faulty mix of make test (4-7 authorities)", 200, 4, false);
}
