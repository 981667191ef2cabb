/* engine.c - the BFT engine: machine, double-sign record, signing and the
 * write-ahead log around it (see engine.h). */
#include "node/bft/engine.h"

#include <string.h>

#include "node/errors.h"

static int file_save_record(void *ctx, const struct nm_bft_sign_record *rec)
{
    struct nm_bft_file_store *fs = ctx;
    return nm_bft_guard_save(fs->guard, rec);
}

static int file_log(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len, bool own)
{
    struct nm_bft_file_store *fs = ctx;
    (void)own; /* the record is the durable part (wal.h): no second fsync per vote */
    return nm_bft_wal_append(fs->wal, kind, bytes, len, false);
}

static int file_new_height(void *ctx, uint64_t height)
{
    struct nm_bft_file_store *fs = ctx;
    return nm_bft_wal_start_height(fs->wal, height);
}

void nm_bft_file_store_init(struct nm_bft_file_store *fs, struct nm_bft_guard *guard,
                            struct nm_bft_wal *wal)
{
    fs->guard = guard;
    fs->wal = wal;
    fs->store = (struct nm_bft_engine_store){fs, file_save_record, file_log, file_new_height};
}

static void note_err(struct nm_bft_engine *e, int err)
{
    if (err && !e->err)
        e->err = err;
}

static struct nm_bft_engine_output *push(struct nm_bft_engine *e,
                                         enum nm_bft_engine_out_kind kind)
{
    struct nm_bft_engine_output *o = nm_bft_queue_push(&e->out);
    if (!o)
        note_err(e, NM_E_NOMEM);
    else
        o->kind = kind;
    return o;
}

/* Own proposal or vote: the record first (durably), then the signature,
 * the log, the broadcast, and the machine hears itself. */
static void sign_own(struct nm_bft_engine *e, const struct nm_bft_output *o)
{
    if (!e->key)
        return;
    bool proposal = o->kind == NM_BFT_OUT_PROPOSAL;
    struct nm_bft_proposal p = o->proposal;
    struct nm_bft_vote v = o->vote;
    uint8_t bytes[NM_BFT_PROPOSAL_SIGNED_LEN];
    size_t len = proposal ? NM_BFT_PROPOSAL_SIGNED_LEN : NM_BFT_VOTE_SIGNED_LEN;
    if (proposal)
        nm_bft_proposal_signed_bytes(&p, bytes);
    else
        nm_bft_vote_signed_bytes(&v, bytes);
    uint64_t height = proposal ? p.height : v.height;
    uint32_t round = proposal ? p.round : v.round;
    uint8_t step = proposal ? NM_BFT_PROPOSE : v.step;
    nm_hash h;
    nm_hash_bytes(bytes, len, &h);
    if (nm_bft_sign_record_permits(&e->rec, height, round, step, &h) != 0) {
        e->refused++;
        return;
    }
    struct nm_bft_sign_record next = e->rec;
    bool lock = !proposal && v.step == NM_BFT_PRECOMMIT && v.has_block;
    nm_bft_sign_record_note(&next, height, round, step, &h, lock ? &v.block : NULL);
    int err = e->store.save_record(e->store.ctx, &next);
    if (err) {
        note_err(e, err); /* not saved: not signed */
        return;
    }
    e->rec = next;
    struct nm_bft_engine_output *out = push(e, NM_BFT_ENGINE_BROADCAST);
    if (!out)
        return;
    if (proposal) {
        nm_bft_proposal_sign(&p, e->key);
        nm_bft_proposal_encode(&p, out->bytes);
        out->len = NM_BFT_PROPOSAL_WIRE_LEN;
        out->msg_kind = NM_BFT_WAL_PROPOSAL;
    } else {
        nm_bft_vote_sign(&v, e->key);
        nm_bft_vote_encode(&v, out->bytes);
        out->len = NM_BFT_VOTE_WIRE_LEN;
        out->msg_kind = NM_BFT_WAL_VOTE;
    }
    note_err(e, e->store.log(e->store.ctx, out->msg_kind, out->bytes, out->len, true));
    if (proposal)
        nm_bft_on_proposal(&e->m, &p);
    else
        nm_bft_on_vote(&e->m, &v);
}

/* Turns everything the machine asked for into engine outputs. */
static int pump(struct nm_bft_engine *e, int result)
{
    struct nm_bft_output o;
    struct nm_bft_engine_output *out;
    while (nm_bft_poll(&e->m, &o)) {
        switch (o.kind) {
        case NM_BFT_OUT_PROPOSAL:
        case NM_BFT_OUT_VOTE:
            sign_own(e, &o);
            break;
        case NM_BFT_OUT_TIMEOUT:
            if ((out = push(e, NM_BFT_ENGINE_TIMEOUT))) {
                out->step = o.timeout.step;
                out->height = o.timeout.height;
                out->round = o.timeout.round;
                out->delay_ms = o.timeout.delay_ms;
            }
            break;
        case NM_BFT_OUT_DECIDE:
            if ((out = push(e, NM_BFT_ENGINE_DECIDE))) {
                out->height = o.cert.height;
                out->cert = o.cert; /* moved */
            } else {
                nm_bft_cert_fini(&o.cert);
            }
            note_err(e, e->store.new_height(e->store.ctx, o.cert.height + 1));
            break;
        case NM_BFT_OUT_EVIDENCE:
            if ((out = push(e, NM_BFT_ENGINE_EVIDENCE))) {
                out->evidence = o.evidence;
                nm_bft_evidence_encode(&o.evidence, out->bytes);
                out->len = NM_BFT_EVIDENCE_LEN;
            }
            break;
        }
    }
    return result ? result : e->err;
}

int nm_bft_engine_init(struct nm_bft_engine *e, const struct nm_bft_config *cfg,
                       const struct nm_bft_callbacks *cb, const struct nm_keypair *key,
                       const struct nm_bft_engine_store *store,
                       const struct nm_bft_sign_record *rec, uint64_t height)
{
    memset(e, 0, sizeof *e);
    if ((key == NULL) != (cfg->self < 0) ||
        (key && (cfg->self >= (int32_t)cfg->set->count ||
                 !nm_account_eq(&cfg->set->list[cfg->self].account, &key->pub))))
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    e->key = key;
    e->store = *store;
    e->out.size = sizeof(struct nm_bft_engine_output);
    e->rec.lock_round = -1;
    if (rec && rec->any)
        e->rec = *rec;
    int err = nm_bft_machine_init(&e->m, cfg, cb, height, rec && rec->any ? rec : NULL);
    return pump(e, err);
}

void nm_bft_engine_fini(struct nm_bft_engine *e)
{
    for (uint32_t i = 0; i < nm_bft_queue_count(&e->out); i++) {
        struct nm_bft_engine_output *o = nm_bft_queue_at(&e->out, i);
        if (o->kind == NM_BFT_ENGINE_DECIDE)
            nm_bft_cert_fini(&o->cert);
    }
    nm_bft_queue_fini(&e->out);
    nm_bft_machine_fini(&e->m);
    memset(e, 0, sizeof *e);
}

/* Decodes and checks a message; then gives it to the machine. */
static int recv_bytes(struct nm_bft_engine *e, uint8_t msg_kind, const uint8_t *bytes, size_t len,
                      bool log)
{
    const struct nm_bft_config *cfg = &e->m.cfg;
    int err;
    if (msg_kind == NM_BFT_WAL_VOTE) {
        struct nm_bft_vote v;
        if ((err = nm_bft_vote_decode(bytes, len, &v)) ||
            (err = nm_bft_vote_check(&v, &cfg->genesis, cfg->set)))
            return err;
        err = nm_bft_on_vote(&e->m, &v);
    } else if (msg_kind == NM_BFT_WAL_PROPOSAL) {
        struct nm_bft_proposal p;
        if ((err = nm_bft_proposal_decode(bytes, len, &p)) ||
            (err = nm_bft_proposal_check(&p, &cfg->genesis, cfg->set)))
            return err;
        err = nm_bft_on_proposal(&e->m, &p);
    } else {
        return NM_E_DECODE;
    }
    if (!err && log)
        note_err(e, e->store.log(e->store.ctx, msg_kind, bytes, len, false));
    return pump(e, err);
}

int nm_bft_engine_recv(struct nm_bft_engine *e, uint8_t msg_kind, const uint8_t *bytes,
                       size_t len)
{
    return recv_bytes(e, msg_kind, bytes, len, true);
}

int nm_bft_engine_replay(struct nm_bft_engine *e, uint8_t msg_kind, const uint8_t *bytes,
                         size_t len)
{
    return recv_bytes(e, msg_kind, bytes, len, false);
}

int nm_bft_engine_recv_vote(struct nm_bft_engine *e, const struct nm_bft_vote *v)
{
    int err = nm_bft_on_vote(&e->m, v);
    if (!err) {
        uint8_t wire[NM_BFT_VOTE_WIRE_LEN];
        nm_bft_vote_encode(v, wire);
        note_err(e, e->store.log(e->store.ctx, NM_BFT_WAL_VOTE, wire, sizeof wire, false));
    }
    return pump(e, err);
}

int nm_bft_engine_recv_proposal(struct nm_bft_engine *e, const struct nm_bft_proposal *p)
{
    int err = nm_bft_on_proposal(&e->m, p);
    if (!err) {
        uint8_t wire[NM_BFT_PROPOSAL_WIRE_LEN];
        nm_bft_proposal_encode(p, wire);
        note_err(e, e->store.log(e->store.ctx, NM_BFT_WAL_PROPOSAL, wire, sizeof wire, false));
    }
    return pump(e, err);
}

int nm_bft_engine_timeout(struct nm_bft_engine *e, uint8_t step, uint64_t height, uint32_t round)
{
    return pump(e, nm_bft_on_timeout(&e->m, step, height, round));
}

int nm_bft_engine_commit(struct nm_bft_engine *e, const struct nm_bft_cert *c)
{
    return pump(e, nm_bft_on_commit(&e->m, c));
}

bool nm_bft_engine_poll(struct nm_bft_engine *e, struct nm_bft_engine_output *out)
{
    return nm_bft_queue_take(&e->out, out);
}
