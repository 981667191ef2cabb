/* message.c - canonical encodings, signing and checks of BFT proposals and
 * votes (see message.h). */
#include "node/bft/message.h"

#include <stdatomic.h>
#include <string.h>

#include "node/codec.h"
#include "node/errors.h"

static const uint8_t VOTE_DOMAIN[8] = "nmbftv1";
static const uint8_t PROPOSAL_DOMAIN[8] = "nmbftp1";
static const nm_hash ZERO_HASH;

/* Fixed-size encodings written straight into a caller's array. */
struct fixed_writer {
    uint8_t *p;
};

static void put(struct fixed_writer *w, const void *src, size_t n)
{
    memcpy(w->p, src, n);
    w->p += n;
}

static void put_le(struct fixed_writer *w, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        *w->p++ = (uint8_t)(v >> (8 * i));
}

/* What every signed message starts with: domain, chain, height, round. */
static void put_head(struct fixed_writer *w, const uint8_t domain[8], const nm_hash *genesis,
                     uint64_t height, uint32_t round)
{
    put(w, domain, 8);
    put(w, genesis->b, NM_HASH_LEN);
    put_le(w, height, 8);
    put_le(w, round, 4);
}

/* ... and what every wire message ends with: signer index, signature. */
static void put_tail(uint8_t *out, uint16_t authority, const uint8_t sig[NM_SIG_LEN])
{
    struct fixed_writer w = {out};
    put_le(&w, authority, 2);
    put(&w, sig, NM_SIG_LEN);
}

/* Reads the head; false if the domain is not the one expected. */
static bool get_head(struct nm_reader *r, const uint8_t domain[8], nm_hash *genesis,
                     uint64_t *height, uint32_t *round)
{
    uint8_t got[8];
    nm_get_raw(r, got, sizeof got);
    nm_get_raw(r, genesis->b, NM_HASH_LEN);
    *height = nm_get_u64(r);
    *round = nm_get_u32(r);
    return memcmp(got, domain, sizeof got) == 0;
}

/* Reads the tail and checks nothing is left: 0 or the reader's error. */
static int get_tail(struct nm_reader *r, uint16_t *authority, uint8_t sig[NM_SIG_LEN])
{
    *authority = nm_get_u16(r);
    nm_get_raw(r, sig, NM_SIG_LEN);
    return nm_reader_finish(r);
}

void nm_bft_vote_signed_bytes(const struct nm_bft_vote *v, uint8_t out[NM_BFT_VOTE_SIGNED_LEN])
{
    struct fixed_writer w = {out};
    put_head(&w, VOTE_DOMAIN, &v->genesis, v->height, v->round);
    put_le(&w, v->step, 1);
    put_le(&w, v->has_block ? 1 : 0, 1);
    put(&w, v->has_block ? v->block.b : ZERO_HASH.b, NM_HASH_LEN);
}

void nm_bft_vote_encode(const struct nm_bft_vote *v, uint8_t out[NM_BFT_VOTE_WIRE_LEN])
{
    nm_bft_vote_signed_bytes(v, out);
    put_tail(out + NM_BFT_VOTE_SIGNED_LEN, v->authority, v->sig);
}

int nm_bft_vote_decode(const uint8_t *in, size_t len, struct nm_bft_vote *v)
{
    struct nm_reader r;
    struct nm_bft_vote out = {0};
    nm_reader_init(&r, in, len);
    bool domain_ok = get_head(&r, VOTE_DOMAIN, &out.genesis, &out.height, &out.round);
    out.step = nm_get_u8(&r);
    uint8_t kind = nm_get_u8(&r);
    nm_get_raw(&r, out.block.b, NM_HASH_LEN);
    int err = get_tail(&r, &out.authority, out.sig);
    if (err)
        return err;
    if (!domain_ok || (out.step != NM_BFT_PREVOTE && out.step != NM_BFT_PRECOMMIT) || kind > 1 ||
        (kind == 0 && !nm_hash_eq(&out.block, &ZERO_HASH)))
        return NM_E_DECODE;
    out.has_block = kind == 1;
    *v = out;
    return 0;
}

void nm_bft_vote_sign(struct nm_bft_vote *v, const struct nm_keypair *kp)
{
    uint8_t msg[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(v, msg);
    nm_sign(kp, msg, sizeof msg, v->sig);
}

bool nm_bft_vote_same_target(const struct nm_bft_vote *a, const struct nm_bft_vote *b)
{
    return a->height == b->height && a->round == b->round && a->step == b->step &&
           a->has_block == b->has_block && (!a->has_block || nm_hash_eq(&a->block, &b->block));
}

static atomic_ulong signature_checks;

unsigned long nm_bft_message_signature_checks(void)
{
    return atomic_load(&signature_checks);
}

/* The checks votes and proposals share: chain, signer, signature. */
static int check_signed(const nm_hash *msg_genesis, uint16_t authority, const uint8_t *msg,
                        size_t len, const uint8_t sig[NM_SIG_LEN], const nm_hash *genesis,
                        const struct nm_bft_authorities *set)
{
    if (!nm_hash_eq(msg_genesis, genesis))
        return NM_E_BFT_WRONG_CHAIN;
    if (authority >= set->count)
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    atomic_fetch_add(&signature_checks, 1);
    if (!nm_verify(&set->list[authority].account, msg, len, sig))
        return NM_E_BAD_SIGNATURE;
    return 0;
}

int nm_bft_vote_check(const struct nm_bft_vote *v, const nm_hash *genesis,
                      const struct nm_bft_authorities *set)
{
    uint8_t msg[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(v, msg);
    return check_signed(&v->genesis, v->authority, msg, sizeof msg, v->sig, genesis, set);
}

void nm_bft_proposal_signed_bytes(const struct nm_bft_proposal *p,
                                  uint8_t out[NM_BFT_PROPOSAL_SIGNED_LEN])
{
    struct fixed_writer w = {out};
    put_head(&w, PROPOSAL_DOMAIN, &p->genesis, p->height, p->round);
    put_le(&w, (uint32_t)p->valid_round, 4);
    put(&w, p->block.b, NM_HASH_LEN);
}

void nm_bft_proposal_encode(const struct nm_bft_proposal *p, uint8_t out[NM_BFT_PROPOSAL_WIRE_LEN])
{
    nm_bft_proposal_signed_bytes(p, out);
    put_tail(out + NM_BFT_PROPOSAL_SIGNED_LEN, p->authority, p->sig);
}

int nm_bft_proposal_decode(const uint8_t *in, size_t len, struct nm_bft_proposal *p)
{
    struct nm_reader r;
    struct nm_bft_proposal out = {0};
    nm_reader_init(&r, in, len);
    bool domain_ok = get_head(&r, PROPOSAL_DOMAIN, &out.genesis, &out.height, &out.round);
    out.valid_round = (int32_t)nm_get_u32(&r);
    nm_get_raw(&r, out.block.b, NM_HASH_LEN);
    int err = get_tail(&r, &out.authority, out.sig);
    if (err)
        return err;
    /* a valid round is earlier than the proposal's own round */
    if (!domain_ok || out.valid_round < -1 ||
        (out.valid_round >= 0 && (uint32_t)out.valid_round >= out.round))
        return NM_E_DECODE;
    *p = out;
    return 0;
}

void nm_bft_proposal_sign(struct nm_bft_proposal *p, const struct nm_keypair *kp)
{
    uint8_t msg[NM_BFT_PROPOSAL_SIGNED_LEN];
    nm_bft_proposal_signed_bytes(p, msg);
    nm_sign(kp, msg, sizeof msg, p->sig);
}

int nm_bft_proposal_check(const struct nm_bft_proposal *p, const nm_hash *genesis,
                          const struct nm_bft_authorities *set)
{
    uint8_t msg[NM_BFT_PROPOSAL_SIGNED_LEN];
    nm_bft_proposal_signed_bytes(p, msg);
    int err = check_signed(&p->genesis, p->authority, msg, sizeof msg, p->sig, genesis, set);
    if (err)
        return err;
    if (nm_bft_authorities_proposer(set, p->height, p->round) != p->authority)
        return NM_E_BFT_NOT_PROPOSER;
    return 0;
}
