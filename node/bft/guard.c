/* guard.c - the double-sign record and its durable file (see guard.h). */
#include "node/bft/guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/bft/durable.h"
#include "node/codec.h"
#include "node/errors.h"

static const uint8_t RECORD_MAGIC[8] = "NMBFTSG1";
/* magic, any, height, round, step, signed hash, lock round, lock value,
 * then a BLAKE2b-256 checksum */
#define RECORD_BODY_LEN (8 + 1 + 8 + 4 + 1 + NM_HASH_LEN + 4 + NM_HASH_LEN)
#define RECORD_LEN (RECORD_BODY_LEN + NM_HASH_LEN)
#define SLOTS 2 /* the file: slot 0, then (from the second record on) slot 1 */

int nm_bft_sign_record_permits(const struct nm_bft_sign_record *rec, uint64_t height,
                               uint32_t round, uint8_t step, const nm_hash *signed_hash)
{
    if (!rec->any || height > rec->height)
        return 0;
    if (height == rec->height) {
        if (round > rec->round || (round == rec->round && step > rec->step))
            return 0;
        /* the very same message again (a resend) is no conflict */
        if (round == rec->round && step == rec->step && nm_hash_eq(signed_hash, &rec->signed_hash))
            return 0;
    }
    return NM_E_BFT_DOUBLE_SIGN;
}

void nm_bft_sign_record_note(struct nm_bft_sign_record *rec, uint64_t height, uint32_t round,
                             uint8_t step, const nm_hash *signed_hash, const nm_hash *lock)
{
    if (!rec->any || height != rec->height)
        rec->lock_round = -1;
    if (lock) {
        rec->lock_round = (int32_t)round;
        rec->lock_value = *lock;
    }
    rec->any = true;
    rec->height = height;
    rec->round = round;
    rec->step = step;
    rec->signed_hash = *signed_hash;
}

static void record_encode(const struct nm_bft_sign_record *rec, struct nm_writer *w)
{
    nm_put_raw(w, RECORD_MAGIC, sizeof RECORD_MAGIC);
    nm_put_u8(w, rec->any);
    nm_put_u64(w, rec->height);
    nm_put_u32(w, rec->round);
    nm_put_u8(w, rec->step);
    nm_put_raw(w, rec->signed_hash.b, NM_HASH_LEN);
    nm_put_u32(w, (uint32_t)rec->lock_round);
    nm_put_raw(w, rec->lock_value.b, NM_HASH_LEN);
    if (!w->err) {
        nm_hash sum;
        nm_hash_bytes(w->data, w->len, &sum);
        nm_put_raw(w, sum.b, NM_HASH_LEN);
    }
}

static int record_decode(const uint8_t *buf, size_t len, struct nm_bft_sign_record *rec)
{
    if (len != RECORD_LEN)
        return NM_E_BFT_RECORD_DAMAGED;
    nm_hash sum;
    nm_hash_bytes(buf, RECORD_BODY_LEN, &sum);
    if (memcmp(buf, RECORD_MAGIC, sizeof RECORD_MAGIC) != 0 ||
        memcmp(sum.b, buf + RECORD_BODY_LEN, NM_HASH_LEN) != 0)
        return NM_E_BFT_RECORD_DAMAGED;
    struct nm_reader r;
    nm_reader_init(&r, buf + sizeof RECORD_MAGIC, RECORD_BODY_LEN - sizeof RECORD_MAGIC);
    rec->any = nm_get_u8(&r) != 0;
    rec->height = nm_get_u64(&r);
    rec->round = nm_get_u32(&r);
    rec->step = nm_get_u8(&r);
    nm_get_raw(&r, rec->signed_hash.b, NM_HASH_LEN);
    rec->lock_round = (int32_t)nm_get_u32(&r);
    nm_get_raw(&r, rec->lock_value.b, NM_HASH_LEN);
    return nm_reader_finish(&r) ? NM_E_BFT_RECORD_DAMAGED : 0;
}

/* Whether a was signed after b: records only move forward (the rule). */
static bool record_later(const struct nm_bft_sign_record *a, const struct nm_bft_sign_record *b)
{
    if (a->height != b->height)
        return a->height > b->height;
    if (a->round != b->round)
        return a->round > b->round;
    return a->step > b->step;
}

/* The later of the intact slots in buf (n bytes read); a slot cut short
 * or failing its checksum is one a crash tore while it was written. */
static int slots_decode(const uint8_t *buf, size_t n, struct nm_bft_sign_record *rec, int *slot)
{
    if (n < RECORD_LEN || n > SLOTS * RECORD_LEN)
        return NM_E_BFT_RECORD_DAMAGED;
    struct nm_bft_sign_record r[SLOTS];
    *slot = -1;
    for (int i = 0; i < SLOTS && (size_t)(i + 1) * RECORD_LEN <= n; i++) {
        if (record_decode(buf + (size_t)i * RECORD_LEN, RECORD_LEN, &r[i]))
            continue;
        if (*slot < 0 || record_later(&r[i], &r[*slot]))
            *slot = i;
    }
    if (*slot < 0)
        return NM_E_BFT_RECORD_DAMAGED;
    *rec = r[*slot];
    return 0;
}

int nm_bft_guard_open(struct nm_bft_guard *g, const char *path)
{
    memset(g, 0, sizeof *g);
    g->rec.lock_round = -1;
    g->fd = g->slot = -1;
    g->path = strdup(path);
    if (!g->path)
        return NM_E_NOMEM;
    int err = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 0; /* never signed anything */
        err = NM_E_IO;
        goto fail;
    }
    uint8_t buf[SLOTS * RECORD_LEN + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    err = ferror(f) ? NM_E_IO : slots_decode(buf, n, &g->rec, &g->slot);
    fclose(f);
    if (err)
        goto fail;
    return 0;
fail:
    nm_bft_guard_close(g);
    return err;
}

void nm_bft_guard_close(struct nm_bft_guard *g)
{
    if (g->path && g->fd >= 0)
        close(g->fd);
    free(g->path);
    memset(g, 0, sizeof *g);
    g->fd = g->slot = -1;
}

/* The record, durably: the first one creates the file (durable.h), each
 * later one overwrites the slot not holding the current record and
 * flushes it (one fdatasync; the file's size changes at most once). A
 * failed write leaves the current slot as it was. */
static int record_persist(struct nm_bft_guard *g, const struct nm_bft_sign_record *rec,
                          bool flush)
{
    struct nm_writer w;
    nm_writer_init(&w);
    record_encode(rec, &w);
    int err = w.err ? w.err : w.len != RECORD_LEN ? NM_E_INVAL : 0;
    if (err)
        goto out;
    if (g->slot < 0) { /* the file's creation: durable at once */
        if (!(err = nm_bft_durable_replace(g->path, w.data, w.len)))
            g->slot = 0;
        goto out;
    }
    err = NM_E_IO;
    if (g->fd < 0 && (g->fd = open(g->path, O_WRONLY | O_CLOEXEC)) < 0)
        goto out;
    /* the slot about to be overwritten may go only while the other is durable */
    if (g->synced != g->written) {
        if (fdatasync(g->fd) != 0)
            goto out;
        g->synced = g->written;
    }
    int next = 1 - g->slot;
    if (pwrite(g->fd, w.data, w.len, (off_t)next * RECORD_LEN) != (ssize_t)w.len ||
        (flush && fdatasync(g->fd) != 0))
        goto out;
    g->slot = next;
    if (!flush)
        g->written++;
    err = 0;
out:
    nm_writer_fini(&w);
    return err;
}

static int guard_admit(struct nm_bft_guard *g, uint64_t height, uint32_t round, uint8_t step,
                       const uint8_t *msg, size_t len, const nm_hash *lock)
{
    nm_hash h;
    nm_hash_bytes(msg, len, &h);
    int err = nm_bft_sign_record_permits(&g->rec, height, round, step, &h);
    if (err)
        return err;
    struct nm_bft_sign_record next = g->rec;
    nm_bft_sign_record_note(&next, height, round, step, &h, lock);
    return nm_bft_guard_save(g, &next);
}

int nm_bft_guard_save(struct nm_bft_guard *g, const struct nm_bft_sign_record *rec)
{
    int err = record_persist(g, rec, true);
    if (!err)
        g->rec = *rec;
    return err;
}

int nm_bft_guard_write(struct nm_bft_guard *g, const struct nm_bft_sign_record *rec)
{
    int err = record_persist(g, rec, false);
    if (!err)
        g->rec = *rec;
    return err;
}

int nm_bft_guard_flush_fd(int fd)
{
    return fd < 0 || fdatasync(fd) == 0 ? 0 : NM_E_IO;
}

void nm_bft_guard_flushed(struct nm_bft_guard *g, uint64_t written)
{
    if (written > g->synced && written <= g->written)
        g->synced = written;
}

int nm_bft_guard_sign_vote(struct nm_bft_guard *g, struct nm_bft_vote *v,
                           const struct nm_keypair *kp)
{
    uint8_t msg[NM_BFT_VOTE_SIGNED_LEN];
    nm_bft_vote_signed_bytes(v, msg);
    const nm_hash *lock = v->step == NM_BFT_PRECOMMIT && v->has_block ? &v->block : NULL;
    int err = guard_admit(g, v->height, v->round, v->step, msg, sizeof msg, lock);
    if (!err)
        nm_bft_vote_sign(v, kp);
    return err;
}

int nm_bft_guard_sign_proposal(struct nm_bft_guard *g, struct nm_bft_proposal *p,
                               const struct nm_keypair *kp)
{
    uint8_t msg[NM_BFT_PROPOSAL_SIGNED_LEN];
    nm_bft_proposal_signed_bytes(p, msg);
    int err = guard_admit(g, p->height, p->round, NM_BFT_PROPOSE, msg, sizeof msg, NULL);
    if (!err)
        nm_bft_proposal_sign(p, kp);
    return err;
}
