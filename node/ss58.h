/* ss58.h - SS58 addresses (Substrate's base58 format with a BLAKE2b-512
 * checksum), network prefix 42, as every Substrate/Bittensor tool shows. */
#ifndef NM_SS58_H
#define NM_SS58_H

#include "node/crypto.h"

#include <stdint.h>

#define NM_SS58_PREFIX 42
#define NM_SS58_STRLEN 64 /* 48 characters + NUL, with room */

char *nm_ss58_encode(const nm_account *acct, char out[NM_SS58_STRLEN]);
/* Encodings the calling thread took from its memo of recent ones. */
uint64_t nm_ss58_memo_hits(void);
/* NM_E_ADDRESS for bad characters, length or prefix; NM_E_CHECKSUM when
 * the two checksum bytes do not match. */
int nm_ss58_decode(const char *text, nm_account *out);

#endif
