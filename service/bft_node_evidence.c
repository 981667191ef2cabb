/* bft_node_evidence.c - the node reports the equivocation it sees (issue
 * 11): evidence from its own engine or from gossip is put on chain as an
 * authorities.report signed by the node's authority key, once, and only
 * while the offender still has power. Authorities take turns by index: the
 * one of index i reports i blocks after the evidence arrived, so usually
 * the first report lands before the next would be sent and the others see
 * the offender gone and send nothing. A second report that lands anyway is
 * refused on chain (BFT_ALREADY_OUT) and costs its sender one fee. */
#include "service/bft_node_internal.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/pallet.h"
#include "node/runtime.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* The nonce of our next transaction: the account's, past ours in the pool. */
static int next_nonce(struct nm_chain *c, uint64_t *out)
{
    struct nm_account_info acct;
    int err = nm_pallet_accounts.get(c->db, &c->author.pub, &acct);
    if (err)
        return err;
    *out = acct.nonce;
    for (size_t i = 0; i < c->pool.count; i++) {
        const struct nm_pool_tx *tx = &c->pool.txs[i];
        if (nm_account_eq(&tx->signer, &c->author.pub) && tx->nonce >= *out)
            *out = tx->nonce + 1;
    }
    return 0;
}

/* authorities.report(bytes) into the pool (gossip takes it from there). */
static int submit_report(struct nm_bft_node *b, const uint8_t *bytes, nm_hash *hash)
{
    struct nm_chain *c = b->chain;
    struct nm_call call = {.kind = NM_CALL_BFT_REPORT};
    memcpy(call.u.bft_report.evidence, bytes, NM_BFT_EVIDENCE_LEN);
    uint64_t nonce;
    uint8_t *ext = NULL;
    size_t len = 0;
    int err = next_nonce(c, &nonce);
    if (!err)
        err = nm_extrinsic_build(&c->author, &c->genesis, nonce, &call, &ext, &len);
    if (!err)
        err = nm_chain_submit(c, ext, len, hash);
    free(ext);
    return err;
}

void nm_bft_node_evidence_seen(struct nm_bft_node *b, const uint8_t *bytes)
{
    for (size_t i = 0; i < b->n_reports; i++)
        if (!memcmp(b->reports[i].bytes, bytes, NM_BFT_EVIDENCE_LEN))
            return; /* seen before: scheduled or handled */
    if (b->n_reports == REPORTS_MAX) {
        memmove(b->reports, b->reports + 1, (REPORTS_MAX - 1) * sizeof b->reports[0]);
        b->n_reports--;
    }
    struct bft_report *r = &b->reports[b->n_reports++];
    memcpy(r->bytes, bytes, NM_BFT_EVIDENCE_LEN);
    r->due = b->chain->best.height + (b->chain->bft_self > 0 ? (uint64_t)b->chain->bft_self : 0);
    r->done = false;
    nm_bft_node_evidence_tick(b);
}

void nm_bft_node_evidence_tick(struct nm_bft_node *b)
{
    struct nm_chain *c = b->chain;
    for (size_t i = 0; i < b->n_reports; i++) {
        struct bft_report *r = &b->reports[i];
        struct nm_bft_evidence ev;
        if (r->done || r->due > c->best.height)
            continue;
        r->done = true;
        /* against the chain's set now: gone if reported (or the set changed) */
        if (nm_bft_evidence_decode(r->bytes, NM_BFT_EVIDENCE_LEN, &ev) ||
            nm_bft_evidence_verify(&ev, &c->genesis, &c->bft_set))
            continue;
        if (c->bft_self >= 0 && ev.a.authority == (uint16_t)c->bft_self)
            continue; /* our own key signed twice: someone else will say so */
        nm_hash hash;
        char hex[NM_HASH_HEXLEN];
        int err = submit_report(b, r->bytes, &hash);
        if (err) {
            b_log(b, "warning: bft: cannot report the equivocation of authority %u on chain: %s",
                  ev.a.authority, nm_strerror(err));
            continue;
        }
        b->reports_sent++;
        b_log(b, "bft: reported the equivocation of authority %u at height %" PRIu64
              " on chain (authorities.report %.18s…)",
              ev.a.authority, ev.a.height, nm_hash_hex(&hash, hex));
    }
}
