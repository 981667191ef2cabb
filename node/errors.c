/* errors.c - names, messages and RPC codes of NM_E_* errors (see errors.h). */
#include "node/errors.h"

#include <string.h>

#define NM_X_IDX(name, code, msg) [NM_E_##name - NM__E_FIRST - 1] = {#name, msg, code},
static const struct {
    const char *name;
    const char *message;
    int rpc_code;
} error_table[] = {NM_ERRNO_MAP(NM_X_IDX)};
#undef NM_X_IDX

#define NM_ERR_COUNT ((int)(sizeof error_table / sizeof error_table[0]))

static int error_index(int err)
{
    int idx = err - NM__E_FIRST - 1;
    return (idx >= 0 && idx < NM_ERR_COUNT) ? idx : -1;
}

const char *nm_strerror(int err)
{
    if (err == 0)
        return "success";
    int idx = error_index(err);
    return idx < 0 ? "unknown error" : error_table[idx].message;
}

const char *nm_errname(int err)
{
    if (err == 0)
        return "OK";
    int idx = error_index(err);
    return idx < 0 ? "UNKNOWN" : error_table[idx].name;
}

int nm_rpc_code(int err)
{
    int idx = error_index(err);
    return idx < 0 ? -32603 : error_table[idx].rpc_code;
}

int nm_error_from_name(const char *name)
{
    for (int i = 0; i < NM_ERR_COUNT; i++)
        if (strcmp(error_table[i].name, name) == 0)
            return NM__E_FIRST + 1 + i;
    return 0;
}

bool nm_error_is_fatal(int err)
{
    return err == NM_E_NOMEM || err == NM_E_IO || err == NM_E_DB || err == NM_E_INTERNAL;
}
