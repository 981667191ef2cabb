/* codec.h - the canonical binary encoding of everything that is hashed or
 * signed: little-endian fixed-width integers, LEB128 varints for lengths,
 * length-prefixed byte strings. A writer grows a heap buffer; a reader
 * never reads past its end and reports NM_E_DECODE instead. */
#ifndef NM_CODEC_H
#define NM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_writer {
    uint8_t *data; /* owned; release with nm_writer_fini */
    size_t len;
    size_t cap;
    int err;       /* sticky: first failure (NM_E_NOMEM) */
};

void nm_writer_init(struct nm_writer *w);
void nm_writer_fini(struct nm_writer *w);
void nm_writer_reset(struct nm_writer *w);
/* Hands the buffer to the caller (free with free()); the writer is emptied. */
uint8_t *nm_writer_take(struct nm_writer *w, size_t *len_out);
void nm_put_u8(struct nm_writer *w, uint8_t v);
void nm_put_u16(struct nm_writer *w, uint16_t v);
void nm_put_u32(struct nm_writer *w, uint32_t v);
void nm_put_u64(struct nm_writer *w, uint64_t v);
void nm_put_varint(struct nm_writer *w, uint64_t v);
void nm_put_raw(struct nm_writer *w, const void *p, size_t n);
/* varint length, then the bytes */
void nm_put_bytes(struct nm_writer *w, const void *p, size_t n);
void nm_put_str(struct nm_writer *w, const char *s);

struct nm_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
    int err; /* sticky: first failure (NM_E_DECODE) */
};

void nm_reader_init(struct nm_reader *r, const void *data, size_t len);
uint8_t nm_get_u8(struct nm_reader *r);
uint16_t nm_get_u16(struct nm_reader *r);
uint32_t nm_get_u32(struct nm_reader *r);
uint64_t nm_get_u64(struct nm_reader *r);
/* Rejects non-minimal and over-long encodings (one value, one encoding). */
uint64_t nm_get_varint(struct nm_reader *r);
void nm_get_raw(struct nm_reader *r, void *out, size_t n);
/* Points into the reader's buffer; fails if the length exceeds max. */
const uint8_t *nm_get_bytes(struct nm_reader *r, size_t max, size_t *len_out);
/* Copies a length-prefixed string into out (NUL-terminated, cap bytes incl.
 * NUL); fails on embedded NUL or if it does not fit. */
void nm_get_str(struct nm_reader *r, char *out, size_t cap);
/* 0 if everything was read without error and nothing is left over. */
int nm_reader_finish(const struct nm_reader *r);

#endif
