/* jsonl.h - the exec backend's framing (JSON lines), as an I/O-free state
 * machine (nghttp2 style): the caller feeds the bytes it read and takes
 * whole lines out; a line longer than the cap is reported as a flood so the
 * caller drops the worker. Tested and fuzzed without any process. */
#ifndef NM_MINER_JSONL_H
#define NM_MINER_JSONL_H

#include <stddef.h>

struct nm_jsonl {
    char *buf;
    size_t len, cap;   /* bytes held, allocated */
    size_t max_line;   /* longest line accepted (without the newline) */
    size_t line_start; /* bytes of buf already handed out (skipped on feed) */
};

/* max_line 0: 16 MiB. */
void nm_jsonl_init(struct nm_jsonl *j, size_t max_line);
void nm_jsonl_fini(struct nm_jsonl *j);
/* Adds len bytes. NM_E_TOO_BIG when a line passes max_line without a
 * newline (the reader is then unusable until reset), NM_E_NOMEM. */
int nm_jsonl_feed(struct nm_jsonl *j, const char *data, size_t len);
/* The next whole line (NUL-terminated in place, newline and a trailing \r
 * removed) or NULL when none is complete yet. Valid until the next feed. */
char *nm_jsonl_next(struct nm_jsonl *j, size_t *len_out);
/* Forgets everything held. */
void nm_jsonl_reset(struct nm_jsonl *j);

#endif
