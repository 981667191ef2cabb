/* wal.c - the write-ahead log of the current height (see wal.h).
 * File: magic "NMBFTWL1", height u64, 8-byte checksum of those 16 bytes;
 * then records: kind u8, length u16, the bytes, 8-byte checksum (the first
 * 8 bytes of BLAKE2b-256 of kind, length and bytes). */
#include "node/bft/wal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/bft/durable.h"
#include "node/crypto.h"
#include "node/errors.h"

static const uint8_t WAL_MAGIC[8] = "NMBFTWL1";
#define HEAD_LEN 24
#define SUM_LEN 8

static void le_put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le_get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void checksum(const uint8_t *data, size_t len, uint8_t out[SUM_LEN])
{
    nm_hash h;
    nm_hash_bytes(data, len, &h);
    memcpy(out, h.b, SUM_LEN);
}

static void head_encode(uint64_t height, uint8_t out[HEAD_LEN])
{
    memcpy(out, WAL_MAGIC, 8);
    le_put(out + 8, height, 8);
    checksum(out, 16, out + 16);
}

/* Reads one whole record into buf (cap NM_BFT_WAL_MAX_RECORD + 3); returns
 * its size, or 0 at the end or at a torn or damaged record. */
static size_t record_read(FILE *f, uint8_t *buf)
{
    if (fread(buf, 1, 3, f) != 3)
        return 0;
    size_t len = (size_t)le_get(buf + 1, 2);
    uint8_t sum[SUM_LEN], want[SUM_LEN];
    if (len == 0 || len > NM_BFT_WAL_MAX_RECORD || fread(buf + 3, 1, len, f) != len ||
        fread(sum, 1, SUM_LEN, f) != SUM_LEN)
        return 0;
    checksum(buf, 3 + len, want);
    return memcmp(sum, want, SUM_LEN) == 0 ? 3 + len : 0;
}

/* Opens path for reading past its header; NULL with *err set if damaged. */
static FILE *open_read(const char *path, uint64_t *height, int *err)
{
    FILE *f = fopen(path, "rb");
    uint8_t head[HEAD_LEN], want[HEAD_LEN];
    if (!f) {
        *err = NM_E_IO;
        return NULL;
    }
    bool whole = fread(head, 1, HEAD_LEN, f) == HEAD_LEN;
    if (whole)
        head_encode(le_get(head + 8, 8), want);
    if (!whole || memcmp(head, want, HEAD_LEN) != 0) {
        fclose(f);
        *err = NM_E_BFT_RECORD_DAMAGED;
        return NULL;
    }
    *height = le_get(head + 8, 8);
    return f;
}

/* A header start_height began and a crash cut short: nothing, or a
 * beginning of the magic (another short file is no log of ours). */
static bool torn_header(const char *path, off_t size)
{
    if (size == 0)
        return true;
    if (size >= HEAD_LEN)
        return false;
    uint8_t head[HEAD_LEN];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, (size_t)size, f) : 0;
    if (f)
        fclose(f);
    size_t cmp = n < sizeof WAL_MAGIC ? n : sizeof WAL_MAGIC;
    return n == (size_t)size && memcmp(head, WAL_MAGIC, cmp) == 0;
}

int nm_bft_wal_open(struct nm_bft_wal *w, const char *path)
{
    memset(w, 0, sizeof *w);
    if (!(w->path = strdup(path)))
        return NM_E_NOMEM;
    int err = 0;
    struct stat st;
    bool missing = stat(path, &st) != 0;
    if ((missing && errno == ENOENT) || (!missing && torn_header(path, st.st_size))) {
        /* none yet, or a reset (start_height) cut short by a crash */
        uint8_t head[HEAD_LEN];
        head_encode(0, head);
        if ((err = nm_bft_durable_replace(path, head, sizeof head)))
            goto fail;
    } else if (missing) {
        err = NM_E_IO;
        goto fail;
    }
    FILE *r = open_read(path, &w->height, &err);
    if (!r)
        goto fail;
    /* find the end of the last whole record; cut a torn tail there */
    uint8_t buf[NM_BFT_WAL_MAX_RECORD + 3];
    long good = HEAD_LEN;
    for (size_t n; (n = record_read(r, buf)); good += (long)(n + SUM_LEN))
        w->records++;
    fclose(r);
    if (truncate(path, good) != 0 || !(w->f = fopen(path, "ab"))) {
        err = NM_E_IO;
        goto fail;
    }
    return 0;
fail:
    nm_bft_wal_close(w);
    return err;
}

void nm_bft_wal_close(struct nm_bft_wal *w)
{
    if (w->f)
        fclose(w->f);
    free(w->path);
    memset(w, 0, sizeof *w);
}

int nm_bft_wal_replay(struct nm_bft_wal *w,
                      int (*fn)(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len),
                      void *ctx)
{
    uint64_t height;
    int err = 0;
    if (fflush(w->f) != 0)
        return NM_E_IO;
    FILE *r = open_read(w->path, &height, &err);
    if (!r)
        return err;
    uint8_t buf[NM_BFT_WAL_MAX_RECORD + 3];
    for (size_t n; !err && (n = record_read(r, buf));)
        err = fn(ctx, buf[0], buf + 3, n - 3);
    fclose(r);
    return err;
}

int nm_bft_wal_append(struct nm_bft_wal *w, uint8_t kind, const uint8_t *bytes, size_t len,
                      bool sync)
{
    if (len == 0 || len > NM_BFT_WAL_MAX_RECORD ||
        (kind != NM_BFT_WAL_PROPOSAL && kind != NM_BFT_WAL_VOTE))
        return NM_E_INVAL;
    uint8_t rec[3 + NM_BFT_WAL_MAX_RECORD + SUM_LEN];
    rec[0] = kind;
    le_put(rec + 1, len, 2);
    memcpy(rec + 3, bytes, len);
    checksum(rec, 3 + len, rec + 3 + len);
    size_t total = 3 + len + SUM_LEN;
    if (fwrite(rec, 1, total, w->f) != total || fflush(w->f) != 0 ||
        (sync && fsync(fileno(w->f)) != 0))
        return NM_E_IO;
    w->records++;
    return 0;
}

int nm_bft_wal_start_height(struct nm_bft_wal *w, uint64_t height)
{
    uint8_t head[HEAD_LEN];
    head_encode(height, head);
    /* appending: after the cut, the header lands at 0 */
    if (fflush(w->f) != 0 || ftruncate(fileno(w->f), 0) != 0 ||
        fwrite(head, 1, sizeof head, w->f) != sizeof head || fflush(w->f) != 0)
        return NM_E_IO;
    w->height = height;
    w->records = 0;
    return 0;
}
