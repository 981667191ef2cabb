/* subnets_fixture.h - subnet calls for the subnets pallet's tests
 * (tests/test_subnets*.c) on the state fixture: fill f->call with a create,
 * update or retire call and apply it. Uses cmocka asserts: tests only. */
#ifndef NM_TESTS_SUBNETS_FIXTURE_H
#define NM_TESTS_SUBNETS_FIXTURE_H

#include "tests/support/state_fixture.h"

#include "node/pallets/subnets.h"

/* cmocka setup: the state fixture (fx_setup) with alice and bob on the
 * dev council (a subnet's emission weight is set by governance). */
int sfx_setup(void **state);
/* Fills f->call with a create call for a valid subnet. */
struct nm_subnet_spec *sfx_create_call(struct fx *f, const char *name, uint8_t weight);
int sfx_create(struct fx *f, const nm_account *who);
/* Fills f->call with an update of subnet id that changes nothing yet. */
struct nm_subnet_spec *sfx_update_call(struct fx *f, uint16_t id, uint16_t fields);
int sfx_update(struct fx *f, const nm_account *who);
int sfx_retire(struct fx *f, const nm_account *who, uint16_t id);
/* Asserts subnet id exists and reads it. */
void sfx_get(struct fx *f, uint16_t id, struct nm_subnet *out);

#endif
