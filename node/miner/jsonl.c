/* jsonl.c - JSON lines framing for exec backends: bytes in, lines out. */
#include "node/miner/jsonl.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

void nm_jsonl_init(struct nm_jsonl *j, size_t max_line)
{
    memset(j, 0, sizeof *j);
    j->max_line = max_line ? max_line : (size_t)16 << 20;
}

void nm_jsonl_fini(struct nm_jsonl *j)
{
    free(j->buf);
    memset(j, 0, sizeof *j);
}

void nm_jsonl_reset(struct nm_jsonl *j)
{
    j->len = 0;
    j->line_start = 0;
}

int nm_jsonl_feed(struct nm_jsonl *j, const char *data, size_t len)
{
    if (j->line_start) { /* drop lines already handed out */
        memmove(j->buf, j->buf + j->line_start, j->len - j->line_start);
        j->len -= j->line_start;
        j->line_start = 0;
    }
    if (j->len + len + 1 > j->cap) {
        size_t want = j->cap ? j->cap : 4096;
        while (want < j->len + len + 1 && want < ((size_t)1 << 40))
            want *= 2;
        char *nb = realloc(j->buf, want);
        if (!nb)
            return NM_E_NOMEM;
        j->buf = nb;
        j->cap = want;
    }
    memcpy(j->buf + j->len, data, len);
    j->len += len;
    /* a flood: a line (finished or not) longer than the cap */
    const char *p = j->buf, *end = j->buf + j->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n > j->max_line + 1) /* + 1: a \r before the newline */
            return NM_E_TOO_BIG;
        p += n + 1;
    }
    return 0;
}

char *nm_jsonl_next(struct nm_jsonl *j, size_t *len_out)
{
    char *start = j->buf + j->line_start;
    size_t avail = j->len - j->line_start;
    char *nl = avail ? memchr(start, '\n', avail) : NULL;
    if (!nl)
        return NULL;
    size_t n = (size_t)(nl - start);
    *nl = '\0';
    if (n && start[n - 1] == '\r')
        start[--n] = '\0';
    j->line_start = (size_t)(nl - j->buf) + 1;
    *len_out = n;
    return start;
}
