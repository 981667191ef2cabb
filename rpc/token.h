/* token.h - the token that unsafe JSON-RPC methods need: a random cookie
 * the node writes to its base path at start (rpc.cookie, mode 0600, so only
 * the node's user can read it), or a token the operator keeps in a file
 * (--rpc-token-file). Clients send it as "Authorization: Bearer TOKEN". */
#ifndef NM_RPC_TOKEN_H
#define NM_RPC_TOKEN_H

#include <stddef.h>

#define NM_RPC_COOKIE_NAME "rpc.cookie"
/* A token is 1..NM_RPC_TOKEN_MAX printable characters without spaces. */
#define NM_RPC_TOKEN_MAX 255

/* BASE/rpc.cookie into out; NM_E_TOO_BIG if it does not fit. */
int nm_rpc_cookie_path(const char *base, char *out, size_t cap);
/* A fresh random token: 64 hex digits into out (cap >= 65). */
int nm_rpc_token_new(char *out, size_t cap);
/* Writes token to path, mode 0600, replacing an older file atomically.
 * NM_E_IO (errno says why). */
int nm_rpc_cookie_save(const char *path, const char *token);
/* Both: a fresh token into out (cap >= 65), written to path. */
int nm_rpc_cookie_write(const char *path, char *out, size_t cap);
/* Reads a token from the first line of path (cap >= NM_RPC_TOKEN_MAX + 1).
 * NM_E_IO when it cannot be read, NM_E_INVAL when it is not a token. If
 * private is not NULL it says whether only the owner can read the file. */
int nm_rpc_token_read(const char *path, char *out, size_t cap, int *private_file);

#endif
