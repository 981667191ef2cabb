/* ext_batch.c - extrinsics batched in one gossip message (see
 * ext_batch.h). */
#include "node/p2p/ext_batch.h"

#include "node/errors.h"
#include "node/extrinsic.h"

_Static_assert(NM_EXT_BATCH_TAG != NM_EXTRINSIC_VERSION, "a batch must not look like one");

void nm_ext_batch_begin(struct nm_writer *w)
{
    nm_put_u8(w, NM_EXT_BATCH_TAG);
}

void nm_ext_batch_add(struct nm_writer *w, const uint8_t *ext, size_t len)
{
    nm_put_bytes(w, ext, len);
}

int nm_ext_batch_parse(const uint8_t *data, size_t len, const uint8_t **exts, size_t *lens,
                       size_t *n)
{
    *n = 0;
    if (!len)
        return NM_E_DECODE;
    if (data[0] != NM_EXT_BATCH_TAG) { /* one bare extrinsic: checked as such later */
        exts[0] = data;
        lens[0] = len;
        *n = 1;
        return 0;
    }
    struct nm_reader r;
    nm_reader_init(&r, data + 1, len - 1);
    while (!r.err && r.pos < r.len) {
        if (*n == NM_EXT_BATCH_MAX)
            return NM_E_DECODE;
        exts[*n] = nm_get_bytes(&r, NM_EXTRINSIC_MAX, &lens[*n]);
        if (!r.err)
            (*n)++;
    }
    if (r.err || *n == 0) {
        *n = 0;
        return NM_E_DECODE;
    }
    return 0;
}
