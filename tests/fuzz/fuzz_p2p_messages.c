/* fuzz_p2p_messages.c - libFuzzer target: nm_fuzz_p2p_messages of tests/fuzz/p2p_harness.h
 * (bytes from a hostile peer). Built and run by `make fuzz`; its corpus
 * tests/fuzz/corpus/p2p_messages is replayed by tests/test_p2p_corpus.c. */
#include "tests/fuzz/p2p_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nm_fuzz_p2p_messages(data, size);
    return 0;
}
