/* scorer.c - the validator's scorer for `neuromesh validator --scorer
 * exec:./scorer`. Replace score() with yours: it gets
 * {"task","language","prompt","output","latency_ms"} and answers
 * {"score": 0..1000000, "reason": "..."}. */
#include "jsonl.h"

#include <stdio.h>
#include <string.h>

static cJSON *score(const cJSON *input, const char **why)
{
    const cJSON *output = cJSON_GetObjectItemCaseSensitive(input, "output");
    const cJSON *latency = cJSON_GetObjectItemCaseSensitive(input, "latency_ms");
    (void)why;
    double ms = cJSON_IsNumber(latency) && latency->valuedouble > 0 ? latency->valuedouble : 0;
    int empty = !cJSON_IsString(output) || strlen(output->valuestring) == 0;
    cJSON *out = cJSON_CreateObject();
    /* any answer scores, a faster one more */
    cJSON_AddNumberToObject(out, "score", empty ? 0 : (int)(1000000.0 * 1000 / (1000 + ms)));
    cJSON_AddStringToObject(out, "reason", empty ? "empty output" : "answered");
    return out;
}

int main(void)
{
    return jsonl_serve(stdin, stdout, score);
}
