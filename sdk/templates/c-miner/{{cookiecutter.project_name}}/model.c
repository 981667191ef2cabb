/* model.c - the miner's model for `neuromesh miner --backend exec:./model`.
 * Replace model() with yours: CODE_GEN gives {"prompt","language"} and
 * wants {"code","language"}. */
#include "jsonl.h"

#include <stdio.h>

static cJSON *model(const cJSON *input, const char **why)
{
    const cJSON *prompt = cJSON_GetObjectItemCaseSensitive(input, "prompt");
    const cJSON *lang = cJSON_GetObjectItemCaseSensitive(input, "language");
    if (!cJSON_IsString(prompt)) {
        *why = "no prompt";
        return NULL;
    }
    char code[512];
    snprintf(code, sizeof code, "# %.400s\ndef f(*args):\n    return None\n",
             prompt->valuestring);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "code", code);
    cJSON_AddStringToObject(out, "language", cJSON_IsString(lang) ? lang->valuestring : "python");
    return out;
}

int main(void)
{
    return jsonl_serve(stdin, stdout, model);
}
