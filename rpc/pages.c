/* pages.c - following the pages of a paged list method (see pages.h). */
#include "rpc/pages.h"

#include "node/errors.h"

#include <stdbool.h>
#include <stdio.h>

/* Moves the items of page's array under key to the end of into's. */
static int append_page(cJSON *into, cJSON *page, const char *key)
{
    cJSON *dst = cJSON_GetObjectItemCaseSensitive(into, key);
    cJSON *src = cJSON_GetObjectItemCaseSensitive(page, key), *item;
    if (!cJSON_IsArray(dst) || !cJSON_IsArray(src))
        return NM_E_RPC;
    while ((item = cJSON_DetachItemFromArray(src, 0)))
        cJSON_AddItemToArray(dst, item);
    return 0;
}

int nm_rpc_call_pages(nm_rpc_page_call_fn call, void *ud, const char *method, cJSON *params,
                      const char *key, size_t page_size, cJSON **result, char *err, size_t cap)
{
    *result = NULL;
    if (!params)
        params = cJSON_CreateArray();
    int rc = params ? 0 : NM_E_NOMEM;
    if (rc)
        snprintf(err, cap, "%s: %s", method, nm_strerror(rc));
    for (double offset = 0; !rc;) {
        cJSON *p = cJSON_Duplicate(params, true), *page = NULL;
        if (!p || !cJSON_AddItemToArray(p, cJSON_CreateNumber(offset)) ||
            !cJSON_AddItemToArray(p, cJSON_CreateNumber((double)page_size))) {
            cJSON_Delete(p);
            rc = NM_E_NOMEM;
            snprintf(err, cap, "%s: %s", method, nm_strerror(rc));
            break;
        }
        if ((rc = call(ud, method, p, &page, err, cap)))
            break;
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(page, key);
        const cJSON *total_item = cJSON_GetObjectItemCaseSensitive(page, "total");
        bool has_total = cJSON_IsNumber(total_item);
        double total = has_total ? total_item->valuedouble : 0; /* page goes below */
        int got = cJSON_GetArraySize(items);
        if (!cJSON_IsArray(items) || (*result && append_page(*result, page, key))) {
            rc = NM_E_RPC;
            snprintf(err, cap, "%s: the node's answer lacks its list \"%s\"", method, key);
        } else if (!*result) {
            *result = page;
            page = NULL;
        }
        cJSON_Delete(page);
        offset += got;
        if (got == 0 || (size_t)got < page_size || !has_total || offset >= total)
            break;
    }
    cJSON_Delete(params);
    if (rc) {
        cJSON_Delete(*result);
        *result = NULL;
    }
    return rc;
}
