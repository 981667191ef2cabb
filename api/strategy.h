/* strategy.h - the aggregator's choices, without I/O (issue 13, API-002):
 * which miners a query goes to (top-k by W_global among healthy ones) and
 * how their answers become one (majority, weighted, best, first). Outputs
 * are compared in a canonical form (object keys sorted, no spaces), so two
 * miners that agree up to key order agree. W_global is in parts per
 * billion, as the chain prints it (nm_fmt_share_parse). */
#ifndef NM_API_STRATEGY_H
#define NM_API_STRATEGY_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nm_api_strategy {
    NM_API_MAJORITY, /* vote over normalised outputs; ties by summed weight */
    NM_API_WEIGHTED, /* vote by weight; numbers: the weighted average */
    NM_API_BEST,     /* the highest-weight success */
    NM_API_FIRST,    /* the fastest valid answer */
};

/* 0 with *out, or NM_E_INVAL for a name that is none of the four. */
int nm_api_strategy_parse(const char *name, enum nm_api_strategy *out);
const char *nm_api_strategy_name(enum nm_api_strategy s);

struct nm_api_candidate {
    uint32_t uid;
    uint64_t weight_ppb;
    bool healthy;
};
/* Writes into idx (cap k) the indexes of the k healthy candidates with the
 * highest weight (ties: lower uid first), best first; returns how many. */
size_t nm_api_select_top(const struct nm_api_candidate *c, size_t n, size_t k, size_t *idx);

/* One miner's answer: output is the parsed, schema-valid output, or NULL
 * when the miner failed. */
struct nm_api_answer {
    uint32_t uid;
    uint64_t weight_ppb;
    int64_t latency_ms;
    const cJSON *output;
};

/* The combined result: *result is a new cJSON (caller's); *agreement_ppm the
 * share of successful answers equal to it (parts per million); *chosen the
 * index of an answer equal to it (-1 for a weighted average). NM_E_INVAL
 * when no answer succeeded, NM_E_NOMEM. */
int nm_api_combine(enum nm_api_strategy s, const struct nm_api_answer *a, size_t n,
                   cJSON **result, uint32_t *agreement_ppm, int *chosen);

/* Canonical text of a JSON value (keys sorted recursively, unformatted);
 * malloc'd, NULL on failure. */
char *nm_api_canonical(const cJSON *v);

#endif
