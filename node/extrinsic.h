/* extrinsic.h - signed transactions. Encoding:
 *   version u8 (1) | chain tag [4] | signer [32] | nonce u64 | call (varint
 *   length + bytes) | signature [64]
 * The signature covers genesis_hash || nonce || call, so a transaction
 * cannot be replayed on another chain or twice. The chain tag (first four
 * bytes of the genesis hash) only lets a node say "wrong chain" instead of
 * "bad signature". Signing happens in the client; keys never travel. */
#ifndef NM_EXTRINSIC_H
#define NM_EXTRINSIC_H

#include "node/call.h"
#include "node/crypto.h"

#include <stddef.h>
#include <stdint.h>

#define NM_EXTRINSIC_VERSION 1
/* Room for a weights call naming 65535 miners (4 bytes each) and the
 * extrinsic around it. */
#define NM_EXTRINSIC_MAX (260 * 1024)

struct nm_extrinsic {
    uint8_t chain_tag[4];
    nm_account signer;
    uint64_t nonce;
    const uint8_t *call;   /* points into the decoded buffer */
    size_t call_len;
    uint8_t signature[NM_SIG_LEN];
};

/* Builds and signs; *out is malloc'd. */
int nm_extrinsic_build(const struct nm_keypair *kp, const nm_hash *genesis, uint64_t nonce,
                       const struct nm_call *call, uint8_t **out, size_t *out_len);
/* The same over call bytes already encoded (any bytes: tests sign calls
 * the runtime must refuse). */
int nm_extrinsic_build_bytes(const struct nm_keypair *kp, const nm_hash *genesis, uint64_t nonce,
                             const uint8_t *call, size_t call_len, uint8_t **out,
                             size_t *out_len);
/* Shape only (no signature check). The result points into data. */
int nm_extrinsic_decode(const uint8_t *data, size_t len, struct nm_extrinsic *out);
/* NM_E_WRONG_CHAIN if the tag does not match genesis, NM_E_BAD_SIGNATURE if
 * the signature does not verify. */
int nm_extrinsic_verify(const struct nm_extrinsic *x, const nm_hash *genesis);
/* Decode and verify over bytes alone: touches no state, so any thread may
 * call it (admission's workers do). */
int nm_extrinsic_check_bytes(const uint8_t *data, size_t len, const nm_hash *genesis);
/* Every nm_extrinsic_verify call so far, on any thread (a test hook). */
unsigned long nm_extrinsic_verifications(void);
/* Those made on the calling thread (the node thread's own share). */
unsigned long nm_extrinsic_verifications_here(void);
void nm_extrinsic_hash(const uint8_t *data, size_t len, nm_hash *out);
/* The call an encoded extrinsic carries, decoded into *out (malloc'd: the
 * caller frees it; its weight lists point into data). Shape only: no
 * signature check. */
int nm_extrinsic_call_new(const uint8_t *data, size_t len, struct nm_call **out);

#endif
