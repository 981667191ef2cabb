/* fuzz_weights_codec.c - libFuzzer target for the weight vector decoder
 * (node/pallets/weights_codec.c). Besides not crashing, every accepted input must
 * describe a well-formed vector (strictly increasing uids, non-zero
 * values), and re-encoding it must decode to the same vector. Built and run
 * by `make fuzz`; its corpus (tests/fuzz/corpus/weights_codec) is replayed
 * by tests/test_weights_codec.c in `make test`. */
#include "node/pallets/weights_codec.h"

#include <stdlib.h>
#include <string.h>

static uint16_t uids[NM_WCODEC_MAX_ENTRIES], uids2[NM_WCODEC_MAX_ENTRIES];
static uint32_t values[NM_WCODEC_MAX_ENTRIES], values2[NM_WCODEC_MAX_ENTRIES];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 0, count = 0;
    /* A small cap too, so the NM_E_TOO_BIG path runs. */
    size_t cap = size > 0 && (data[0] & 0x80) ? 8 : NM_WCODEC_MAX_ENTRIES;
    if (nm_wcodec_decode(data, size, uids, values, cap, &n) != 0) {
        if (n != 0)
            abort();
        return 0;
    }
    if (nm_wcodec_count(data, size, &count) != 0 || count != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if (values[i] == 0 || (i > 0 && uids[i] <= uids[i - 1]))
            abort();
    struct nm_writer w;
    nm_writer_init(&w);
    size_t n2 = 0;
    if (nm_wcodec_encode(uids, values, n, &w) != 0 ||
        nm_wcodec_decode(w.data, w.len, uids2, values2, NM_WCODEC_MAX_ENTRIES, &n2) != 0 ||
        n2 != n ||
        (n && (memcmp(uids, uids2, n * sizeof uids[0]) != 0 ||
               memcmp(values, values2, n * sizeof values[0]) != 0)))
        abort();
    /* The canonical form is never longer than what was accepted. */
    if (w.len > size)
        abort();
    nm_writer_fini(&w);
    return 0;
}
