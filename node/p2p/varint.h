/* varint.h - unsigned LEB128 varints as libp2p uses them (multiformats
 * unsigned-varint: at most 9 bytes, minimal encoding only), for length
 * prefixes, multiaddr codes and multihash headers. */
#ifndef NM_P2P_VARINT_H
#define NM_P2P_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define NM_VARINT_MAX 9 /* 63 bits of value */

/* Writes v into out (cap >= NM_VARINT_MAX is always enough); returns the
 * number of bytes written, 0 if cap is too small. */
size_t nm_varint_encode(uint64_t v, uint8_t *out, size_t cap);
/* Reads one varint from in[0..len): returns the bytes consumed (> 0), 0 if
 * more bytes are needed, NM_E_DECODE if it is longer than 9 bytes or not
 * minimal (a trailing zero byte). */
int nm_varint_decode(const uint8_t *in, size_t len, uint64_t *v);

#endif
