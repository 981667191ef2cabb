/* json.h - the JSON views' shared encoders: amounts as decimal strings of
 * base units, accounts as SS58, integers as exact JSON numbers. */
#ifndef NM_JSON_H
#define NM_JSON_H

#include "node/crypto.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* cJSON_AddItemToObject / cJSON_AddItemToArray that always take item: when
 * it cannot be added (no memory for the key, obj NULL) it is deleted, so a
 * view built while memory runs out leaks nothing. false then. */
bool nm_json_add(cJSON *obj, const char *key, cJSON *item);
bool nm_json_append(cJSON *arr, cJSON *item);

/* Adds a decimal-string amount / an SS58 address member to a JSON object. */
void nm_json_add_amount(cJSON *obj, const char *key, uint64_t units);
void nm_json_add_account(cJSON *obj, const char *key, const nm_account *acct);
/* A JSON number member from an integer: heights, ids, counts and ppm
 * values, all far below 2^53, so the number is exact. (The one place JSON
 * views turn integers into JSON's double.) */
cJSON *nm_json_add_u64(cJSON *obj, const char *key, uint64_t v);

#endif
