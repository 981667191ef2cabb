/* jsonl.h - the JSON lines neuromesh's exec: backends speak: one request
 * {"id":N,"input":"<json>"} per line in, {"id":N,"output":"<json>"} (or
 * {"id":N,"error":"why"}) per line out. */
#ifndef JSONL_H
#define JSONL_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Your function: the output object for input (the caller frees it), or
 * NULL with a reason in why. */
typedef cJSON *(*jsonl_fn)(const cJSON *input, const char **why);

/* Answers every line of in on out until end of input; 0, or 1 on a line
 * that is not a request (it is answered with an error and skipped). */
int jsonl_serve(FILE *in, FILE *out, jsonl_fn fn);

#endif
