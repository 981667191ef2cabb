/* Unit tests for node/p2p/announce: a miner's endpoint announcement signed
 * by its hotkey parses back to the same thing, names its subnet topic, and
 * is checked against the registry: accepted for the registered role,
 * refused when forged, for another chain, by an unregistered hotkey, in the
 * wrong role, stale or ahead of us, or malformed; the book keeps the newest
 * per neuron and lists it by subnet; validators and the aggregator take a
 * miner's announced endpoint over the chain's. */
#include "tests/support/consensus_fixture.h"

#include "node/call.h"
#include "node/errors.h"
#include "node/p2p/announce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setup(void **state)
{
    return cfx_setup_with(state, 1, 0, 10);
}

static struct nm_announcement signed_by(const struct nm_keypair *kp, uint16_t subnet,
                                        uint8_t role, uint64_t at)
{
    struct nm_announcement a = {.subnet = subnet, .role = role, .at = at};
    memset(a.genesis.b, 7, sizeof a.genesis.b);
    snprintf(a.endpoint, sizeof a.endpoint, "grpc://127.0.0.1:50051");
    nm_announce_sign(&a, kp);
    return a;
}

static void test_signed_announcement_round_trips_and_names_its_topic(void **state)
{
    (void)state;
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    struct nm_announcement a = signed_by(&kp, 3, NM_ROLE_MINER, 42), b;
    char *text = nm_announce_to_json(&a);
    assert_non_null(text);
    assert_int_equal(nm_announce_parse(text, strlen(text), &b), 0);
    assert_memory_equal(&a, &b, sizeof a);
    free(text);
    char topic[128];
    assert_string_equal(nm_announce_topic(3, NM_ROLE_MINER, topic, sizeof topic),
                        "/neuromesh/1.0.0/subnet/3/miners");
    assert_string_equal(nm_announce_topic(3, NM_ROLE_VALIDATOR, topic, sizeof topic),
                        "/neuromesh/1.0.0/subnet/3/validators");
    /* malformed: not JSON, a field missing, a bad role, hotkey or endpoint */
    static const char *const bad[] = {
        "nope",
        "{\"subnet\":1}",
        "{\"genesis\":\"0x00\",\"subnet\":1,\"role\":\"miner\",\"hotkey\":\"5x\","
        "\"endpoint\":\"grpc://a:1\",\"at\":1,\"sig\":\"0x00\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_not_equal(nm_announce_parse(bad[i], strlen(bad[i]), &b), 0);
    cJSON *o = nm_announce_to_object(&a);
    cJSON_ReplaceItemInObject(o, "role", cJSON_CreateString("oracle"));
    assert_int_equal(nm_announce_from_object(o, &b), NM_E_DECODE);
    cJSON_ReplaceItemInObject(o, "role", cJSON_CreateString("miner"));
    cJSON_ReplaceItemInObject(o, "endpoint", cJSON_CreateString("no endpoint"));
    assert_int_equal(nm_announce_from_object(o, &b), NM_E_BAD_ENDPOINT);
    cJSON_ReplaceItemInObject(o, "endpoint", cJSON_CreateString("grpc://127.0.0.1:50051"));
    cJSON_ReplaceItemInObject(o, "subnet", cJSON_CreateNumber(70000));
    assert_int_equal(nm_announce_from_object(o, &b), NM_E_DECODE);
    cJSON_Delete(o);
}

static void test_check_against_the_registry(void **state)
{
    struct cfx *c = *state;
    struct nm_keypair miner, stranger;
    nm_keypair_generate(&miner);
    nm_keypair_generate(&stranger);
    uint16_t uid_reg = cfx_register(c, &miner.pub, NM_ROLE_MINER, NMT), uid = 999;
    nm_hash genesis;
    memset(genesis.b, 7, sizeof genesis.b);
    struct nm_db *db = c->f.db;
    struct nm_announcement a = signed_by(&miner, c->subnet, NM_ROLE_MINER, 500);
    assert_int_equal(nm_announce_check(db, &genesis, 500, &a, &uid), 0);
    assert_int_equal(uid, uid_reg);
    assert_int_equal(nm_announce_check(db, &genesis, 600, &a, &uid), 0); /* 100 old: still ok */
    assert_int_equal(nm_announce_check(db, &genesis, 601, &a, &uid), NM_E_ANNOUNCE_STALE);
    assert_int_equal(nm_announce_check(db, &genesis, 497, &a, &uid), NM_E_ANNOUNCE_EARLY);
    nm_hash other = genesis;
    other.b[0] ^= 1;
    assert_int_equal(nm_announce_check(db, &other, 500, &a, &uid), NM_E_WRONG_CHAIN);
    struct nm_announcement forged = a;
    snprintf(forged.endpoint, sizeof forged.endpoint, "grpc://10.6.6.6:1"); /* not what was signed */
    assert_int_equal(nm_announce_check(db, &genesis, 500, &forged, &uid), NM_E_BAD_SIGNATURE);
    struct nm_announcement s = signed_by(&stranger, c->subnet, NM_ROLE_MINER, 500);
    assert_int_equal(nm_announce_check(db, &genesis, 500, &s, &uid), NM_E_NOT_REGISTERED);
    struct nm_announcement role = signed_by(&miner, c->subnet, NM_ROLE_VALIDATOR, 500);
    assert_int_equal(nm_announce_check(db, &genesis, 500, &role, &uid), NM_E_ANNOUNCE_ROLE);
    struct nm_announcement elsewhere = signed_by(&miner, c->subnet + 1, NM_ROLE_MINER, 500);
    assert_int_equal(nm_announce_check(db, &genesis, 500, &elsewhere, &uid), NM_E_NOT_REGISTERED);
}

static void test_book_keeps_the_newest_per_neuron(void **state)
{
    (void)state;
    struct nm_announce_book *b = calloc(1, sizeof *b);
    assert_non_null(b);
    struct nm_keypair k1, k2;
    nm_keypair_generate(&k1);
    nm_keypair_generate(&k2);
    struct nm_peer_id via;
    nm_peer_id_from_pubkey(&k1.pub, &via);
    struct nm_announcement a = signed_by(&k1, 1, NM_ROLE_MINER, 10);
    nm_announce_book_put(b, &a, 4, 1000, &via);
    struct nm_announcement older = signed_by(&k1, 1, NM_ROLE_MINER, 9);
    snprintf(older.endpoint, sizeof older.endpoint, "grpc://old:1");
    nm_announce_book_put(b, &older, 4, 2000, &via); /* older: ignored */
    struct nm_announcement newer = signed_by(&k1, 1, NM_ROLE_MINER, 11);
    snprintf(newer.endpoint, sizeof newer.endpoint, "grpc://new:2");
    nm_announce_book_put(b, &newer, 4, 3000, &via);
    struct nm_announcement other = signed_by(&k2, 2, NM_ROLE_VALIDATOR, 10);
    nm_announce_book_put(b, &other, 0, 3000, &via);
    cJSON *all = nm_announce_book_json(b, -1, 4000), *one = nm_announce_book_json(b, 1, 4000);
    assert_int_equal(cJSON_GetArraySize(all), 2);
    assert_int_equal(cJSON_GetArraySize(one), 1);
    const cJSON *e = cJSON_GetArrayItem(one, 0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(e, "endpoint")), "grpc://new:2");
    assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "uid")), 4);
    assert_int_equal((int)cJSON_GetNumberValue(cJSON_GetObjectItem(e, "ageMs")), 1000);
    cJSON_Delete(all);
    cJSON_Delete(one);
    /* a full book forgets the oldest */
    for (int i = 0; i < NM_ANNOUNCE_BOOK; i++) {
        struct nm_keypair k;
        nm_keypair_generate(&k);
        struct nm_announcement x = signed_by(&k, 9, NM_ROLE_MINER, 10);
        nm_announce_book_put(b, &x, (uint16_t)i, 5000 + (uint64_t)i, &via);
    }
    all = nm_announce_book_json(b, 1, 9000);
    assert_int_equal(cJSON_GetArraySize(all), 0);
    cJSON_Delete(all);
    free(b);
}

static void test_announced_endpoints_take_over_miner_endpoints(void **state)
{
    (void)state;
    cJSON *neurons = cJSON_Parse(
        "[{\"uid\":0,\"hotkey\":\"5A\",\"role\":\"miner\",\"endpoint\":\"\"},"
        "{\"uid\":1,\"hotkey\":\"5B\",\"role\":\"miner\",\"endpoint\":\"grpc://chain:1\"},"
        "{\"uid\":2,\"hotkey\":\"5C\",\"role\":\"miner\",\"endpoint\":\"\"}]");
    cJSON *heard = cJSON_Parse(
        "[{\"hotkey\":\"5A\",\"role\":\"miner\",\"endpoint\":\"grpc://p2p:1\"},"
        "{\"hotkey\":\"5B\",\"role\":\"miner\",\"endpoint\":\"grpc://p2p:2\"},"
        "{\"hotkey\":\"5C\",\"role\":\"validator\",\"endpoint\":\"grpc://p2p:3\"}]");
    assert_int_equal(nm_announce_fill_endpoints(neurons, heard), 2);
    const char *ep[3];
    for (int i = 0; i < 3; i++)
        ep[i] = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(neurons, i),
                                                         "endpoint"));
    assert_string_equal(ep[0], "grpc://p2p:1"); /* filled */
    assert_string_equal(ep[1], "grpc://p2p:2"); /* the miner's latest word */
    assert_string_equal(ep[2], "");             /* a validator's announcement is not a miner's */
    assert_int_equal(nm_announce_fill_endpoints(neurons, heard), 0); /* nothing new */
    cJSON_Delete(neurons);
    cJSON_Delete(heard);
}

int main(void)
{
    nm_crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_announcement_round_trips_and_names_its_topic),
        cmocka_unit_test_setup_teardown(test_check_against_the_registry, setup, cfx_teardown),
        cmocka_unit_test(test_book_keeps_the_newest_per_neuron),
        cmocka_unit_test(test_announced_endpoints_take_over_miner_endpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
