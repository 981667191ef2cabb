/* nat.c - UPnP IGD (libminiupnpc) and NAT-PMP (libnatpmp) port mapping on
 * the thread pool. */
#include "node/p2p/nat.h"

#include "node/errors.h"

#include <arpa/inet.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#define ENABLE_STRNATPMPERR /* natpmp.h declares strnatpmperr only then */
#include <natpmp.h>
#include <stdbool.h>
#include <sys/select.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nm_nat {
    uv_work_t work;
    enum nm_nat_mode mode;
    int port, discover_ms;
    in_addr_t gateway; /* NAT-PMP: 0 finds the default gateway */
    bool pmp_mapped;   /* by NAT-PMP (else UPnP) */
    int public_port;
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

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits for the answer to the pending NAT-PMP request (libnatpmp resends
 * with back-off), at most wait_ms. 0, or a NATPMP_ERR_* / NATPMP_TRYAGAIN. */
static int pmp_answer(natpmp_t *p, natpmpresp_t *r, int wait_ms)
{
    uint64_t end = mono_ms() + (uint64_t)wait_ms;
    int rc;
    do {
        fd_set fds;
        struct timeval tv;
        FD_ZERO(&fds);
        FD_SET(p->s, &fds);
        getnatpmprequesttimeout(p, &tv);
        if (tv.tv_sec > 0 || tv.tv_usec > 100000) { /* poll often: the deadline is ours */
            tv.tv_sec = 0;
            tv.tv_usec = 100000;
        }
        select(p->s + 1, &fds, NULL, NULL, &tv);
        rc = readnatpmpresponseorretry(p, r);
    } while (rc == NATPMP_TRYAGAIN && mono_ms() < end);
    return rc;
}

/* On a pool thread: NAT-PMP (RFC 6886) to the default gateway (or the one
 * given): the public address, then a TCP mapping for an hour. */
static void map_port_pmp(struct nm_nat *n)
{
    natpmp_t p;
    natpmpresp_t r;
    n->err = NM_E_UNSUPPORTED;
    int rc = initnatpmp(&p, n->gateway != 0, n->gateway);
    if (rc < 0) {
        snprintf(n->why, sizeof n->why, "NAT-PMP: no default gateway to ask (%d)", rc);
        return;
    }
    char gw[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, &p.gateway, gw, sizeof gw);
    if ((rc = sendpublicaddressrequest(&p)) < 0 ||
        (rc = pmp_answer(&p, &r, 2 * n->discover_ms)) < 0) {
        snprintf(n->why, sizeof n->why, "no NAT-PMP gateway answered at %s (%s)", gw,
                 rc == NATPMP_TRYAGAIN ? "timed out" : strnatpmperr(rc));
        closenatpmp(&p);
        return;
    }
    inet_ntop(AF_INET, &r.pnu.publicaddress.addr, n->external_ip, sizeof n->external_ip);
    if ((rc = sendnewportmappingrequest(&p, NATPMP_PROTOCOL_TCP, (uint16_t)n->port,
                                        (uint16_t)n->port, 3600)) < 0 ||
        (rc = pmp_answer(&p, &r, 2 * n->discover_ms)) < 0) {
        snprintf(n->why, sizeof n->why, "the NAT-PMP gateway %s refused the mapping of TCP %d (%s)",
                 gw, n->port, rc == NATPMP_TRYAGAIN ? "timed out" : strnatpmperr(rc));
        closenatpmp(&p);
        return;
    }
    n->public_port = r.pnu.newportmapping.mappedpublicport;
    n->mapped = n->pmp_mapped = true;
    n->gateway = p.gateway;
    n->err = 0;
    snprintf(n->why, sizeof n->why, "NAT-PMP mapping of TCP %d on %s", n->port, gw);
    closenatpmp(&p);
}

/* On a pool thread: find a gateway, map the port, read the external IP. */
static void map_port_upnp(struct nm_nat *n)
{
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
    n->public_port = n->port;
}

/* auto: UPnP first, then NAT-PMP; both reasons when neither works. */
static void map_port(uv_work_t *w)
{
    struct nm_nat *n = w->data;
    n->err = NM_E_UNSUPPORTED;
    if (n->mode != NM_NAT_PMP)
        map_port_upnp(n);
    if (n->mode == NM_NAT_UPNP || !n->err)
        return;
    char upnp_why[sizeof n->why];
    snprintf(upnp_why, sizeof upnp_why, "%s", n->mode == NM_NAT_AUTO ? n->why : "");
    map_port_pmp(n);
    if (n->err && upnp_why[0]) {
        char both[sizeof n->why];
        snprintf(both, sizeof both, "%.70s; %.80s", upnp_why, n->why);
        memcpy(n->why, both, sizeof both);
    }
}

static void unmap(struct nm_nat *n)
{
    if (n->mapped && n->pmp_mapped) { /* lifetime 0 removes it */
        natpmp_t p;
        natpmpresp_t r;
        if (initnatpmp(&p, 1, n->gateway) == 0) {
            if (sendnewportmappingrequest(&p, NATPMP_PROTOCOL_TCP, (uint16_t)n->port, 0, 0) >= 0)
                pmp_answer(&p, &r, 500);
            closenatpmp(&p);
        }
        n->mapped = false;
        return;
    }
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
    n->done(n->ud, n->err, n->err ? NULL : n->external_ip, n->public_port, n->why);
}

int nm_nat_start(uv_loop_t *loop, enum nm_nat_mode mode, int port, int discover_ms,
                 const char *pmp_gateway, nm_nat_done_fn done, void *ud, struct nm_nat **out)
{
    struct in_addr gw = {0};
    if (mode == NM_NAT_NONE || port <= 0 || port > 65535 ||
        (pmp_gateway && inet_pton(AF_INET, pmp_gateway, &gw) != 1))
        return NM_E_INVAL;
    struct nm_nat *n = calloc(1, sizeof *n);
    if (!n)
        return NM_E_NOMEM;
    n->mode = mode;
    n->gateway = gw.s_addr;
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
