/* cmd_peer.c - console commands for the node's p2p peers (docs/network.md):
 * list them (with their gossipsub score), connect to one (kept as a
 * reserved peer), ban one (these two call unsafe methods: they need the
 * node's token, a local node's rpc.cookie is read, else --token); announce
 * the signer's neuron endpoint on its subnet topic and list the
 * announcements the node heard. */
#include "console/commands/cmd_api.h"
#include "console/commands/jget.h"

#include "node/errors.h"
#include "node/miner/role_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int h_peers(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    int rc = nm_cmd_rpc(ctx, "system_peers", NULL, &r);
    if (rc)
        return rc;
    struct nm_cmd_grid g = {.ncols = 7,
                            .right = {false, false, false, true, true, true, false}};
    nm_cmd_grid_row(&g, "PEER", "DIR", "ADDRESS", "PING", "BEST", "SCORE", "AGENT");
    const cJSON *p;
    int count = 0;
    cJSON_ArrayForEach(p, r) {
        char ping[24] = "-", best[24] = "-", score[24];
        snprintf(score, sizeof score, "%.2f",
                 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "score")));
        const cJSON *us = cJSON_GetObjectItemCaseSensitive(p, "pingUs");
        if (cJSON_IsNumber(us))
            snprintf(ping, sizeof ping, "%.1f ms", us->valuedouble / 1000.0);
        const char *num = nm_jget_str(p, "bestNumber");
        if (num && num[0])
            snprintf(best, sizeof best, "%llu", strtoull(num, NULL, 16));
        nm_cmd_grid_row(&g, nm_jget_str(p, "peerId"), nm_jget_str(p, "direction"),
                        nm_jget_str(p, "address"), ping, best, score, nm_jget_str(p, "agent"));
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

static int h_announce(struct nm_cmd_ctx *ctx)
{
    uint16_t subnet;
    const char *role = nm_cmd_arg(ctx, 1), *endpoint = nm_cmd_arg(ctx, 2);
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &subnet);
    if (rc)
        return rc;
    if (strcmp(role, "miner") != 0 && strcmp(role, "validator") != 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "role must be miner or validator, not \"%.40s\"", role);
    if ((rc = nm_cmd_check_endpoint(ctx, endpoint)))
        return rc;
    size_t cap;
    char *err = nm_cmd_errbuf(ctx, &cap);
    if ((rc = nm_role_announce(nm_cmd_session(ctx), subnet, role, endpoint, err, cap)))
        return nm_cmd_failed(ctx, rc);
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "announced %s %s on subnet %u\n", role, endpoint, (unsigned)subnet);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "subnet", subnet);
    cJSON_AddStringToObject(out, "role", role);
    cJSON_AddStringToObject(out, "endpoint", endpoint);
    return nm_cmd_ok(ctx, out, &b);
}

static int h_announcements(struct nm_cmd_ctx *ctx)
{
    uint16_t subnet = 0;
    const char *arg = nm_cmd_arg(ctx, 0);
    int rc = arg ? nm_cmd_parse_subnet(ctx, arg, &subnet) : 0;
    cJSON *r;
    if (rc || (rc = nm_cmd_rpc(ctx, "neuron_announcements",
                               arg ? nm_cmd_params(1, cJSON_CreateNumber(subnet)) : NULL, &r)))
        return rc;
    struct nm_cmd_grid g = {.ncols = 6, .right = {true, true, false, false, false, true}};
    nm_cmd_grid_row(&g, "SUBNET", "UID", "ROLE", "HOTKEY", "ENDPOINT", "AGE");
    const cJSON *a;
    int count = 0;
    cJSON_ArrayForEach(a, r) {
        char sn[16], uid[16], age[24];
        snprintf(sn, sizeof sn, "%llu", (unsigned long long)nm_jget_u64(a, "subnet"));
        snprintf(uid, sizeof uid, "%llu", (unsigned long long)nm_jget_u64(a, "uid"));
        snprintf(age, sizeof age, "%llu s", (unsigned long long)nm_jget_u64(a, "ageMs") / 1000);
        nm_cmd_grid_row(&g, sn, uid, nm_jget_str(a, "role"), nm_jget_str(a, "hotkey"),
                        nm_jget_str(a, "endpoint"), age);
        count++;
    }
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "%d announcement%s\n", count, count == 1 ? "" : "s");
    if (count)
        nm_cmd_grid_render(&g, &b);
    nm_cmd_grid_fini(&g);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "announcements", r);
    return nm_cmd_ok(ctx, out, &b);
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
    {.words = "neuron announce", .usage = "neuron announce SUBNET miner|validator URL",
     .json = "subnet, role, endpoint",
     .summary = "sign the signer's endpoint and gossip it on the subnet's p2p topic (the node "
                "checks it against the registry; `neuromesh miner` does this by itself)",
     .flags = NM_CMD_NEEDS_NODE, .min_args = 3, .max_args = 3, .handler = h_announce},
    {.words = "announcements", .usage = "announcements [SUBNET]",
     .json = "announcements (subnet, uid, role, hotkey, endpoint, at, ageMs, via)",
     .summary = "neuron endpoints the node heard announced over p2p",
     .flags = NM_CMD_NEEDS_NODE, .max_args = 1, .handler = h_announcements},
};

const struct nm_cmd_table nm_cmd_peer_table = NM_CMD_TABLE(entries);
