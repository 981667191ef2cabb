/* dashboard_peers.c - the dashboard cache's peer list (system_peers), with
 * each peer's last NM_PEER_RTT_HISTORY ping round trips kept across
 * updates for the Peers screen's sparkline. */
#include "console/dashboard/dashboard_cache.h"

#include "console/commands/jget.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/ipfs/id/1.0.0 /meshsub/1.1.0" -> "id meshsub": the name before the version. */
static void short_protocols(const cJSON *list, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    const cJSON *p;
    cJSON_ArrayForEach(p, list)
    {
        const char *s = cJSON_GetStringValue(p);
        if (!s)
            continue;
        char name[64];
        snprintf(name, sizeof name, "%s", s);
        char *last = strrchr(name, '/');
        if (last && last != name && last[1] >= '0' && last[1] <= '9') {
            *last = '\0'; /* drop the version */
            last = strrchr(name, '/');
        }
        const char *word = last ? last + 1 : name;
        int k = snprintf(out + n, cap - n, "%s%s", n ? " " : "", word);
        if (k < 0 || (size_t)k >= cap - n)
            break;
        n += (size_t)k;
    }
}

static const struct nm_peer_row *find_old(const struct nm_cache *c, const char *id)
{
    for (size_t i = 0; i < c->npeer_rows; i++)
        if (strcmp(c->peer_rows[i].id, id) == 0)
            return &c->peer_rows[i];
    return NULL;
}

unsigned nm_cache_apply_peers(struct nm_cache *c, const cJSON *list)
{
    if (!cJSON_IsArray(list))
        return 0;
    size_t n = (size_t)cJSON_GetArraySize(list);
    struct nm_peer_row *rows = n ? c->alloc(n, sizeof *rows) : NULL;
    if (n && !rows) {
        c->alloc_failures++;
        return 0;
    }
    size_t k = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, list)
    {
        struct nm_peer_row *r = &rows[k++];
        nm_cache_text(r->id, sizeof r->id, nm_jget_str(p, "peerId"));
        nm_cache_text(r->address, sizeof r->address, nm_jget_str(p, "address"));
        nm_cache_text(r->direction, sizeof r->direction, nm_jget_str(p, "direction"));
        nm_cache_text(r->agent, sizeof r->agent, nm_jget_str(p, "agent"));
        short_protocols(nm_jget(p, "protocols"), r->protocols, sizeof r->protocols);
        const cJSON *rtt = nm_jget(p, "pingUs");
        r->rtt_us = cJSON_IsNumber(rtt) ? (int64_t)rtt->valuedouble : -1;
        const char *best = nm_jget_str(p, "bestNumber");
        r->best = best && best[0] ? (int64_t)strtoull(best, NULL, 16) : -1;
        r->score = cJSON_GetNumberValue(nm_jget(p, "score"));
        if (r->score != r->score) /* NaN: no score served */
            r->score = 0;
        const struct nm_peer_row *old = find_old(c, r->id);
        if (old) {
            memcpy(r->rtt_ms, old->rtt_ms, sizeof r->rtt_ms);
            r->nrtt = old->nrtt;
        }
        if (r->rtt_us >= 0) {
            if (r->nrtt == NM_PEER_RTT_HISTORY) {
                memmove(r->rtt_ms, r->rtt_ms + 1, (NM_PEER_RTT_HISTORY - 1) * sizeof r->rtt_ms[0]);
                r->nrtt--;
            }
            r->rtt_ms[r->nrtt++] = (double)r->rtt_us / 1000.0;
        }
    }
    free(c->peer_rows);
    c->peer_rows = rows;
    c->npeer_rows = k;
    c->have_peers = true;
    return NM_DIRTY_PEERS;
}
