/* params_json.h - the chain parameters as JSON for `chain_params` and the
 * console's `params`: each with its current value, its unit, its bounds
 * and whether governance may change it (read-only; node thread). */
#ifndef NM_PARAMS_JSON_H
#define NM_PARAMS_JSON_H

#include "node/params.h"

#include <cjson/cJSON.h>

/* The unit a parameter's value is in, from its name: "base_units"
 * (amounts: shown as NMT), "ppb", "ppm" (shares: shown as %), "blocks",
 * "ms", or "count". */
const char *nm_param_unit(const struct nm_param_info *info);

/* [{name, value, unit, min, max, governable, description}, ...] in table
 * order; value, min and max are decimal strings (amounts exceed 2^53).
 * NULL when out of memory. */
cJSON *nm_params_json(const struct nm_params *p);

#endif
