/* fuzz_bft_machine.c - libFuzzer target for the Tendermint state machine
 * (node/bft/tendermint.c): the input is a script of proposals, votes (any
 * authority, height, round, step, block; nil too) and timeouts fed to one
 * machine of 4 authorities. After every input it checks the machine's own
 * invariants: it never asks to sign anything the double-sign rule would
 * refuse (so an honest node never equivocates by itself), decisions come
 * one height at a time for valid blocks with a quorum certificate, and
 * evidence names one authority with two conflicting votes. Built and run
 * by `make fuzz`; tests/test_bft_machine_fuzz.c replays its corpus
 * (tests/fuzz/corpus/bft_machine) and thousands of random scripts. */
#include <stdlib.h>
#include <string.h>

#include "node/bft/guard.h"
#include "node/bft/tendermint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 4

static struct nm_bft_authorities set;
static nm_hash genesis;
/* what the scripts reached, for the unit test to check it is not trivial */
static uint64_t fuzz_decisions, fuzz_evidence, fuzz_locks, fuzz_round_skips;

static nm_hash block_of(uint8_t id)
{
    nm_hash h;
    memset(&h, 0, sizeof h);
    h.b[0] = (uint8_t)(id + 1);
    return h;
}

static void get_value(void *ctx, uint64_t height, nm_hash *out)
{
    (void)ctx;
    *out = block_of((uint8_t)(height % 2));
}

static bool valid(void *ctx, uint64_t height, const nm_hash *b)
{
    (void)ctx;
    (void)height;
    return b->b[0] != 3; /* block 2 is invalid */
}

static void init_once(void)
{
    static bool done;
    if (done)
        return;
    struct nm_bft_authority list[N];
    for (int i = 0; i < N; i++) {
        memset(&list[i].account, 0, sizeof list[i].account);
        list[i].account.b[0] = (uint8_t)(i + 1);
        list[i].power = (uint64_t)(i + 1); /* unequal: 1+2+3+4 */
    }
    if (nm_bft_authorities_init(&set, list, N) != 0)
        abort();
    memset(&genesis, 7, sizeof genesis);
    done = true;
}

struct reader {
    const uint8_t *p;
    size_t left;
};

static uint8_t next(struct reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

/* Checks and records everything the machine output. */
static void check_outputs(struct nm_bft_machine *m, struct nm_bft_sign_record *rec,
                          uint64_t *decided)
{
    struct nm_bft_output o;
    while (nm_bft_poll(m, &o)) {
        uint8_t bytes[NM_BFT_PROPOSAL_SIGNED_LEN];
        nm_hash h;
        switch (o.kind) {
        case NM_BFT_OUT_PROPOSAL:
            nm_bft_proposal_signed_bytes(&o.proposal, bytes);
            nm_hash_bytes(bytes, NM_BFT_PROPOSAL_SIGNED_LEN, &h);
            if (nm_bft_sign_record_permits(rec, o.proposal.height, o.proposal.round,
                                           NM_BFT_PROPOSE, &h) != 0)
                abort();
            nm_bft_sign_record_note(rec, o.proposal.height, o.proposal.round, NM_BFT_PROPOSE,
                                    &h, NULL);
            break;
        case NM_BFT_OUT_VOTE:
            nm_bft_vote_signed_bytes(&o.vote, bytes);
            nm_hash_bytes(bytes, NM_BFT_VOTE_SIGNED_LEN, &h);
            if (o.vote.authority != 0 ||
                nm_bft_sign_record_permits(rec, o.vote.height, o.vote.round, o.vote.step, &h))
                abort();
            nm_bft_sign_record_note(rec, o.vote.height, o.vote.round, o.vote.step, &h, NULL);
            break;
        case NM_BFT_OUT_DECIDE: {
            uint64_t power = 0;
            for (uint32_t i = 0; i < N; i++)
                if ((o.cert.signers[0] >> i) & 1)
                    power += set.list[i].power;
            if (o.cert.height != *decided + 1 || !valid(NULL, 0, &o.cert.block) ||
                !nm_bft_authorities_quorum(&set, power))
                abort();
            *decided = o.cert.height;
            fuzz_decisions++;
            nm_bft_cert_fini(&o.cert);
            break;
        }
        case NM_BFT_OUT_EVIDENCE:
            if (o.evidence.a.authority != o.evidence.b.authority ||
                nm_bft_vote_same_target(&o.evidence.a, &o.evidence.b))
                abort();
            fuzz_evidence++;
            break;
        case NM_BFT_OUT_TIMEOUT:
            if (o.timeout.step > NM_BFT_NEW_HEIGHT)
                abort();
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    struct reader r = {data, size};
    struct nm_bft_config cfg;
    nm_bft_config_defaults(&cfg);
    cfg.set = &set;
    cfg.genesis = genesis;
    cfg.self = 0;
    cfg.round_window = 8;
    struct nm_bft_callbacks cb = {.get_value = get_value, .valid = valid};
    struct nm_bft_machine m;
    struct nm_bft_sign_record rec = {.lock_round = -1};
    uint64_t decided = 0;
    if (nm_bft_machine_init(&m, &cfg, &cb, 1, NULL) != 0)
        abort();
    check_outputs(&m, &rec, &decided);
    while (r.left) {
        uint8_t op = next(&r), a = next(&r), b = next(&r), c = next(&r);
        uint32_t round_before = m.round;
        uint64_t height = m.height + (uint64_t)(a >> 6) - 1; /* one below .. two above */
        uint32_t round = b % 12;
        uint8_t id = c % 4; /* 3: nil */
        if (op % 3 == 0) {
            struct nm_bft_vote v = {.genesis = genesis, .height = height, .round = round,
                                    .step = (uint8_t)(1 + (a & 1)), .has_block = id != 3,
                                    .authority = (uint16_t)((a >> 1) % (N + 1))};
            if (v.has_block)
                v.block = block_of(id);
            nm_bft_on_vote(&m, &v);
        } else if (op % 3 == 1) {
            struct nm_bft_proposal p = {.genesis = genesis, .height = height, .round = round,
                                        .valid_round = (int32_t)(a % 5) - 1,
                                        .block = block_of(id % 3)};
            p.authority = (uint16_t)(a & 0x10 ? (a >> 1) % N
                                              : nm_bft_authorities_proposer(&set, height, round));
            nm_bft_on_proposal(&m, &p);
        } else {
            nm_bft_on_timeout(&m, (uint8_t)(a % 4), a & 8 ? height : m.height,
                              b & 1 ? round : m.round);
        }
        check_outputs(&m, &rec, &decided);
        fuzz_locks += m.locked_round >= 0;
        fuzz_round_skips += m.round > round_before + 1;
    }
    nm_bft_machine_fini(&m);
    return 0;
}
