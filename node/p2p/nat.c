/* nat.c - UPnP IGD port mapping on the thread pool (libminiupnpc). */
#include "node/p2p/nat.h"

#include "node/errors.h"

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nm_nat {
    uv_work_t work;
    int port, discover_ms;
    nm_nat_done_fn done;
    void *ud;
    bool stopped, finished, mapped;
    /* filled by the worker */
    int err;
    char why[160];
    char external_ip[64];
    char control_url[512];
    char service_type[256];
};

int nm_nat_mode_parse(const char *text, enum nm_nat_mode *out)
{
    static const char *const names[] = {"none", "auto", "upnp", "pmp"};
    for (int i = 0; i < 4; i++)
        if (text && strcmp(text, names[i]) == 0) {
            *out = (enum nm_nat_mode)i;
            return 0;
        }
    return NM_E_INVAL;
}

/* On a pool thread: find a gateway, map the port, read the external IP. */
static void map_port(uv_work_t *w)
{
    struct nm_nat *n = w->data;
    int derr = 0;
    struct UPNPDev *devs = upnpDiscover(n->discover_ms, NULL, NULL, 0, 0, 2, &derr);
    struct UPNPUrls urls;
    struct IGDdatas data;
    char lan[64] = "";
    memset(&urls, 0, sizeof urls);
    n->err = NM_E_UNSUPPORTED;
    if (!devs) {
        snprintf(n->why, sizeof n->why, "no UPnP gateway answered (%d ms per device type)",
                 n->discover_ms);
        return;
    }
    int igd = UPNP_GetValidIGD(devs, &urls, &data, lan, sizeof lan);
    freeUPNPDevlist(devs);
    if (igd != 1) {
        snprintf(n->why, sizeof n->why, "no connected UPnP internet gateway (found kind %d)", igd);
        if (igd)
            FreeUPNPUrls(&urls);
        return;
    }
    char port[16];
    snprintf(port, sizeof port, "%d", n->port);
    int rc = UPNP_AddPortMapping(urls.controlURL, data.first.servicetype, port, port, lan,
                                 "neuromesh p2p", "TCP", NULL, "0");
    if (rc != 0) {
        snprintf(n->why, sizeof n->why, "the gateway refused the mapping of TCP %s (UPnP %d)",
                 port, rc);
    } else if (UPNP_GetExternalIPAddress(urls.controlURL, data.first.servicetype,
                                         n->external_ip) != 0 || !n->external_ip[0]) {
        snprintf(n->why, sizeof n->why, "mapped TCP %s but the gateway gave no external address",
                 port);
        n->mapped = true;
    } else {
        n->err = 0;
        n->mapped = true;
        snprintf(n->why, sizeof n->why, "UPnP mapping of TCP %s on %s", port, lan);
    }
    snprintf(n->control_url, sizeof n->control_url, "%s", urls.controlURL ? urls.controlURL : "");
    snprintf(n->service_type, sizeof n->service_type, "%s", data.first.servicetype);
    FreeUPNPUrls(&urls);
}

static void unmap(struct nm_nat *n)
{
    if (!n->mapped || !n->control_url[0])
        return;
    char port[16];
    snprintf(port, sizeof port, "%d", n->port);
    UPNP_DeletePortMapping(n->control_url, n->service_type, port, "TCP", NULL);
    n->mapped = false;
}

static void after_map(uv_work_t *w, int status)
{
    struct nm_nat *n = w->data;
    n->finished = true;
    if (n->stopped) { /* stopped while the worker ran: undo and go */
        unmap(n);
        free(n);
        return;
    }
    if (status == UV_ECANCELED) {
        n->done(n->ud, NM_E_UNSUPPORTED, NULL, 0, "port mapping cancelled");
        return;
    }
    n->done(n->ud, n->err, n->err ? NULL : n->external_ip, n->port, n->why);
}

int nm_nat_start(uv_loop_t *loop, enum nm_nat_mode mode, int port, int discover_ms,
                 nm_nat_done_fn done, void *ud, struct nm_nat **out)
{
    if (mode == NM_NAT_PMP)
        return NM_E_UNSUPPORTED;
    if (mode == NM_NAT_NONE || port <= 0 || port > 65535)
        return NM_E_INVAL;
    struct nm_nat *n = calloc(1, sizeof *n);
    if (!n)
        return NM_E_NOMEM;
    n->port = port;
    n->discover_ms = discover_ms > 0 ? discover_ms : 1000;
    n->done = done;
    n->ud = ud;
    n->work.data = n;
    if (uv_queue_work(loop, &n->work, map_port, after_map)) {
        free(n);
        return NM_E_INTERNAL;
    }
    *out = n;
    return 0;
}

void nm_nat_stop(struct nm_nat *n)
{
    if (!n)
        return;
    if (!n->finished) {
        n->stopped = true; /* after_map frees it */
        uv_cancel((uv_req_t *)&n->work);
        return;
    }
    unmap(n);
    free(n);
}
