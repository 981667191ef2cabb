/* extrinsic.c - signed transaction encoding and checks (see extrinsic.h). */
#include "node/extrinsic.h"

#include "node/codec.h"
#include "node/errors.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static int signing_payload(const nm_hash *genesis, uint64_t nonce, const uint8_t *call,
                           size_t call_len, struct nm_writer *w)
{
    nm_put_raw(w, genesis->b, NM_HASH_LEN);
    nm_put_u64(w, nonce);
    nm_put_raw(w, call, call_len);
    return w->err;
}

int nm_extrinsic_build_bytes(const struct nm_keypair *kp, const nm_hash *genesis, uint64_t nonce,
                             const uint8_t *call, size_t call_len, uint8_t **out,
                             size_t *out_len)
{
    struct nm_writer pw, xw;
    nm_writer_init(&pw);
    nm_writer_init(&xw);
    int err;
    if ((err = signing_payload(genesis, nonce, call, call_len, &pw)))
        goto out;
    uint8_t sig[NM_SIG_LEN];
    nm_sign(kp, pw.data, pw.len, sig);
    nm_put_u8(&xw, NM_EXTRINSIC_VERSION);
    nm_put_raw(&xw, genesis->b, 4);
    nm_put_raw(&xw, kp->pub.b, NM_PUBKEY_LEN);
    nm_put_u64(&xw, nonce);
    nm_put_bytes(&xw, call, call_len);
    nm_put_raw(&xw, sig, NM_SIG_LEN);
    if ((err = xw.err))
        goto out;
    *out = nm_writer_take(&xw, out_len);
out:
    nm_writer_fini(&pw);
    nm_writer_fini(&xw);
    return err;
}

int nm_extrinsic_build(const struct nm_keypair *kp, const nm_hash *genesis, uint64_t nonce,
                       const struct nm_call *call, uint8_t **out, size_t *out_len)
{
    struct nm_writer cw;
    nm_writer_init(&cw);
    nm_call_encode(call, &cw);
    int err = cw.err ? cw.err
                     : nm_extrinsic_build_bytes(kp, genesis, nonce, cw.data, cw.len, out, out_len);
    nm_writer_fini(&cw);
    return err;
}

int nm_extrinsic_decode(const uint8_t *data, size_t len, struct nm_extrinsic *x)
{
    if (len > NM_EXTRINSIC_MAX)
        return NM_E_TOO_BIG;
    struct nm_reader r;
    nm_reader_init(&r, data, len);
    uint8_t version = nm_get_u8(&r);
    if (!r.err && version != NM_EXTRINSIC_VERSION)
        return NM_E_DECODE;
    nm_get_raw(&r, x->chain_tag, 4);
    nm_get_raw(&r, x->signer.b, NM_PUBKEY_LEN);
    x->nonce = nm_get_u64(&r);
    x->call = nm_get_bytes(&r, NM_EXTRINSIC_MAX, &x->call_len);
    nm_get_raw(&r, x->signature, NM_SIG_LEN);
    return nm_reader_finish(&r);
}

/* Signature checks ever made (tests count them: an extrinsic verified at
 * admission is never verified again when its block is produced). */
static atomic_ulong verifications;
static _Thread_local unsigned long verifications_here;

unsigned long nm_extrinsic_verifications_here(void)
{
    return verifications_here;
}

unsigned long nm_extrinsic_verifications(void)
{
    return atomic_load(&verifications);
}

int nm_extrinsic_verify(const struct nm_extrinsic *x, const nm_hash *genesis)
{
    atomic_fetch_add(&verifications, 1);
    verifications_here++;
    if (memcmp(x->chain_tag, genesis->b, 4) != 0)
        return NM_E_WRONG_CHAIN;
    struct nm_writer pw;
    nm_writer_init(&pw);
    int err = signing_payload(genesis, x->nonce, x->call, x->call_len, &pw);
    if (!err && !nm_verify(&x->signer, pw.data, pw.len, x->signature))
        err = NM_E_BAD_SIGNATURE;
    nm_writer_fini(&pw);
    return err;
}

int nm_extrinsic_check_bytes(const uint8_t *data, size_t len, const nm_hash *genesis)
{
    struct nm_extrinsic x;
    int err = nm_extrinsic_decode(data, len, &x);
    return err ? err : nm_extrinsic_verify(&x, genesis);
}

void nm_extrinsic_hash(const uint8_t *data, size_t len, nm_hash *out)
{
    nm_hash_bytes(data, len, out);
}

int nm_extrinsic_call_new(const uint8_t *data, size_t len, struct nm_call **out)
{
    struct nm_extrinsic x;
    int err = nm_extrinsic_decode(data, len, &x);
    if (err)
        return err;
    struct nm_call *call = malloc(sizeof *call);
    if (!call)
        return NM_E_NOMEM;
    if ((err = nm_call_decode(x.call, x.call_len, call))) {
        free(call);
        return err;
    }
    *out = call;
    return 0;
}
