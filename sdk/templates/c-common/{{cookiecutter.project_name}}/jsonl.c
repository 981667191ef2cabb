/* jsonl.c - the exec: backends' JSON lines (jsonl.h). */
#include "jsonl.h"

#include <stdlib.h>
#include <string.h>

static void reply(FILE *out, const cJSON *id, const char *key, const char *text)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddItemToObject(r, "id", id ? cJSON_Duplicate(id, 1) : cJSON_CreateNull());
    cJSON_AddStringToObject(r, key, text);
    char *line = cJSON_PrintUnformatted(r);
    if (line)
        fprintf(out, "%s\n", line);
    fflush(out);
    free(line);
    cJSON_Delete(r);
}

int jsonl_serve(FILE *in, FILE *out, jsonl_fn fn)
{
    char *line = NULL;
    size_t cap = 0;
    int status = 0;
    while (getline(&line, &cap, in) > 0) {
        cJSON *req = cJSON_Parse(line);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(req, "id");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(req, "input");
        cJSON *input = cJSON_IsString(text) ? cJSON_Parse(text->valuestring) : NULL;
        const char *why = "the request is not {\"id\", \"input\": JSON text}";
        cJSON *output = input ? fn(input, &why) : NULL;
        char *json = output ? cJSON_PrintUnformatted(output) : NULL;
        if (json)
            reply(out, id, "output", json);
        else
            reply(out, id, "error", why);
        status |= input == NULL;
        free(json);
        cJSON_Delete(output);
        cJSON_Delete(input);
        cJSON_Delete(req);
    }
    free(line);
    return status;
}
