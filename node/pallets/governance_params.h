/* governance_params.h - the parameters governance may change (GOV-002):
 * the whitelist of chain parameters, a subnet's own ones (issue 16:
 * "subnet.ID.emission_weight", "subnet.ID.aggregation") and the check of a
 * proposed value. nm_governance_param_allowed is declared in governance.h. */
#ifndef NM_GOVERNANCE_PARAMS_H
#define NM_GOVERNANCE_PARAMS_H

#include "node/params.h"
#include "node/runtime.h"

#include <stdbool.h>
#include <stdint.h>

/* A subnet's own parameter: its emission weight, its epoch mode or the
 * share of its lock to burn; then *subnet = its id (subnet may be NULL). */
bool nm_gov_subnet_param(const char *name, uint16_t *subnet);

/* Checks (write false) or sets a subnet's own parameter; *old gets the
 * value before. */
int nm_gov_subnet_param_set(struct nm_runtime *rt, const char *name, uint64_t value, bool write,
                            uint64_t *old);

/* name := value is allowed: whitelisted (not a subnet's own), inside its
 * bounds, and within any sum it shares with another parameter.
 * NM_E_UNKNOWN_PARAM, NM_E_PARAM_BOUNDS. */
int nm_gov_param_check(const struct nm_params *params, const char *name, uint64_t value);

#endif
