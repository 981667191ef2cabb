/* permits.c - which validators of a subnet hold a permit (see permits.h):
 * the subnet's validators and their stakes read in UID order, handed to
 * the pure selection nm_permits_select. */
#include "node/pallets/permits.h"

#include "node/errors.h"
#include "node/pallets/incentive.h"

#include <stdlib.h>
#include <string.h>

int nm_permits_of(struct nm_db *db, const struct nm_params *params, const struct nm_subnet *s,
                  const nm_account *who, struct nm_permit_info *out)
{
    memset(out, 0, sizeof *out);
    out->k = params->max_validators > UINT32_MAX ? UINT32_MAX : (uint32_t)params->max_validators;
    sqlite3_stmt *st = nm_db_stmt(
        db, "SELECT n.account, COALESCE(t.amount, 0) FROM neurons n"
            " LEFT JOIN stakes t ON t.account=n.account AND t.subnet=n.subnet"
            " WHERE n.subnet=?1 AND n.role=?2 ORDER BY n.uid");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, s->id);
    sqlite3_bind_int(st, 2, NM_ROLE_VALIDATOR);
    size_t n = 0, cap = 64, mine = SIZE_MAX;
    uint64_t *stake = malloc(cap * sizeof *stake);
    bool *permit = NULL;
    int rc, err = stake ? 0 : NM_E_NOMEM;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            uint64_t *grown = realloc(stake, 2 * cap * sizeof *stake);
            if (!grown) {
                err = NM_E_NOMEM;
                break;
            }
            stake = grown;
            cap *= 2;
        }
        if (sqlite3_column_bytes(st, 0) == NM_PUBKEY_LEN &&
            memcmp(sqlite3_column_blob(st, 0), who->b, NM_PUBKEY_LEN) == 0)
            mine = n;
        stake[n++] = nm_column_u64(st, 1);
    }
    if (!err && rc != SQLITE_DONE)
        err = NM_E_DB;
    sqlite3_reset(st);
    if (err)
        goto out;
    if (mine == SIZE_MAX) {
        err = NM_E_NOT_VALIDATOR;
        goto out;
    }
    if (!(permit = calloc(n, sizeof *permit))) {
        err = NM_E_NOMEM;
        goto out;
    }
    if (nm_permits_select(stake, n, s->spec.min_stake_validator, out->k, permit) < 0) {
        err = NM_E_NOMEM;
        goto out;
    }
    out->validators = (uint32_t)n;
    out->stake = stake[mine];
    out->permit = permit[mine];
    for (size_t i = 0; i < n; i++)
        if (permit[i] && (out->lowest_permit == 0 || stake[i] < out->lowest_permit))
            out->lowest_permit = stake[i];
out:
    free(permit);
    free(stake);
    return err;
}
