/* schema_json.h - the JSON Schema subset subnets use for their input and
 * output schemas (NODE-004): type, required, properties, enum, maxLength,
 * additionalProperties. Implemented once, used by the miner (input and
 * output), the validator and the aggregator.
 *
 * A schema is compiled once (checked: every keyword of the subset has the
 * right shape; unknown keywords are refused, so a typo never silently
 * accepts everything) and then validates documents. Messages name the path
 * of the first violation ("$.language: not one of the enum values") and
 * quote at most 40 bytes of the input. */
#ifndef NM_SCHEMA_JSON_H
#define NM_SCHEMA_JSON_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct nm_json_schema;

/* The CODE_GEN_BASE schemas (docs/subnets/code-gen-base.md). */
extern const char nm_codegen_input_schema[];
extern const char nm_codegen_output_schema[];

/* Compiles schema text ("{}" accepts any document). NM_E_BAD_SCHEMA with a
 * message in err for text that is not a JSON object or breaks the subset.
 * *out is the caller's (nm_json_schema_free). */
int nm_json_schema_compile(const char *text, struct nm_json_schema **out, char *err,
                           size_t cap);
void nm_json_schema_free(struct nm_json_schema *s);

/* Validates a parsed document: 0, or NM_E_INVAL with the reason in err. */
int nm_json_schema_check(const struct nm_json_schema *s, const cJSON *doc, char *err,
                         size_t cap);
/* Validates document text (len bytes, not NUL-terminated necessarily): it
 * must be valid UTF-8 and JSON, then match. On success and when doc_out is
 * not NULL, *doc_out is the parsed document (caller's). */
int nm_json_schema_check_text(const struct nm_json_schema *s, const char *text, size_t len,
                              cJSON **doc_out, char *err, size_t cap);

/* True when the len bytes are well-formed UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF). */
bool nm_utf8_valid(const char *s, size_t len);

#endif
