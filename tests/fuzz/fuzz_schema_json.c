/* fuzz_schema_json.c - libFuzzer target for what the miner and validator
 * read from outside: InferRequest inputs and miner outputs checked against
 * the JSON Schema subset (node/schema_json), and exec workers' JSON lines
 * (node/miner/jsonl). Invariants: an accepted document parses and passes
 * the check again; the framer's lines never hold a newline and never pass
 * its cap. Built and run by `make fuzz`; its corpus
 * (tests/fuzz/corpus/schema_json) is replayed by tests/test_schema_json.c. */
#include "node/miner/jsonl.h"
#include "node/schema_json/schema_json.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct nm_json_schema *in, *out;
    char err[256];
    if (!in && (nm_json_schema_compile(nm_codegen_input_schema, &in, err, sizeof err) ||
                nm_json_schema_compile(nm_codegen_output_schema, &out, err, sizeof err)))
        abort();
    /* the input as a schema too: compiling hostile schemas must be safe */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct nm_json_schema *s = NULL;
    if (nm_json_schema_compile(text, &s, err, sizeof err) == 0)
        nm_json_schema_free(s);
    for (int k = 0; k < 2; k++) {
        cJSON *doc = NULL;
        const struct nm_json_schema *sch = k ? out : in;
        if (nm_json_schema_check_text(sch, (const char *)data, size, &doc, err, sizeof err) == 0) {
            if (!doc || nm_json_schema_check(sch, doc, err, sizeof err) != 0)
                abort();
            cJSON_Delete(doc);
        } else if (doc) {
            abort();
        }
    }
    struct nm_jsonl j;
    nm_jsonl_init(&j, 64);
    size_t half = size / 2;
    if (nm_jsonl_feed(&j, (const char *)data, half) == 0 &&
        nm_jsonl_feed(&j, (const char *)data + half, size - half) == 0) {
        size_t n;
        char *line;
        while ((line = nm_jsonl_next(&j, &n)))
            if (n > 65 || memchr(line, '\n', n))
                abort();
    }
    nm_jsonl_fini(&j);
    free(text);
    return 0;
}
