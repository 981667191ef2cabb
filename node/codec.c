/* codec.c - canonical little-endian encoding (see codec.h). */
#include "node/codec.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

void nm_writer_init(struct nm_writer *w)
{
    memset(w, 0, sizeof *w);
}

void nm_writer_fini(struct nm_writer *w)
{
    free(w->data);
    memset(w, 0, sizeof *w);
}

void nm_writer_reset(struct nm_writer *w)
{
    w->len = 0;
    w->err = 0;
}

uint8_t *nm_writer_take(struct nm_writer *w, size_t *len_out)
{
    uint8_t *p = w->data;
    *len_out = w->len;
    memset(w, 0, sizeof *w);
    return p;
}

static bool writer_reserve(struct nm_writer *w, size_t n)
{
    if (w->err)
        return false;
    if (w->len + n <= w->cap)
        return true;
    size_t cap = w->cap ? w->cap : 64;
    while (cap < w->len + n)
        cap *= 2;
    uint8_t *p = realloc(w->data, cap);
    if (!p) {
        w->err = NM_E_NOMEM;
        return false;
    }
    w->data = p;
    w->cap = cap;
    return true;
}

void nm_put_raw(struct nm_writer *w, const void *p, size_t n)
{
    if (n == 0 || !writer_reserve(w, n))
        return;
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

static void put_le(struct nm_writer *w, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    nm_put_raw(w, b, (size_t)bytes);
}

void nm_put_u8(struct nm_writer *w, uint8_t v) { put_le(w, v, 1); }
void nm_put_u16(struct nm_writer *w, uint16_t v) { put_le(w, v, 2); }
void nm_put_u32(struct nm_writer *w, uint32_t v) { put_le(w, v, 4); }
void nm_put_u64(struct nm_writer *w, uint64_t v) { put_le(w, v, 8); }

void nm_put_varint(struct nm_writer *w, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        b[n++] = byte | (v ? 0x80 : 0);
    } while (v);
    nm_put_raw(w, b, n);
}

void nm_put_bytes(struct nm_writer *w, const void *p, size_t n)
{
    nm_put_varint(w, n);
    nm_put_raw(w, p, n);
}

void nm_put_str(struct nm_writer *w, const char *s)
{
    nm_put_bytes(w, s, strlen(s));
}

void nm_reader_init(struct nm_reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->err = 0;
}

static bool reader_need(struct nm_reader *r, size_t n)
{
    if (r->err)
        return false;
    if (r->len - r->pos < n) {
        r->err = NM_E_DECODE;
        return false;
    }
    return true;
}

void nm_get_raw(struct nm_reader *r, void *out, size_t n)
{
    if (!reader_need(r, n)) {
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->data + r->pos, n);
    r->pos += n;
}

static uint64_t get_le(struct nm_reader *r, int bytes)
{
    if (!reader_need(r, (size_t)bytes))
        return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->data[r->pos + (size_t)i] << (8 * i);
    r->pos += (size_t)bytes;
    return v;
}

uint8_t nm_get_u8(struct nm_reader *r) { return (uint8_t)get_le(r, 1); }
uint16_t nm_get_u16(struct nm_reader *r) { return (uint16_t)get_le(r, 2); }
uint32_t nm_get_u32(struct nm_reader *r) { return (uint32_t)get_le(r, 4); }
uint64_t nm_get_u64(struct nm_reader *r) { return get_le(r, 8); }

uint64_t nm_get_varint(struct nm_reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (!reader_need(r, 1))
            return 0;
        uint8_t byte = r->data[r->pos++];
        uint64_t part = (uint64_t)(byte & 0x7f);
        if (shift == 63 && part > 1)
            break; /* would overflow */
        v |= part << shift;
        if (!(byte & 0x80)) {
            if (byte == 0 && shift > 0)
                break; /* non-minimal: a trailing zero group */
            return v;
        }
    }
    r->err = NM_E_DECODE;
    return 0;
}

const uint8_t *nm_get_bytes(struct nm_reader *r, size_t max, size_t *len_out)
{
    uint64_t n = nm_get_varint(r);
    *len_out = 0;
    if (r->err)
        return NULL;
    if (n > max) {
        r->err = NM_E_DECODE;
        return NULL;
    }
    if (!reader_need(r, (size_t)n))
        return NULL;
    const uint8_t *p = r->data + r->pos;
    r->pos += (size_t)n;
    *len_out = (size_t)n;
    return p;
}

void nm_get_str(struct nm_reader *r, char *out, size_t cap)
{
    size_t n;
    out[0] = '\0';
    const uint8_t *p = nm_get_bytes(r, cap - 1, &n);
    if (!p)
        return;
    if (memchr(p, 0, n)) {
        r->err = NM_E_DECODE;
        return;
    }
    memcpy(out, p, n);
    out[n] = '\0';
}

int nm_reader_finish(const struct nm_reader *r)
{
    if (r->err)
        return r->err;
    return r->pos == r->len ? 0 : NM_E_TRAILING;
}
