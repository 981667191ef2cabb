/* Unit tests for node/block: header and block encoding, hashing, the
 * Substrate-shaped header JSON, the extrinsics root and hostile block bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/block.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- helpers --- */

static struct nm_header sample_header(void)
{
    struct nm_header h;
    memset(&h, 0, sizeof h);
    for (int i = 0; i < NM_HASH_LEN; i++) {
        h.parent.b[i] = (uint8_t)(i + 1);
        h.state_root.b[i] = (uint8_t)(0x40 + i);
        h.extrinsics_root.b[i] = (uint8_t)(0x80 + i);
    }
    for (int i = 0; i < NM_PUBKEY_LEN; i++)
        h.author.b[i] = (uint8_t)(0xc0 + i);
    h.height = 0x1234;
    h.timestamp_ms = 1700000000123ULL;
    h.epoch = 7;
    return h;
}

static void header_hash_hex(const struct nm_header *h, char out[NM_HASH_HEXLEN])
{
    nm_hash hash;
    nm_header_hash(h, &hash);
    nm_hash_hex(&hash, out);
}

/* Three small extrinsics of different lengths (one empty is allowed too). */
static const uint8_t ext_a[] = {1, 2, 3};
static const uint8_t ext_b[] = {4, 5, 6, 7, 8};
static const uint8_t ext_c[] = {9};

/* A sealed block of the three extrinsics above, encoded into w. */
static void encode_sample_block(struct nm_writer *w, struct nm_header *h_out)
{
    const uint8_t *exts[] = {ext_a, ext_b, ext_c};
    size_t lens[] = {sizeof ext_a, sizeof ext_b, sizeof ext_c};
    struct nm_header h = sample_header();
    nm_extrinsics_root(exts, lens, 3, &h.extrinsics_root);
    uint8_t seal[NM_SIG_LEN];
    memset(seal, 0xab, sizeof seal);
    nm_writer_init(w);
    nm_block_encode(&h, seal, exts, lens, 3, w);
    assert_int_equal(w->err, 0);
    if (h_out)
        *h_out = h;
}

/* Encoded size of the header alone, to find the parts of a block. */
static size_t header_size(void)
{
    struct nm_header h = sample_header();
    struct nm_writer w;
    nm_writer_init(&w);
    nm_header_encode(&h, &w);
    size_t n = w.len;
    nm_writer_fini(&w);
    return n;
}

/* --- header --- */

static void test_header_round_trips_through_encoding(void **state)
{
    (void)state;
    struct nm_header h = sample_header(), back;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_header_encode(&h, &w);
    assert_int_equal(w.err, 0);
    struct nm_reader r;
    nm_reader_init(&r, w.data, w.len);
    memset(&back, 0xee, sizeof back);
    assert_int_equal(nm_header_decode(&r, &back), 0);
    assert_int_equal(nm_reader_finish(&r), 0);
    assert_memory_equal(&h, &back, sizeof h);
    nm_writer_fini(&w);
}

static void test_header_decode_rejects_unknown_version_and_truncation(void **state)
{
    (void)state;
    struct nm_header h = sample_header(), back;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_header_encode(&h, &w);
    struct nm_reader r;
    for (size_t len = 0; len < w.len; len++) {
        nm_reader_init(&r, w.data, len);
        assert_int_equal(nm_header_decode(&r, &back), NM_E_DECODE);
    }
    w.data[0] = NM_BLOCK_VERSION + 1;
    nm_reader_init(&r, w.data, w.len);
    assert_int_equal(nm_header_decode(&r, &back), NM_E_DECODE);
    nm_writer_fini(&w);
}

static void test_header_hash_changes_with_every_field(void **state)
{
    (void)state;
    struct nm_header base = sample_header();
    char base_hex[NM_HASH_HEXLEN], hex[NM_HASH_HEXLEN];
    header_hash_hex(&base, base_hex);
    /* Same header, same hash. */
    struct nm_header same = sample_header();
    header_hash_hex(&same, hex);
    assert_string_equal(hex, base_hex);

    for (int field = 0; field < 7; field++) {
        struct nm_header h = base;
        switch (field) {
        case 0: h.parent.b[31] ^= 1; break;
        case 1: h.height++; break;
        case 2: h.timestamp_ms++; break;
        case 3: h.epoch++; break;
        case 4: h.author.b[0] ^= 1; break;
        case 5: h.state_root.b[5] ^= 0x80; break;
        default: h.extrinsics_root.b[17] ^= 2; break;
        }
        header_hash_hex(&h, hex);
        assert_string_not_equal(hex, base_hex);
    }
}

static void test_header_hash_is_blake2b_of_its_encoding(void **state)
{
    (void)state;
    struct nm_header h = sample_header();
    struct nm_writer w;
    nm_writer_init(&w);
    nm_header_encode(&h, &w);
    nm_hash expect, got;
    nm_hash_bytes(w.data, w.len, &expect);
    nm_header_hash(&h, &got);
    assert_memory_equal(expect.b, got.b, NM_HASH_LEN);
    nm_writer_fini(&w);
}

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

static void test_header_json_has_substrate_fields(void **state)
{
    (void)state;
    struct nm_header h = sample_header();
    cJSON *o = nm_header_json(&h);
    assert_non_null(o);
    char hex[NM_HASH_HEXLEN];
    assert_string_equal(json_str(o, "parentHash"), nm_hash_hex(&h.parent, hex));
    assert_string_equal(json_str(o, "number"), "0x1234");
    assert_string_equal(json_str(o, "stateRoot"), nm_hash_hex(&h.state_root, hex));
    assert_string_equal(json_str(o, "extrinsicsRoot"), nm_hash_hex(&h.extrinsics_root, hex));
    const cJSON *digest = cJSON_GetObjectItemCaseSensitive(o, "digest");
    assert_true(cJSON_IsObject(digest));
    const cJSON *logs = cJSON_GetObjectItemCaseSensitive(digest, "logs");
    assert_true(cJSON_IsArray(logs));
    assert_int_equal(cJSON_GetArraySize(logs), 0);
    /* Our own fields beside them. */
    header_hash_hex(&h, hex);
    assert_string_equal(json_str(o, "hash"), hex);
    char addr[NM_SS58_STRLEN];
    assert_string_equal(json_str(o, "author"), nm_ss58_encode(&h.author, addr));
    const cJSON *height = cJSON_GetObjectItemCaseSensitive(o, "height");
    assert_true(cJSON_IsNumber(height));
    assert_true(height->valuedouble == 0x1234);
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "timestamp");
    assert_true(cJSON_IsNumber(ts));
    assert_true(ts->valuedouble == 1700000000123.0);
    const cJSON *epoch = cJSON_GetObjectItemCaseSensitive(o, "epoch");
    assert_true(cJSON_IsNumber(epoch));
    assert_true(epoch->valuedouble == 7);
    cJSON_Delete(o);
}

static void test_header_json_number_is_minimal_hex(void **state)
{
    (void)state;
    struct nm_header h = sample_header();
    const struct {
        uint64_t height;
        const char *text;
    } cases[] = {{0, "0x0"}, {1, "0x1"}, {255, "0xff"}, {UINT64_MAX, "0xffffffffffffffff"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h.height = cases[i].height;
        cJSON *o = nm_header_json(&h);
        assert_string_equal(json_str(o, "number"), cases[i].text);
        cJSON_Delete(o);
    }
}

/* --- extrinsics root --- */

static void test_extrinsics_root_of_nothing_is_zero(void **state)
{
    (void)state;
    nm_hash root, zero;
    memset(&root, 0x55, sizeof root);
    memset(&zero, 0, sizeof zero);
    nm_extrinsics_root(NULL, NULL, 0, &root);
    assert_memory_equal(root.b, zero.b, NM_HASH_LEN);
}

static void test_extrinsics_root_of_one_is_its_hash(void **state)
{
    (void)state;
    const uint8_t *exts[] = {ext_b};
    size_t lens[] = {sizeof ext_b};
    nm_hash root, expect;
    nm_extrinsics_root(exts, lens, 1, &root);
    nm_hash_bytes(ext_b, sizeof ext_b, &expect);
    assert_memory_equal(root.b, expect.b, NM_HASH_LEN);
}

static void test_extrinsics_root_depends_on_order(void **state)
{
    (void)state;
    const uint8_t *ab[] = {ext_a, ext_b}, *ba[] = {ext_b, ext_a};
    size_t ab_lens[] = {sizeof ext_a, sizeof ext_b}, ba_lens[] = {sizeof ext_b, sizeof ext_a};
    nm_hash r1, r2, ha, hb, expect;
    nm_extrinsics_root(ab, ab_lens, 2, &r1);
    nm_extrinsics_root(ba, ba_lens, 2, &r2);
    assert_false(nm_hash_eq(&r1, &r2));
    nm_hash_bytes(ext_a, sizeof ext_a, &ha);
    nm_hash_bytes(ext_b, sizeof ext_b, &hb);
    nm_hash_pair(&ha, &hb, &expect);
    assert_memory_equal(r1.b, expect.b, NM_HASH_LEN);
}

static void test_extrinsics_root_pairs_odd_node_with_itself(void **state)
{
    (void)state;
    const uint8_t *exts[] = {ext_a, ext_b, ext_c};
    size_t lens[] = {sizeof ext_a, sizeof ext_b, sizeof ext_c};
    nm_hash root, ha, hb, hc, left, right, expect;
    nm_extrinsics_root(exts, lens, 3, &root);
    nm_hash_bytes(ext_a, sizeof ext_a, &ha);
    nm_hash_bytes(ext_b, sizeof ext_b, &hb);
    nm_hash_bytes(ext_c, sizeof ext_c, &hc);
    nm_hash_pair(&ha, &hb, &left);
    nm_hash_pair(&hc, &hc, &right);
    nm_hash_pair(&left, &right, &expect);
    assert_memory_equal(root.b, expect.b, NM_HASH_LEN);
    /* And it differs from the two-element root: the third one counts. */
    nm_hash two;
    nm_extrinsics_root(exts, lens, 2, &two);
    assert_false(nm_hash_eq(&root, &two));
}

static void test_extrinsics_root_changes_with_any_byte(void **state)
{
    (void)state;
    uint8_t copy[sizeof ext_b];
    memcpy(copy, ext_b, sizeof copy);
    const uint8_t *orig[] = {ext_a, ext_b, ext_c}, *changed[] = {ext_a, copy, ext_c};
    size_t lens[] = {sizeof ext_a, sizeof ext_b, sizeof ext_c};
    nm_hash r1, r2;
    nm_extrinsics_root(orig, lens, 3, &r1);
    copy[4] ^= 1;
    nm_extrinsics_root(changed, lens, 3, &r2);
    assert_false(nm_hash_eq(&r1, &r2));
}

/* --- blocks --- */

static void test_block_round_trips_through_encoding(void **state)
{
    (void)state;
    struct nm_writer w;
    struct nm_header h;
    encode_sample_block(&w, &h);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), 0);
    assert_memory_equal(&b.header, &h, sizeof h);
    for (int i = 0; i < NM_SIG_LEN; i++)
        assert_int_equal(b.seal[i], 0xab);
    assert_int_equal(b.justification_len, 0);
    assert_int_equal(b.count, 3);
    assert_int_equal(b.lengths[0], sizeof ext_a);
    assert_int_equal(b.lengths[1], sizeof ext_b);
    assert_int_equal(b.lengths[2], sizeof ext_c);
    assert_memory_equal(b.extrinsics[0], ext_a, sizeof ext_a);
    assert_memory_equal(b.extrinsics[1], ext_b, sizeof ext_b);
    assert_memory_equal(b.extrinsics[2], ext_c, sizeof ext_c);
    /* Points into the buffer, no copy. */
    assert_true(b.extrinsics[0] > w.data && b.extrinsics[2] < w.data + w.len);
    nm_block_fini(&b);
    assert_null(b.extrinsics);
    assert_int_equal(b.count, 0);
    nm_writer_fini(&w);
}

static void test_empty_block_round_trips_with_zero_root(void **state)
{
    (void)state;
    struct nm_header h = sample_header();
    memset(&h.extrinsics_root, 0, sizeof h.extrinsics_root);
    uint8_t seal[NM_SIG_LEN] = {0};
    struct nm_writer w;
    nm_writer_init(&w);
    nm_block_encode(&h, seal, NULL, NULL, 0, &w);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), 0);
    assert_int_equal(b.count, 0);
    assert_memory_equal(&b.header, &h, sizeof h);
    nm_block_fini(&b);
    /* A non-zero root on an empty body is a lie. */
    h.extrinsics_root.b[0] = 1;
    nm_writer_reset(&w);
    nm_block_encode(&h, seal, NULL, NULL, 0, &w);
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    nm_writer_fini(&w);
}

static void test_block_decode_rejects_body_not_matching_extrinsics_root(void **state)
{
    (void)state;
    const uint8_t *exts[] = {ext_a, ext_b, ext_c};
    size_t lens[] = {sizeof ext_a, sizeof ext_b, sizeof ext_c};
    struct nm_header h = sample_header();
    /* Root of a and b only: c was slipped in. */
    nm_extrinsics_root(exts, lens, 2, &h.extrinsics_root);
    uint8_t seal[NM_SIG_LEN] = {0};
    struct nm_writer w;
    nm_writer_init(&w);
    nm_block_encode(&h, seal, exts, lens, 3, &w);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    assert_null(b.extrinsics);
    /* the decode for bytes whose root was checked before: it hashes none,
     * so it is only for such bytes (chain_bft.c) */
    unsigned long roots = nm_extrinsics_root_computations();
    assert_int_equal(nm_block_decode_unrooted(w.data, w.len, &b), 0);
    assert_int_equal(b.count, 3);
    assert_int_equal(nm_extrinsics_root_computations(), roots);
    nm_block_fini(&b);
    nm_writer_fini(&w);

    /* A right root, then one body byte flipped. */
    encode_sample_block(&w, NULL);
    w.data[w.len - 1] ^= 0x01;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    nm_writer_fini(&w);
}

static void test_block_decode_rejects_every_truncation(void **state)
{
    (void)state;
    struct nm_writer w;
    encode_sample_block(&w, NULL);
    for (size_t len = 0; len < w.len; len++) {
        /* A fresh copy of exactly len bytes, so ASan sees any over-read. */
        uint8_t *copy = malloc(len ? len : 1);
        assert_non_null(copy);
        memcpy(copy, w.data, len);
        struct nm_block b;
        int err = nm_block_decode(copy, len, &b);
        assert_int_not_equal(err, 0);
        assert_null(b.extrinsics);
        free(copy);
    }
    nm_writer_fini(&w);
}

static void test_block_decode_rejects_trailing_bytes(void **state)
{
    (void)state;
    struct nm_writer w;
    encode_sample_block(&w, NULL);
    nm_put_u8(&w, 0);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_TRAILING);
    assert_null(b.extrinsics);
    nm_writer_fini(&w);
}

static void test_block_decode_rejects_unknown_version(void **state)
{
    (void)state;
    struct nm_writer w;
    encode_sample_block(&w, NULL);
    w.data[0] = NM_BLOCK_VERSION + 1;
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    nm_writer_fini(&w);
}

/* Header, seal, empty justification, then the given count and nothing. */
static void encode_with_count(struct nm_writer *w, uint64_t count)
{
    struct nm_header h = sample_header();
    uint8_t seal[NM_SIG_LEN] = {0};
    nm_writer_init(w);
    nm_header_encode(&h, w);
    nm_put_raw(w, seal, sizeof seal);
    nm_put_bytes(w, NULL, 0);
    nm_put_varint(w, count);
}

static void test_block_decode_rejects_absurd_extrinsic_counts(void **state)
{
    (void)state;
    const uint64_t counts[] = {UINT64_MAX, 1ULL << 40, 100001, 5000};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        struct nm_writer w;
        encode_with_count(&w, counts[i]);
        struct nm_block b;
        assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
        assert_null(b.extrinsics);
        nm_writer_fini(&w);
    }
}

static void test_block_decode_rejects_count_above_what_follows(void **state)
{
    (void)state;
    /* Three declared, two present: the third read runs off the end. */
    struct nm_writer w;
    encode_with_count(&w, 3);
    nm_put_bytes(&w, ext_a, sizeof ext_a);
    nm_put_bytes(&w, ext_b, sizeof ext_b);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    assert_null(b.extrinsics);
    nm_writer_fini(&w);
}

static void test_block_decode_rejects_extrinsic_length_past_the_end(void **state)
{
    (void)state;
    struct nm_writer w;
    encode_with_count(&w, 1);
    nm_put_varint(&w, 1000); /* claims 1000 bytes, gives 3 */
    nm_put_raw(&w, ext_a, sizeof ext_a);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    nm_writer_fini(&w);
}

static void test_block_decode_rejects_oversized_justification(void **state)
{
    (void)state;
    struct nm_header h = sample_header();
    uint8_t seal[NM_SIG_LEN] = {0};
    struct nm_writer w;
    nm_writer_init(&w);
    nm_header_encode(&h, &w);
    nm_put_raw(&w, seal, sizeof seal);
    nm_put_varint(&w, (1u << 20) + 1);
    struct nm_block b;
    assert_int_equal(nm_block_decode(w.data, w.len, &b), NM_E_DECODE);
    nm_writer_fini(&w);
}

static void test_block_layout_is_header_seal_justification_body(void **state)
{
    (void)state;
    struct nm_writer w;
    struct nm_header h;
    encode_sample_block(&w, &h);
    size_t hs = header_size();
    /* version + parent + 3 u64 + author + 2 roots */
    assert_int_equal(hs, 1 + 32 + 24 + 32 + 32 + 32);
    assert_int_equal(w.data[hs + NM_SIG_LEN], 0);     /* no justification */
    assert_int_equal(w.data[hs + NM_SIG_LEN + 1], 3); /* three extrinsics */
    assert_int_equal(w.data[hs + NM_SIG_LEN + 2], sizeof ext_a);
    assert_int_equal(w.len, hs + NM_SIG_LEN + 2 + (1 + 3) + (1 + 5) + (1 + 1));
    nm_writer_fini(&w);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trips_through_encoding),
        cmocka_unit_test(test_header_decode_rejects_unknown_version_and_truncation),
        cmocka_unit_test(test_header_hash_changes_with_every_field),
        cmocka_unit_test(test_header_hash_is_blake2b_of_its_encoding),
        cmocka_unit_test(test_header_json_has_substrate_fields),
        cmocka_unit_test(test_header_json_number_is_minimal_hex),
        cmocka_unit_test(test_extrinsics_root_of_nothing_is_zero),
        cmocka_unit_test(test_extrinsics_root_of_one_is_its_hash),
        cmocka_unit_test(test_extrinsics_root_depends_on_order),
        cmocka_unit_test(test_extrinsics_root_pairs_odd_node_with_itself),
        cmocka_unit_test(test_extrinsics_root_changes_with_any_byte),
        cmocka_unit_test(test_block_round_trips_through_encoding),
        cmocka_unit_test(test_empty_block_round_trips_with_zero_root),
        cmocka_unit_test(test_block_decode_rejects_body_not_matching_extrinsics_root),
        cmocka_unit_test(test_block_decode_rejects_every_truncation),
        cmocka_unit_test(test_block_decode_rejects_trailing_bytes),
        cmocka_unit_test(test_block_decode_rejects_unknown_version),
        cmocka_unit_test(test_block_decode_rejects_absurd_extrinsic_counts),
        cmocka_unit_test(test_block_decode_rejects_count_above_what_follows),
        cmocka_unit_test(test_block_decode_rejects_extrinsic_length_past_the_end),
        cmocka_unit_test(test_block_decode_rejects_oversized_justification),
        cmocka_unit_test(test_block_layout_is_header_seal_justification_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
