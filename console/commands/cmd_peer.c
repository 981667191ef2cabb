/* cmd_peer.c - console commands for the node's p2p peers (docs/network.md):
 * list them, connect to one (kept as a reserved peer), ban one. The last
 * two call unsafe methods: they need the node's token (a local node's
 * rpc.cookie is read, else --token). */
#include "console/commands/cmd_api.h"
#include "console/commands/jget.h"

#include "node/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_peers(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    int rc = nm_cmd_rpc(ctx, "system_peers", NULL, &r);
    if (rc)
        return rc;
    struct nm_cmd_grid g = {.ncols = 6, .right = {false, false, false, true, true, false}};
    nm_cmd_grid_row(&g, "PEER", "DIR", "ADDRESS", "PING", "BEST", "AGENT");
    const cJSON *p;
    int count = 0;
    cJSON_ArrayForEach(p, r) {
        char ping[24] = "-", best[24] = "-";
        const cJSON *us = cJSON_GetObjectItemCaseSensitive(p, "pingUs");
        if (cJSON_IsNumber(us))
            snprintf(ping, sizeof ping, "%.1f ms", us->valuedouble / 1000.0);
        const char *num = nm_jget_str(p, "bestNumber");
        if (num && num[0])
            snprintf(best, sizeof best, "%llu", strtoull(num, NULL, 16));
        nm_cmd_grid_row(&g, nm_jget_str(p, "peerId"), nm_jget_str(p, "direction"),
                        nm_jget_str(p, "address"), ping, best, nm_jget_str(p, "agent"));
        count++;
    }
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "%d peer%s\n", count, count == 1 ? "" : "s");
    if (count)
        nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "peers", r);
    return nm_cmd_ok(ctx, out, &b);
}

/* peer connect / peer ban: one unsafe call with one string argument. */
static int peer_call(struct nm_cmd_ctx *ctx, const char *method, const char *done)
{
    const char *arg = nm_cmd_arg(ctx, 0);
    cJSON *r;
    int rc = nm_cmd_rpc(ctx, method, nm_cmd_params(1, cJSON_CreateString(arg)), &r);
    if (rc)
        return rc;
    cJSON_Delete(r);
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "%s %s\n", done, arg);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "peer", arg);
    return nm_cmd_ok(ctx, out, &b);
}

static int h_peer_connect(struct nm_cmd_ctx *ctx)
{
    return peer_call(ctx, "system_addReservedPeer", "dialing and keeping");
}

static int h_peer_ban(struct nm_cmd_ctx *ctx)
{
    return peer_call(ctx, "system_banPeer", "banned");
}

static const struct nm_cmd_entry entries[] = {
    {.words = "peers", .usage = "peers",
     .json = "peers (system_peers' objects: peer_id, addr, direction, ...)",
     .summary = "list the node's p2p peers: id, direction, address, ping, best block",
     .flags = NM_CMD_NEEDS_NODE, .handler = h_peers},
    {.words = "peer connect", .usage = "peer connect MULTIADDR",
     .json = "the node's answer to system_addPeer",
     .summary = "dial a peer (/ip4/ADDR/tcp/PORT/p2p/ID) and keep it connected (unsafe: needs "
                "the token)",
     .flags = NM_CMD_NEEDS_NODE, .min_args = 1, .max_args = 1, .handler = h_peer_connect},
    {.words = "peer ban", .usage = "peer ban PEERID",
     .json = "the node's answer to system_banPeer",
     .summary = "disconnect a peer and refuse it a while (unsafe)", .flags = NM_CMD_NEEDS_NODE,
     .min_args = 1, .max_args = 1, .handler = h_peer_ban},
};

const struct nm_cmd_table nm_cmd_peer_table = NM_CMD_TABLE(entries);
