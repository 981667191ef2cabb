/* Unit tests for node/pallets/governance (GOV-001/002), continued: the
 * JSON views, the call encodings and their fuzz corpus, the chain spec's
 * council, and a real chain that stops at an upgrade it does not support.
 * (Proposals' lives, votes and the council: test_governance.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/support/gov_fixture.h"

#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/governance.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"
#include "node/ss58.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- views --- */

static void test_views_show_tally_turnout_time_left_and_own_vote(void **state)
{
    struct fx *f = *state;
    gfx_with_stakers(f);
    gfx_install_council(f);
    assert_int_equal(gfx_propose_param(f, &f->alice, NMT, "tx_fee", 300000), 0);
    assert_int_equal(gfx_vote(f, &f->alice, 1, true), 0);
    assert_int_equal(gfx_council(f, &f->bob, 1, NM_CALL_COUNCIL_CANCEL), 0);
    gfx_run_through(f, 4); /* best block 4 */
    int err = 0;
    cJSON *o = nm_governance_overview_json(f->db, &f->rt.params, 4, false, &f->alice, &err);
    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "treasury")->valuestring, "0");
    assert_string_equal(cJSON_GetObjectItem(o, "total_stake")->valuestring, "400000000000");
    assert_int_equal(cJSON_GetObjectItem(o, "spec_version")->valueint, 1);
    cJSON *council_obj = cJSON_GetObjectItem(o, "council");
    assert_int_equal(cJSON_GetObjectItem(council_obj, "threshold")->valueint, 2);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(council_obj, "members")), 3);
    cJSON *list = cJSON_GetObjectItem(o, "proposals");
    assert_int_equal(cJSON_GetArraySize(list), 1);
    cJSON *p = cJSON_GetArrayItem(list, 0);
    assert_string_equal(cJSON_GetObjectItem(p, "kind")->valuestring, "param");
    assert_string_equal(cJSON_GetObjectItem(p, "status")->valuestring, "open");
    assert_string_equal(cJSON_GetObjectItem(p, "my_vote")->valuestring, "aye");
    assert_int_equal(cJSON_GetObjectItem(p, "blocks_left")->valueint, 21 - 4);
    assert_int_equal(cJSON_GetObjectItem(p, "seconds_left")->valueint, 17);
    assert_string_equal(cJSON_GetObjectItem(p, "summary")->valuestring,
                        "set tx_fee to 300000 (now 100000)");
    cJSON *tally = cJSON_GetObjectItem(p, "tally");
    assert_string_equal(cJSON_GetObjectItem(tally, "ayes")->valuestring, "100000000000");
    assert_int_equal(cJSON_GetObjectItem(tally, "turnout_ppm")->valueint, 250000);
    assert_int_equal(cJSON_GetObjectItem(tally, "quorum_ppm")->valueint, 100000);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tally, "quorum_reached")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(tally, "passing")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "council"), "cancel")->valueint,
                     1);
    cJSON_Delete(o);

    o = nm_governance_overview_json(f->db, &f->rt.params, 4, false, &f->bob, &err);
    p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "proposals"), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(p, "my_vote")));
    cJSON_Delete(o);

    o = nm_governance_proposal_json(f->db, &f->rt.params, 4, 1, NULL, &err);
    assert_non_null(o);
    assert_null(cJSON_GetObjectItem(o, "my_vote"));
    cJSON *votes = cJSON_GetObjectItem(o, "votes");
    assert_int_equal(cJSON_GetArraySize(votes), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(votes, 0), "vote")->valuestring,
                        "aye");
    cJSON *action = cJSON_GetObjectItem(o, "action");
    assert_string_equal(cJSON_GetObjectItem(action, "name")->valuestring, "tx_fee");
    assert_string_equal(cJSON_GetObjectItem(action, "value")->valuestring, "300000");
    cJSON_Delete(o);

    assert_null(nm_governance_proposal_json(f->db, &f->rt.params, 4, 2, NULL, &err));
    assert_int_equal(err, NM_E_UNKNOWN_PROPOSAL);

    gfx_run_through(f, 21); /* closed: finished proposals only in the full list */
    gfx_run_through(f, 26);
    o = nm_governance_overview_json(f->db, &f->rt.params, 27, false, NULL, &err);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(o, "proposals")), 0);
    cJSON_Delete(o);
    o = nm_governance_overview_json(f->db, &f->rt.params, 27, true, NULL, &err);
    p = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "proposals"), 0);
    assert_string_equal(cJSON_GetObjectItem(p, "status")->valuestring, "executed");
    assert_int_equal(cJSON_GetObjectItem(p, "execute_at")->valueint, 26);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "tally"), "approved")));
    cJSON_Delete(o);
}

/* --- encodings and the chain spec --- */

static void roundtrip(const struct nm_call *c)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(c, &w);
    assert_int_equal(w.err, 0);
    struct nm_call *back = malloc(sizeof *back);
    assert_int_equal(nm_call_decode(w.data, w.len, back), 0);
    struct nm_writer again;
    nm_writer_init(&again);
    nm_call_encode(back, &again);
    assert_int_equal(again.len, w.len);
    assert_memory_equal(again.data, w.data, w.len);
    cJSON *j = nm_call_to_json(back);
    assert_non_null(j);
    assert_non_null(strstr(cJSON_GetObjectItem(j, "call")->valuestring, "governance."));
    cJSON_Delete(j);
    nm_writer_fini(&w);
    nm_writer_fini(&again);
    free(back);
}

static void test_calls_have_the_documented_layout_and_roundtrip(void **state)
{
    struct fx *f = *state;
    struct nm_call *c = &f->call;
    memset(c, 0, sizeof *c);
    c->kind = NM_CALL_VOTE;
    c->u.vote.proposal = 0x01020304;
    c->u.vote.aye = 1;
    struct nm_writer w;
    nm_writer_init(&w);
    nm_call_encode(c, &w);
    const uint8_t want[] = {0x06, 0x04, 0x04, 0x03, 0x02, 0x01, 0x01};
    assert_int_equal(w.len, sizeof want);
    assert_memory_equal(w.data, want, sizeof want);
    /* One encoding per vote: 2 is not a vote. */
    w.data[6] = 2;
    assert_int_equal(nm_call_decode(w.data, w.len, c), NM_E_DECODE);
    nm_writer_fini(&w);
    assert_string_equal(nm_call_name(NM_CALL_COUNCIL_FAST_TRACK), "governance.council_fast_track");

    memset(c, 0, sizeof *c);
    c->kind = NM_CALL_VOTE;
    roundtrip(c);
    gfx_propose_param(f, &f->alice, NMT, "tx_fee", 7);
    roundtrip(c);
    gfx_propose_spend(f, &f->alice, NMT, &f->bob, 7);
    roundtrip(c);
    gfx_propose_upgrade(f, &f->alice, NMT, 3, 99);
    roundtrip(c);
    gfx_propose_subnet(f, &f->alice, NMT, "x");
    roundtrip(c);
    gfx_council(f, &f->alice, 5, NM_CALL_COUNCIL_CANCEL);
    roundtrip(c);
}

/* The fuzz corpus of the call decoder (tests/fuzz/fuzz_call.c): every input
 * decodes or is refused cleanly, and a governance call that decodes
 * re-encodes to its own bytes. */
static void test_call_fuzz_corpus_replays_cleanly(void **state)
{
    struct fx *f = *state;
    const char *dir = "tests/fuzz/corpus/call";
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int files = 0, accepted = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *in = fopen(path, "rb");
        assert_non_null(in);
        uint8_t buf[NM_EXTRINSIC_MAX];
        size_t len = fread(buf, 1, sizeof buf, in);
        fclose(in);
        files++;
        if (nm_call_decode(buf, len, &f->call) != 0)
            continue;
        accepted++;
        struct nm_writer w;
        nm_writer_init(&w);
        nm_call_encode(&f->call, &w);
        if ((f->call.kind >> 8) == 0x06 && (w.len != len || memcmp(w.data, buf, len) != 0))
            fail_msg("%s: re-encodes differently", e->d_name);
        nm_writer_fini(&w);
    }
    closedir(d);
    assert_true(files >= 10);
    assert_true(accepted >= 5 && accepted < files);
}

static void test_chain_spec_council_is_parsed_and_checked(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    char msg[256];
    struct nm_keypair a, b;
    char sa[NM_SS58_STRLEN], sb[NM_SS58_STRLEN], json[1024];
    assert_int_equal(nm_keypair_dev("alice", &a), 0);
    assert_int_equal(nm_keypair_dev("bob", &b), 0);
    nm_ss58_encode(&a.pub, sa);
    nm_ss58_encode(&b.pub, sb);
    snprintf(json, sizeof json,
             "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":2,"
             "\"members\":[\"%s\",\"%s\"]}}",
             sa, sb);
    assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), 0);
    assert_int_equal(spec.council_threshold, 2);
    assert_int_equal(spec.council_count, 2);
    assert_int_equal(spec.spec_version, 1);
    nm_chainspec_fini(&spec);

    const char *bad[] = {
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":3,\"members\":[\"%s\",\"%s\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":0,\"members\":[\"%s\",\"%s\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":1,\"members\":[\"%s\",\"%s\","
        "\"%s\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":1,\"members\":[\"%sx\"]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":{\"threshold\":1,\"members\":[]}}",
        "{\"name\":\"t\",\"id\":\"t\",\"council\":[\"%s\"]}",
        "{\"name\":\"t\",\"id\":\"t\",\"spec_version\":2}",
        "{\"name\":\"t\",\"id\":\"t\",\"spec_version\":0}",
    };
    const char *want[] = {"threshold", "threshold",         "listed twice",  "SS58",
                          "members",   "must be an object", "not supported", "spec_version"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(json, sizeof json, bad[i], sa, sb, sa);
        msg[0] = '\0';
        assert_int_equal(nm_chainspec_parse(json, &spec, msg, sizeof msg), NM_E_CHAIN_SPEC);
        if (!strstr(msg, want[i]))
            fail_msg("spec %zu: message \"%s\" lacks \"%s\"", i, msg, want[i]);
    }

    assert_int_equal(nm_chainspec_dev(&spec), 0);
    assert_int_equal(spec.council_threshold, 2);
    assert_int_equal(spec.council_count, 3);
    assert_memory_equal(spec.council[0].b, a.pub.b, NM_PUBKEY_LEN);
    nm_chainspec_fini(&spec);
}

/* --- a real chain: an upgrade this node does not support stops it --- */

static void submit(struct nm_chain *c, const char *who, uint64_t nonce, const struct nm_call *call)
{
    struct nm_keypair kp;
    assert_int_equal(nm_keypair_dev(who, &kp), 0);
    uint8_t *x;
    size_t len;
    assert_int_equal(nm_extrinsic_build(&kp, &c->genesis, nonce, call, &x, &len), 0);
    assert_int_equal(nm_chain_submit(c, x, len, NULL), 0);
    free(x);
}

static void produce(struct nm_chain *c)
{
    struct nm_block_outcome o = {0};
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, &o), 0);
    for (size_t i = 0; i < o.count; i++)
        if (o.results[i].error)
            fail_msg("extrinsic %zu of block %llu failed: %s", i,
                     (unsigned long long)c->best.height, nm_errname(o.results[i].error));
    free(o.results);
}

static void test_node_stops_at_an_upgrade_it_does_not_support(void **state)
{
    (void)state;
    struct nm_chain_spec spec;
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    struct nm_keypair alice;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    struct nm_chain *c = NULL;
    char msg[256];
    assert_int_equal(nm_chain_open(":memory:", &spec, &alice, &c, msg, sizeof msg), 0);
    struct nm_chain *follower = NULL;
    assert_int_equal(nm_chain_open(":memory:", &spec, NULL, &follower, msg, sizeof msg), 0);
    nm_chainspec_fini(&spec);

    struct nm_call *call = calloc(1, sizeof *call);
    call->kind = NM_CALL_SUBNET_CREATE;
    snprintf(call->u.subnet_create.spec.name, sizeof call->u.subnet_create.spec.name, "s");
    submit(c, "alice", 0, call);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_STAKE_ADD;
    call->u.stake.subnet = 1;
    call->u.stake.amount = 10 * NMT;
    submit(c, "alice", 1, call);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_PROPOSE_UPGRADE;
    call->u.propose_upgrade.bond = NMT;
    call->u.propose_upgrade.version = NM_RUNTIME_SPEC_VERSION + 1;
    call->u.propose_upgrade.at = 30;
    submit(c, "alice", 2, call);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_VOTE;
    call->u.vote.proposal = 1;
    call->u.vote.aye = 1;
    submit(c, "alice", 3, call);
    free(call);
    /* Block 1 carries all four; the review ends at 21, execution at 26. */
    while (c->best.height < 29) {
        produce(c);
        uint8_t *b;
        size_t len;
        assert_int_equal(nm_chain_block_bytes(c, c->best.height, &b, &len), 0);
        assert_int_equal(nm_chain_import(follower, b, len, false), 0);
        free(b);
    }
    assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL),
                     NM_E_RUNTIME_UNSUPPORTED);
    assert_int_equal(c->best.height, 29);
    assert_int_equal(nm_governance_runtime_check(follower->db), NM_E_RUNTIME_UNSUPPORTED);
    assert_int_equal(follower->best.height, 29);
    nm_chain_close(c);
    nm_chain_close(follower);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_views_show_tally_turnout_time_left_and_own_vote),
        T(test_calls_have_the_documented_layout_and_roundtrip),
        T(test_call_fuzz_corpus_replays_cleanly),
        cmocka_unit_test(test_chain_spec_council_is_parsed_and_checked),
        cmocka_unit_test(test_node_stops_at_an_upgrade_it_does_not_support),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
