/* pages.h - following the pages of a paged list method (issue 17: events_get,
 * neuron_list and chain_getBlock take [.., offset, limit] and answer
 * {"total", "offset", LIST}), for every client whatever its transport: the
 * session of the console and the roles, the dashboard's link, the
 * aggregator's chain view. */
#ifndef NM_RPC_PAGES_H
#define NM_RPC_PAGES_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* One call on the caller's transport: params taken, *result the caller's,
 * 0 or an NM_E_* with a message in err (cap bytes). */
typedef int (*nm_rpc_page_call_fn)(void *ud, const char *method, cJSON *params,
                                   cJSON **result, char *err, size_t cap);

/* Items per page the clients of this repository ask for. */
#define NM_RPC_PAGE_ITEMS 1024

/* Asks method for pages of page_size items (params, taken, NULL for [], are
 * the method's own, before offset and limit), appending each page's array
 * under key to the first answer's, until the answer's "total" items are in
 * or a page comes back short (an answer without "total" is one page). 0
 * with the whole answer in *result (the caller's), or the first failure
 * (NM_E_RPC with a message when an answer lacks its list; *result NULL). */
int nm_rpc_call_pages(nm_rpc_page_call_fn call, void *ud, const char *method, cJSON *params,
                      const char *key, size_t page_size, cJSON **result, char *err, size_t cap);

#endif
