/* cmd_chain.c - console commands about the chain and balances: chain info,
 * block, events, balance, and the transfer and faucet calls. */
#include "console/commands/cmd_api.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- signing ---- */

static int build_transfer(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_TRANSFER;
    int rc = nm_cmd_parse_amount(ctx, "amount", nm_cmd_arg(ctx, 1), true,
                                 &c->u.transfer.amount);
    return rc ? rc : nm_cmd_resolve_account(ctx, nm_cmd_arg(ctx, 0), &c->u.transfer.dest);
}

static int build_faucet(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_FAUCET;
    if (nm_cmd_nargs(ctx) > 0)
        return nm_cmd_resolve_account(ctx, nm_cmd_arg(ctx, 0), &c->u.faucet.dest);
    return nm_cmd_signer_account(ctx, &c->u.faucet.dest);
}

static int render_transfer(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                           struct nm_cmd_text *t)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    char addr[NM_SS58_STRLEN], amt[NM_CMD_AMOUNT_CAP], h[NM_CMD_SHORT_HASH_CAP];
    nm_cmd_printf(t, "transferred %s to %s in block %llu (extrinsic %s)\n",
                  nm_cmd_amount_text(c->u.transfer.amount, amt),
                  nm_ss58_encode(&c->u.transfer.dest, addr), (unsigned long long)sub->height,
                  nm_cmd_short_hash(nm_jget_str(sub->json, "extrinsic"), h));
    return 0;
}

static int h_transfer(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_transfer);
}

static int render_faucet(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                         struct nm_cmd_text *t)
{
    char addr[NM_SS58_STRLEN], amt[NM_CMD_AMOUNT_CAP];
    const cJSON *paid = nm_cmd_find_event(sub->events, "balances.Faucet");
    nm_cmd_printf(t, "faucet paid %s to %s in block %llu\n", nm_cmd_jamount(paid, "amount", amt),
                  nm_ss58_encode(&nm_cmd_call(ctx)->u.faucet.dest, addr),
                  (unsigned long long)sub->height);
    if (paid)
        cJSON_AddStringToObject(sub->json, "amount", nm_jget_str(paid, "amount"));
    return 0;
}

static int h_faucet(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_faucet);
}

/* ---- reading ---- */

static int h_chain_info(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    char fee[NM_CMD_AMOUNT_CAP], ed[NM_CMD_AMOUNT_CAP];
    int rc = nm_cmd_rpc(ctx, "chain_info", NULL, &r);
    if (rc)
        return rc;
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "chain                %s (%s%s)\n", nm_jget_str(r, "name"),
                  nm_jget_str(r, "id"),
                  cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "dev")) ? ", dev" : "");
    nm_cmd_printf(&b, "height               %llu (finalized %llu)\n",
                  (unsigned long long)nm_jget_u64(r, "height"),
                  (unsigned long long)nm_jget_u64(r, "finalized"));
    nm_cmd_printf(&b, "best block           %s\n", nm_jget_str(r, "best_hash"));
    nm_cmd_printf(&b, "genesis              %s\n", nm_jget_str(r, "genesis_hash"));
    nm_cmd_printf(&b, "epoch                %llu (tempo %llu blocks, block time %llu ms)\n",
                  (unsigned long long)nm_jget_u64(r, "epoch"),
                  (unsigned long long)nm_jget_u64(r, "tempo"),
                  (unsigned long long)nm_jget_u64(r, "block_time_ms"));
    nm_cmd_printf(&b, "transaction fee      %s\n", nm_cmd_jamount(r, "tx_fee", fee));
    nm_cmd_printf(&b, "existential deposit  %s\n", nm_cmd_jamount(r, "existential_deposit", ed));
    nm_cmd_printf(&b, "pending extrinsics   %llu\n",
                  (unsigned long long)nm_jget_u64(r, "pending"));
    return nm_cmd_ok(ctx, r, &b);
}

/* Optional argument 0 as a block height (block, events). */
static int parse_height(struct nm_cmd_ctx *ctx, uint64_t *out)
{
    char q[NM_CMD_QUOTE_CAP];
    if (!nm_cmd_parse_uint(nm_cmd_arg(ctx, 0), 0, (1ULL << 53), out))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_INVAL, "invalid block number \"%s\"",
                           nm_cmd_quote(nm_cmd_arg(ctx, 0), q));
    return 0;
}

static void describe_extrinsic(const char *hex, cJSON *out)
{
    size_t len = strlen(hex) / 2;
    uint8_t *raw = malloc(len + 1);
    size_t got = 0;
    struct nm_extrinsic x;
    struct nm_call call;
    char addr[NM_SS58_STRLEN], hh[NM_HASH_HEXLEN];
    if (!raw || nm_hex_decode(hex, raw, len + 1, 0, &got) != 0 ||
        nm_extrinsic_decode(raw, got, &x) != 0) {
        cJSON_AddStringToObject(out, "error", "undecodable extrinsic");
        goto out;
    }
    nm_hash h;
    nm_extrinsic_hash(raw, got, &h);
    cJSON_AddStringToObject(out, "hash", nm_hash_hex(&h, hh));
    cJSON_AddStringToObject(out, "signer", nm_ss58_encode(&x.signer, addr));
    cJSON_AddNumberToObject(out, "nonce", (double)x.nonce);
    if (nm_call_decode(x.call, x.call_len, &call) == 0) {
        cJSON *cj = nm_call_to_json(&call);
        if (cj)
            cJSON_AddItemToObject(out, "call", cj);
    }
out:
    free(raw);
}

static void render_block(struct nm_cmd_text *b, const cJSON *hdr, const char *bh,
                         const cJSON *list)
{
    uint64_t ts = nm_jget_u64(hdr, "timestamp");
    time_t secs = (time_t)(ts / 1000);
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&secs, &tm))
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    nm_cmd_printf(b, "block        %llu\n", (unsigned long long)nm_jget_u64(hdr, "height"));
    nm_cmd_printf(b, "hash         %s\n", bh);
    nm_cmd_printf(b, "parent       %s\n", nm_jget_str(hdr, "parentHash"));
    nm_cmd_printf(b, "time         %s.%03llu UTC\n", when, (unsigned long long)(ts % 1000));
    nm_cmd_printf(b, "author       %s\n", nm_jget_str(hdr, "author"));
    nm_cmd_printf(b, "epoch        %llu\n", (unsigned long long)nm_jget_u64(hdr, "epoch"));
    nm_cmd_printf(b, "state root   %s\n", nm_jget_str(hdr, "stateRoot"));
    nm_cmd_printf(b, "extrinsics   %d\n", cJSON_GetArraySize(list));
    const cJSON *item;
    cJSON_ArrayForEach(item, list) {
        const cJSON *call = cJSON_GetObjectItemCaseSensitive(item, "call");
        char h[NM_CMD_SHORT_HASH_CAP];
        if (!call) {
            nm_cmd_printf(b, "  %llu  (undecodable)\n",
                          (unsigned long long)nm_jget_u64(item, "index"));
            continue;
        }
        char *args = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(call, "args"));
        nm_cmd_printf(b, "  %llu  %s  %s nonce %llu  %s %s\n",
                      (unsigned long long)nm_jget_u64(item, "index"),
                      nm_cmd_short_hash(nm_jget_str(item, "hash"), h),
                      nm_jget_str(item, "signer"), (unsigned long long)nm_jget_u64(item, "nonce"),
                      nm_jget_str(call, "call"), args ? args : "");
        free(args);
    }
}

static int h_block(struct nm_cmd_ctx *ctx)
{
    cJSON *hash = NULL, *blk = NULL, *view = NULL;
    uint64_t n = 0;
    if (nm_cmd_nargs(ctx) > 0) {
        int rc = parse_height(ctx, &n);
        if (rc)
            return rc;
        rc = nm_cmd_rpc(ctx, "chain_getBlockHash", nm_cmd_params(1, cJSON_CreateNumber((double)n)),
                        &hash);
        if (rc)
            return rc;
        if (!cJSON_IsString(hash)) {
            cJSON_Delete(hash);
            return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_UNKNOWN_BLOCK, "no block at height %llu",
                               (unsigned long long)n);
        }
    }
    cJSON *params = hash ? nm_cmd_params(1, cJSON_CreateString(hash->valuestring)) : NULL;
    if (nm_cmd_rpc(ctx, "chain_getBlock", params, &blk))
        goto out;
    const cJSON *block = cJSON_GetObjectItemCaseSensitive(blk, "block");
    const cJSON *hdr = cJSON_GetObjectItemCaseSensitive(block, "header");
    const cJSON *exts = cJSON_GetObjectItemCaseSensitive(block, "extrinsics");
    if (!cJSON_IsObject(hdr)) {
        nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_RPC, "chain_getBlock: the node's answer has no "
                    "header");
        goto out;
    }
    const char *bh = nm_jget_str(hdr, "hash")[0] ? nm_jget_str(hdr, "hash")
                     : hash                      ? hash->valuestring
                                                 : "";
    view = cJSON_CreateObject();
    cJSON *list = cJSON_CreateArray();
    if (!view || !list) {
        cJSON_Delete(list);
        nm_cmd_oom(ctx);
        goto out;
    }
    cJSON_AddNumberToObject(view, "height", (double)nm_jget_u64(hdr, "height"));
    cJSON_AddStringToObject(view, "hash", bh);
    cJSON_AddStringToObject(view, "parent_hash", nm_jget_str(hdr, "parentHash"));
    cJSON_AddStringToObject(view, "state_root", nm_jget_str(hdr, "stateRoot"));
    cJSON_AddStringToObject(view, "extrinsics_root", nm_jget_str(hdr, "extrinsicsRoot"));
    cJSON_AddNumberToObject(view, "timestamp", (double)nm_jget_u64(hdr, "timestamp"));
    cJSON_AddNumberToObject(view, "epoch", (double)nm_jget_u64(hdr, "epoch"));
    cJSON_AddStringToObject(view, "author", nm_jget_str(hdr, "author"));
    cJSON_AddItemToObject(view, "extrinsics", list);
    const cJSON *e;
    int i = 0;
    cJSON_ArrayForEach(e, exts) {
        cJSON *item = cJSON_CreateObject();
        if (!item || !cJSON_AddItemToArray(list, item)) {
            cJSON_Delete(item);
            break;
        }
        cJSON_AddNumberToObject(item, "index", i++);
        if (cJSON_IsString(e))
            describe_extrinsic(e->valuestring, item);
    }
    struct nm_cmd_text b = {0};
    render_block(&b, hdr, bh, list);
    nm_cmd_ok(ctx, view, &b);
    view = NULL;
out:
    cJSON_Delete(view);
    cJSON_Delete(blk);
    cJSON_Delete(hash);
    return nm_cmd_err(ctx);
}

/* Event data as "key=value" pairs; amounts in NMT. */
static void render_event_data(struct nm_cmd_text *b, const cJSON *data)
{
    static const char *const amount_keys[] = {"amount", "stake", "fee", "free", "bonded",
                                              "staked", "unlocking"};
    const cJSON *f;
    cJSON_ArrayForEach(f, data) {
        if (!f->string)
            continue;
        bool is_amount = false;
        for (size_t i = 0; i < sizeof amount_keys / sizeof amount_keys[0]; i++)
            is_amount |= strcmp(f->string, amount_keys[i]) == 0;
        char amt[NM_CMD_AMOUNT_CAP];
        if (is_amount && (cJSON_IsString(f) || cJSON_IsNumber(f))) {
            nm_cmd_printf(b, " %s=%s", f->string, nm_cmd_jamount(data, f->string, amt));
        } else if (cJSON_IsString(f)) {
            nm_cmd_printf(b, " %s=%s", f->string, f->valuestring);
        } else {
            char *v = cJSON_PrintUnformatted(f);
            nm_cmd_printf(b, " %s=%s", f->string, v ? v : "?");
            free(v);
        }
    }
}

static int h_events(struct nm_cmd_ctx *ctx)
{
    cJSON *r;
    uint64_t n = 0;
    cJSON *params = NULL;
    int rc;
    if (nm_cmd_nargs(ctx) > 0) {
        if ((rc = parse_height(ctx, &n)))
            return rc;
        params = nm_cmd_params(1, cJSON_CreateNumber((double)n));
    }
    if ((rc = nm_cmd_rpc(ctx, "events_get", params, &r)))
        return rc;
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(r, "events");
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "block %llu: %d event%s\n", (unsigned long long)nm_jget_u64(r, "height"),
                  cJSON_GetArraySize(events), cJSON_GetArraySize(events) == 1 ? "" : "s");
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(ev, "extrinsic");
        char where[24];
        if (cJSON_IsNumber(x))
            snprintf(where, sizeof where, "ext %d", x->valueint);
        else
            snprintf(where, sizeof where, "block");
        nm_cmd_printf(&b, "  %3llu  %-6s  %s", (unsigned long long)nm_jget_u64(ev, "index"),
                      where, nm_jget_str(ev, "name"));
        render_event_data(&b, cJSON_GetObjectItemCaseSensitive(ev, "data"));
        nm_cmd_printf(&b, "\n");
    }
    return nm_cmd_ok(ctx, r, &b);
}

static int h_balance(struct nm_cmd_ctx *ctx)
{
    nm_account who;
    char addr[NM_SS58_STRLEN], a1[NM_CMD_AMOUNT_CAP], a2[NM_CMD_AMOUNT_CAP],
        a3[NM_CMD_AMOUNT_CAP];
    cJSON *r;
    if (nm_cmd_nargs(ctx) == 0 && !nm_cmd_has_signer(ctx))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "no account given: name one, or a "
                           "signer with --as NAME");
    int rc = nm_cmd_nargs(ctx) > 0 ? nm_cmd_resolve_account(ctx, nm_cmd_arg(ctx, 0), &who)
                                   : nm_cmd_signer_account(ctx, &who);
    if (rc)
        return rc;
    rc = nm_cmd_rpc(ctx, "account_get",
                    nm_cmd_params(1, cJSON_CreateString(nm_ss58_encode(&who, addr))), &r);
    if (rc)
        return rc;
    struct nm_cmd_text b = {0};
    nm_cmd_printf(&b, "address    %s\n", addr);
    nm_cmd_printf(&b, "free       %s\n", nm_cmd_jamount(r, "free", a1));
    nm_cmd_printf(&b, "staked     %s\n", nm_cmd_jamount(r, "staked", a2));
    nm_cmd_printf(&b, "unlocking  %s\n", nm_cmd_jamount(r, "unlocking", a3));
    nm_cmd_printf(&b, "nonce      %llu\n", (unsigned long long)nm_jget_u64(r, "nonce"));
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "stakes"))
        nm_cmd_printf(&b, "  stake on subnet %llu: %s\n",
                      (unsigned long long)nm_jget_u64(e, "subnet"),
                      nm_cmd_jamount(e, "amount", a1));
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "unlocks"))
        nm_cmd_printf(&b, "  unlock of %s at block %llu\n", nm_cmd_jamount(e, "amount", a1),
                      (unsigned long long)nm_jget_u64(e, "unlock_at"));
    return nm_cmd_ok(ctx, r, &b);
}

/* ---- the table ---- */

static const struct nm_cmd_entry entries[] = {
    {.words = "chain info", .usage = "chain info",
     .json = "the node's chain_info: name, id, dev, height, finalized, best_hash, "
             "genesis_hash, epoch, tempo, start, end, block_in_epoch, blocks_left, "
             "epoch_ends_at, block_time_ms, timestamp, tx_fee, existential_deposit, "
             "faucet_amount, unlock_period_blocks, tx_byte_fee, tx_weight_fee, pending "
             "(docs/rpc.md)",
     .summary = "show the chain: height, finality, epoch, fees", .flags = NM_CMD_NEEDS_NODE,
     .handler = h_chain_info},
    {.words = "block", .usage = "block [HEIGHT]",
     .json = "height, hash, parent_hash, state_root, extrinsics_root, timestamp, epoch, "
             "author, extrinsics",
     .summary = "show a block (default: the best one) and its extrinsics",
     .flags = NM_CMD_NEEDS_NODE, .max_args = 1, .handler = h_block},
    {.words = "events", .usage = "events [HEIGHT]",
     .json = "height, total, offset, events (each index, extrinsic, name, data)",
     .summary = "show the events of a block (default: the best one)", .flags = NM_CMD_NEEDS_NODE,
     .max_args = 1, .handler = h_events},
    {.words = "balance", .usage = "balance [ACCOUNT]",
     .json = "address, free, staked, unlocking (base units as decimal strings), nonce, "
             "stakes (subnet, amount), unlocks (amount, unlock_at)",
     .summary = "show free, staked and unlocking balance (default: signer)",
     .flags = NM_CMD_NEEDS_NODE, .max_args = 1, .handler = h_balance},
    {.words = "transfer", .json = "", .usage = "transfer TO AMOUNT",
     .summary = "send AMOUNT NMT to account TO", .flags = NM_CMD_SIGNED_CONFIRM,
     .confirm = "send $2 NMT to $1; a transfer cannot be taken back", .min_args = 2,
     .max_args = 2, .build = build_transfer, .handler = h_transfer},
    {.words = "faucet", .json = "amount", .usage = "faucet [ACCOUNT]",
     .summary = "get test NMT from the dev faucet (default: to the signer)",
     .flags = NM_CMD_SIGNED | NM_CMD_DEV_ONLY, .max_args = 1, .build = build_faucet,
     .handler = h_faucet},
};

const struct nm_cmd_table nm_cmd_chain_table = NM_CMD_TABLE(entries);
