/* keys.h - the aggregator's API keys (issue 13, API-003): a text database
 * of keys stored hashed (BLAKE2b-256 through libsodium), each with a quota
 * in requests per minute and per day. A key is shown once, at creation:
 * "nmk_" + a 16-hex id + "_" + 48 hex of randomness. A running aggregator
 * sees new and revoked keys within a second (it re-reads the file when its
 * modification time changes). File lines: ID HASH PER_MINUTE PER_DAY
 * active|revoked CREATED_UNIX NAME. */
#ifndef NM_API_KEYS_H
#define NM_API_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NM_API_KEY_TEXT_LEN 70 /* "nmk_" 16 "_" 48, NUL */

enum nm_api_key_status { NM_API_KEY_OK, NM_API_KEY_UNKNOWN, NM_API_KEY_REVOKED };

struct nm_api_key_info {
    char id[17];
    char name[33];
    uint32_t per_minute, per_day;
    bool revoked;
    int64_t created;
};

struct nm_api_keys;

/* Opens (a missing file is an empty database). NM_E_IO with err when the
 * file cannot be read or a line is malformed. */
int nm_api_keys_open(const char *path, struct nm_api_keys **out, char *err, size_t cap);
void nm_api_keys_free(struct nm_api_keys *k);
/* Which key the presented text is (re-reading the file when it changed). */
enum nm_api_key_status nm_api_keys_check(struct nm_api_keys *k, const char *presented,
                                         struct nm_api_key_info *out);

/* Command-line side: adds a key named name (1-32 of [A-Za-z0-9_-]) and
 * writes its text (shown once) into key_out. NM_E_INVAL, NM_E_IO. */
int nm_api_keys_add(const char *path, const char *name, uint32_t per_minute, uint32_t per_day,
                    char key_out[NM_API_KEY_TEXT_LEN], char *err, size_t cap);
/* Revokes the key with that id or name. NM_E_KEY_NOT_FOUND, NM_E_IO. */
int nm_api_keys_revoke(const char *path, const char *id_or_name, char *err, size_t cap);
/* One line per key: id, name, quotas, status (never the key or its hash). */
int nm_api_keys_list(const char *path, FILE *out, char *err, size_t cap);

#endif
