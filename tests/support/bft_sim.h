/* bft_sim.h - deterministic simulation of a BFT authority set (TigerBeetle
 * VOPR style): N real Tendermint state machines (node/bft/) in one process
 * over a simulated network driven by one seeded RNG, with message delay,
 * loss, duplication and reordering, a partition that heals, crash and
 * restart (the double-sign record survives on a simulated disk) and up to
 * f Byzantine authorities that equivocate (and forge votes in honest
 * authorities' names, which the signature check must drop) or stay silent. Invariants are
 * checked after every step: agreement, validity, evidence never names an
 * honest authority, and liveness once the network has healed. One seed is
 * one execution: a failure prints a one-line repro. */
#ifndef NM_TESTS_BFT_SIM_H
#define NM_TESTS_BFT_SIM_H

#include <stdbool.h>
#include <stdint.h>

#define BFT_SIM_MAX_LATENCIES 256

struct bft_sim_options {
    uint64_t seed;
    uint32_t heights; /* decisions every honest node must reach (default 4) */
    bool verbose;     /* print the scenario and every decision */
    bool no_faults;   /* fault-free network, all honest (benchmarks) */
    uint32_t nodes;   /* 0: chosen by the seed (4..7) */
    /* mutation knob: a crash also loses the double-sign record and the
     * log, as if they were never written (the invariants must catch it) */
    bool forget_on_crash;
};

struct bft_sim_result {
    bool ok;
    char why[256];     /* on failure: what broke (one line) */
    uint64_t steps;    /* events processed */
    uint64_t messages; /* deliveries */
    uint64_t decisions, evidence, refused_signs, rounds;
    uint64_t forgeries_dropped; /* votes in another's name, refused by the check */
    uint64_t end_ms;   /* simulated time at the end */
    uint32_t nodes, byzantine, crashes;
    /* per height (1..BFT_SIM_MAX_LATENCIES): simulated ms and steps from
     * the first proposal of the height to its first decision */
    uint32_t n_latencies;
    uint32_t latency_ms[BFT_SIM_MAX_LATENCIES];
    uint32_t latency_steps[BFT_SIM_MAX_LATENCIES];
};

/* Runs one seed; returns res->ok. */
bool bft_sim_run(const struct bft_sim_options *opt, struct bft_sim_result *res);
/* "bft-sim: seed S FAILED after N steps: why; repro: make soak SEED=S" */
void bft_sim_print_failure(uint64_t seed, const struct bft_sim_result *res);

#endif
