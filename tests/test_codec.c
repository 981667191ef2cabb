/* Unit tests for node/codec: canonical integer, varint and byte-string encoding and decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/codec.h"
#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

/* A heap copy of exactly len bytes, so AddressSanitizer flags any read past the end. */
static uint8_t *exact_copy(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, src, len);
    return p;
}

static void encode_varint(uint64_t v, uint8_t **out, size_t *len)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_varint(&w, v);
    assert_int_equal(w.err, 0);
    *out = nm_writer_take(&w, len);
}

static uint64_t decode_varint(const uint8_t *bytes, size_t len, int *err_out)
{
    uint8_t *copy = exact_copy(bytes, len);
    struct nm_reader r;
    nm_reader_init(&r, copy, len);
    uint64_t v = nm_get_varint(&r);
    *err_out = nm_reader_finish(&r);
    free(copy);
    return v;
}

static void test_fixed_width_integers_round_trip_little_endian(void **state)
{
    (void)state;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_u8(&w, 0xab);
    nm_put_u16(&w, 0x1234);
    nm_put_u32(&w, 0xdeadbeefu);
    nm_put_u64(&w, 0x0102030405060708ULL);
    nm_put_u64(&w, UINT64_MAX);
    assert_int_equal(w.err, 0);
    assert_int_equal(w.len, 1 + 2 + 4 + 8 + 8);
    static const uint8_t expect[] = {0xab, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde, 0x08, 0x07,
                                     0x06, 0x05, 0x04, 0x03, 0x02, 0x01};
    assert_memory_equal(w.data, expect, sizeof expect);

    struct nm_reader r;
    nm_reader_init(&r, w.data, w.len);
    assert_int_equal(nm_get_u8(&r), 0xab);
    assert_int_equal(nm_get_u16(&r), 0x1234);
    assert_int_equal(nm_get_u32(&r), 0xdeadbeefu);
    assert_true(nm_get_u64(&r) == 0x0102030405060708ULL);
    assert_true(nm_get_u64(&r) == UINT64_MAX);
    assert_int_equal(nm_reader_finish(&r), 0);
    nm_writer_fini(&w);
}

static void test_raw_bytes_and_str_round_trip(void **state)
{
    (void)state;
    static const uint8_t blob[] = {0x00, 0x01, 0xff, 0x7f, 0x80};
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_raw(&w, blob, sizeof blob);
    nm_put_bytes(&w, blob, sizeof blob);
    nm_put_bytes(&w, NULL, 0);
    nm_put_str(&w, "hello");
    nm_put_str(&w, "");
    assert_int_equal(w.err, 0);
    /* raw(5) + len(1)+5 + len(1) + len(1)+5 + len(1) */
    assert_int_equal(w.len, 5 + 6 + 1 + 6 + 1);

    struct nm_reader r;
    nm_reader_init(&r, w.data, w.len);
    uint8_t raw[sizeof blob];
    nm_get_raw(&r, raw, sizeof raw);
    assert_memory_equal(raw, blob, sizeof blob);
    size_t n;
    const uint8_t *p = nm_get_bytes(&r, 100, &n);
    assert_non_null(p);
    assert_int_equal(n, sizeof blob);
    assert_memory_equal(p, blob, sizeof blob);
    assert_ptr_equal(p, w.data + 6); /* points into the buffer, no copy */
    nm_get_bytes(&r, 100, &n);
    assert_int_equal(n, 0);
    char s[16];
    nm_get_str(&r, s, sizeof s);
    assert_string_equal(s, "hello");
    nm_get_str(&r, s, sizeof s);
    assert_string_equal(s, "");
    assert_int_equal(nm_reader_finish(&r), 0);
    nm_writer_fini(&w);
}

static void test_varint_boundaries_round_trip_with_expected_lengths(void **state)
{
    (void)state;
    static const struct {
        uint64_t value;
        size_t len;
    } cases[] = {
        {0, 1},
        {1, 1},
        {127, 1},
        {128, 2},
        {16383, 2},
        {16384, 3},
        {(uint64_t)UINT32_MAX, 5},
        {1ULL << 63, 10},
        {UINT64_MAX, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *bytes;
        size_t len;
        encode_varint(cases[i].value, &bytes, &len);
        assert_int_equal(len, cases[i].len);
        int err;
        uint64_t back = decode_varint(bytes, len, &err);
        assert_int_equal(err, 0);
        assert_true(back == cases[i].value);
        free(bytes);
    }
}

static void test_varint_known_encodings(void **state)
{
    (void)state;
    uint8_t *bytes;
    size_t len;
    encode_varint(0, &bytes, &len);
    assert_int_equal(bytes[0], 0x00);
    free(bytes);
    encode_varint(127, &bytes, &len);
    assert_int_equal(bytes[0], 0x7f);
    free(bytes);
    encode_varint(128, &bytes, &len);
    static const uint8_t v128[] = {0x80, 0x01};
    assert_memory_equal(bytes, v128, 2);
    free(bytes);
    encode_varint(UINT64_MAX, &bytes, &len);
    static const uint8_t vmax[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    assert_memory_equal(bytes, vmax, sizeof vmax);
    free(bytes);
    encode_varint(1ULL << 63, &bytes, &len);
    static const uint8_t v63[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    assert_memory_equal(bytes, v63, sizeof v63);
    free(bytes);
}

static void test_varint_rejects_non_minimal_encoding(void **state)
{
    (void)state;
    static const uint8_t zero_two_bytes[] = {0x80, 0x00};
    static const uint8_t one_two_bytes[] = {0x81, 0x00};
    static const uint8_t v127_three_bytes[] = {0xff, 0x80, 0x00};
    static const uint8_t max_padded[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0x80, 0x00};
    int err;
    assert_true(decode_varint(zero_two_bytes, sizeof zero_two_bytes, &err) == 0);
    assert_int_equal(err, NM_E_DECODE);
    decode_varint(one_two_bytes, sizeof one_two_bytes, &err);
    assert_int_equal(err, NM_E_DECODE);
    decode_varint(v127_three_bytes, sizeof v127_three_bytes, &err);
    assert_int_equal(err, NM_E_DECODE);
    decode_varint(max_padded, sizeof max_padded, &err);
    assert_int_equal(err, NM_E_DECODE);
}

static void test_varint_rejects_over_long_encoding(void **state)
{
    (void)state;
    /* Tenth byte 0x02 would need bit 64. */
    static const uint8_t bit64[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02};
    /* Eleven bytes: the tenth still has its continuation bit. */
    static const uint8_t eleven[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0x81, 0x00};
    static const uint8_t eleven_ones[] = {0x81, 0x80, 0x80, 0x80, 0x80, 0x80,
                                          0x80, 0x80, 0x80, 0x80, 0x01};
    int err;
    assert_true(decode_varint(bit64, sizeof bit64, &err) == 0);
    assert_int_equal(err, NM_E_DECODE);
    assert_true(decode_varint(eleven, sizeof eleven, &err) == 0);
    assert_int_equal(err, NM_E_DECODE);
    decode_varint(eleven_ones, sizeof eleven_ones, &err);
    assert_int_equal(err, NM_E_DECODE);
}

static void test_truncated_varint_sets_err_without_over_read(void **state)
{
    (void)state;
    static const uint8_t vmax[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    for (size_t len = 0; len < sizeof vmax; len++) {
        int err;
        assert_true(decode_varint(vmax, len, &err) == 0);
        assert_int_equal(err, NM_E_DECODE);
    }
}

static void test_truncated_fixed_reads_set_err_and_return_zero(void **state)
{
    (void)state;
    static const uint8_t src[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    for (size_t len = 0; len < 8; len++) {
        uint8_t *copy = exact_copy(src, len);
        struct nm_reader r;
        nm_reader_init(&r, copy, len);
        assert_true(nm_get_u64(&r) == 0);
        assert_int_equal(r.err, NM_E_DECODE);
        assert_int_equal(r.pos, 0);
        free(copy);
    }
    uint8_t *copy = exact_copy(src, 3);
    struct nm_reader r;
    nm_reader_init(&r, copy, 3);
    assert_int_equal(nm_get_u16(&r), 0x0201);
    assert_int_equal(nm_get_u16(&r), 0); /* one byte left */
    assert_int_equal(r.err, NM_E_DECODE);
    assert_int_equal(r.pos, 2);
    free(copy);
}

static void test_reader_error_is_sticky(void **state)
{
    (void)state;
    static const uint8_t src[] = {0x01, 0x02, 0x03, 0x04, 0x05};
    struct nm_reader r;
    nm_reader_init(&r, src, sizeof src);
    nm_get_u64(&r); /* fails: only 5 bytes */
    assert_int_equal(r.err, NM_E_DECODE);
    /* Further reads that would fit still report failure and return zero. */
    assert_int_equal(nm_get_u8(&r), 0);
    assert_int_equal(nm_get_u32(&r), 0);
    assert_int_equal(r.pos, 0);
    assert_int_equal(nm_reader_finish(&r), NM_E_DECODE);
}

static void test_get_raw_zero_fills_on_truncation(void **state)
{
    (void)state;
    static const uint8_t src[] = {0xaa, 0xbb};
    uint8_t *copy = exact_copy(src, sizeof src);
    struct nm_reader r;
    nm_reader_init(&r, copy, sizeof src);
    uint8_t out[4];
    memset(out, 0x55, sizeof out);
    nm_get_raw(&r, out, sizeof out);
    assert_int_equal(r.err, NM_E_DECODE);
    static const uint8_t zeros[4] = {0};
    assert_memory_equal(out, zeros, sizeof out);
    free(copy);
}

static void test_get_bytes_rejects_length_beyond_buffer(void **state)
{
    (void)state;
    /* Claims 5 bytes, has 4. */
    static const uint8_t src[] = {0x05, 'a', 'b', 'c', 'd'};
    uint8_t *copy = exact_copy(src, sizeof src);
    struct nm_reader r;
    nm_reader_init(&r, copy, sizeof src);
    size_t n = 99;
    assert_null(nm_get_bytes(&r, 100, &n));
    assert_int_equal(n, 0);
    assert_int_equal(r.err, NM_E_DECODE);
    free(copy);

    /* A huge varint length must not wrap the bounds check. */
    static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                                   'x'};
    copy = exact_copy(huge, sizeof huge);
    nm_reader_init(&r, copy, sizeof huge);
    assert_null(nm_get_bytes(&r, SIZE_MAX, &n));
    assert_int_equal(r.err, NM_E_DECODE);
    free(copy);
}

static void test_get_bytes_enforces_max(void **state)
{
    (void)state;
    static const uint8_t src[] = {0x04, 'a', 'b', 'c', 'd'};
    struct nm_reader r;
    size_t n;
    nm_reader_init(&r, src, sizeof src);
    assert_non_null(nm_get_bytes(&r, 4, &n));
    assert_int_equal(n, 4);
    assert_int_equal(nm_reader_finish(&r), 0);

    nm_reader_init(&r, src, sizeof src);
    assert_null(nm_get_bytes(&r, 3, &n));
    assert_int_equal(n, 0);
    assert_int_equal(r.err, NM_E_DECODE);
}

static void test_get_str_rejects_embedded_nul(void **state)
{
    (void)state;
    static const uint8_t src[] = {0x03, 'a', 0x00, 'b'};
    struct nm_reader r;
    nm_reader_init(&r, src, sizeof src);
    char out[8];
    memset(out, 'z', sizeof out);
    nm_get_str(&r, out, sizeof out);
    assert_int_equal(r.err, NM_E_DECODE);
    assert_int_equal(out[0], '\0');
}

static void test_get_str_rejects_string_longer_than_cap(void **state)
{
    (void)state;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_str(&w, "abcd");
    struct nm_reader r;
    char out[5];
    nm_reader_init(&r, w.data, w.len);
    nm_get_str(&r, out, sizeof out); /* exactly fits: 4 chars + NUL */
    assert_int_equal(nm_reader_finish(&r), 0);
    assert_string_equal(out, "abcd");

    char small[4];
    memset(small, 'z', sizeof small);
    nm_reader_init(&r, w.data, w.len);
    nm_get_str(&r, small, sizeof small);
    assert_int_equal(r.err, NM_E_DECODE);
    assert_int_equal(small[0], '\0');
    nm_writer_fini(&w);
}

static void test_reader_finish_reports_trailing_bytes(void **state)
{
    (void)state;
    static const uint8_t src[] = {0x01, 0x02, 0x03};
    struct nm_reader r;
    nm_reader_init(&r, src, sizeof src);
    nm_get_u16(&r);
    assert_int_equal(nm_reader_finish(&r), NM_E_TRAILING);
    nm_get_u8(&r);
    assert_int_equal(nm_reader_finish(&r), 0);
}

static void test_reader_finish_prefers_decode_error_over_trailing(void **state)
{
    (void)state;
    static const uint8_t src[] = {0x80, 0x00, 0x07};
    struct nm_reader r;
    nm_reader_init(&r, src, sizeof src);
    nm_get_varint(&r);
    assert_int_equal(nm_reader_finish(&r), NM_E_DECODE);
}

static void test_writer_take_hands_over_buffer_and_empties_writer(void **state)
{
    (void)state;
    struct nm_writer w;
    nm_writer_init(&w);
    for (int i = 0; i < 200; i++) /* past the first growth step */
        nm_put_u8(&w, (uint8_t)i);
    size_t len = 0;
    uint8_t *buf = nm_writer_take(&w, &len);
    assert_non_null(buf);
    assert_int_equal(len, 200);
    for (int i = 0; i < 200; i++)
        assert_int_equal(buf[i], (uint8_t)i);
    assert_null(w.data);
    assert_int_equal(w.len, 0);
    assert_int_equal(w.cap, 0);
    assert_int_equal(w.err, 0);
    /* The emptied writer is usable again and owns a fresh buffer. */
    nm_put_u32(&w, 7);
    assert_int_equal(w.len, 4);
    assert_ptr_not_equal(w.data, buf);
    free(buf);
    nm_writer_fini(&w);
}

static void test_writer_take_of_empty_writer_gives_zero_length(void **state)
{
    (void)state;
    struct nm_writer w;
    nm_writer_init(&w);
    size_t len = 123;
    uint8_t *buf = nm_writer_take(&w, &len);
    assert_int_equal(len, 0);
    free(buf);
}

static void test_writer_reset_keeps_buffer_and_restarts(void **state)
{
    (void)state;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_u64(&w, 1);
    uint8_t *before = w.data;
    nm_writer_reset(&w);
    assert_int_equal(w.len, 0);
    nm_put_u8(&w, 9);
    assert_ptr_equal(w.data, before);
    assert_int_equal(w.len, 1);
    assert_int_equal(w.data[0], 9);
    nm_writer_fini(&w);
    assert_null(w.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_width_integers_round_trip_little_endian),
        cmocka_unit_test(test_raw_bytes_and_str_round_trip),
        cmocka_unit_test(test_varint_boundaries_round_trip_with_expected_lengths),
        cmocka_unit_test(test_varint_known_encodings),
        cmocka_unit_test(test_varint_rejects_non_minimal_encoding),
        cmocka_unit_test(test_varint_rejects_over_long_encoding),
        cmocka_unit_test(test_truncated_varint_sets_err_without_over_read),
        cmocka_unit_test(test_truncated_fixed_reads_set_err_and_return_zero),
        cmocka_unit_test(test_reader_error_is_sticky),
        cmocka_unit_test(test_get_raw_zero_fills_on_truncation),
        cmocka_unit_test(test_get_bytes_rejects_length_beyond_buffer),
        cmocka_unit_test(test_get_bytes_enforces_max),
        cmocka_unit_test(test_get_str_rejects_embedded_nul),
        cmocka_unit_test(test_get_str_rejects_string_longer_than_cap),
        cmocka_unit_test(test_reader_finish_reports_trailing_bytes),
        cmocka_unit_test(test_reader_finish_prefers_decode_error_over_trailing),
        cmocka_unit_test(test_writer_take_hands_over_buffer_and_empties_writer),
        cmocka_unit_test(test_writer_take_of_empty_writer_gives_zero_length),
        cmocka_unit_test(test_writer_reset_keeps_buffer_and_restarts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
