/* json.c - shared encoders of the JSON views (see json.h). */
#include "node/json.h"

#include "node/amount.h"
#include "node/ss58.h"

bool nm_json_add(cJSON *obj, const char *key, cJSON *item)
{
    if (item && obj && cJSON_AddItemToObject(obj, key, item))
        return true;
    cJSON_Delete(item);
    return false;
}

bool nm_json_append(cJSON *arr, cJSON *item)
{
    if (item && arr && cJSON_AddItemToArray(arr, item))
        return true;
    cJSON_Delete(item);
    return false;
}

void nm_json_add_amount(cJSON *obj, const char *key, uint64_t units)
{
    char buf[NM_AMOUNT_STRLEN];
    cJSON_AddStringToObject(obj, key, nm_units_format(units, buf));
}

cJSON *nm_json_add_u64(cJSON *obj, const char *key, uint64_t v)
{
    return cJSON_AddNumberToObject(obj, key, (double)v);
}

void nm_json_add_account(cJSON *obj, const char *key, const nm_account *acct)
{
    char buf[NM_SS58_STRLEN];
    cJSON_AddStringToObject(obj, key, nm_ss58_encode(acct, buf));
}
