/* bft_node.c - the BFT engine on the node's loop: files, timers, proposed
 * blocks, consensus gossip (see bft_node.h). */
#include "service/bft_node.h"
#include "service/bft_node_internal.h"

#include "node/chain_bft.h"
#include "node/errors.h"
#include "node/p2p/conn.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void drain(struct nm_bft_node *b);
static void note_seen(struct nm_bft_node *b, uint16_t authority, uint64_t height);

/* A proposal with its block goes in one gossip RPC; a final block with its
 * certificate (up to 128 signatures) in one sync response. */
_Static_assert(NM_BFT_PROPOSAL_BLOCK_MAX + 64u * 1024u <= NM_P2P_GOSSIP_MAX,
               "a proposal must fit one gossip message");
_Static_assert(NM_BFT_PROPOSAL_BLOCK_MAX + 24u * 1024u <= NM_P2P_RESPONSE_MAX,
               "a final block must fit one sync response");

static uint64_t now_us(void)
{
    return uv_hrtime() / 1000;
}

/* ---- the store, timed: where a height's time goes (the final line) ---- */

static int timed_save(void *ctx, const struct nm_bft_sign_record *rec)
{
    struct nm_bft_node *b = ctx;
    uint64_t t = now_us();
    /* written, not flushed: our message waits for the flush, the loop
     * does not (bft_node_flush.c) */
    int err = nm_bft_guard_write(&b->guard, rec);
    b->tl_disk_us += now_us() - t;
    return err;
}

static int timed_log(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len, bool own)
{
    struct nm_bft_node *b = ctx;
    uint64_t t = now_us();
    int err = b->fs.store.log(b->fs.store.ctx, kind, bytes, len, own);
    b->tl_disk_us += now_us() - t;
    return err;
}

static int timed_new_height(void *ctx, uint64_t height)
{
    struct nm_bft_node *b = ctx;
    uint64_t t = now_us();
    int err = b->fs.store.new_height(b->fs.store.ctx, height);
    b->tl_disk_us += now_us() - t;
    return err;
}

/* The proposal at hand: this height's clock starts. */
static void timeline_start(struct nm_bft_node *b)
{
    if (b->proposal_ms)
        return;
    b->proposal_ms = nm_now_ms();
    b->tl_start_us = now_us();
    b->tl_valid_us = b->tl_prevote_us = b->tl_precommit_us = 0;
    b->tl_disk_us = 0;
}

static double since_start_ms(const struct nm_bft_node *b, uint64_t at_us)
{
    return at_us && at_us >= b->tl_start_us ? (double)(at_us - b->tl_start_us) / 1000.0 : -1.0;
}

/* ---- proposed blocks of the current height ---- */

static void cache_clear(struct nm_bft_node *b)
{
    for (size_t i = 0; i < b->n_cache; i++)
        free(b->cache[i].bytes);
    b->n_cache = 0;
}

static struct cached_block *cache_find(struct nm_bft_node *b, const nm_hash *h)
{
    for (size_t i = 0; i < b->n_cache; i++)
        if (nm_hash_eq(&b->cache[i].hash, h))
            return &b->cache[i];
    return NULL;
}

/* Takes bytes. The oldest block goes when the cache is full. */
static struct cached_block *cache_add(struct nm_bft_node *b, const nm_hash *h, uint8_t *bytes,
                                      size_t len, bool valid)
{
    if (b->n_cache == CACHE_MAX) {
        free(b->cache[0].bytes);
        memmove(b->cache, b->cache + 1, (CACHE_MAX - 1) * sizeof b->cache[0]);
        b->n_cache--;
    }
    struct cached_block *c = &b->cache[b->n_cache++];
    *c = (struct cached_block){.hash = *h, .bytes = bytes, .len = len, .valid = valid};
    return c;
}

/* rooted: bytes built here, whose extrinsics root was computed as they
 * were encoded (not hashed again); else the root is checked */
static int block_hash_of(const uint8_t *blk, size_t len, bool rooted, nm_hash *out,
                         uint64_t *height)
{
    struct nm_block bl;
    int err = rooted ? nm_block_decode_unrooted(blk, len, &bl) : nm_block_decode(blk, len, &bl);
    if (err)
        return err;
    err = nm_header_hash(&bl.header, out);
    *height = bl.header.height;
    nm_block_fini(&bl);
    return err;
}

/* ---- the engine's callbacks ---- */

static void prebuilt_free(struct nm_bft_node *b)
{
    free(b->prebuilt);
    b->prebuilt = NULL;
}

/* Issue 11 (speed): the next height's round-0 proposer builds its block as
 * soon as this height's is stored, during the pause before the next height
 * (the block time) rather than when it starts, so its proposal goes out
 * at the slot, not a build later; used if the chain has not moved since
 * (cb_get_value). */
static void prebuild(struct nm_bft_node *b)
{
    struct nm_chain *c = b->chain;
    uint64_t height = c->best.height + 1;
    prebuilt_free(b);
    if (!b->live || b->ecfg.self < 0 || b->set_version != c->bft_set_version ||
        nm_bft_authorities_proposer(b->ecfg.set, height, 0) != (uint32_t)b->ecfg.self)
        return;
    if (b->cfg.before_write)
        b->cfg.before_write(b->cfg.ud);
    if (nm_chain_bft_build(c, nm_now_ms(), &b->prebuilt, &b->prebuilt_len)) {
        b->prebuilt = NULL; /* built when the height starts, as before */
        return;
    }
    b->prebuilt_height = height;
    b->prebuilt_parent = c->best_hash;
}

void nm_bft_node_value(struct nm_bft_node *b, uint64_t height, nm_hash *out)
{
    memset(out, 0, sizeof *out);
    struct nm_chain *c = b->chain;
    if (c->best.height + 1 != height)
        return; /* the block below is not stored yet: nothing valid to propose */
    /* a later round of this height: a block already checked here (an
     * earlier round's proposal, cached as valid) is proposed again rather
     * than a new one built, so the others, who checked it too, need not
     * check another (issue 11, speed: under load a full block's check
     * could outlast the propose timeout, and every round added a build and
     * a check on every node) */
    for (size_t i = b->n_cache; i-- > 0;)
        if (b->cache[i].valid) {
            *out = b->cache[i].hash;
            b->proposed_again++;
            return;
        }
    uint8_t *blk = NULL;
    size_t len = 0;
    uint64_t h;
    int err = 0;
    if (b->prebuilt && b->prebuilt_height == height &&
        nm_hash_eq(&b->prebuilt_parent, &c->best_hash)) {
        blk = b->prebuilt; /* taken: its dry run's write set is kept as any build's */
        len = b->prebuilt_len;
        b->prebuilt = NULL;
        b->built_ahead = true;
    } else {
        prebuilt_free(b);
        if (b->cfg.before_write)
            b->cfg.before_write(b->cfg.ud);
        err = nm_chain_bft_build(c, nm_now_ms(), &blk, &len);
    }
    if (!err && (err = block_hash_of(blk, len, true, out, &h)))
        free(blk);
    if (err) {
        b_log(b, "error: bft: cannot build block %" PRIu64 ": %s", height, nm_strerror(err));
        memset(out, 0, sizeof *out);
        return;
    }
    timeline_start(b);
    cache_add(b, out, blk, len, true);
    b->tl_valid_us = now_us();
}

static void cb_get_value(void *ctx, uint64_t height, nm_hash *out)
{
    nm_bft_node_value(ctx, height, out);
}

static bool cb_valid(void *ctx, uint64_t height, const nm_hash *block)
{
    struct nm_bft_node *b = ctx;
    const struct cached_block *c = cache_find(b, block);
    return c && c->valid && b->chain->best.height + 1 == height;
}

/* ---- timers ---- */

static void on_timer(uv_timer_t *t)
{
    struct step_timer *st = (struct step_timer *)t;
    struct nm_bft_node *b = st->b;
    if (!b->live)
        return;
    if (st->step == NM_BFT_NEW_HEIGHT && b->chain->best.height + 1 != st->height) {
        uv_timer_start(t, on_timer, RETRY_MS, 0); /* the decided block is not stored yet */
        return;
    }
    if (st->step == NM_BFT_NEW_HEIGHT)
        b->height_started_ms = nm_now_ms();
    nm_bft_engine_timeout(&b->e, st->step, st->height, st->round);
    drain(b);
}

/* The round-0 proposer's block slot has begun (its signed proposal is
 * here) while this node still waits out its own pause after the last
 * decision: it starts the height now rather than when its own timer,
 * started at its own decision, fires. Only the pace changes (timeouts
 * never touch safety), and the proposer could set that pace anyway. */
static void slot_begun(struct nm_bft_node *b)
{
    uv_timer_stop(&b->timers[NM_BFT_NEW_HEIGHT].t);
    b->height_started_ms = nm_now_ms();
    b->slots_joined++;
    nm_bft_engine_timeout(&b->e, NM_BFT_NEW_HEIGHT, b->e.m.height, 0);
}

static void arm(struct nm_bft_node *b, const struct nm_bft_engine_output *o)
{
    if (o->step >= STEPS)
        return;
    struct step_timer *st = &b->timers[o->step];
    st->height = o->height;
    st->round = o->round;
    uv_timer_start(&st->t, on_timer, o->delay_ms, 0);
}

/* ---- outputs ---- */

/* Publishes kind | bytes | extra; an own proposal or vote (own_step
 * 0..2) is kept to be sent again (on_resend). */
static void publish_kind(struct nm_bft_node *b, uint8_t kind, const uint8_t *bytes, size_t len,
                         const uint8_t *extra, size_t extra_len, int own_step, uint64_t height,
                         uint32_t round)
{
    uint8_t *msg = malloc(1 + len + extra_len);
    if (!msg)
        return;
    msg[0] = kind;
    memcpy(msg + 1, bytes, len);
    if (extra_len)
        memcpy(msg + 1 + len, extra, extra_len);
    b->cfg.publish(b->cfg.ud, msg, 1 + len + extra_len);
    if (own_step < 0 || own_step > 2) {
        free(msg);
        return;
    }
    struct own_msg *o = &b->own[own_step];
    free(o->bytes);
    *o = (struct own_msg){height, round, msg, 1 + len + extra_len};
}

static void on_resend(uv_timer_t *t)
{
    struct nm_bft_node *b = t->data;
    const struct nm_bft_machine *m = &b->e.m;
    if (!b->live)
        return;
    bool stuck = m->height == b->seen_height && m->round == b->seen_round &&
                 m->step == b->seen_step && !m->waiting;
    b->seen_height = m->height;
    b->seen_round = m->round;
    b->seen_step = m->step;
    if (!stuck)
        return;
    for (int s = 0; s < 3; s++) {
        struct own_msg *o = &b->own[s];
        if (o->bytes && o->height == m->height && o->round == m->round) {
            b->cfg.publish(b->cfg.ud, o->bytes, o->len);
            b->resent++;
        }
    }
}

void nm_bft_node_broadcast(struct nm_bft_node *b, const struct nm_bft_engine_output *o)
{
    if (o->msg_kind == NM_BFT_WAL_VOTE) {
        struct nm_bft_vote v;
        if (!nm_bft_vote_decode(o->bytes, o->len, &v)) {
            note_seen(b, v.authority, v.height);
            uint64_t *at = v.step == NM_BFT_PREVOTE ? &b->tl_prevote_us : &b->tl_precommit_us;
            if (!*at)
                *at = now_us();
            publish_kind(b, NM_BFT_GOSSIP_VOTE, o->bytes, o->len, NULL, 0, v.step, v.height,
                         v.round);
        }
        return;
    }
    struct nm_bft_proposal p;
    if (nm_bft_proposal_decode(o->bytes, o->len, &p))
        return;
    const struct cached_block *c = cache_find(b, &p.block);
    if (!c) {
        b_log(b, "warning: bft: proposal for height %" PRIu64 " without its block", p.height);
        return;
    }
    publish_kind(b, NM_BFT_GOSSIP_PROPOSAL, o->bytes, o->len, c->bytes, c->len, NM_BFT_PROPOSE,
                 p.height, p.round);
}

static void decided(struct nm_bft_node *b, struct nm_bft_cert *cert)
{
    struct nm_chain *c = b->chain;
    const struct cached_block *blk = cache_find(b, &cert->block);
    char hex[NM_HASH_HEXLEN];
    if (cert->height != c->best.height + 1)
        return; /* already stored (from sync) */
    if (!blk) {
        b_log(b, "warning: bft: block %" PRIu64 " (%.18s…) final but not here: waiting for sync",
              cert->height, nm_hash_hex(&cert->block, hex));
        return;
    }
    if (b->cfg.before_write)
        b->cfg.before_write(b->cfg.ud);
    uint64_t decided_us = now_us();
    struct nm_block_outcome out = {0};
    uint64_t reused_before, reused, replayed;
    nm_chain_bft_exec_stats(c, &reused_before, &replayed);
    /* the cache holds only blocks built here or validated here, with
     * every signature checked: not again; nor the certificate's, each
     * checked as a precommit before the engine counted it */
    int err = nm_chain_bft_commit_decided(c, blk->bytes, blk->len, cert, blk->valid, &out);
    if (err) {
        b_log(b, "error: bft: final block %" PRIu64 " not stored: %s", cert->height,
              nm_strerror(err));
        return;
    }
    uint64_t now = nm_now_ms();
    nm_chain_bft_exec_stats(c, &reused, &replayed);
    b->decided++;
    b->decided_round_sum += cert->round;
    b->last_finality_ms = b->height_started_ms ? now - b->height_started_ms : 0;
    b->finality_ms_sum += b->last_finality_ms;
    /* the proposers of the rounds before the deciding one missed theirs */
    for (uint32_t r = 0; b->seen && r < cert->round && r < 64; r++)
        b->seen[nm_bft_authorities_proposer(b->ecfg.set, cert->height, r)].missed++;
    b_log(b, "block #%" PRIu64 " %.18s… final in round %" PRIu32 " (%u of %u signed), %zu "
          "extrinsics, %" PRIu64 " ms from proposal to final (ms from the proposal: checked "
          "%.1f, prevoted %.1f, precommitted %.1f, decided %.1f, stored %.1f; record and log "
          "%.1f; executed %s%s)",
          cert->height, nm_hash_hex(&cert->block, hex), cert->round,
          nm_bft_cert_signer_count(cert), cert->n_authorities, out.count,
          b->proposal_ms ? now - b->proposal_ms : 0, since_start_ms(b, b->tl_valid_us),
          since_start_ms(b, b->tl_prevote_us), since_start_ms(b, b->tl_precommit_us),
          since_start_ms(b, decided_us), since_start_ms(b, now_us()),
          (double)b->tl_disk_us / 1000.0, reused > reused_before ? "once" : "again",
          b->built_ahead ? "; proposal built ahead" : "");
    b->proposal_ms = 0;
    b->built_ahead = false;
    if (b->cfg.finalized)
        b->cfg.finalized(b->cfg.ud, &out);
    free(out.results);
    cache_clear(b);
    prebuild(b);
    nm_bft_node_evidence_tick(b);
}

static void feed_future(struct nm_bft_node *b);
static int engine_start(struct nm_bft_node *b);

static void keep_evidence(struct nm_bft_node *b, const uint8_t *bytes)
{
    for (size_t i = 0; i < b->n_evidence && i < 4; i++)
        if (!memcmp(b->evidence[i], bytes, NM_BFT_EVIDENCE_LEN))
            return;
    memcpy(b->evidence[b->n_evidence++ % 4], bytes, NM_BFT_EVIDENCE_LEN);
}

static void drain(struct nm_bft_node *b)
{
    struct nm_bft_engine_output o;
    uint64_t height = b->e.m.height;
    while (nm_bft_engine_poll(&b->e, &o)) {
        switch (o.kind) {
        case NM_BFT_ENGINE_BROADCAST:
            nm_bft_node_send_own(b, &o);
            break;
        case NM_BFT_ENGINE_TIMEOUT:
            arm(b, &o);
            break;
        case NM_BFT_ENGINE_DECIDE:
            decided(b, &o.cert);
            nm_bft_cert_fini(&o.cert);
            break;
        case NM_BFT_ENGINE_EVIDENCE:
            b->evidence_seen++;
            keep_evidence(b, o.bytes);
            b_log(b, "warning: bft: authority %u signed two conflicting votes at height %" PRIu64
                  ": evidence gossiped, to be reported on chain",
                  o.evidence.a.authority, o.evidence.a.height);
            publish_kind(b, NM_BFT_GOSSIP_EVIDENCE, o.bytes, o.len, NULL, 0, -1, 0, 0);
            nm_bft_node_evidence_seen(b, o.bytes);
            break;
        }
    }
    if (b->e.err) {
        b_log(b, "error: bft: %s: this node stops voting", nm_strerror(b->e.err));
        b->live = false;
    }
    if (b->live && b->chain->bft_set_version != b->set_version) {
        /* an offender lost its power: the next height runs with the new set */
        int err = engine_start(b);
        if (err)
            b_log(b, "error: bft: cannot restart with the new authority set: %s",
                  nm_strerror(err));
        return;
    }
    if (b->e.m.height != height)
        feed_future(b);
    const struct nm_bft_machine *m = &b->e.m;
    if (b->cfg.round_changed && !m->waiting &&
        (m->height != b->notified_height || m->round != b->notified_round)) {
        b->notified_height = m->height;
        b->notified_round = m->round;
        b->cfg.round_changed(b->cfg.ud);
    }
}

/* ---- input ---- */

static void note_seen(struct nm_bft_node *b, uint16_t authority, uint64_t height)
{
    if (!b->seen || authority >= b->ecfg.set->count)
        return;
    struct auth_seen *a = &b->seen[authority];
    if (height > a->last_height)
        a->last_height = height;
    a->last_seen_ms = nm_now_ms();
}

static void keep_future(struct nm_bft_node *b, uint64_t height, const uint8_t *msg, size_t len)
{
    if (b->n_future == FUTURE_MAX || height > b->e.m.height + 1)
        return; /* far ahead: sync will bring the blocks */
    uint8_t *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, msg, len);
    b->future[b->n_future++] = (struct future_msg){height, copy, len, b->set_version};
}

static int receive(struct nm_bft_node *b, const uint8_t *msg, size_t len, bool checked);

/* Issue 11 (speed): a kept message's signature was checked when it came;
 * it is not checked again unless the authority set changed meanwhile. */
static void feed_future(struct nm_bft_node *b)
{
    size_t n = b->n_future;
    struct future_msg list[FUTURE_MAX];
    memcpy(list, b->future, n * sizeof list[0]);
    b->n_future = 0;
    for (size_t i = 0; i < n; i++) {
        if (list[i].height >= b->e.m.height)
            receive(b, list[i].bytes, list[i].len, list[i].set_version == b->set_version);
        free(list[i].bytes);
    }
}

static int verdict(int err)
{
    if (err == 0)
        return 0;
    if (err == NM_BFT_REPEAT || err == NM_E_BFT_OLD_HEIGHT || err == NM_E_BFT_FUTURE_HEIGHT ||
        err == NM_E_BFT_FUTURE_ROUND || err == NM_E_NOMEM)
        return 1;
    return -1;
}

/* A message that fails the checks against this height's set: the sender
 * is at fault if it is for this height; a later height may have another
 * set (an offender removed), so it is only dropped. */
static int other_height_or_reject(const struct nm_bft_node *b, uint64_t height)
{
    return height == b->e.m.height ? -1 : 1;
}

/* checked: kept, its signature and block hash checked when it came */
static int receive_proposal(struct nm_bft_node *b, const uint8_t *msg, size_t len, bool checked)
{
    struct nm_bft_proposal p;
    if (len < 1 + NM_BFT_PROPOSAL_WIRE_LEN ||
        nm_bft_proposal_decode(msg + 1, NM_BFT_PROPOSAL_WIRE_LEN, &p))
        return -1;
    if (p.height < b->e.m.height || p.height <= b->chain->best.height)
        return 1; /* decided: and it may be another set's, which we no longer have */
    if (!checked && nm_bft_proposal_check(&p, &b->ecfg.genesis, b->ecfg.set))
        return other_height_or_reject(b, p.height);
    const uint8_t *blk = msg + 1 + NM_BFT_PROPOSAL_WIRE_LEN;
    size_t blk_len = len - 1 - NM_BFT_PROPOSAL_WIRE_LEN;
    nm_hash h = p.block;
    uint64_t height = p.height;
    if (!checked && (block_hash_of(blk, blk_len, false, &h, &height) ||
                     !nm_hash_eq(&h, &p.block) || height != p.height))
        return -1; /* the block is not the one signed */
    if (p.height > b->e.m.height || p.height != b->chain->best.height + 1) {
        keep_future(b, p.height, msg, len);
        return 0; /* signed by the round's proposer: forward it, use it later */
    }
    if (!cache_find(b, &h)) {
        timeline_start(b);
        uint8_t *copy = malloc(blk_len);
        if (!copy)
            return 1;
        memcpy(copy, blk, blk_len);
        if (b->cfg.before_write)
            b->cfg.before_write(b->cfg.ud);
        /* block_hash_of decoded these bytes (the root checked), or it was
         * kept already checked so */
        int err = nm_chain_bft_validate_decoded(b->chain, copy, blk_len);
        if (err) {
            char hex[NM_HASH_HEXLEN];
            b_log(b, "warning: bft: proposed block %" PRIu64 " %.18s… is invalid: %s", height,
                  nm_hash_hex(&h, hex), nm_strerror(err));
        }
        cache_add(b, &h, copy, blk_len, err == 0);
        b->tl_valid_us = now_us();
    }
    note_seen(b, p.authority, p.height);
    int err = nm_bft_engine_recv_proposal(&b->e, &p);
    if (!err && b->e.m.waiting && p.round == 0 && p.height == b->e.m.height)
        slot_begun(b);
    drain(b);
    return verdict(err);
}

static int receive_vote(struct nm_bft_node *b, const uint8_t *msg, size_t len, bool checked)
{
    struct nm_bft_vote v;
    if (nm_bft_vote_decode(msg + 1, len - 1, &v))
        return -1;
    if (v.height < b->e.m.height) {
        b->late_votes++; /* not checked: it may be another set's */
        /* per authority only when checked, for the height just decided */
        if (b->seen && v.height + 1 == b->e.m.height && v.authority < b->ecfg.set->count &&
            (checked || nm_bft_vote_check(&v, &b->ecfg.genesis, b->ecfg.set) == 0))
            b->seen[v.authority].late++;
        return 1;
    }
    if (!checked && nm_bft_vote_check(&v, &b->ecfg.genesis, b->ecfg.set))
        return other_height_or_reject(b, v.height);
    if (v.height > b->e.m.height) {
        keep_future(b, v.height, msg, len);
        return 0; /* checked: forward it, use it later */
    }
    if (v.height < b->e.m.height) {
        b->late_votes++;
        return 1;
    }
    note_seen(b, v.authority, v.height);
    int err = nm_bft_engine_recv_vote(&b->e, &v);
    drain(b);
    return verdict(err);
}

static int receive(struct nm_bft_node *b, const uint8_t *msg, size_t len, bool checked)
{
    if (!b->live || len < 2)
        return len < 2 ? -1 : 1;
    switch (msg[0]) {
    case NM_BFT_GOSSIP_PROPOSAL:
        return receive_proposal(b, msg, len, checked);
    case NM_BFT_GOSSIP_VOTE:
        return receive_vote(b, msg, len, checked);
    case NM_BFT_GOSSIP_EVIDENCE: {
        struct nm_bft_evidence ev;
        if (nm_bft_evidence_decode(msg + 1, len - 1, &ev))
            return -1;
        if (nm_bft_evidence_verify(&ev, &b->ecfg.genesis, b->ecfg.set))
            return 1; /* perhaps of a set since changed: dropped, no blame */
        b->evidence_seen++;
        keep_evidence(b, msg + 1);
        nm_bft_node_evidence_seen(b, msg + 1);
        return 0;
    }
    default:
        return -1;
    }
}

int nm_bft_node_receive(struct nm_bft_node *b, const uint8_t *msg, size_t len)
{
    return receive(b, msg, len, false);
}

/* ---- life cycle ---- */

static int replay_record(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len)
{
    struct nm_bft_node *b = ctx;
    if (kind != NM_BFT_WAL_VOTE)
        return 0; /* a proposal's block is gone with the crash: its round goes nil */
    nm_bft_engine_replay(&b->e, kind, bytes, len);
    struct nm_bft_vote v;
    /* our own votes go out again: peers may not have them */
    if (!nm_bft_vote_decode(bytes, len, &v) && (int32_t)v.authority == b->ecfg.self)
        publish_kind(b, NM_BFT_GOSSIP_VOTE, bytes, len, NULL, 0, v.step, v.height, v.round);
    return 0;
}

/* (Re)starts the engine at the height above the best block, from the
 * record and, for that height, the log. */
static int engine_start(struct nm_bft_node *b)
{
    if (b->live) {
        nm_bft_engine_fini(&b->e);
        b->live = false;
    }
    for (int s = 0; s < STEPS; s++)
        uv_timer_stop(&b->timers[s].t);
    cache_clear(b);
    b->proposal_ms = 0;
    b->built_ahead = false;
    if (b->set_version != b->chain->bft_set_version) {
        struct auth_seen *seen = calloc(b->chain->bft_set.count, sizeof *seen);
        if (!seen)
            return NM_E_NOMEM;
        free(b->seen);
        b->seen = seen;
        b->set_version = b->chain->bft_set_version;
        b->ecfg.self = b->chain->bft_self;
        b_log(b, "bft: the authority set changed: %u authorities, this node %s",
              b->chain->bft_set.count, b->ecfg.self >= 0 ? "votes" : "no longer votes");
    }
    if (b->ecfg.self < 0)
        return 0; /* not in the set (removed): it follows, and votes again once
                   * governance adds it back (nm_bft_node_chain_advanced) */
    uint64_t height = b->chain->best.height + 1;
    int err = nm_bft_engine_init(&b->e, &b->ecfg,
                                 &(struct nm_bft_callbacks){.ctx = b, .get_value = cb_get_value,
                                                            .valid = cb_valid},
                                 &b->chain->author, &b->timed_store, &b->guard.rec, height);
    if (err)
        return err;
    b->live = true;
    b->height_started_ms = nm_now_ms();
    if (b->wal.height == height)
        err = nm_bft_wal_replay(&b->wal, replay_record, b);
    else
        err = nm_bft_wal_start_height(&b->wal, height);
    drain(b);
    return err;
}

void nm_bft_node_chain_advanced(struct nm_bft_node *b)
{
    nm_bft_node_evidence_tick(b);
    if (!b->live && b->set_version != b->chain->bft_set_version) {
        int err = engine_start(b); /* a new set: this node may be in it again */
        if (err)
            b_log(b, "error: bft: cannot start with the new authority set: %s",
                  nm_strerror(err));
        return;
    }
    if (!b->live)
        return;
    if (b->e.m.height > b->chain->best.height) {
        feed_future(b); /* the block below arrived: a kept proposal can count now */
        return;
    }
    int err = engine_start(b);
    if (err)
        b_log(b, "error: bft: cannot restart at height %" PRIu64 ": %s",
              b->chain->best.height + 1, nm_strerror(err));
    else
        feed_future(b);
}

int nm_bft_node_new(const struct nm_bft_node_config *cfg, struct nm_bft_node **out, char *msg,
                    size_t cap)
{
    struct nm_bft_node *b = calloc(1, sizeof *b);
    if (!b)
        return NM_E_NOMEM;
    b->cfg = *cfg;
    b->chain = cfg->chain;
    char path[4200];
    snprintf(path, sizeof path, "%s.bft-sign", cfg->files);
    int err = nm_bft_guard_open(&b->guard, path);
    if (err) {
        snprintf(msg, cap, "cannot open the double-sign record %s: %s", path, nm_strerror(err));
        free(b);
        return err;
    }
    snprintf(path, sizeof path, "%s.bft-wal", cfg->files);
    if ((err = nm_bft_wal_open(&b->wal, path))) {
        snprintf(msg, cap, "cannot open the consensus log %s: %s", path, nm_strerror(err));
        nm_bft_guard_close(&b->guard);
        free(b);
        return err;
    }
    nm_bft_file_store_init(&b->fs, &b->guard, &b->wal);
    b->timed_store = (struct nm_bft_engine_store){b, timed_save, timed_log, timed_new_height};
    struct nm_chain *c = cfg->chain;
    nm_bft_config_defaults(&b->ecfg);
    b->ecfg.set = nm_chain_bft_authorities_at(c, c->best.height + 1);
    b->ecfg.genesis = c->genesis;
    b->ecfg.self = c->bft_self;
    b->set_version = c->bft_set_version;
    if (!(b->seen = calloc(b->ecfg.set->count, sizeof *b->seen))) {
        nm_bft_wal_close(&b->wal);
        nm_bft_guard_close(&b->guard);
        free(b);
        return NM_E_NOMEM;
    }
    /* rounds paced by the block time: a proposer has one block time (and
     * 200 ms) to be heard, votes half of it; each round waits longer */
    uint32_t bt = (uint32_t)c->rt.params.block_time_ms;
    b->ecfg.timeout_base_ms[NM_BFT_PROPOSE] = bt + 200;
    b->ecfg.timeout_delta_ms[NM_BFT_PROPOSE] = bt / 2;
    b->ecfg.timeout_base_ms[NM_BFT_PREVOTE] = bt / 2 + 100;
    b->ecfg.timeout_delta_ms[NM_BFT_PREVOTE] = bt / 4;
    b->ecfg.timeout_base_ms[NM_BFT_PRECOMMIT] = bt / 2 + 100;
    b->ecfg.timeout_delta_ms[NM_BFT_PRECOMMIT] = bt / 4;
    b->ecfg.timeout_base_ms[NM_BFT_NEW_HEIGHT] = bt;
    for (int s = 0; s < STEPS; s++) {
        uv_timer_init(cfg->loop, &b->timers[s].t);
        b->timers[s].b = b;
        b->timers[s].step = (uint8_t)s;
    }
    uv_timer_init(cfg->loop, &b->resend);
    b->resend.data = b;
    uint64_t every = bt > RESEND_MIN_MS ? bt : RESEND_MIN_MS;
    uv_timer_start(&b->resend, on_resend, every, every);
    if ((err = engine_start(b))) {
        snprintf(msg, cap, "cannot start BFT consensus: %s", nm_strerror(err));
        *out = b; /* the timers are the loop's: freed after it closes them */
        return err;
    }
    *out = b;
    return 0;
}

void nm_bft_node_stop(struct nm_bft_node *b)
{
    if (!b)
        return;
    for (int s = 0; s < STEPS; s++)
        uv_timer_stop(&b->timers[s].t);
    uv_timer_stop(&b->resend);
    b->stopping = true; /* a flush under way completes; what it held is dropped */
}

void nm_bft_node_free(struct nm_bft_node *b)
{
    if (!b)
        return;
    if (b->live)
        nm_bft_engine_fini(&b->e);
    cache_clear(b);
    for (size_t i = 0; i < b->n_future; i++)
        free(b->future[i].bytes);
    for (int s = 0; s < 3; s++)
        free(b->own[s].bytes);
    free(b->seen);
    nm_bft_node_held_free(b);
    prebuilt_free(b);
    nm_bft_wal_close(&b->wal);
    nm_bft_guard_close(&b->guard);
    free(b);
}
