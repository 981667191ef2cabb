/* consensus_fixture.c - a subnet with validators and miners for the
 * weights/consensus/emissions tests (see consensus_fixture.h). */
#include "tests/support/consensus_fixture.h"

#include "node/errors.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

nm_account cfx_account(char kind, uint32_t i)
{
    nm_account a;
    memset(a.b, 0x77, sizeof a.b);
    a.b[0] = (uint8_t)kind;
    a.b[1] = (uint8_t)(i & 0xff);
    a.b[2] = (uint8_t)(i >> 8);
    return a;
}

uint16_t cfx_register(struct cfx *c, const nm_account *who, uint8_t role, uint64_t stake)
{
    struct nm_call *call = &c->f.call;
    assert_int_equal(nm_balances_credit(&c->f.rt, who, stake + NMT), 0);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_REGISTER;
    call->u.reg.subnet = c->subnet;
    call->u.reg.role = role;
    call->u.reg.stake = stake;
    if (role == NM_ROLE_MINER)
        snprintf(call->u.reg.endpoint, sizeof call->u.reg.endpoint, "grpc://10.0.0.1:50051");
    assert_int_equal(nm_registry_register(&c->f.rt, who, call), 0);
    struct nm_neuron n;
    assert_int_equal(nm_registry_find(c->f.db, c->subnet, who, &n), 0);
    return n.uid;
}

int cfx_setup_with(void **state, uint32_t validators, uint32_t miners, uint8_t emission_weight)
{
    struct cfx *c = calloc(1, sizeof *c);
    void *inner = NULL;
    if (!c || validators > CFX_MAX || miners > CFX_MAX || fx_setup(&inner))
        return -1;
    c->f = *(struct fx *)inner;
    free(inner);
    struct nm_subnet_spec *spec = calloc(1, sizeof *spec);
    assert_non_null(spec);
    snprintf(spec->name, sizeof spec->name, "consensus-test");
    spec->task = NM_TASK_CODE_GEN;
    spec->emission_weight = emission_weight;
    spec->max_neurons = 1024;
    assert_int_equal(nm_subnets_genesis_create(&c->f.rt, &c->f.alice, spec, &c->subnet), 0);
    free(spec);
    c->validators = validators;
    c->miners = miners;
    for (uint32_t i = 0; i < validators; i++) {
        c->vacct[i] = cfx_account('v', i);
        c->vuid[i] = cfx_register(c, &c->vacct[i], NM_ROLE_VALIDATOR, 100 * NMT);
    }
    for (uint32_t i = 0; i < miners; i++) {
        c->macct[i] = cfx_account('m', i);
        c->muid[i] = cfx_register(c, &c->macct[i], NM_ROLE_MINER, NMT);
    }
    *state = c;
    return 0;
}

int cfx_teardown(void **state)
{
    struct cfx *c = *state;
    nm_db_close(c->f.db);
    free(c);
    return 0;
}

static uint8_t *pairs_of(const uint16_t *uids, const uint16_t *weights, uint32_t n)
{
    uint8_t *p = malloc(4 * (size_t)n + 1);
    assert_non_null(p);
    for (uint32_t i = 0; i < n; i++) {
        p[4 * i] = (uint8_t)uids[i];
        p[4 * i + 1] = (uint8_t)(uids[i] >> 8);
        p[4 * i + 2] = (uint8_t)weights[i];
        p[4 * i + 3] = (uint8_t)(weights[i] >> 8);
    }
    return p;
}

int cfx_submit(struct cfx *c, const nm_account *who, const uint16_t *uids, const uint16_t *weights,
               uint32_t n)
{
    struct nm_call *call = &c->f.call;
    uint8_t *pairs = pairs_of(uids, weights, n);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_WEIGHTS_SUBMIT;
    call->u.weights.subnet = c->subnet;
    call->u.weights.list = (struct nm_weight_list){n, pairs};
    int err = nm_weights_submit(&c->f.rt, who, call);
    free(pairs);
    return err;
}

int cfx_commit(struct cfx *c, const nm_account *who, const uint16_t *uids, const uint16_t *weights,
               uint32_t n, const uint8_t salt[32])
{
    struct nm_call *call = &c->f.call;
    uint8_t *pairs = pairs_of(uids, weights, n);
    struct nm_weight_list list = {n, pairs};
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_WEIGHTS_COMMIT;
    call->u.weights_commit.subnet = c->subnet;
    nm_weights_commit_hash(who, c->subnet, &list, salt, call->u.weights_commit.hash);
    int err = nm_weights_commit(&c->f.rt, who, call);
    free(pairs);
    return err;
}

int cfx_reveal(struct cfx *c, const nm_account *who, const uint16_t *uids, const uint16_t *weights,
               uint32_t n, const uint8_t salt[32])
{
    struct nm_call *call = &c->f.call;
    uint8_t *pairs = pairs_of(uids, weights, n);
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_WEIGHTS_REVEAL;
    call->u.weights_reveal.subnet = c->subnet;
    call->u.weights_reveal.list = (struct nm_weight_list){n, pairs};
    memcpy(call->u.weights_reveal.salt, salt, 32);
    int err = nm_weights_reveal(&c->f.rt, who, call);
    free(pairs);
    return err;
}

int cfx_options(struct cfx *c, const nm_account *who, uint8_t commit_reveal, uint32_t reveal_delay,
                uint32_t rate_limit, uint64_t softmax_temperature)
{
    struct nm_call *call = &c->f.call;
    memset(call, 0, sizeof *call);
    call->kind = NM_CALL_WEIGHTS_OPTIONS;
    call->u.weights_options = (struct nm_weight_options){c->subnet, commit_reveal, reveal_delay,
                                                         rate_limit, softmax_temperature};
    return nm_weights_set_options(&c->f.rt, who, call);
}

void cfx_advance(struct cfx *c, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        assert_int_equal(nm_runtime_end_block(&c->f.rt), 0);
        nm_runtime_begin_block(&c->f.rt, c->f.rt.height + 1, c->f.rt.timestamp_ms + 1000);
    }
}

void cfx_end_epoch(struct cfx *c)
{
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->f.rt, c->f.rt.height, &pos);
    cfx_advance(c, pos.left + 1);
}

size_t cfx_bucket(struct cfx *c, uint64_t epoch, const nm_account *who, uint16_t *uids,
                  uint32_t *values)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(c->f.db),
                                        "SELECT data FROM weights WHERE subnet=?1 AND epoch=?2"
                                        " AND account=?3",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(st, 1, c->subnet);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)epoch);
    sqlite3_bind_blob(st, 3, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    size_t n = 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(nm_wcodec_decode(sqlite3_column_blob(st, 0),
                                          (size_t)sqlite3_column_bytes(st, 0), uids, values,
                                          NM_WCODEC_MAX_ENTRIES, &n),
                         0);
    sqlite3_finalize(st);
    return n;
}

int64_t cfx_stat(struct cfx *c, const nm_account *who, const char *column)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM neuron_stats WHERE subnet=?1 AND account=?2",
             column);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(nm_db_handle(c->f.db), sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int(st, 1, c->subnet);
    sqlite3_bind_blob(st, 2, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

int cfx_events(struct cfx *c, const char *name)
{
    return fx_event_count(&c->f, name);
}
