/* fuzz_call.c - libFuzzer target for the call decoder (node/call.c), the
 * bytes every extrinsic carries, with the governance calls (0x06xx) held to
 * the strictest rule: an accepted governance call re-encodes to exactly
 * the bytes it came from (one encoding per call: stored proposals keep
 * their call as signed). Other calls must only decode without crashing and
 * re-encode to something that decodes. Built and run by `make fuzz`; its
 * corpus (tests/fuzz/corpus/call) is replayed by tests/test_governance.c. */
#include "node/call.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nm_call call, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (nm_call_decode(data, size, &call) != 0)
        return 0;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(&call, &w);
    if (w.err || nm_call_decode(w.data, w.len, &again) != 0 || again.kind != call.kind)
        abort();
    if ((call.kind >> 8) == 0x06 && (w.len != size || memcmp(w.data, data, size) != 0))
        abort();
    cJSON_Delete(nm_call_to_json(&call));
    nm_writer_fini(&w);
    return 0;
}
