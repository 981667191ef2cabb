/* cert.c - commit certificates: build, encode, decode, verify (cert.h). */
#include "node/bft/cert.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "node/codec.h"
#include "node/errors.h"

static bool has_signer(const struct nm_bft_cert *c, uint32_t i)
{
    return (c->signers[i / 8] >> (i % 8)) & 1;
}

int nm_bft_cert_init(struct nm_bft_cert *c, uint64_t height, uint32_t round, const nm_hash *block,
                     uint32_t n_authorities)
{
    memset(c, 0, sizeof *c);
    if (n_authorities == 0 || n_authorities > NM_BFT_MAX_AUTHORITIES)
        return NM_E_BFT_AUTHORITIES;
    c->sigs = calloc(n_authorities, NM_SIG_LEN);
    if (!c->sigs)
        return NM_E_NOMEM;
    c->height = height;
    c->round = round;
    c->block = *block;
    c->n_authorities = n_authorities;
    return 0;
}

void nm_bft_cert_fini(struct nm_bft_cert *c)
{
    free(c->sigs);
    memset(c, 0, sizeof *c);
}

int nm_bft_cert_copy(struct nm_bft_cert *dst, const struct nm_bft_cert *src)
{
    int err = nm_bft_cert_init(dst, src->height, src->round, &src->block, src->n_authorities);
    if (err)
        return err;
    memcpy(dst->signers, src->signers, sizeof dst->signers);
    memcpy(dst->sigs, src->sigs, (size_t)src->n_authorities * NM_SIG_LEN);
    return 0;
}

int nm_bft_cert_add(struct nm_bft_cert *c, const struct nm_bft_vote *v)
{
    if (v->step != NM_BFT_PRECOMMIT || !v->has_block || v->height != c->height ||
        v->round != c->round || !nm_hash_eq(&v->block, &c->block))
        return NM_E_BFT_WRONG_ROUND;
    if (v->authority >= c->n_authorities)
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    c->signers[v->authority / 8] |= (uint8_t)(1u << (v->authority % 8));
    memcpy(c->sigs[v->authority], v->sig, NM_SIG_LEN);
    return 0;
}

uint32_t nm_bft_cert_signer_count(const struct nm_bft_cert *c)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < c->n_authorities; i++)
        n += has_signer(c, i);
    return n;
}

int nm_bft_cert_encode(const struct nm_bft_cert *c, uint8_t **out, size_t *len)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_u64(&w, c->height);
    nm_put_u32(&w, c->round);
    nm_put_raw(&w, c->block.b, NM_HASH_LEN);
    nm_put_u16(&w, (uint16_t)c->n_authorities);
    nm_put_raw(&w, c->signers, (c->n_authorities + 7) / 8);
    for (uint32_t i = 0; i < c->n_authorities; i++)
        if (has_signer(c, i))
            nm_put_raw(&w, c->sigs[i], NM_SIG_LEN);
    if (w.err) {
        int err = w.err;
        nm_writer_fini(&w);
        return err;
    }
    *out = nm_writer_take(&w, len);
    return 0;
}

int nm_bft_cert_decode(const uint8_t *in, size_t len, struct nm_bft_cert *c)
{
    struct nm_reader r;
    nm_reader_init(&r, in, len);
    uint64_t height = nm_get_u64(&r);
    uint32_t round = nm_get_u32(&r);
    nm_hash block;
    nm_get_raw(&r, block.b, NM_HASH_LEN);
    uint16_t n = nm_get_u16(&r);
    if (r.err || n == 0 || n > NM_BFT_MAX_AUTHORITIES)
        return NM_E_DECODE;
    struct nm_bft_cert out;
    int err = nm_bft_cert_init(&out, height, round, &block, n);
    if (err)
        return err;
    size_t map_len = (n + 7u) / 8;
    nm_get_raw(&r, out.signers, map_len);
    /* unused bits of the last byte must be zero: one certificate, one encoding */
    if (r.err || (n % 8 && (out.signers[map_len - 1] >> (n % 8)))) {
        err = NM_E_DECODE;
        goto fail;
    }
    for (uint32_t i = 0; i < n; i++)
        if (has_signer(&out, i))
            nm_get_raw(&r, out.sigs[i], NM_SIG_LEN);
    err = nm_reader_finish(&r);
    if (err)
        goto fail;
    *c = out;
    return 0;
fail:
    nm_bft_cert_fini(&out);
    return err;
}

static atomic_ulong signature_checks;

unsigned long nm_bft_cert_signature_checks(void)
{
    return atomic_load(&signature_checks);
}

int nm_bft_cert_check_power(const struct nm_bft_cert *c, const struct nm_bft_authorities *set)
{
    if (c->n_authorities != set->count)
        return NM_E_BFT_AUTHORITIES;
    uint64_t power = 0;
    for (uint32_t i = 0; i < set->count; i++)
        if (has_signer(c, i))
            power += set->list[i].power; /* total capped: cannot overflow */
    return nm_bft_authorities_quorum(set, power) ? 0 : NM_E_BFT_NO_QUORUM;
}

int nm_bft_cert_verify(const struct nm_bft_cert *c, const nm_hash *genesis,
                       const struct nm_bft_authorities *set)
{
    /* cheap part first: a certificate without quorum costs no crypto */
    int err = nm_bft_cert_check_power(c, set);
    if (err)
        return err;
    struct nm_bft_vote v = {.genesis = *genesis,
                            .height = c->height,
                            .round = c->round,
                            .step = NM_BFT_PRECOMMIT,
                            .has_block = true,
                            .block = c->block};
    uint8_t msg[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(&v, msg);
    for (uint32_t i = 0; i < set->count; i++) {
        if (!has_signer(c, i))
            continue;
        atomic_fetch_add(&signature_checks, 1);
        if (crypto_sign_ed25519_verify_detached(c->sigs[i], msg, sizeof msg,
                                                set->list[i].account.b) != 0)
            return NM_E_BAD_SIGNATURE;
    }
    return 0;
}
