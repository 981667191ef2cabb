/* Unit tests for node/call: encoding, checked decoding and JSON view of runtime calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/call.h"
#include "node/errors.h"
#include "node/pallets/pallet.h"
#include "node/ss58.h"

#include <stdlib.h>
#include <string.h>

static const uint16_t ALL_KINDS[] = {
    NM_CALL_TRANSFER,      NM_CALL_FAUCET,        NM_CALL_STAKE_ADD,     NM_CALL_STAKE_REMOVE,
    NM_CALL_STAKE_WITHDRAW, NM_CALL_SUBNET_CREATE, NM_CALL_SUBNET_UPDATE, NM_CALL_SUBNET_RETIRE,
    NM_CALL_REGISTER,      NM_CALL_DEREGISTER,    NM_CALL_SET_ENDPOINT,
};
#define KIND_COUNT (sizeof ALL_KINDS / sizeof ALL_KINDS[0])

static int setup(void **state)
{
    (void)state;
    return nm_crypto_init();
}

static void fill_spec(struct nm_subnet_spec *s)
{
    strcpy(s->name, "text-to-code");
    s->task = NM_TASK_CODE_GEN;
    s->emission_weight = 17;
    s->min_stake_miner = 5 * 1000000000ULL + 3;
    s->min_stake_validator = UINT64_MAX - 7;
    s->max_neurons = 65535;
    strcpy(s->input_schema, "{\"type\":\"object\",\"properties\":{\"prompt\":{}}}");
    strcpy(s->output_schema, "{\"type\":\"object\"}");
    strcpy(s->eval_spec, "ipfs://bafyevalspec");
}

/* A call of the given kind with every field set to a non-default value. */
static void make_call(uint16_t kind, struct nm_call *c)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    switch (kind) {
    case NM_CALL_TRANSFER:
        memset(c->u.transfer.dest.b, 0x11, NM_PUBKEY_LEN);
        c->u.transfer.dest.b[31] = 0x99;
        c->u.transfer.amount = 0x0102030405060708ULL;
        break;
    case NM_CALL_FAUCET:
        memset(c->u.faucet.dest.b, 0x22, NM_PUBKEY_LEN);
        break;
    case NM_CALL_STAKE_ADD:
    case NM_CALL_STAKE_REMOVE:
        c->u.stake.subnet = 0xbeef;
        c->u.stake.amount = UINT64_MAX;
        break;
    case NM_CALL_STAKE_WITHDRAW:
        break;
    case NM_CALL_SUBNET_CREATE:
        fill_spec(&c->u.subnet_create.spec);
        c->u.subnet_create.spec.task = NM_TASK_PROTEIN_FOLDING;
        break;
    case NM_CALL_SUBNET_UPDATE:
        c->u.subnet_update.subnet = 7;
        c->u.subnet_update.fields = NM_SF__ALL;
        fill_spec(&c->u.subnet_update.spec);
        c->u.subnet_update.spec.task = 0; /* not part of an update */
        break;
    case NM_CALL_SUBNET_RETIRE:
        c->u.subnet_retire.subnet = 0x1234;
        break;
    case NM_CALL_REGISTER:
        c->u.reg.subnet = 3;
        c->u.reg.role = NM_ROLE_VALIDATOR;
        c->u.reg.stake = 42 * 1000000000ULL;
        strcpy(c->u.reg.endpoint, "https://miner.example:8443/v1");
        break;
    case NM_CALL_DEREGISTER:
        c->u.deregister.subnet = 65535;
        break;
    case NM_CALL_SET_ENDPOINT:
        c->u.set_endpoint.subnet = 9;
        strcpy(c->u.set_endpoint.endpoint, "10.0.0.1:9000");
        break;
    default:
        fail();
    }
}

static uint8_t *encode_call(const struct nm_call *c, size_t *len)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(c, &w);
    assert_int_equal(w.err, 0);
    return nm_writer_take(&w, len);
}

/* The bytes of a decoded call of this kind that decode writes: the kind and
 * its union member (the whole union for a kind without args_size). */
static size_t call_bytes(uint16_t kind)
{
    const struct nm_call_info *info = nm_pallet_call_find(kind);
    assert_non_null(info);
    size_t args = info->args_size ? info->args_size : sizeof(((struct nm_call *)0)->u);
    return offsetof(struct nm_call, u) + args;
}

/* Decodes from a heap copy of exactly len bytes so ASan catches any over-read. */
static int decode_exact(const uint8_t *bytes, size_t len, struct nm_call *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, bytes, len);
    int err = nm_call_decode(copy, len, out);
    free(copy);
    return err;
}

static void test_every_call_kind_round_trips_with_all_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        struct nm_call c, back;
        make_call(ALL_KINDS[i], &c);
        memset(&back, 0xa5, sizeof back); /* what decode leaves must not matter */
        size_t len;
        uint8_t *bytes = encode_call(&c, &len);
        assert_int_equal(bytes[0], ALL_KINDS[i] >> 8);
        assert_int_equal(bytes[1], ALL_KINDS[i] & 0xff);
        assert_int_equal(decode_exact(bytes, len, &back), 0);
        assert_int_equal(back.kind, ALL_KINDS[i]);
        assert_memory_equal(&back, &c, call_bytes(ALL_KINDS[i]));
        /* Re-encoding gives the same bytes: one call, one encoding. */
        size_t len2;
        uint8_t *again = encode_call(&back, &len2);
        assert_int_equal(len2, len);
        assert_memory_equal(again, bytes, len);
        free(again);
        free(bytes);
    }
}

/* Issue 11 (speed): decoding a transfer does not clear the 8.5 KB union,
 * only the kind and the transfer's member; a rejected one is still told
 * apart, and no call claims more than the union holds. */
static void test_transfer_decode_clears_only_its_arguments(void **state)
{
    (void)state;
    struct nm_call c, *back = malloc(sizeof *back);
    assert_non_null(back);
    make_call(NM_CALL_TRANSFER, &c);
    size_t len, used = call_bytes(NM_CALL_TRANSFER);
    assert_int_equal(used, offsetof(struct nm_call, u) + sizeof c.u.transfer);
    uint8_t *bytes = encode_call(&c, &len);
    memset(back, 0xa5, sizeof *back);
    assert_int_equal(decode_exact(bytes, len, back), 0);
    assert_memory_equal(back, &c, used);
    const uint8_t *rest = (const uint8_t *)back + used;
    for (size_t i = 0; i < sizeof *back - used; i++)
        assert_int_equal(rest[i], 0xa5);
    assert_int_equal(decode_exact(bytes, len - 1, back), NM_E_DECODE);
    for (size_t p = 0; p < nm_pallet_count; p++)
        for (size_t i = 0; i < nm_pallets[p]->call_count; i++)
            assert_true(nm_pallets[p]->calls[i].args_size <= sizeof c.u);
    free(bytes);
    free(back);
}

static void test_transfer_has_the_documented_layout(void **state)
{
    (void)state;
    struct nm_call c;
    make_call(NM_CALL_TRANSFER, &c);
    size_t len;
    uint8_t *bytes = encode_call(&c, &len);
    assert_int_equal(len, 2 + NM_PUBKEY_LEN + 8);
    assert_memory_equal(bytes + 2, c.u.transfer.dest.b, NM_PUBKEY_LEN);
    static const uint8_t amount_le[] = {8, 7, 6, 5, 4, 3, 2, 1};
    assert_memory_equal(bytes + 2 + NM_PUBKEY_LEN, amount_le, 8);
    free(bytes);
}

static void test_subnet_update_carries_only_selected_fields(void **state)
{
    (void)state;
    struct nm_call c, back;
    make_call(NM_CALL_SUBNET_UPDATE, &c);
    c.u.subnet_update.fields = NM_SF_NAME | NM_SF_MAX_NEURONS;
    size_t len;
    uint8_t *bytes = encode_call(&c, &len);
    /* kind(2) + subnet(2) + fields(2) + name(1 + 12) + max_neurons(2) */
    assert_int_equal(len, 2 + 2 + 2 + 1 + strlen("text-to-code") + 2);
    assert_int_equal(decode_exact(bytes, len, &back), 0);
    assert_int_equal(back.u.subnet_update.fields, NM_SF_NAME | NM_SF_MAX_NEURONS);
    assert_string_equal(back.u.subnet_update.spec.name, "text-to-code");
    assert_int_equal(back.u.subnet_update.spec.max_neurons, 65535);
    assert_int_equal(back.u.subnet_update.spec.emission_weight, 0);
    assert_string_equal(back.u.subnet_update.spec.input_schema, "");
    free(bytes);

    /* An update with no fields still decodes; the pallet rejects it as NO_CHANGE. */
    c.u.subnet_update.fields = 0;
    bytes = encode_call(&c, &len);
    assert_int_equal(len, 6);
    assert_int_equal(decode_exact(bytes, len, &back), 0);
    free(bytes);
}

static void test_subnet_update_with_unknown_field_bits_is_rejected(void **state)
{
    (void)state;
    const uint16_t bad_masks[] = {1u << 8, 1u << 15, NM_SF__ALL | 1u << 9, 0xffff};
    for (size_t i = 0; i < sizeof bad_masks / sizeof bad_masks[0]; i++) {
        /* kind, subnet 1, fields, then plenty of bytes so only the mask is wrong */
        uint8_t bytes[64] = {0x03, 0x01, 0x01, 0x00, (uint8_t)(bad_masks[i] & 0xff),
                             (uint8_t)(bad_masks[i] >> 8)};
        struct nm_call back;
        assert_int_equal(decode_exact(bytes, 6, &back), NM_E_DECODE);
        assert_int_equal(decode_exact(bytes, sizeof bytes, &back), NM_E_DECODE);
    }
}

static void test_unknown_pallet_or_call_is_rejected(void **state)
{
    (void)state;
    const uint8_t kinds[][2] = {{0x00, 0x00}, {0x01, 0x02}, {0x02, 0x03}, {0x03, 0x03},
                                {0x04, 0x03}, {0x05, 0x04}, {0xff, 0xff}, {0x00, 0x01}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        struct nm_call back;
        uint8_t bytes[40] = {kinds[i][0], kinds[i][1]};
        assert_int_equal(decode_exact(bytes, 2, &back), NM_E_UNKNOWN_CALL);
        assert_int_equal(decode_exact(bytes, sizeof bytes, &back), NM_E_UNKNOWN_CALL);
    }
}

static void test_truncation_at_every_length_is_a_decode_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        struct nm_call c, back;
        make_call(ALL_KINDS[i], &c);
        size_t len;
        uint8_t *bytes = encode_call(&c, &len);
        for (size_t cut = 0; cut < len; cut++) {
            int err = decode_exact(bytes, cut, &back);
            if (err != NM_E_DECODE)
                fail_msg("%s cut at %zu of %zu: %s", nm_call_name(ALL_KINDS[i]), cut, len,
                         nm_errname(err));
        }
        free(bytes);
    }
}

static void test_trailing_byte_is_rejected(void **state)
{
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        struct nm_call c, back;
        make_call(ALL_KINDS[i], &c);
        size_t len;
        uint8_t *bytes = encode_call(&c, &len);
        uint8_t *longer = malloc(len + 1);
        assert_non_null(longer);
        memcpy(longer, bytes, len);
        longer[len] = 0;
        assert_int_equal(decode_exact(longer, len + 1, &back), NM_E_TRAILING);
        free(longer);
        free(bytes);
    }
}

static void test_strings_at_their_limit_round_trip_and_one_more_is_rejected(void **state)
{
    (void)state;
    struct nm_call c, back;
    make_call(NM_CALL_SUBNET_CREATE, &c);
    memset(c.u.subnet_create.spec.name, 'n', NM_SUBNET_NAME_MAX);
    c.u.subnet_create.spec.name[NM_SUBNET_NAME_MAX] = '\0';
    memset(c.u.subnet_create.spec.input_schema, 'i', NM_SCHEMA_MAX);
    c.u.subnet_create.spec.input_schema[NM_SCHEMA_MAX] = '\0';
    memset(c.u.subnet_create.spec.eval_spec, 'e', NM_URI_MAX);
    c.u.subnet_create.spec.eval_spec[NM_URI_MAX] = '\0';
    size_t len;
    uint8_t *bytes = encode_call(&c, &len);
    assert_int_equal(decode_exact(bytes, len, &back), 0);
    assert_memory_equal(&back, &c, sizeof c);
    free(bytes);

    /* Hand-built set_endpoint with a 257-byte endpoint. */
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_u8(&w, 0x04);
    nm_put_u8(&w, 0x02);
    nm_put_u16(&w, 1);
    char endpoint[NM_ENDPOINT_MAX + 2];
    memset(endpoint, 'x', NM_ENDPOINT_MAX + 1);
    endpoint[NM_ENDPOINT_MAX + 1] = '\0';
    nm_put_str(&w, endpoint);
    assert_int_equal(decode_exact(w.data, w.len, &back), NM_E_DECODE);
    nm_writer_fini(&w);

    /* Hand-built subnet create with a 33-byte name. */
    nm_writer_init(&w);
    nm_put_u8(&w, 0x03);
    nm_put_u8(&w, 0x00);
    nm_put_u8(&w, NM_TASK_CUSTOM);
    nm_put_str(&w, "123456789012345678901234567890123");
    assert_int_equal(decode_exact(w.data, w.len, &back), NM_E_DECODE);
    nm_writer_fini(&w);
}

static void test_string_with_embedded_nul_is_rejected(void **state)
{
    (void)state;
    /* registry.set_endpoint, subnet 1, endpoint "a\0b" */
    static const uint8_t bytes[] = {0x04, 0x02, 0x01, 0x00, 0x03, 'a', 0x00, 'b'};
    struct nm_call back;
    assert_int_equal(decode_exact(bytes, sizeof bytes, &back), NM_E_DECODE);
}

static void test_call_names_cover_every_kind(void **state)
{
    (void)state;
    static const char *const names[] = {
        "balances.transfer",   "balances.faucet",    "staking.add",      "staking.remove",
        "staking.withdraw",    "subnets.create",     "subnets.update",   "subnets.retire",
        "registry.register",   "registry.deregister", "registry.set_endpoint",
    };
    for (size_t i = 0; i < KIND_COUNT; i++)
        assert_string_equal(nm_call_name(ALL_KINDS[i]), names[i]);
    assert_null(nm_call_name(0x0000));
    assert_null(nm_call_name(0x0102));
    assert_null(nm_call_name(0xffff));
}

static cJSON *args_of(cJSON *obj)
{
    cJSON *args = cJSON_GetObjectItemCaseSensitive(obj, "args");
    assert_true(cJSON_IsObject(args));
    return args;
}

static const char *json_str(cJSON *obj, const char *key)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsString(item))
        fail_msg("no string \"%s\"", key);
    return item->valuestring;
}

static double json_num(cJSON *obj, const char *key)
{
    cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(item))
        fail_msg("no number \"%s\"", key);
    return item->valuedouble;
}

static void test_json_view_names_call_and_formats_args(void **state)
{
    (void)state;
    for (size_t i = 0; i < KIND_COUNT; i++) {
        struct nm_call c;
        make_call(ALL_KINDS[i], &c);
        cJSON *obj = nm_call_to_json(&c);
        assert_non_null(obj);
        assert_string_equal(json_str(obj, "call"), nm_call_name(ALL_KINDS[i]));
        args_of(obj);
        cJSON_Delete(obj);
    }

    struct nm_call c;
    make_call(NM_CALL_TRANSFER, &c);
    cJSON *obj = nm_call_to_json(&c);
    char ss58[NM_SS58_STRLEN];
    assert_string_equal(json_str(args_of(obj), "dest"), nm_ss58_encode(&c.u.transfer.dest, ss58));
    /* Amounts travel as decimal strings of base units, exact past 2^53. */
    assert_string_equal(json_str(args_of(obj), "amount"), "72623859790382856");
    cJSON_Delete(obj);

    make_call(NM_CALL_STAKE_ADD, &c);
    obj = nm_call_to_json(&c);
    assert_true(json_num(args_of(obj), "subnet") == 0xbeef);
    assert_string_equal(json_str(args_of(obj), "amount"), "18446744073709551615");
    cJSON_Delete(obj);

    make_call(NM_CALL_REGISTER, &c);
    obj = nm_call_to_json(&c);
    assert_string_equal(json_str(args_of(obj), "role"), "validator");
    assert_string_equal(json_str(args_of(obj), "stake"), "42000000000");
    assert_string_equal(json_str(args_of(obj), "endpoint"), "https://miner.example:8443/v1");
    cJSON_Delete(obj);

    make_call(NM_CALL_SUBNET_CREATE, &c);
    obj = nm_call_to_json(&c);
    assert_string_equal(json_str(args_of(obj), "task"), "PROTEIN_FOLDING");
    assert_string_equal(json_str(args_of(obj), "name"), "text-to-code");
    assert_true(json_num(args_of(obj), "emission_weight") == 17);
    assert_true(json_num(args_of(obj), "max_neurons") == 65535);
    assert_string_equal(json_str(args_of(obj), "min_stake_validator"), "18446744073709551608");
    assert_string_equal(json_str(args_of(obj), "eval_spec"), "ipfs://bafyevalspec");
    cJSON_Delete(obj);
}

static void test_json_view_of_update_lists_only_changed_fields(void **state)
{
    (void)state;
    struct nm_call c;
    make_call(NM_CALL_SUBNET_UPDATE, &c);
    c.u.subnet_update.fields = NM_SF_EMISSION_WEIGHT | NM_SF_EVAL_SPEC;
    cJSON *obj = nm_call_to_json(&c);
    cJSON *args = args_of(obj);
    assert_int_equal(cJSON_GetArraySize(args), 3); /* subnet + the two fields */
    assert_true(json_num(args, "subnet") == 7);
    assert_true(json_num(args, "emission_weight") == 17);
    assert_string_equal(json_str(args, "eval_spec"), "ipfs://bafyevalspec");
    assert_null(cJSON_GetObjectItemCaseSensitive(args, "name"));
    cJSON_Delete(obj);
}

static void test_json_view_of_out_of_range_values_says_unknown(void **state)
{
    (void)state;
    struct nm_call c;
    make_call(NM_CALL_REGISTER, &c);
    c.u.reg.role = NM_ROLE__COUNT;
    cJSON *obj = nm_call_to_json(&c);
    assert_string_equal(json_str(args_of(obj), "role"), "unknown");
    cJSON_Delete(obj);

    make_call(NM_CALL_SUBNET_CREATE, &c);
    c.u.subnet_create.spec.task = 200;
    obj = nm_call_to_json(&c);
    assert_string_equal(json_str(args_of(obj), "task"), "unknown");
    cJSON_Delete(obj);

    memset(&c, 0, sizeof c);
    c.kind = 0x0909;
    obj = nm_call_to_json(&c);
    assert_string_equal(json_str(obj, "call"), "unknown");
    cJSON_Delete(obj);
}

static void test_task_names_and_case_insensitive_parse(void **state)
{
    (void)state;
    static const char *const names[NM_TASK__COUNT] = {"CODE_GEN", "IMAGE_GEN",
                                                      "PROTEIN_FOLDING", "CUSTOM"};
    for (int i = 0; i < NM_TASK__COUNT; i++) {
        assert_string_equal(nm_task_name((uint8_t)i), names[i]);
        assert_int_equal(nm_task_parse(names[i]), i);
    }
    assert_int_equal(nm_task_parse("image_gen"), NM_TASK_IMAGE_GEN);
    assert_int_equal(nm_task_parse("Protein_Folding"), NM_TASK_PROTEIN_FOLDING);
    assert_int_equal(nm_task_parse("IMAGE"), -1);
    assert_int_equal(nm_task_parse(""), -1);
    assert_int_equal(nm_task_parse("CODE_GEN "), -1);
    assert_null(nm_task_name(NM_TASK__COUNT));
    assert_null(nm_task_name(255));
}

static void test_role_names_and_case_insensitive_parse(void **state)
{
    (void)state;
    assert_string_equal(nm_role_name(NM_ROLE_MINER), "miner");
    assert_string_equal(nm_role_name(NM_ROLE_VALIDATOR), "validator");
    assert_null(nm_role_name(NM_ROLE__COUNT));
    assert_int_equal(nm_role_parse("miner"), NM_ROLE_MINER);
    assert_int_equal(nm_role_parse("VALIDATOR"), NM_ROLE_VALIDATOR);
    assert_int_equal(nm_role_parse("owner"), -1);
    assert_int_equal(nm_role_parse(""), -1);
}

/* --- weights calls (CONS-002): their lists point into the bytes --- */

static void test_weights_calls_round_trip_and_point_into_the_bytes(void **state)
{
    (void)state;
    const uint8_t pairs[] = {0, 0, 10, 0, 0xff, 0xff, 0x34, 0x12}; /* (0,10) (65535,0x1234) */
    struct nm_call c, back;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_WEIGHTS_REVEAL;
    c.u.weights_reveal.subnet = 5;
    c.u.weights_reveal.list = (struct nm_weight_list){2, pairs};
    memset(c.u.weights_reveal.salt, 0xab, sizeof c.u.weights_reveal.salt);
    size_t len;
    uint8_t *bytes = encode_call(&c, &len);
    assert_int_equal(len, 2 + 2 + 1 + 8 + 32);
    assert_int_equal(nm_call_decode(bytes, len, &back), 0);
    assert_int_equal(back.u.weights_reveal.list.n, 2);
    assert_ptr_equal(back.u.weights_reveal.list.pairs, bytes + 5);
    uint16_t uid, w;
    nm_weight_at(&back.u.weights_reveal.list, 1, &uid, &w);
    assert_int_equal(uid, 65535);
    assert_int_equal(w, 0x1234);
    assert_memory_equal(back.u.weights_reveal.salt, c.u.weights_reveal.salt, 32);
    free(bytes);

    c.kind = NM_CALL_WEIGHTS_OPTIONS;
    c.u.weights_options = (struct nm_weight_options){7, 1, 360, 100, 250000000};
    bytes = encode_call(&c, &len);
    assert_int_equal(len, 2 + 2 + 1 + 4 + 4 + 8);
    assert_int_equal(nm_call_decode(bytes, len, &back), 0);
    assert_memory_equal(&back.u.weights_options, &c.u.weights_options,
                        sizeof c.u.weights_options);
    free(bytes);

    c.kind = NM_CALL_WEIGHTS_COMMIT;
    c.u.weights_commit.subnet = 1;
    memset(c.u.weights_commit.hash, 0x5a, 32);
    bytes = encode_call(&c, &len);
    assert_int_equal(len, 2 + 2 + 32);
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(decode_exact(bytes, cut, &back), NM_E_DECODE);
    free(bytes);
}

static void test_weights_list_longer_than_its_bytes_is_rejected(void **state)
{
    (void)state;
    /* submit, subnet 1, n = 3 but only two pairs follow */
    const uint8_t short_list[] = {0x05, 0x00, 1, 0, 3, 0, 0, 1, 0, 1, 0, 1, 0};
    /* n = 65536: above the most a subnet can hold */
    const uint8_t too_many[] = {0x05, 0x00, 1, 0, 0x80, 0x80, 0x04};
    struct nm_call back;
    assert_int_equal(decode_exact(short_list, sizeof short_list, &back), NM_E_DECODE);
    assert_int_equal(decode_exact(too_many, sizeof too_many, &back), NM_E_DECODE);
}

static void test_weights_json_view_lists_pairs(void **state)
{
    (void)state;
    const uint8_t pairs[] = {3, 0, 7, 0};
    struct nm_call c;
    memset(&c, 0, sizeof c);
    c.kind = NM_CALL_WEIGHTS_SUBMIT;
    c.u.weights.subnet = 2;
    c.u.weights.list = (struct nm_weight_list){1, pairs};
    cJSON *j = nm_call_to_json(&c);
    char *text = cJSON_PrintUnformatted(j);
    assert_string_equal(text, "{\"call\":\"weights.submit\",\"args\":{\"subnet\":2,"
                              "\"weights\":[[3,7]]}}");
    free(text);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_call_kind_round_trips_with_all_fields),
        cmocka_unit_test(test_transfer_decode_clears_only_its_arguments),
        cmocka_unit_test(test_transfer_has_the_documented_layout),
        cmocka_unit_test(test_subnet_update_carries_only_selected_fields),
        cmocka_unit_test(test_subnet_update_with_unknown_field_bits_is_rejected),
        cmocka_unit_test(test_unknown_pallet_or_call_is_rejected),
        cmocka_unit_test(test_truncation_at_every_length_is_a_decode_error),
        cmocka_unit_test(test_trailing_byte_is_rejected),
        cmocka_unit_test(test_strings_at_their_limit_round_trip_and_one_more_is_rejected),
        cmocka_unit_test(test_string_with_embedded_nul_is_rejected),
        cmocka_unit_test(test_call_names_cover_every_kind),
        cmocka_unit_test(test_json_view_names_call_and_formats_args),
        cmocka_unit_test(test_json_view_of_update_lists_only_changed_fields),
        cmocka_unit_test(test_json_view_of_out_of_range_values_says_unknown),
        cmocka_unit_test(test_task_names_and_case_insensitive_parse),
        cmocka_unit_test(test_role_names_and_case_insensitive_parse),
        cmocka_unit_test(test_weights_calls_round_trip_and_point_into_the_bytes),
        cmocka_unit_test(test_weights_list_longer_than_its_bytes_is_rejected),
        cmocka_unit_test(test_weights_json_view_lists_pairs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
