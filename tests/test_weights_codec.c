/* Unit tests for node/weights_codec: exact round trips of empty, edge,
 * dense, sparse and random vectors, the size the compact form reaches,
 * refusal of every malformed input, and a replay of the fuzz corpus
 * (tests/fuzz/corpus/weights_codec) through the decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "node/errors.h"
#include "node/pallets/weights_codec.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORPUS_DIR "tests/fuzz/corpus/weights_codec"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct vec {
    size_t n;
    uint16_t uids[NM_WCODEC_MAX_ENTRIES];
    uint32_t values[NM_WCODEC_MAX_ENTRIES];
};

static struct vec in_vec, out_vec;

/* Encodes v, decodes it back into out_vec and checks they are equal.
 * Returns the encoded size. */
static size_t round_trip(const struct vec *v)
{
    struct nm_writer w;
    nm_writer_init(&w);
    assert_int_equal(nm_wcodec_encode(v->uids, v->values, v->n, &w), 0);
    size_t count;
    assert_int_equal(nm_wcodec_count(w.data, w.len, &count), 0);
    assert_int_equal(count, v->n);
    assert_int_equal(nm_wcodec_decode(w.data, w.len, out_vec.uids, out_vec.values,
                                      NM_WCODEC_MAX_ENTRIES, &out_vec.n),
                     0);
    assert_int_equal(out_vec.n, v->n);
    if (v->n) {
        assert_memory_equal(out_vec.uids, v->uids, v->n * sizeof v->uids[0]);
        assert_memory_equal(out_vec.values, v->values, v->n * sizeof v->values[0]);
    }
    size_t len = w.len;
    nm_writer_fini(&w);
    return len;
}

/* n uniform weights normalised to sum 65535 (as the chain stores them). */
static void make_dense(struct vec *v, size_t n)
{
    uint64_t raw[NM_WCODEC_MAX_ENTRIES], sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += raw[i] = rng_next() % 1000000 + 1;
    v->n = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t w = (uint32_t)(raw[i] * 65535 / sum);
        if (w) {
            v->uids[v->n] = (uint16_t)i;
            v->values[v->n++] = w;
        }
    }
}

static void test_empty_vector_is_two_bytes_and_round_trips(void **state)
{
    (void)state;
    in_vec.n = 0;
    assert_int_equal(round_trip(&in_vec), 2);
}

static void test_edge_uids_and_values_round_trip(void **state)
{
    (void)state;
    in_vec.n = 3;
    in_vec.uids[0] = 0;
    in_vec.values[0] = 1;
    in_vec.uids[1] = 1;
    in_vec.values[1] = UINT32_MAX;
    in_vec.uids[2] = 65535;
    in_vec.values[2] = 65535;
    round_trip(&in_vec);
    in_vec.n = 1;
    in_vec.uids[0] = 65535;
    in_vec.values[0] = UINT32_MAX;
    round_trip(&in_vec);
}

static void test_full_width_vector_round_trips(void **state)
{
    (void)state;
    in_vec.n = NM_WCODEC_MAX_ENTRIES;
    for (size_t i = 0; i < in_vec.n; i++) {
        in_vec.uids[i] = (uint16_t)i;
        in_vec.values[i] = (uint32_t)(rng_next() % 3 + 1);
    }
    round_trip(&in_vec);
}

static void test_dense_1000_fits_under_one_kilobyte(void **state)
{
    (void)state;
    make_dense(&in_vec, 1000);
    size_t len = round_trip(&in_vec);
    assert_true(len < 1000); /* the seed's estimate is ~1 KB */
}

static void test_sparse_tenth_is_far_smaller_than_pairs(void **state)
{
    (void)state;
    in_vec.n = 0;
    for (uint32_t uid = 0; uid < 1000; uid++)
        if (rng_next() % 10 == 0) {
            in_vec.uids[in_vec.n] = (uint16_t)uid;
            in_vec.values[in_vec.n++] = (uint32_t)(rng_next() % 1300 + 1);
        }
    size_t len = round_trip(&in_vec);
    assert_true(len < in_vec.n * 4 * 6 / 10); /* beats plain u16 pairs by 40%+ */
}

static void test_random_vectors_round_trip(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        uint32_t density = (uint32_t)(rng_next() % 100) + 1;
        uint32_t span = (uint32_t)(rng_next() % 70000);
        uint32_t vmax = round % 3 == 0 ? UINT32_MAX : (uint32_t)(rng_next() % 5000) + 1;
        in_vec.n = 0;
        for (uint32_t uid = 0; uid < span && uid <= 65535; uid++)
            if (rng_next() % 100 < density) {
                in_vec.uids[in_vec.n] = (uint16_t)uid;
                in_vec.values[in_vec.n++] = (uint32_t)(rng_next() % vmax) + 1;
            }
        round_trip(&in_vec);
    }
}

static void test_encoding_is_a_function_of_the_vector(void **state)
{
    (void)state;
    make_dense(&in_vec, 300);
    struct nm_writer a, b;
    nm_writer_init(&a);
    nm_writer_init(&b);
    assert_int_equal(nm_wcodec_encode(in_vec.uids, in_vec.values, in_vec.n, &a), 0);
    assert_int_equal(nm_wcodec_encode(in_vec.uids, in_vec.values, in_vec.n, &b), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    nm_writer_fini(&a);
    nm_writer_fini(&b);
}

static void test_encode_refuses_unsorted_duplicate_or_zero_entries(void **state)
{
    (void)state;
    uint16_t unsorted[] = {3, 2};
    uint16_t dup[] = {2, 2};
    uint16_t ok[] = {1, 2};
    uint32_t vals[] = {5, 6}, zero[] = {5, 0};
    struct nm_writer w;
    nm_writer_init(&w);
    assert_int_equal(nm_wcodec_encode(unsorted, vals, 2, &w), NM_E_INVAL);
    assert_int_equal(nm_wcodec_encode(dup, vals, 2, &w), NM_E_INVAL);
    assert_int_equal(nm_wcodec_encode(ok, zero, 2, &w), NM_E_INVAL);
    assert_int_equal(w.len, 0); /* nothing written */
    nm_writer_fini(&w);
}

static int decode(const uint8_t *p, size_t len, size_t cap)
{
    size_t n = 99;
    int err = nm_wcodec_decode(p, len, out_vec.uids, out_vec.values, cap, &n);
    if (err)
        assert_int_equal(n, 0);
    out_vec.n = n;
    return err;
}

static void test_decode_refuses_every_truncation_and_trailing_bytes(void **state)
{
    (void)state;
    make_dense(&in_vec, 200);
    struct nm_writer w;
    nm_writer_init(&w);
    assert_int_equal(nm_wcodec_encode(in_vec.uids, in_vec.values, in_vec.n, &w), 0);
    for (size_t len = 0; len < w.len; len++)
        assert_int_equal(decode(w.data, len, NM_WCODEC_MAX_ENTRIES), NM_E_DECODE);
    uint8_t *longer = malloc(w.len + 1);
    memcpy(longer, w.data, w.len);
    longer[w.len] = 0;
    assert_int_equal(decode(longer, w.len + 1, NM_WCODEC_MAX_ENTRIES), NM_E_DECODE);
    free(longer);
    nm_writer_fini(&w);
}

static void test_decode_refuses_bad_headers_and_padding(void **state)
{
    (void)state;
    /* one entry, uid 0, value 1: k's 0, bits 1 (gap 0) 1 (len 1) 1 (value 1) */
    const uint8_t good[] = {1, 1, 0, 0, 0, 0xe0};
    assert_int_equal(decode(good, sizeof good, 4), 0);
    assert_int_equal(out_vec.uids[0], 0);
    assert_int_equal(out_vec.values[0], 1);
    const uint8_t bad_version[] = {2, 1, 0, 0, 0, 0xe0};
    const uint8_t bad_padding[] = {1, 1, 0, 0, 0, 0xe1};
    const uint8_t big_k[] = {1, 1, 17, 0, 0, 0xe0};
    const uint8_t big_kval[] = {1, 1, 0, 0, 32, 0xe0};
    const uint8_t nonminimal_n[] = {1, 0x81, 0x00, 0, 0, 0, 0xe0};
    const uint8_t too_many[] = {1, 0x81, 0x80, 0x04}; /* n = 65537 */
    const uint8_t empty_with_tail[] = {1, 0, 0};
    assert_int_equal(decode(bad_version, sizeof bad_version, 4), NM_E_DECODE);
    assert_int_equal(decode(bad_padding, sizeof bad_padding, 4), NM_E_DECODE);
    assert_int_equal(decode(big_k, sizeof big_k, 4), NM_E_DECODE);
    assert_int_equal(decode(big_kval, sizeof big_kval, 4), NM_E_DECODE);
    assert_int_equal(decode(nonminimal_n, sizeof nonminimal_n, 4), NM_E_DECODE);
    assert_int_equal(decode(too_many, sizeof too_many, 4), NM_E_DECODE);
    assert_int_equal(decode(empty_with_tail, sizeof empty_with_tail, 4), NM_E_DECODE);
    assert_int_equal(decode(good, sizeof good, 0), NM_E_TOO_BIG);
}

static void test_decode_refuses_uids_past_65535(void **state)
{
    (void)state;
    /* Two entries: uid 65535 then a run that would start at 65537. */
    in_vec.n = 1;
    in_vec.uids[0] = 65535;
    in_vec.values[0] = 1;
    struct nm_writer w;
    nm_writer_init(&w);
    assert_int_equal(nm_wcodec_encode(in_vec.uids, in_vec.values, 1, &w), 0);
    /* Claim two entries: the second run cannot fit below 65536. */
    uint8_t buf[64];
    memcpy(buf, w.data, w.len);
    buf[1] = 2;
    assert_int_equal(decode(buf, w.len, 4), NM_E_DECODE);
    /* A run longer than the rest of the uid space. */
    const uint8_t long_run[] = {1, 2, 16, 0, 0, 0xff, 0xff, 0xa0};
    assert_int_equal(decode(long_run, sizeof long_run, 4), NM_E_DECODE);
    nm_writer_fini(&w);
}

/* Every input the fuzzer keeps decodes without harm; what decodes
 * re-encodes to something that decodes to the same vector. */
static void test_fuzz_corpus_replays_cleanly(void **state)
{
    (void)state;
    DIR *dir = opendir(CORPUS_DIR);
    assert_non_null(dir);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, de->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static uint8_t data[1 << 20];
        size_t len = fread(data, 1, sizeof data, f);
        fclose(f);
        files++;
        if (decode(data, len, NM_WCODEC_MAX_ENTRIES))
            continue;
        in_vec = out_vec;
        round_trip(&in_vec);
    }
    closedir(dir);
    assert_true(files >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_vector_is_two_bytes_and_round_trips),
        cmocka_unit_test(test_edge_uids_and_values_round_trip),
        cmocka_unit_test(test_full_width_vector_round_trips),
        cmocka_unit_test(test_dense_1000_fits_under_one_kilobyte),
        cmocka_unit_test(test_sparse_tenth_is_far_smaller_than_pairs),
        cmocka_unit_test(test_random_vectors_round_trip),
        cmocka_unit_test(test_encoding_is_a_function_of_the_vector),
        cmocka_unit_test(test_encode_refuses_unsorted_duplicate_or_zero_entries),
        cmocka_unit_test(test_decode_refuses_every_truncation_and_trailing_bytes),
        cmocka_unit_test(test_decode_refuses_bad_headers_and_padding),
        cmocka_unit_test(test_decode_refuses_uids_past_65535),
        cmocka_unit_test(test_fuzz_corpus_replays_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
