/* gov_fixture.c - the governance tests' helpers (see gov_fixture.h). */
#include "tests/support/db_query.h"
#include "tests/support/gov_fixture.h"

#include "node/chainspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint16_t gfx_subnet(struct fx *f, const char *name)
{
    return fx_make_subnet(f, name, 0, 0);
}

void gfx_stake(struct fx *f, const nm_account *who, uint16_t subnet, uint64_t amount)
{
    assert_int_equal(fx_stake_call(f, NM_CALL_STAKE_ADD, who, subnet, amount), 0);
}

int gfx_propose_param(struct fx *f, const nm_account *who, uint64_t bond, const char *name,
                      uint64_t value)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_PARAM;
    f->call.u.propose_param.bond = bond;
    snprintf(f->call.u.propose_param.name, sizeof f->call.u.propose_param.name, "%s", name);
    f->call.u.propose_param.value = value;
    return nm_governance_propose(&f->rt, who, &f->call);
}

int gfx_propose_spend(struct fx *f, const nm_account *who, uint64_t bond, const nm_account *to,
                      uint64_t amount)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_SPEND;
    f->call.u.propose_spend.bond = bond;
    f->call.u.propose_spend.dest = *to;
    f->call.u.propose_spend.amount = amount;
    return nm_governance_propose(&f->rt, who, &f->call);
}

int gfx_propose_upgrade(struct fx *f, const nm_account *who, uint64_t bond, uint32_t version,
                        uint64_t at)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_UPGRADE;
    f->call.u.propose_upgrade.bond = bond;
    f->call.u.propose_upgrade.version = version;
    f->call.u.propose_upgrade.at = at;
    return nm_governance_propose(&f->rt, who, &f->call);
}

int gfx_propose_subnet(struct fx *f, const nm_account *who, uint64_t bond, const char *name)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_PROPOSE_SUBNET;
    f->call.u.propose_subnet.bond = bond;
    struct nm_subnet_spec *spec = &f->call.u.propose_subnet.spec;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->task = NM_TASK_IMAGE_GEN;
    spec->emission_weight = 10;
    spec->min_stake_miner = 2 * NMT;
    snprintf(spec->input_schema, sizeof spec->input_schema, "{\"prompt\":\"string\"}");
    snprintf(spec->eval_spec, sizeof spec->eval_spec, "ipfs://QmEval");
    return nm_governance_propose(&f->rt, who, &f->call);
}

int gfx_vote(struct fx *f, const nm_account *who, uint32_t id, bool aye)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_VOTE;
    f->call.u.vote.proposal = id;
    f->call.u.vote.aye = aye;
    return nm_governance_vote(&f->rt, who, &f->call);
}

int gfx_council(struct fx *f, const nm_account *who, uint32_t id, uint16_t kind)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = kind;
    f->call.u.council.proposal = id;
    return nm_governance_council(&f->rt, who, &f->call);
}

/* Ends the current block and begins the next one. */
void gfx_next_block(struct fx *f)
{
    assert_int_equal(nm_runtime_end_block(&f->rt), 0);
    nm_runtime_begin_block(&f->rt, f->rt.height + 1, f->rt.timestamp_ms + 1000);
}

/* Runs blocks until block `height` has ended (the next one has begun). */
void gfx_run_through(struct fx *f, uint64_t height)
{
    while (f->rt.height <= height)
        gfx_next_block(f);
}

struct nm_proposal *gfx_load(struct fx *f, uint32_t id)
{
    static struct nm_proposal p;
    assert_int_equal(nm_governance_get(f->db, id, &p), 0);
    return &p;
}

uint64_t gfx_gov_state(struct fx *f, const char *key)
{
    uint64_t v;
    assert_int_equal(nm_governance_state_get(f->db, key, &v), 0);
    return v;
}

char *dump_gov(struct fx *f)
{
    static const char *const sql[] = {
        "SELECT id, kind, status, bond, vote_end, execute_at, closed_at, ayes, nays,"
        " total_stake, error, hex(call) FROM proposals ORDER BY id",
        "SELECT proposal, hex(voter), aye FROM votes ORDER BY 1, 2",
        "SELECT key, value FROM gov_state ORDER BY 1",
        "SELECT hex(member) FROM council ORDER BY 1",
        "SELECT proposal, action, hex(member) FROM council_signatures ORDER BY 1, 2, 3",
        "SELECT name, value FROM params ORDER BY 1",
    };
    return tq_dump(f->db, sql, sizeof sql / sizeof sql[0]);
}

void gfx_snap_take(struct fx *f, struct gfx_snap *s)
{
    fx_snapshot_take(f, &s->base);
    s->gov = dump_gov(f);
}

void gfx_snap_assert_same(struct fx *f, struct gfx_snap *s)
{
    char *now = dump_gov(f);
    assert_string_equal(now, s->gov);
    free(now);
    free(s->gov);
    fx_snapshot_assert_same(f, &s->base);
}

/* A council of alice, bob and carol, 2 of 3 (what a chain spec gives). */
void gfx_install_council(struct fx *f)
{
    struct nm_chain_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.council_threshold = 2;
    spec.council_count = 3;
    spec.council[0] = f->alice;
    spec.council[1] = f->bob;
    spec.council[2] = f->carol;
    assert_int_equal(nm_governance_genesis(&f->rt, &spec), 0);
}

/* A subnet with alice 100 NMT and bob 300 NMT staked. */
uint16_t gfx_with_stakers(struct fx *f)
{
    uint16_t id = gfx_subnet(f, "alpha");
    gfx_stake(f, &f->alice, id, 100 * NMT);
    gfx_stake(f, &f->bob, id, 300 * NMT);
    return id;
}
