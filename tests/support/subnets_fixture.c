/* subnets_fixture.c - subnet calls for the subnets pallet's tests (see
 * subnets_fixture.h). */
#include "tests/support/subnets_fixture.h"

#include "node/pallets/governance_store.h"

#include <stdio.h>
#include <string.h>

int sfx_setup(void **state)
{
    if (fx_setup(state))
        return -1;
    struct fx *f = *state;
    return nm_gov_council_add(&f->rt, &f->alice) || nm_gov_council_add(&f->rt, &f->bob) ? -1 : 0;
}

/* Fills f->call with a create call for a valid subnet. */
struct nm_subnet_spec *sfx_create_call(struct fx *f, const char *name, uint8_t weight)
{
    struct nm_subnet_spec *spec = &f->call.u.subnet_create.spec;
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_CREATE;
    snprintf(spec->name, sizeof spec->name, "%s", name);
    spec->task = NM_TASK_CODE_GEN;
    spec->emission_weight = weight;
    spec->min_stake_miner = 10 * NMT;
    spec->min_stake_validator = 100 * NMT;
    return spec;
}

int sfx_create(struct fx *f, const nm_account *who)
{
    return nm_subnets_create(&f->rt, who, &f->call);
}

/* Fills f->call with an update of subnet id that changes nothing yet. */
struct nm_subnet_spec *sfx_update_call(struct fx *f, uint16_t id, uint16_t fields)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_UPDATE;
    f->call.u.subnet_update.subnet = id;
    f->call.u.subnet_update.fields = fields;
    return &f->call.u.subnet_update.spec;
}

int sfx_update(struct fx *f, const nm_account *who)
{
    return nm_subnets_update(&f->rt, who, &f->call);
}

int sfx_retire(struct fx *f, const nm_account *who, uint16_t id)
{
    memset(&f->call, 0, sizeof f->call);
    f->call.kind = NM_CALL_SUBNET_RETIRE;
    f->call.u.subnet_retire.subnet = id;
    return nm_subnets_retire(&f->rt, who, &f->call);
}

void sfx_get(struct fx *f, uint16_t id, struct nm_subnet *out)
{
    assert_int_equal(nm_subnets_get(f->db, id, out), 0);
}
