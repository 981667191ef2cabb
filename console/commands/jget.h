/* jget.h - reading the JSON the node answers with, in one place for the
 * commands, the dashboard's cache and its formatting: a member, a string
 * member, and unsigned integers given as a JSON number, a decimal string
 * (amounts in base units) or a 0x-hex string (Substrate's header
 * "number"). Every getter takes o == NULL and a missing or mistyped member
 * without complaint: the answer just has no such value. */
#ifndef NM_JGET_H
#define NM_JGET_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* The member key of o (case-sensitive), or NULL. */
const cJSON *nm_jget(const cJSON *o, const char *key);
/* The string member key of o; "" when absent or not a string. */
const char *nm_jget_str(const cJSON *o, const char *key);
/* v as an unsigned integer: a number in 0 .. 2^53, a decimal or a 0x-hex
 * string. false (and *out 0) when v is NULL or anything else. */
bool nm_jget_u64_parse(const cJSON *v, uint64_t *out);
/* nm_jget_u64_parse of the member key of o. */
bool nm_jget_has_u64(const cJSON *o, const char *key, uint64_t *out);
/* The same, 0 when absent or malformed. */
uint64_t nm_jget_u64(const cJSON *o, const char *key);

/* v as a number for display (scores, latencies: never chain state): a
 * JSON number or a decimal string. false when v is anything else. */
bool nm_jget_number_parse(const cJSON *v, double *out);
/* nm_jget_number_parse of the member key of o. */
bool nm_jget_has_number(const cJSON *o, const char *key, double *out);

#endif
