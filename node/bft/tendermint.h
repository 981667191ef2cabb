/* tendermint.h - Tendermint consensus (Buchman, Kwon, Milosevic, "The
 * latest gossip on BFT consensus", 2018, Algorithm 1) as a pure state
 * machine for one authority or observer: no I/O, no clock, no keys.
 *
 * The caller feeds it proposals and votes it has already checked
 * (nm_bft_proposal_check / nm_bft_vote_check), timeouts it was asked to
 * set, and commit certificates from sync; after every call it drains the
 * outputs: unsigned proposals and votes to sign (through the double-sign
 * guard) and broadcast to everyone including itself, timeouts to set,
 * decisions (with their commit certificate) and equivocation evidence.
 * Line numbers in tendermint.c ("L22") are the paper's. */
#ifndef NM_BFT_TENDERMINT_H
#define NM_BFT_TENDERMINT_H

#include <stdbool.h>
#include <stdint.h>

#include "node/bft/authority.h"
#include "node/bft/cert.h"
#include "node/bft/evidence.h"
#include "node/bft/guard.h"
#include "node/bft/message.h"
#include "node/bft/queue.h"

struct nm_bft_config {
    const struct nm_bft_authorities *set; /* borrowed; outlives the machine */
    nm_hash genesis;
    int32_t self; /* authority index, or -1 for an observer that never votes */
    /* timeout of step s in round r = base[s] + r * delta[s] (ms);
     * base[NM_BFT_NEW_HEIGHT]: the wait after a decision before the next
     * height starts (Tendermint's timeout_commit: the block time's pace) */
    uint32_t timeout_base_ms[4];
    uint32_t timeout_delta_ms[4];
    /* messages for rounds beyond round + window are refused (memory bound) */
    uint32_t round_window;
};

/* The timeout that starts the next height after a decision. */
#define NM_BFT_NEW_HEIGHT 3

struct nm_bft_callbacks {
    void *ctx;
    /* getValue(): the block this authority proposes at height */
    void (*get_value)(void *ctx, uint64_t height, nm_hash *out);
    /* valid(v): the block is known and valid at height. Asked once per
     * round's proposal: feed a proposal only once its block is at hand. */
    bool (*valid)(void *ctx, uint64_t height, const nm_hash *block);
};

enum nm_bft_output_kind {
    NM_BFT_OUT_PROPOSAL, /* sign, broadcast (to self too) */
    NM_BFT_OUT_VOTE,     /* sign, broadcast (to self too) */
    NM_BFT_OUT_TIMEOUT,  /* call nm_bft_on_timeout(step, height, round) after delay_ms */
    NM_BFT_OUT_DECIDE,   /* height is final; cert owned by the output */
    NM_BFT_OUT_EVIDENCE, /* an authority equivocated: gossip and include on chain */
};

struct nm_bft_output {
    enum nm_bft_output_kind kind;
    struct nm_bft_proposal proposal;
    struct nm_bft_vote vote;
    struct {
        uint8_t step;
        uint64_t height;
        uint32_t round;
        uint32_t delay_ms;
    } timeout;
    struct nm_bft_cert cert; /* DECIDE: release with nm_bft_cert_fini */
    struct nm_bft_evidence evidence;
};

struct bft_round;

struct nm_bft_machine {
    struct nm_bft_config cfg;
    struct nm_bft_callbacks cb;
    uint64_t height;
    uint32_t round;
    uint8_t step;
    bool waiting; /* decided; the height starts on its NM_BFT_NEW_HEIGHT timeout */
    int32_t locked_round, valid_round; /* -1: none */
    nm_hash locked_value, valid_value;
    struct bft_round **rounds; /* owned, indexed by round, NULL until used */
    uint32_t n_rounds;
    struct nm_bft_queue out; /* of struct nm_bft_output */
    int err; /* sticky NM_E_NOMEM */
};

/* Defaults: propose 300+100r, prevote 100+50r, precommit 100+50r ms, next
 * height at once (0 ms), window 64. */
void nm_bft_config_defaults(struct nm_bft_config *cfg);
/* Starts at height, round 0: outputs the proposal or the propose timeout.
 * After a restart pass the double-sign record (else NULL): if it signed at
 * this height, the machine resumes in the round and step it last signed,
 * with the lock it had; the caller then replays its own signed messages of
 * this height (its write-ahead log) into it and re-sends them. */
int nm_bft_machine_init(struct nm_bft_machine *m, const struct nm_bft_config *cfg,
                        const struct nm_bft_callbacks *cb, uint64_t height,
                        const struct nm_bft_sign_record *resume);
void nm_bft_machine_fini(struct nm_bft_machine *m);

/* Inputs: 0 when taken in, NM_BFT_REPEAT when it brought nothing new (a
 * repeat, a second proposal, an equivocator's third vote), or
 * NM_E_BFT_OLD_HEIGHT / NM_E_BFT_FUTURE_HEIGHT for another height,
 * NM_E_BFT_FUTURE_ROUND beyond the window, NM_E_BFT_NOT_PROPOSER,
 * NM_E_BFT_UNKNOWN_AUTHORITY: the input is dropped and nothing changes. */
#define NM_BFT_REPEAT 1
int nm_bft_on_proposal(struct nm_bft_machine *m, const struct nm_bft_proposal *p);
int nm_bft_on_vote(struct nm_bft_machine *m, const struct nm_bft_vote *v);
int nm_bft_on_timeout(struct nm_bft_machine *m, uint8_t step, uint64_t height, uint32_t round);
/* A certificate for the current height from sync: verified here, then
 * decides it (NM_E_INVAL if the block is not valid at this node). */
int nm_bft_on_commit(struct nm_bft_machine *m, const struct nm_bft_cert *c);

/* Next output, false when none is left. */
bool nm_bft_poll(struct nm_bft_machine *m, struct nm_bft_output *out);

/* For bft_state: power seen in the current round. */
struct nm_bft_round_power {
    uint64_t prevote_any, prevote_block, precommit_any, precommit_block;
};
void nm_bft_machine_power(const struct nm_bft_machine *m, struct nm_bft_round_power *p);
const char *nm_bft_step_name(uint8_t step);

#endif
