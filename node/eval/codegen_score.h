/* codegen_score.h - CODE_GEN_BASE scoring (NODE-004): one miner answer to
 * one task variant becomes an integer score in parts per million, from
 *
 *   syntax   200/1000  the language's own parser or compiler accepts it
 *                      (python3 -m py_compile; cc -fsyntax-only)
 *   tests    600/1000  share of the hidden tests it passes: the entry
 *                      function on inputs drawn from the epoch's seed must
 *                      give what the reference gives on the same inputs
 *   quality  100/1000  half for no warnings (cc -Wall -Wextra; Python's
 *                      SyntaxWarnings), half for size: up to twice the
 *                      reference's length is full marks, longer scales down
 *   latency  100/1000  full at or under a tenth of the timeout, falling
 *                      linearly to zero at the timeout
 *
 * Quality and latency count only when at least one test passes, so a fast
 * empty answer earns nothing. Every program runs in the sandbox
 * (sandbox.h); a violation (escape attempt, network, new process, CPU,
 * wall time, output flood) or an answer that breaks the output schema
 * (including empty output and non-UTF-8) scores zero with the reason.
 * Integers only: the score feeds weights that reach the chain. */
#ifndef NM_EVAL_CODEGEN_SCORE_H
#define NM_EVAL_CODEGEN_SCORE_H

#include "node/eval/tasks.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NM_SCORE_ONE 1000000u /* a perfect score, in parts per million */

struct nm_codegen_score {
    uint32_t total;   /* 0..NM_SCORE_ONE */
    uint32_t syntax, tests, quality, latency; /* each 0..NM_SCORE_ONE, before weights */
    int tests_passed, tests_total;
    int warnings;
    bool violation;   /* zero because of the sandbox or the schema */
    char reason[200]; /* why it is not perfect, or "" */
};

/* Scores output (the miner's answer text, len bytes) to variant v of the
 * epoch with this seed; latency_ms as measured, timeout_ms the validator's.
 * Returns 0 with *out filled (a bad answer is a score, not an error), or
 * NM_E_IO / NM_E_INTERNAL when the scorer itself cannot run (no sandbox,
 * the reference failing). */
int nm_codegen_score(const struct nm_task_variant *v, uint64_t seed, const char *output,
                     size_t len, int64_t latency_ms, int timeout_ms,
                     struct nm_codegen_score *out);

/* The hidden test inputs of a variant: a JSON array of argument arrays
 * (malloc'd text). Exposed for tests. */
char *nm_codegen_test_inputs(const struct nm_task *t, uint64_t seed, int count);

#endif
