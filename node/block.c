/* block.c - header and block encoding, hashing and roots (see block.h). */
#include "node/block.h"

#include "node/errors.h"
#include "node/ss58.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLOCK_EXTRINSICS 100000

void nm_header_encode(const struct nm_header *h, struct nm_writer *w)
{
    nm_put_u8(w, NM_BLOCK_VERSION);
    nm_put_raw(w, h->parent.b, NM_HASH_LEN);
    nm_put_u64(w, h->height);
    nm_put_u64(w, h->timestamp_ms);
    nm_put_u64(w, h->epoch);
    nm_put_raw(w, h->author.b, NM_PUBKEY_LEN);
    nm_put_raw(w, h->state_root.b, NM_HASH_LEN);
    nm_put_raw(w, h->extrinsics_root.b, NM_HASH_LEN);
}

int nm_header_decode(struct nm_reader *r, struct nm_header *h)
{
    uint8_t version = nm_get_u8(r);
    if (!r->err && version != NM_BLOCK_VERSION)
        return NM_E_DECODE;
    nm_get_raw(r, h->parent.b, NM_HASH_LEN);
    h->height = nm_get_u64(r);
    h->timestamp_ms = nm_get_u64(r);
    h->epoch = nm_get_u64(r);
    nm_get_raw(r, h->author.b, NM_PUBKEY_LEN);
    nm_get_raw(r, h->state_root.b, NM_HASH_LEN);
    nm_get_raw(r, h->extrinsics_root.b, NM_HASH_LEN);
    return r->err ? NM_E_DECODE : 0;
}

int nm_header_hash(const struct nm_header *h, nm_hash *out)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_header_encode(h, &w);
    /* The writer only fails on OOM; a zero hash then matches nothing. */
    int err = w.err;
    if (err)
        memset(out, 0, sizeof *out);
    else
        nm_hash_bytes(w.data, w.len, out);
    nm_writer_fini(&w);
    return err;
}

cJSON *nm_header_json(const struct nm_header *h)
{
    char hex[NM_HASH_HEXLEN], num[24];
    nm_hash hash;
    if (nm_header_hash(h, &hash))
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "parentHash", nm_hash_hex(&h->parent, hex));
    snprintf(num, sizeof num, "0x%llx", (unsigned long long)h->height);
    cJSON_AddStringToObject(o, "number", num);
    cJSON_AddStringToObject(o, "stateRoot", nm_hash_hex(&h->state_root, hex));
    cJSON_AddStringToObject(o, "extrinsicsRoot", nm_hash_hex(&h->extrinsics_root, hex));
    cJSON *digest = cJSON_AddObjectToObject(o, "digest");
    cJSON_AddArrayToObject(digest, "logs");
    cJSON_AddStringToObject(o, "hash", nm_hash_hex(&hash, hex));
    cJSON_AddNumberToObject(o, "height", (double)h->height);
    cJSON_AddNumberToObject(o, "timestamp", (double)h->timestamp_ms);
    cJSON_AddNumberToObject(o, "epoch", (double)h->epoch);
    char addr[NM_SS58_STRLEN];
    cJSON_AddStringToObject(o, "author", nm_ss58_encode(&h->author, addr));
    return o;
}

static atomic_ulong root_computations;

unsigned long nm_extrinsics_root_computations(void)
{
    return atomic_load(&root_computations);
}

int nm_extrinsics_root(const uint8_t *const *exts, const size_t *lens, size_t n, nm_hash *out)
{
    atomic_fetch_add(&root_computations, 1);
    memset(out, 0, sizeof *out);
    if (n == 0)
        return 0;
    nm_hash *level = malloc(n * sizeof *level);
    if (!level)
        return NM_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        nm_hash_bytes(exts[i], lens[i], &level[i]);
    size_t width = n;
    while (width > 1) {
        size_t next = 0;
        for (size_t i = 0; i < width; i += 2)
            nm_hash_pair(&level[i], &level[i + 1 < width ? i + 1 : i], &level[next++]);
        width = next;
    }
    *out = level[0];
    free(level);
    return 0;
}

void nm_block_encode(const struct nm_header *h, const uint8_t seal[NM_SIG_LEN],
                     const uint8_t *const *exts, const size_t *lens, size_t n,
                     struct nm_writer *w)
{
    nm_block_encode_justified(h, seal, NULL, 0, exts, lens, n, w);
}

void nm_block_encode_justified(const struct nm_header *h, const uint8_t seal[NM_SIG_LEN],
                               const uint8_t *justification, size_t justification_len,
                               const uint8_t *const *exts, const size_t *lens, size_t n,
                               struct nm_writer *w)
{
    nm_header_encode(h, w);
    nm_put_raw(w, seal, NM_SIG_LEN);
    nm_put_bytes(w, justification, justification_len);
    nm_put_varint(w, n);
    for (size_t i = 0; i < n; i++)
        nm_put_bytes(w, exts[i], lens[i]);
}

static _Thread_local unsigned long decodes_here;

unsigned long nm_block_decodes_here(void)
{
    return decodes_here;
}

int nm_block_decode_unrooted(const uint8_t *data, size_t len, struct nm_block *b)
{
    decodes_here++;
    memset(b, 0, sizeof *b);
    struct nm_reader r;
    nm_reader_init(&r, data, len);
    int err = nm_header_decode(&r, &b->header);
    if (err)
        return err;
    nm_get_raw(&r, b->seal, NM_SIG_LEN);
    b->justification = nm_get_bytes(&r, 1 << 20, &b->justification_len);
    uint64_t n = nm_get_varint(&r);
    if (r.err || n > MAX_BLOCK_EXTRINSICS || n > len)
        return NM_E_DECODE;
    b->count = (size_t)n;
    if (n) {
        b->extrinsics = calloc(n, sizeof *b->extrinsics);
        b->lengths = calloc(n, sizeof *b->lengths);
        if (!b->extrinsics || !b->lengths) {
            nm_block_fini(b);
            return NM_E_NOMEM;
        }
    }
    for (size_t i = 0; i < b->count; i++)
        b->extrinsics[i] = nm_get_bytes(&r, len, &b->lengths[i]);
    if ((err = nm_reader_finish(&r)))
        nm_block_fini(b);
    return err;
}

int nm_block_decode(const uint8_t *data, size_t len, struct nm_block *b)
{
    int err = nm_block_decode_unrooted(data, len, b);
    if (err)
        return err;
    nm_hash root;
    if ((err = nm_extrinsics_root(b->extrinsics, b->lengths, b->count, &root)) ||
        (!nm_hash_eq(&root, &b->header.extrinsics_root) && (err = NM_E_DECODE))) {
        nm_block_fini(b);
        return err;
    }
    return 0;
}

void nm_block_fini(struct nm_block *b)
{
    free(b->extrinsics);
    free(b->lengths);
    b->extrinsics = NULL;
    b->lengths = NULL;
    b->count = 0;
}
