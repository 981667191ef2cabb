/* fuzz_jsonscan.c - libFuzzer target for rpc/jsonscan, the strict JSON
 * check every request passes before it is parsed. Invariants after each
 * input: the check never reads past the input; what it accepts, cJSON
 * parses whole (nothing left over) with no infinite number; under tight limits (depth 4, 16 values) an accepted text
 * is also accepted with the defaults. */
#include "rpc/jsonscan.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int values_ok(const cJSON *v)
{
    for (; v; v = v->next) {
        if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
            return 0;
        if (v->child && !values_ok(v->child))
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a copy exactly the input's size: ASan catches a read past its end */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    size_t where = 0;
    enum nm_json_scan_result r = nm_json_scan(text, size, NULL, &where);
    if (where > size)
        abort();
    if (r == NM_JSON_OK) {
        const char *end = NULL;
        cJSON *tree = cJSON_ParseWithLengthOpts(text, size, &end, 0);
        if (!tree || !values_ok(tree))
            abort();
        /* whatever cJSON stopped at, only white space may follow */
        for (const char *p = end; p < text + size; p++)
            if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                abort();
        cJSON_Delete(tree);
    }
    struct nm_json_limits tight = {.max_depth = 4, .max_values = 16};
    if (nm_json_scan(text, size, &tight, NULL) == NM_JSON_OK && r != NM_JSON_OK)
        abort();
    free(text);
    return 0;
}
