/* sampler.h - which miners a validator asks in a round (NODE-003 "random
 * sampling with stratification"): the miners are split into up to four
 * strata by W_global quantile, each stratum gives its share of the N
 * picks, and within a stratum the miner asked longest ago goes first, with
 * a seeded jitter of up to a minute so equals are drawn at random. The
 * seed mixes a secret only the validator holds with the round number, so
 * miners cannot predict who is asked, or what (nm_sample_task). Pure
 * function: no I/O, no clock. */
#ifndef NM_VALIDATOR_SAMPLER_H
#define NM_VALIDATOR_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

struct nm_sample_candidate {
    uint32_t uid;
    uint64_t w_global_ppb;
    int64_t last_query_ms; /* 0: never asked */
};

/* Picks min(n, count) distinct UIDs into out (in pick order). */
size_t nm_sample_pick(const struct nm_sample_candidate *c, size_t count, size_t n,
                      uint64_t seed, int64_t now_ms, uint32_t *out);

/* The task index (0..task_count-1) the miner uid gets this round. */
size_t nm_sample_task(uint64_t seed, uint32_t uid, size_t task_count);

#endif
