/* params.c - the chain parameter table (see params.h). */
#include "node/params.h"

#include <stddef.h>
#include <string.h>

const struct nm_param_info nm_param_table[] = {
#define NM_X_INFO(n, dev, def, lo, hi, desc) \
    {#n, dev, def, lo, hi, desc, offsetof(struct nm_params, n)},
    NM_PARAMS_MAP(NM_X_INFO)
#undef NM_X_INFO
};
const int nm_param_count = (int)(sizeof nm_param_table / sizeof nm_param_table[0]);

void nm_params_defaults(struct nm_params *p, int dev)
{
    for (int i = 0; i < nm_param_count; i++)
        *nm_param_slot(p, &nm_param_table[i]) =
            dev ? nm_param_table[i].dev_default : nm_param_table[i].default_value;
}

const struct nm_param_info *nm_param_find(const char *name)
{
    for (int i = 0; i < nm_param_count; i++)
        if (strcmp(nm_param_table[i].name, name) == 0)
            return &nm_param_table[i];
    return NULL;
}

uint64_t *nm_param_slot(struct nm_params *p, const struct nm_param_info *info)
{
    return (uint64_t *)((char *)p + info->struct_offset);
}

uint64_t nm_param_value(const struct nm_params *p, const struct nm_param_info *info)
{
    return *(const uint64_t *)((const char *)p + info->struct_offset);
}
