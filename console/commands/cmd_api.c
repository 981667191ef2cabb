/* cmd_api.c - the helpers command modules share (see cmd_api.h): context
 * accessors, results, text layout, argument parsers, node calls, and the
 * preflight, signing and submission of a call. */
#include "console/commands/cmd_api.h"
#include "client/numfmt.h"
#include "console/commands/cmd_preflight.h"

#include "console/commands/cmd_ctx.h"
#include "client/session.h"
#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/registry.h"
#include "node/ss58.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the command being run ---- */

const struct nm_cmd_entry *nm_cmd_entry_of(const struct nm_cmd_ctx *ctx)
{
    return ctx->entry;
}

int nm_cmd_nargs(const struct nm_cmd_ctx *ctx)
{
    return ctx->nargs;
}

const char *nm_cmd_arg(const struct nm_cmd_ctx *ctx, int i)
{
    return i >= 0 && i < ctx->nargs ? ctx->args[i] : NULL;
}

const char *nm_cmd_opt(const struct nm_cmd_ctx *ctx, const char *name)
{
    for (int i = 0; i < ctx->nopts; i++)
        if (strcmp(ctx->opts[i].opt->name, name) == 0)
            return ctx->opts[i].value ? ctx->opts[i].value : "";
    return NULL;
}

bool nm_cmd_flag(const struct nm_cmd_ctx *ctx, const char *name)
{
    return nm_cmd_opt(ctx, name) != NULL;
}

struct nm_session *nm_cmd_session(const struct nm_cmd_ctx *ctx)
{
    return ctx->session;
}

const char *nm_cmd_as(const struct nm_cmd_ctx *ctx)
{
    return ctx->as;
}

bool nm_cmd_has_signer(const struct nm_cmd_ctx *ctx)
{
    return ctx->as || nm_session_signer_name(ctx->session);
}

int nm_cmd_signer_account(struct nm_cmd_ctx *ctx, nm_account *out)
{
    if (!ctx->session)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "no signer: give --as NAME");
    int rc = nm_session_signer_account(ctx->session, ctx->as, out, ctx->msg, sizeof ctx->msg);
    return rc ? nm_cmd_failed(ctx, rc) : 0;
}

const struct nm_call *nm_cmd_call(const struct nm_cmd_ctx *ctx)
{
    return &ctx->call;
}

/* ---- results ---- */

int nm_cmd_fail(struct nm_cmd_ctx *ctx, enum nm_cmd_status status, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    ctx->res->status = status;
    ctx->res->err = err;
    return err;
}

char *nm_cmd_errbuf(struct nm_cmd_ctx *ctx, size_t *cap)
{
    *cap = sizeof ctx->msg;
    return ctx->msg;
}

int nm_cmd_failed(struct nm_cmd_ctx *ctx, int err)
{
    ctx->res->status = err == NM_E_USAGE ? NM_CMD_USAGE : NM_CMD_FAILED;
    ctx->res->err = err;
    return err;
}

int nm_cmd_oom(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NOMEM, "%s", nm_strerror(NM_E_NOMEM));
}

int nm_cmd_err(const struct nm_cmd_ctx *ctx)
{
    return ctx->res->err;
}

void nm_cmd_printf(struct nm_cmd_text *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->oom = true;
            return;
        }
        if (t->p && (size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t want = t->len + (size_t)n + 1;
        size_t cap = t->cap ? t->cap : 256;
        while (cap < want)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->oom = true;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
}

char *nm_cmd_text_take(struct nm_cmd_text *t)
{
    if (t->oom || !t->p) {
        free(t->p);
        t->p = NULL;
        return t->oom ? NULL : strdup("");
    }
    char *p = t->p;
    t->p = NULL;
    return p;
}

void nm_cmd_text_fini(struct nm_cmd_text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

int nm_cmd_ok(struct nm_cmd_ctx *ctx, cJSON *json, struct nm_cmd_text *t)
{
    char *text = nm_cmd_text_take(t);
    if (!json || !text) {
        cJSON_Delete(json);
        free(text);
        return nm_cmd_oom(ctx);
    }
    ctx->res->status = NM_CMD_OK;
    ctx->res->err = 0;
    ctx->res->json = json;
    ctx->res->text = text;
    return 0;
}

void nm_cmd_grid_row(struct nm_cmd_grid *g, ...)
{
    if (g->oom)
        return;
    if (g->nrows == g->cap) {
        int cap = g->cap ? 2 * g->cap : 16;
        char **c = realloc(g->cells, sizeof *c * (size_t)cap * (size_t)g->ncols);
        if (!c) {
            g->oom = true;
            return;
        }
        g->cells = c;
        g->cap = cap;
    }
    va_list ap;
    va_start(ap, g);
    for (int i = 0; i < g->ncols; i++) {
        const char *s = va_arg(ap, const char *);
        char *copy = strdup(s ? s : "");
        g->oom |= !copy;
        g->cells[g->nrows * g->ncols + i] = copy;
    }
    va_end(ap);
    g->nrows++;
}

void nm_cmd_grid_render(const struct nm_cmd_grid *g, struct nm_cmd_text *t)
{
    size_t width[NM_CMD_GRID_MAX_COLS] = {0};
    for (int r = 0; r < g->nrows; r++)
        for (int c = 0; c < g->ncols; c++) {
            const char *s = g->cells[r * g->ncols + c];
            size_t n = s ? strlen(s) : 0;
            width[c] = n > width[c] ? n : width[c];
        }
    for (int r = 0; r < g->nrows; r++) {
        for (int c = 0; c < g->ncols; c++) {
            const char *s = g->cells[r * g->ncols + c];
            bool last = c == g->ncols - 1;
            if (g->right[c])
                nm_cmd_printf(t, "%*s%s", (int)width[c], s ? s : "", last ? "" : "  ");
            else if (last)
                nm_cmd_printf(t, "%s", s ? s : "");
            else
                nm_cmd_printf(t, "%-*s  ", (int)width[c], s ? s : "");
        }
        nm_cmd_printf(t, "\n");
    }
    if (g->oom)
        t->oom = true;
}

void nm_cmd_grid_fini(struct nm_cmd_grid *g)
{
    for (int i = 0; i < g->nrows * g->ncols; i++)
        free(g->cells[i]);
    free(g->cells);
    g->cells = NULL;
    g->nrows = g->cap = 0;
}

/* ---- arguments ---- */

const char *nm_cmd_quote(const char *s, char out[NM_CMD_QUOTE_CAP])
{
    size_t n = 0, i = 0;
    for (; s[i] && i < 40; i++)
        out[n++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (s[i]) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

bool nm_cmd_parse_uint(const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t v = 0;
    if (!*text || strlen(text) > 19)
        return false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

int nm_cmd_parse_u64(struct nm_cmd_ctx *ctx, const char *what, const char *text, uint64_t lo,
                     uint64_t hi, uint64_t *out)
{
    char q[NM_CMD_QUOTE_CAP];
    if (!nm_cmd_parse_uint(text, lo, hi, out))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_INVAL, "invalid %s \"%s\": expected %llu..%llu",
                           what, nm_cmd_quote(text, q), (unsigned long long)lo,
                           (unsigned long long)hi);
    return 0;
}

int nm_cmd_parse_u16(struct nm_cmd_ctx *ctx, const char *what, const char *text, uint16_t lo,
                     uint16_t hi, uint16_t *out)
{
    uint64_t v;
    int rc = nm_cmd_parse_u64(ctx, what, text, lo, hi, &v);
    if (!rc)
        *out = (uint16_t)v;
    return rc;
}

int nm_cmd_parse_subnet(struct nm_cmd_ctx *ctx, const char *text, uint16_t *out)
{
    return nm_cmd_parse_u16(ctx, "subnet id", text, 1, 65535, out);
}

int nm_cmd_parse_amount(struct nm_cmd_ctx *ctx, const char *what, const char *text,
                        bool nonzero, uint64_t *out)
{
    char q[NM_CMD_QUOTE_CAP];
    int rc = nm_amount_parse(text, out);
    if (rc == NM_E_DECIMALS)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, rc, "%s \"%s\" has more than 9 decimals (1 NMT = "
                           "10^9 units)", what, nm_cmd_quote(text, q));
    if (rc == NM_E_OVERFLOW)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, rc, "%s \"%s\" is too large (at most "
                           "18446744073.709551615 NMT)", what, nm_cmd_quote(text, q));
    if (rc)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_AMOUNT, "invalid %s \"%s\": expected NMT such "
                           "as 10 or 0.5", what, nm_cmd_quote(text, q));
    if (nonzero && *out == 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_ZERO_AMOUNT, "%s must be greater than zero",
                           what);
    return 0;
}

int nm_cmd_parse_percent(struct nm_cmd_ctx *ctx, const char *what, const char *text,
                         uint8_t *out)
{
    char q[NM_CMD_QUOTE_CAP], digits[8];
    size_t n = strlen(text);
    uint64_t v;
    if (n > 0 && text[n - 1] == '%')
        n--;
    if (n == 0 || n >= sizeof digits)
        goto bad;
    memcpy(digits, text, n);
    digits[n] = '\0';
    if (!nm_cmd_parse_uint(digits, 0, 100, &v))
        goto bad;
    *out = (uint8_t)v;
    return 0;
bad:
    return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_PERCENT, "invalid %s \"%s\": expected a "
                       "percentage 0..100 (\"10\" or \"10%%\")", what, nm_cmd_quote(text, q));
}

int nm_cmd_resolve_account(struct nm_cmd_ctx *ctx, const char *text, nm_account *out)
{
    int rc = nm_session_resolve_account(ctx->session, text, out, ctx->msg, sizeof ctx->msg);
    if (!rc)
        return 0;
    bool usage = rc == NM_E_ADDRESS || rc == NM_E_CHECKSUM || rc == NM_E_UNKNOWN_ACCOUNT;
    ctx->res->status = usage ? NM_CMD_USAGE : NM_CMD_FAILED;
    ctx->res->err = rc;
    return rc;
}

int nm_cmd_check_endpoint(struct nm_cmd_ctx *ctx, const char *text)
{
    char q[NM_CMD_QUOTE_CAP];
    if (nm_endpoint_check(text) != 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_ENDPOINT, "malformed endpoint \"%s\": "
                           "expected grpc://HOST:PORT or http(s)://HOST[:PORT][/PATH]",
                           nm_cmd_quote(text, q));
    return 0;
}

/* ---- the node ---- */

cJSON *nm_cmd_params(int n, ...)
{
    cJSON *arr = cJSON_CreateArray();
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        cJSON *item = va_arg(ap, cJSON *);
        if (!arr || !item || !cJSON_AddItemToArray(arr, item)) {
            cJSON_Delete(item);
            cJSON_Delete(arr);
            arr = NULL;
        }
    }
    va_end(ap);
    return arr;
}

int nm_cmd_rpc(struct nm_cmd_ctx *ctx, const char *method, cJSON *params, cJSON **result)
{
    int rc = nm_session_call(ctx->session, method, params, result, ctx->msg, sizeof ctx->msg);
    return rc ? nm_cmd_failed(ctx, rc) : 0;
}

const char *nm_cmd_amount_text(uint64_t units, char out[NM_CMD_AMOUNT_CAP])
{
    return nm_fmt_amount(units, out, NM_CMD_AMOUNT_CAP);
}

const char *nm_cmd_jamount(const cJSON *o, const char *key, char out[NM_CMD_AMOUNT_CAP])
{
    return nm_cmd_amount_text(nm_jget_u64(o, key), out);
}

const char *nm_cmd_account_text(struct nm_cmd_ctx *ctx, const char *address, char *buf,
                                size_t cap)
{
    if (!ctx->names_loaded && ctx->session) {
        ctx->names_loaded = true;
        nm_names_load(&ctx->names, nm_session_home(ctx->session),
                      nm_session_is_dev(ctx->session)); /* a partial list still helps */
    }
    return nm_names_show(&ctx->names, address, 0, false, buf, cap);
}

const char *nm_cmd_short_hash(const char *hash, char out[NM_CMD_SHORT_HASH_CAP])
{
    return nm_fmt_address(hash, 16, true, out, NM_CMD_SHORT_HASH_CAP);
}

/* ---- signing ---- */

/* Checks against chain state that save a fee: a call refused here would
 * only fail inside a block. The node still decides; this only asks it. */
static int preflight(struct nm_cmd_ctx *ctx)
{
    const struct nm_call *c = &ctx->call;
    uint16_t subnet;
    bool owner_only = false, active = true, want_neuron = false, want_no_neuron = false;
    bool weights = false;
    switch (c->kind) {
    case NM_CALL_STAKE_ADD: subnet = c->u.stake.subnet; break;
    case NM_CALL_STAKE_REMOVE: subnet = c->u.stake.subnet; active = false; break;
    case NM_CALL_SUBNET_UPDATE: subnet = c->u.subnet_update.subnet; owner_only = true; break;
    case NM_CALL_SUBNET_RETIRE: subnet = c->u.subnet_retire.subnet; owner_only = true; break;
    case NM_CALL_REGISTER: subnet = c->u.reg.subnet; want_no_neuron = true; break;
    case NM_CALL_DEREGISTER:
        subnet = c->u.deregister.subnet;
        active = false;
        want_neuron = true;
        break;
    case NM_CALL_SET_ENDPOINT: /* allowed on a retired subnet, like deregister */
        subnet = c->u.set_endpoint.subnet;
        active = false;
        want_neuron = true;
        break;
    case NM_CALL_WEIGHTS_SUBMIT: subnet = c->u.weights.subnet; weights = true; break;
    case NM_CALL_WEIGHTS_COMMIT: subnet = c->u.weights_commit.subnet; weights = true; break;
    case NM_CALL_WEIGHTS_REVEAL: subnet = c->u.weights_reveal.subnet; weights = true; break;
    default: return 0;
    }
    nm_account me;
    char addr[NM_SS58_STRLEN];
    cJSON *info = NULL, *list = NULL, *acct = NULL;
    int rc = nm_cmd_signer_account(ctx, &me);
    if (rc)
        return rc;
    nm_ss58_encode(&me, addr);
    rc = nm_session_call(ctx->session, "subnet_get", nm_cmd_params(1, cJSON_CreateNumber(subnet)),
                         &info, ctx->msg, sizeof ctx->msg);
    if (rc == NM_E_UNKNOWN_SUBNET) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "unknown subnet %u (UNKNOWN_SUBNET)",
                         (unsigned)subnet);
        goto out;
    }
    if (rc) {
        nm_cmd_failed(ctx, rc);
        goto out;
    }
    if (active && strcmp(nm_jget_str(info, "status"), "active") != 0) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_SUBNET_RETIRED, "subnet %u is retired "
                         "(SUBNET_RETIRED)", (unsigned)subnet);
        goto out;
    }
    if (owner_only && strcmp(nm_jget_str(info, "owner"), addr) != 0) {
        rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NOT_OWNER, "only the subnet owner may do "
                         "this: subnet %u belongs to %s, not %s (NOT_OWNER)", (unsigned)subnet,
                         nm_jget_str(info, "owner"), addr);
        goto out;
    }
    if (want_neuron || want_no_neuron || weights) {
        rc = nm_session_call_pages(ctx->session, "neuron_list",
                                   nm_cmd_params(1, cJSON_CreateNumber(subnet)), "neurons",
                                   NM_SESSION_PAGE, &list, ctx->msg, sizeof ctx->msg);
        if (rc) {
            nm_cmd_failed(ctx, rc);
            goto out;
        }
        const cJSON *n, *mine = NULL;
        cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(list, "neurons"))
            if (strcmp(nm_jget_str(n, "hotkey"), addr) == 0)
                mine = n;
        if (weights)
            rc = nm_cmd_preflight_weights(ctx, subnet, addr, mine,
                                          cJSON_GetObjectItemCaseSensitive(list, "neurons"), info);
        else if (mine && want_no_neuron)
            rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_ALREADY_REGISTERED, "account already "
                             "registered on this subnet: %s is %s uid %llu on subnet %u "
                             "(ALREADY_REGISTERED)", addr, nm_jget_str(mine, "role"),
                             (unsigned long long)nm_jget_u64(mine, "uid"), (unsigned)subnet);
        else if (!mine && want_neuron)
            rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NOT_REGISTERED, "account not registered "
                             "on this subnet: %s holds no uid on subnet %u (NOT_REGISTERED)",
                             addr, (unsigned)subnet);
        else if (mine && c->kind == NM_CALL_SET_ENDPOINT &&
                 strcmp(nm_jget_str(mine, "endpoint"), c->u.set_endpoint.endpoint) == 0)
            rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NO_CHANGE, "endpoint unchanged: uid %llu "
                             "on subnet %u already serves %s (NO_CHANGE)",
                             (unsigned long long)nm_jget_u64(mine, "uid"), (unsigned)subnet,
                             c->u.set_endpoint.endpoint);
        if (rc)
            goto out;
    }
    if (c->kind == NM_CALL_STAKE_REMOVE) {
        rc = nm_session_call(ctx->session, "account_get",
                             nm_cmd_params(1, cJSON_CreateString(addr)), &acct, ctx->msg,
                             sizeof ctx->msg);
        if (rc) {
            nm_cmd_failed(ctx, rc);
            goto out;
        }
        uint64_t bonded = 0;
        const cJSON *st;
        cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(acct, "stakes"))
            if (nm_jget_u64(st, "subnet") == subnet)
                bonded = nm_jget_u64(st, "amount");
        if (bonded < c->u.stake.amount) {
            char a1[NM_CMD_AMOUNT_CAP], a2[NM_CMD_AMOUNT_CAP];
            rc = nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_INSUFFICIENT_STAKE, "insufficient stake: "
                             "%s bonded to subnet %u, %s asked (INSUFFICIENT_STAKE)",
                             nm_cmd_amount_text(bonded, a1), (unsigned)subnet,
                             nm_cmd_amount_text(c->u.stake.amount, a2));
        }
    }
out:
    cJSON_Delete(acct);
    cJSON_Delete(list);
    cJSON_Delete(info);
    return rc;
}

int nm_cmd_submit(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *out)
{
    struct nm_submit_outcome o;
    memset(out, 0, sizeof *out);
    if (preflight(ctx))
        return ctx->res->err;
    int rc = nm_session_submit(ctx->session, ctx->as, &ctx->call, &o, ctx->msg, sizeof ctx->msg);
    if (rc) {
        if (o.block_hash[0]) {
            /* Included but failed: say where, the fee was still paid. */
            size_t n = strlen(ctx->msg);
            snprintf(ctx->msg + n, sizeof ctx->msg - n, " in block %llu",
                     (unsigned long long)o.height);
        }
        nm_submit_outcome_fini(&o);
        return nm_cmd_failed(ctx, rc);
    }
    cJSON *j = cJSON_CreateObject();
    if (!j || !cJSON_AddStringToObject(j, "extrinsic", o.extrinsic) ||
        !cJSON_AddNumberToObject(j, "block", (double)o.height) ||
        !cJSON_AddStringToObject(j, "block_hash", o.block_hash) ||
        !cJSON_AddNumberToObject(j, "index", o.index) ||
        !cJSON_AddItemToObject(j, "events", o.events)) {
        cJSON_Delete(j);
        nm_submit_outcome_fini(&o);
        return nm_cmd_oom(ctx);
    }
    o.events = NULL; /* now owned by j */
    out->json = j;
    out->events = cJSON_GetObjectItemCaseSensitive(j, "events");
    out->height = o.height;
    nm_submit_outcome_fini(&o);
    return 0;
}

/* An amount in base units as a JSON string, as the node writes them. */
static void add_units(cJSON *j, const char *key, uint64_t units)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%llu", (unsigned long long)units);
    cJSON_AddStringToObject(j, key, buf);
}

/* --dry-run: the checks before signing, then the signed extrinsic, its fee
 * and the balance it would leave, and nothing sent. */
static int dry_run(struct nm_cmd_ctx *ctx)
{
    struct nm_submit_outcome o;
    memset(&o, 0, sizeof o);
    if (preflight(ctx))
        return ctx->res->err;
    int rc = nm_session_dry_run(ctx->session, ctx->as, &ctx->call, &o, ctx->msg, sizeof ctx->msg);
    if (rc) {
        nm_submit_outcome_fini(&o);
        return nm_cmd_failed(ctx, rc);
    }
    uint64_t cost = o.fee + o.spend; /* check_funds saw it fit in free_before */
    char fee[NM_CMD_AMOUNT_CAP], spend[NM_CMD_AMOUNT_CAP], before[NM_CMD_AMOUNT_CAP],
        after[NM_CMD_AMOUNT_CAP];
    cJSON *j = cJSON_CreateObject(), *call = nm_call_to_json(&ctx->call);
    if (!j || !call) {
        cJSON_Delete(j);
        cJSON_Delete(call);
        nm_submit_outcome_fini(&o);
        return nm_cmd_oom(ctx);
    }
    cJSON_AddBoolToObject(j, "dry_run", true);
    cJSON_AddItemToObject(j, "call", call);
    cJSON_AddStringToObject(j, "extrinsic", o.extrinsic);
    cJSON_AddStringToObject(j, "signed", o.signed_hex);
    cJSON_AddNumberToObject(j, "nonce", (double)o.nonce);
    add_units(j, "fee", o.fee);
    add_units(j, "spend", o.spend);
    add_units(j, "free_before", o.free_before);
    add_units(j, "free_after", o.free_before - cost);
    cJSON_AddStringToObject(j, "checks", "passed");
    struct nm_cmd_text t = {0};
    nm_cmd_printf(&t,
                  "dry run, nothing sent: %s signed with nonce %llu (extrinsic %s, %zu bytes)\n"
                  "checks before signing: passed\n"
                  "fee %s, moves %s; free balance %s -> %s\n"
                  "expected: the call succeeds if the chain does not change before it lands\n",
                  nm_call_name(ctx->call.kind), (unsigned long long)o.nonce, o.extrinsic,
                  (strlen(o.signed_hex) - 2) / 2, nm_cmd_amount_text(o.fee, fee),
                  nm_cmd_amount_text(o.spend, spend), nm_cmd_amount_text(o.free_before, before),
                  nm_cmd_amount_text(o.free_before - cost, after));
    nm_submit_outcome_fini(&o);
    return nm_cmd_ok(ctx, j, &t);
}

int nm_cmd_submit_render(struct nm_cmd_ctx *ctx, nm_cmd_render_fn render)
{
    struct nm_cmd_submitted sub;
    struct nm_cmd_text t = {0};
    if (nm_cmd_flag(ctx, "--dry-run"))
        return dry_run(ctx);
    int rc = nm_cmd_submit(ctx, &sub);
    if (rc)
        return rc;
    rc = render(ctx, &sub, &t);
    if (rc) {
        cJSON_Delete(sub.json);
        nm_cmd_text_fini(&t);
        return rc;
    }
    return nm_cmd_ok(ctx, sub.json, &t);
}

const cJSON *nm_cmd_find_event(const cJSON *events, const char *name)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events) {
        if (strcmp(nm_jget_str(ev, "name"), name) == 0)
            return cJSON_GetObjectItemCaseSensitive(ev, "data");
    }
    return NULL;
}
