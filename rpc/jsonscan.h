/* jsonscan.h - a strict, allocation-free JSON checker run on every request
 * before it is parsed into a tree: RFC 8259 grammar and UTF-8, one value
 * and nothing after it, and limits on nesting depth and on the number of
 * values, so the parse that follows has a known bound in time and memory.
 * It also refuses what a tree would silently lose: "\u0000" inside a
 * string (C strings end there: "system_health\u0000" would be served as
 * system_health) and numbers too large for a double (1e999 would become
 * null). I/O-free and stateless; any thread. */
#ifndef NM_RPC_JSONSCAN_H
#define NM_RPC_JSONSCAN_H

#include <stddef.h>

#define NM_JSON_DEFAULT_MAX_DEPTH 64
#define NM_JSON_DEFAULT_MAX_VALUES 65536
#define NM_JSON_MAX_DEPTH_LIMIT 1024

struct nm_json_limits {
    unsigned max_depth; /* arrays/objects open at once; 0: default, at most 1024 */
    size_t max_values;  /* values and object keys in all; 0: default */
};

enum nm_json_scan_result {
    NM_JSON_OK = 0,
    NM_JSON_SYNTAX,       /* not JSON */
    NM_JSON_TRAILING,     /* a value followed by more than white space */
    NM_JSON_BAD_UTF8,     /* bytes that are not UTF-8 (or a lone surrogate escape) */
    NM_JSON_NUL,          /* "\u0000" inside a string */
    NM_JSON_NUMBER_RANGE, /* a number beyond a double's range */
    NM_JSON_TOO_DEEP,     /* nested deeper than max_depth */
    NM_JSON_TOO_MANY,     /* more than max_values values */
};

/* Checks text[0..len); returns NM_JSON_OK or the first problem found, with
 * its byte offset in *where (if where is not NULL). lim NULL: defaults. */
enum nm_json_scan_result nm_json_scan(const char *text, size_t len,
                                      const struct nm_json_limits *lim, size_t *where);
/* A sentence for a result ("nested deeper than the limit"). */
const char *nm_json_scan_strerror(enum nm_json_scan_result r);

#endif
