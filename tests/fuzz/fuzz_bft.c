/* fuzz_bft.c - libFuzzer target for the BFT decoders (node/bft/): votes,
 * proposals, commit certificates and evidence, chosen by the first byte.
 * Besides not crashing, every accepted input must re-encode to exactly the
 * bytes given (one value, one encoding), and a refused one leaves the
 * output untouched. Built and run by `make fuzz`; its corpus
 * (tests/fuzz/corpus/bft) is replayed by tests/test_bft_corpus.c. */
#include <stdlib.h>
#include <string.h>

#include "node/bft/cert.h"
#include "node/bft/evidence.h"
#include "node/bft/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_vote(const uint8_t *in, size_t len)
{
    struct nm_bft_vote v, untouched;
    memset(&v, 0xa5, sizeof v);
    untouched = v;
    uint8_t out[NM_BFT_VOTE_WIRE_LEN];
    if (nm_bft_vote_decode(in, len, &v) != 0) {
        if (memcmp(&v, &untouched, sizeof v) != 0)
            abort();
        return;
    }
    nm_bft_vote_encode(&v, out);
    if (len != sizeof out || memcmp(in, out, len) != 0)
        abort();
}

static void check_proposal(const uint8_t *in, size_t len)
{
    struct nm_bft_proposal p;
    uint8_t out[NM_BFT_PROPOSAL_WIRE_LEN];
    if (nm_bft_proposal_decode(in, len, &p) != 0)
        return;
    nm_bft_proposal_encode(&p, out);
    if (len != sizeof out || memcmp(in, out, len) != 0)
        abort();
    /* a valid round is none (-1) or an earlier round */
    if (p.valid_round < -1 || (p.valid_round >= 0 && (uint32_t)p.valid_round >= p.round))
        abort();
}

static void check_cert(const uint8_t *in, size_t len)
{
    struct nm_bft_cert c;
    if (nm_bft_cert_decode(in, len, &c) != 0)
        return;
    uint8_t *out;
    size_t out_len;
    if (nm_bft_cert_encode(&c, &out, &out_len) != 0)
        abort();
    if (out_len != len || memcmp(in, out, len) != 0)
        abort();
    free(out);
    nm_bft_cert_fini(&c);
}

static void check_evidence(const uint8_t *in, size_t len)
{
    struct nm_bft_evidence e;
    uint8_t out[NM_BFT_EVIDENCE_LEN];
    if (nm_bft_evidence_decode(in, len, &e) != 0)
        return;
    nm_bft_evidence_encode(&e, out);
    if (len != sizeof out || memcmp(in, out, len) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 4) {
    case 0:
        check_vote(data + 1, size - 1);
        break;
    case 1:
        check_proposal(data + 1, size - 1);
        break;
    case 2:
        check_cert(data + 1, size - 1);
        break;
    default:
        check_evidence(data + 1, size - 1);
        break;
    }
    return 0;
}
