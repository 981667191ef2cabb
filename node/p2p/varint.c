/* varint.c - unsigned LEB128 varints (multiformats unsigned-varint). */
#include "node/p2p/varint.h"

#include "node/errors.h"

size_t nm_varint_encode(uint64_t v, uint8_t *out, size_t cap)
{
    size_t n = 0;
    do {
        if (n == cap)
            return 0;
        uint8_t b = v & 0x7f;
        v >>= 7;
        out[n++] = (uint8_t)(b | (v ? 0x80 : 0));
    } while (v);
    return n;
}

int nm_varint_decode(const uint8_t *in, size_t len, uint64_t *v)
{
    uint64_t r = 0;
    for (size_t i = 0; i < len; i++) {
        if (i == NM_VARINT_MAX)
            return NM_E_DECODE;
        r |= (uint64_t)(in[i] & 0x7f) << (7 * i);
        if (!(in[i] & 0x80)) {
            if (i > 0 && in[i] == 0)
                return NM_E_DECODE; /* not minimal */
            *v = r;
            return (int)i + 1;
        }
    }
    return len >= NM_VARINT_MAX ? NM_E_DECODE : 0;
}
