/* cmd_weights.c - console commands of weights and consensus (CONS-002..004,
 * CORE-004): submit, commit and reveal weights, a subnet's weight rules,
 * and the table of weights and consensus commands (those that only read,
 * `weights show`, `epoch`, `collusion`, are in cmd_consensus.c).
 *
 * Weights are typed UID=W (W a non-negative number, at most 9 decimals;
 * several may share one argument, comma-separated: 0=1,3=2.5), or read
 * with --file from lines "UID=W" or "UID W" ('#' starts a comment). They
 * are scaled so the largest becomes 65535 (a non-zero weight stays at
 * least 1) and the chain normalises them (docs/protocol.md). A commit
 * keeps its weights and salt in $NEUROMESH_HOME/commits/SIGNER-SUBNET.json
 * (mode 0600) until `weights reveal` sends them. */
#include "console/commands/cmd_api.h"
#include "client/home.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/weights.h"
#include "node/ss58.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COMMIT_FILE_MAX (1024 * 1024)

/* The list the last build made: calls point into it until the next build
 * (the console runs one command at a time). */
static uint8_t pair_bytes[4 * NM_WEIGHTS_MAX];
static uint8_t pending_salt[NM_WEIGHTS_SALT_LEN];

struct parsed {
    uint32_t n;
    uint16_t uid[NM_WEIGHTS_MAX];
    uint64_t value[NM_WEIGHTS_MAX]; /* in 10^-9 */
    uint8_t seen[65536 / 8];
};
static struct parsed parsed;

/* ---- weights from the command line or a file ---- */

static int add_pair(struct nm_cmd_ctx *ctx, const char *text, size_t len)
{
    char buf[96], q[NM_CMD_QUOTE_CAP];
    if (len == 0)
        return 0;
    if (len >= sizeof buf)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_WEIGHT, "invalid weight \"%.40s...\"",
                           text);
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *sep = strchr(buf, '=');
    if (!sep)
        sep = strpbrk(buf, " \t");
    if (!sep)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "invalid weight \"%s\": expected UID=WEIGHT", nm_cmd_quote(buf, q));
    *sep = '\0';
    const char *w = sep + 1;
    while (*w == ' ' || *w == '\t')
        w++;
    uint64_t uid, value;
    if (!nm_cmd_parse_uint(buf, 0, 65535, &uid))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE, "invalid uid \"%s\": expected 0..65535",
                           nm_cmd_quote(buf, q));
    if (nm_amount_parse(w, &value))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_WEIGHT,
                           "invalid weight \"%s\" for uid %llu: weights are non-negative"
                           " numbers with at most 9 decimals",
                           nm_cmd_quote(w, q), (unsigned long long)uid);
    if (parsed.seen[uid / 8] & (1u << (uid % 8)))
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_DUPLICATE_UID, "uid %llu appears twice",
                           (unsigned long long)uid);
    if (parsed.n == NM_WEIGHTS_MAX)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_TOO_MANY_WEIGHTS, "more than %d weights",
                           NM_WEIGHTS_MAX);
    parsed.seen[uid / 8] |= (uint8_t)(1u << (uid % 8));
    parsed.uid[parsed.n] = (uint16_t)uid;
    parsed.value[parsed.n++] = value;
    return 0;
}

static int read_file_pairs(struct nm_cmd_ctx *ctx, const char *path)
{
    char q[NM_CMD_QUOTE_CAP], line[256];
    FILE *f = fopen(path, "r");
    if (!f)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_IO, "cannot read %s: %s", nm_cmd_quote(path, q),
                           strerror(errno));
    int rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        size_t len = strcspn(line, "\r\n");
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        size_t start = strspn(line, " \t");
        rc = add_pair(ctx, line + start, len > start ? len - start : 0);
    }
    fclose(f);
    return rc;
}

/* Parses the weights (arguments from index first, and --file) into a list
 * of u16 weights scaled to the largest, in pair_bytes. */
static int parse_weights(struct nm_cmd_ctx *ctx, int first, struct nm_weight_list *out)
{
    memset(&parsed, 0, sizeof parsed);
    int rc = 0;
    for (int i = first; i < nm_cmd_nargs(ctx) && !rc; i++) {
        const char *a = nm_cmd_arg(ctx, i);
        while (!rc && *a) {
            size_t len = strcspn(a, ",");
            rc = add_pair(ctx, a, len);
            a += len + (a[len] == ',');
        }
    }
    const char *file = nm_cmd_opt(ctx, "--file");
    if (!rc && file)
        rc = read_file_pairs(ctx, file);
    if (rc)
        return rc;
    if (parsed.n == 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "no weights given: UID=WEIGHT ... or --file FILE");
    uint64_t max = 0;
    for (uint32_t i = 0; i < parsed.n; i++)
        max = parsed.value[i] > max ? parsed.value[i] : max;
    if (max == 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_ZERO_WEIGHTS,
                           "at least one weight must be greater than zero");
    for (uint32_t i = 0; i < parsed.n; i++) {
        uint64_t w = parsed.value[i]
                         ? (uint64_t)(((unsigned __int128)parsed.value[i] * 65535 + max / 2) / max)
                         : 0;
        if (parsed.value[i] && w == 0)
            w = 1;
        uint8_t *p = pair_bytes + 4 * (size_t)i;
        p[0] = (uint8_t)parsed.uid[i];
        p[1] = (uint8_t)(parsed.uid[i] >> 8);
        p[2] = (uint8_t)w;
        p[3] = (uint8_t)(w >> 8);
    }
    *out = (struct nm_weight_list){parsed.n, pair_bytes};
    return 0;
}

/* ---- saved commits ---- */

static int commit_path(struct nm_cmd_ctx *ctx, const nm_account *who, uint16_t subnet, bool create,
                       char *out, size_t cap)
{
    char home[512], addr[NM_SS58_STRLEN];
    int rc = nm_home_dir(home, sizeof home, create);
    if (rc)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "cannot use the home directory");
    int n = snprintf(out, cap, "%s/commits", home);
    if (n < 0 || (size_t)n >= cap)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_IO, "home directory path too long");
    if (create && mkdir(out, 0700) && errno != EEXIST)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_IO, "cannot create %s: %s", out,
                           strerror(errno));
    n = snprintf(out, cap, "%s/commits/%s-%u.json", home, nm_ss58_encode(who, addr),
                 (unsigned)subnet);
    if (n < 0 || (size_t)n >= cap)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_IO, "home directory path too long");
    return 0;
}

static int commit_save(struct nm_cmd_ctx *ctx, const nm_account *who, uint16_t subnet,
                       const struct nm_weight_list *l, const uint8_t *hash, uint64_t block)
{
    char path[640], hex[2 * 32 + 3];
    int rc = commit_path(ctx, who, subnet, true, path, sizeof path);
    if (rc)
        return rc;
    cJSON *o = cJSON_CreateObject(), *pairs = cJSON_AddArrayToObject(o, "weights");
    cJSON_AddNumberToObject(o, "subnet", subnet);
    cJSON_AddNumberToObject(o, "block", block);
    cJSON_AddStringToObject(o, "hash", nm_hex_encode(hash, 32, hex, sizeof hex));
    cJSON_AddStringToObject(o, "salt", nm_hex_encode(pending_salt, 32, hex, sizeof hex));
    for (uint32_t i = 0; i < l->n; i++) {
        uint16_t uid, w;
        nm_weight_at(l, i, &uid, &w);
        cJSON *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateNumber(uid));
        cJSON_AddItemToArray(p, cJSON_CreateNumber(w));
        cJSON_AddItemToArray(pairs, p);
    }
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!text)
        return nm_cmd_oom(ctx);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t len = strlen(text);
    bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    if (fd >= 0 && close(fd))
        ok = false;
    free(text);
    if (!ok)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_IO,
                           "committed, but cannot save %s: %s"
                           " (the reveal needs it)",
                           path, strerror(errno));
    return 0;
}

/* Reads the saved commit of who on subnet into pair_bytes / pending_salt. */
static int commit_load(struct nm_cmd_ctx *ctx, const nm_account *who, uint16_t subnet,
                       struct nm_weight_list *l, uint64_t *block, char *path, size_t cap)
{
    int rc = commit_path(ctx, who, subnet, false, path, cap);
    if (rc)
        return rc;
    FILE *f = fopen(path, "r");
    if (!f)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_NO_COMMIT,
                           "no saved weight commit for subnet %u (looked for %s)",
                           (unsigned)subnet, path);
    char *text = malloc(COMMIT_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, COMMIT_FILE_MAX, f) : 0;
    fclose(f);
    if (!text)
        return nm_cmd_oom(ctx);
    text[n] = '\0';
    cJSON *o = cJSON_Parse(text);
    free(text);
    const cJSON *pairs = cJSON_GetObjectItemCaseSensitive(o, "weights"), *p;
    const char *salt = nm_jget_str(o, "salt");
    size_t salt_len = 0;
    rc = cJSON_IsArray(pairs) && cJSON_GetArraySize(pairs) <= NM_WEIGHTS_MAX &&
                 nm_hex_decode(salt, pending_salt, sizeof pending_salt, 32, &salt_len) == 0
             ? 0
             : NM_E_DECODE;
    uint32_t count = 0;
    cJSON_ArrayForEach(p, pairs)
    {
        const cJSON *u = cJSON_GetArrayItem(p, 0), *w = cJSON_GetArrayItem(p, 1);
        if (rc || !cJSON_IsNumber(u) || !cJSON_IsNumber(w) || u->valueint < 0 ||
            u->valueint > 65535 || w->valueint < 0 || w->valueint > 65535) {
            rc = NM_E_DECODE;
            break;
        }
        uint8_t *b = pair_bytes + 4 * (size_t)count++;
        b[0] = (uint8_t)u->valueint;
        b[1] = (uint8_t)(u->valueint >> 8);
        b[2] = (uint8_t)w->valueint;
        b[3] = (uint8_t)(w->valueint >> 8);
    }
    *block = nm_jget_u64(o, "block");
    cJSON_Delete(o);
    if (rc)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "damaged commit file %s", path);
    *l = (struct nm_weight_list){count, pair_bytes};
    return 0;
}

/* ---- building calls ---- */

static int build_submit(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    c->kind = NM_CALL_WEIGHTS_SUBMIT;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.weights.subnet);
    return rc ? rc : parse_weights(ctx, 1, &c->u.weights.list);
}

static int build_commit(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    struct nm_weight_list l;
    nm_account me;
    c->kind = NM_CALL_WEIGHTS_COMMIT;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.weights_commit.subnet);
    if (rc || (rc = parse_weights(ctx, 1, &l)) || (rc = nm_cmd_signer_account(ctx, &me)))
        return rc;
    randombytes_buf(pending_salt, sizeof pending_salt);
    nm_weights_commit_hash(&me, c->u.weights_commit.subnet, &l, pending_salt,
                           c->u.weights_commit.hash);
    return 0;
}

static int build_reveal(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    nm_account me;
    uint64_t block;
    char path[640];
    c->kind = NM_CALL_WEIGHTS_REVEAL;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &c->u.weights_reveal.subnet);
    if (rc || (rc = nm_cmd_signer_account(ctx, &me)) ||
        (rc = commit_load(ctx, &me, c->u.weights_reveal.subnet, &c->u.weights_reveal.list, &block,
                          path, sizeof path)))
        return rc;
    memcpy(c->u.weights_reveal.salt, pending_salt, sizeof pending_salt);
    return 0;
}

/* "on"/"off" into 1/0. */
static int parse_switch(struct nm_cmd_ctx *ctx, const char *name, const char *text, uint8_t *out)
{
    char q[NM_CMD_QUOTE_CAP];
    if (!strcmp(text, "on") || !strcmp(text, "1"))
        *out = 1;
    else if (!strcmp(text, "off") || !strcmp(text, "0"))
        *out = 0;
    else
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_OPTION,
                           "invalid %s \"%s\": expected on"
                           " or off",
                           name, nm_cmd_quote(text, q));
    return 0;
}

static int build_options(struct nm_cmd_ctx *ctx, struct nm_call *c)
{
    struct nm_weight_options *o = &c->u.weights_options;
    c->kind = NM_CALL_WEIGHTS_OPTIONS;
    int rc = nm_cmd_parse_subnet(ctx, nm_cmd_arg(ctx, 0), &o->subnet);
    if (rc)
        return rc;
    const char *cr = nm_cmd_opt(ctx, "--commit-reveal"),
               *delay = nm_cmd_opt(ctx, "--reveal-delay");
    const char *limit = nm_cmd_opt(ctx, "--rate-limit"), *soft = nm_cmd_opt(ctx, "--softmax");
    if (!cr && !delay && !limit && !soft)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_USAGE,
                           "nothing to change: give"
                           " --commit-reveal, --reveal-delay, --rate-limit or --softmax");
    /* What is not given stays as the node says it is now. */
    cJSON *now = NULL;
    if (nm_cmd_session(ctx) &&
        (rc = nm_cmd_rpc(ctx, "weights_get", nm_cmd_params(1, cJSON_CreateNumber(o->subnet)),
                         &now)))
        return rc;
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(now, "options");
    o->commit_reveal = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cur, "commit_reveal"));
    o->reveal_delay = (uint32_t)nm_jget_u64(cur, "reveal_delay");
    o->rate_limit = (uint32_t)nm_jget_u64(cur, "rate_limit");
    o->softmax_temperature = nm_jget_u64(cur, "softmax_temperature");
    cJSON_Delete(now);
    uint64_t v;
    if (cr && (rc = parse_switch(ctx, "--commit-reveal", cr, &o->commit_reveal)))
        return rc;
    if (delay) {
        if ((rc = nm_cmd_parse_u64(ctx, "reveal delay", delay, 1, NM_REVEAL_DELAY_MAX, &v)))
            return rc;
        o->reveal_delay = (uint32_t)v;
    }
    if (limit) {
        if ((rc = nm_cmd_parse_u64(ctx, "rate limit", limit, 0, NM_RATE_LIMIT_MAX, &v)))
            return rc;
        o->rate_limit = (uint32_t)v;
    }
    if (soft) {
        if (!strcmp(soft, "off")) {
            o->softmax_temperature = 0;
        } else {
            char q[NM_CMD_QUOTE_CAP];
            if (nm_amount_parse(soft, &v) || v == 0 || v > NM_SOFTMAX_TEMPERATURE_MAX)
                return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_BAD_OPTION,
                                   "invalid softmax temperature \"%s\": expected off or a"
                                   " number above 0, at most 100",
                                   nm_cmd_quote(soft, q));
            o->softmax_temperature = v; /* parsed with 9 decimals: ppb */
        }
    }
    if (o->reveal_delay == 0)
        o->reveal_delay = 1; /* offline: the node's answer was not there */
    return 0;
}

/* ---- rendering what was signed ---- */

static int render_stored(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                         struct nm_cmd_text *t, const char *event, uint16_t subnet)
{
    const cJSON *ev = nm_cmd_find_event(sub->events, event);
    if (!ev)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_RPC,
                           "included in block %llu, but no %s"
                           " event came back",
                           (unsigned long long)sub->height, event);
    uint64_t uid = nm_jget_u64(ev, "uid"), epoch = nm_jget_u64(ev, "epoch");
    uint64_t count = nm_jget_u64(ev, "count");
    bool replaced = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "replaced"));
    cJSON_AddNumberToObject(sub->json, "subnet", subnet);
    cJSON_AddNumberToObject(sub->json, "uid", uid);
    cJSON_AddNumberToObject(sub->json, "epoch", epoch);
    cJSON_AddNumberToObject(sub->json, "count", count);
    cJSON_AddBoolToObject(sub->json, "replaced", replaced);
    nm_cmd_printf(t,
                  "weights for %llu miner%s %s on subnet %u as uid %llu for epoch %llu%s,"
                  " in block %llu\n",
                  (unsigned long long)count, count == 1 ? "" : "s",
                  !strcmp(event, "weights.Revealed") ? "revealed" : "set", (unsigned)subnet,
                  (unsigned long long)uid, (unsigned long long)epoch,
                  replaced ? " (replacing this epoch's earlier ones)" : "",
                  (unsigned long long)sub->height);
    return 0;
}

static int render_submit(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                         struct nm_cmd_text *t)
{
    return render_stored(ctx, sub, t, "weights.Submitted", nm_cmd_call(ctx)->u.weights.subnet);
}

static int h_submit(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_submit);
}

static int render_commit(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                         struct nm_cmd_text *t)
{
    const struct nm_call *c = nm_cmd_call(ctx);
    uint16_t subnet = c->u.weights_commit.subnet;
    const cJSON *ev = nm_cmd_find_event(sub->events, "weights.Committed");
    nm_account me;
    int rc = nm_cmd_signer_account(ctx, &me);
    struct nm_weight_list l = {parsed.n, pair_bytes};
    if (rc || (rc = commit_save(ctx, &me, subnet, &l, c->u.weights_commit.hash, sub->height)))
        return rc;
    uint64_t from = nm_jget_u64(ev, "reveal_from"), until = nm_jget_u64(ev, "reveal_until");
    char hex[2 * 32 + 3];
    cJSON_AddNumberToObject(sub->json, "subnet", subnet);
    cJSON_AddStringToObject(sub->json, "hash",
                            nm_hex_encode(c->u.weights_commit.hash, 32, hex, sizeof hex));
    cJSON_AddNumberToObject(sub->json, "reveal_from", from);
    cJSON_AddNumberToObject(sub->json, "reveal_until", until);
    nm_cmd_printf(t,
                  "committed weights for %u miner%s on subnet %u in block %llu; reveal in"
                  " blocks %llu..%llu with: weights reveal %u\n",
                  parsed.n, parsed.n == 1 ? "" : "s", (unsigned)subnet,
                  (unsigned long long)sub->height, (unsigned long long)from,
                  (unsigned long long)until, (unsigned)subnet);
    return 0;
}

static int h_commit(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_commit);
}

static int render_reveal(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                         struct nm_cmd_text *t)
{
    uint16_t subnet = nm_cmd_call(ctx)->u.weights_reveal.subnet;
    int rc = render_stored(ctx, sub, t, "weights.Revealed", subnet);
    nm_account me;
    char path[640];
    if (!rc && !nm_cmd_signer_account(ctx, &me) &&
        !commit_path(ctx, &me, subnet, false, path, sizeof path))
        unlink(path); /* revealed: the file has served */
    return rc;
}

/* With --wait, sleeps until the next block may carry the reveal. */
static int wait_for_reveal(struct nm_cmd_ctx *ctx)
{
    uint16_t subnet = nm_cmd_call(ctx)->u.weights_reveal.subnet;
    nm_account me;
    uint64_t block;
    char path[640];
    struct nm_weight_list l;
    cJSON *w = NULL, *info = NULL;
    int rc = nm_cmd_signer_account(ctx, &me);
    if (rc || (rc = commit_load(ctx, &me, subnet, &l, &block, path, sizeof path)) ||
        (rc = nm_cmd_rpc(ctx, "weights_get", nm_cmd_params(1, cJSON_CreateNumber(subnet)), &w)))
        return rc;
    uint64_t from =
        block + nm_jget_u64(cJSON_GetObjectItemCaseSensitive(w, "options"), "reveal_delay");
    cJSON_Delete(w);
    for (int polls = 0; polls < 100000; polls++) {
        if ((rc = nm_cmd_rpc(ctx, "chain_info", NULL, &info)))
            return rc;
        uint64_t height = nm_jget_u64(info, "height"), ms = nm_jget_u64(info, "block_time_ms");
        cJSON_Delete(info);
        if (height + 1 >= from)
            return 0;
        if (polls == 0 && (from - height) * (ms ? ms : 1000) > 3600 * 1000)
            return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_REVEAL_TOO_EARLY,
                               "the reveal opens at block %llu, more than an hour away",
                               (unsigned long long)from);
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_TIMEOUT, "gave up waiting for block %llu",
                       (unsigned long long)from);
}

static int h_reveal(struct nm_cmd_ctx *ctx)
{
    int rc = nm_cmd_flag(ctx, "--wait") ? wait_for_reveal(ctx) : 0;
    return rc ? rc : nm_cmd_submit_render(ctx, render_reveal);
}

static int render_options(struct nm_cmd_ctx *ctx, struct nm_cmd_submitted *sub,
                          struct nm_cmd_text *t)
{
    const struct nm_weight_options *o = &nm_cmd_call(ctx)->u.weights_options;
    char temp[NM_AMOUNT_STRLEN];
    cJSON_AddNumberToObject(sub->json, "subnet", o->subnet);
    cJSON_AddBoolToObject(sub->json, "commit_reveal", o->commit_reveal);
    cJSON_AddNumberToObject(sub->json, "reveal_delay", o->reveal_delay);
    cJSON_AddNumberToObject(sub->json, "rate_limit", o->rate_limit);
    cJSON_AddNumberToObject(sub->json, "softmax_temperature", o->softmax_temperature);
    nm_cmd_printf(t,
                  "subnet %u weights: commit-reveal %s, reveal delay %u blocks, rate limit %u"
                  " blocks, %s%s (block %llu)\n",
                  (unsigned)o->subnet, o->commit_reveal ? "on" : "off", o->reveal_delay,
                  o->rate_limit, o->softmax_temperature ? "softmax at " : "L1 normalisation",
                  o->softmax_temperature ? nm_amount_format(o->softmax_temperature, temp) : "",
                  (unsigned long long)sub->height);
    return 0;
}

static int h_options(struct nm_cmd_ctx *ctx)
{
    return nm_cmd_submit_render(ctx, render_options);
}

/* ---- the table ---- */

static const struct nm_cmd_option opts_weights[] = {
    {.name = "--file", .metavar = "FILE", .help = "read more UID=WEIGHT lines from FILE"},
    {.name = NULL},
};

static const struct nm_cmd_option opts_reveal[] = {
    {.name = "--wait", .help = "wait until the reveal delay has passed, then reveal"},
    {.name = NULL},
};

static const struct nm_cmd_option opts_options[] = {
    {.name = "--commit-reveal", .metavar = "on|off",
     .help = "validators commit weights, then reveal them"},
    {.name = "--reveal-delay", .metavar = "BLOCKS",
     .help = "blocks from a commit to its reveal (1..1000000)"},
    {.name = "--rate-limit", .metavar = "BLOCKS",
     .help = "fewest blocks between two weight settings (0..1000000)"},
    {.name = "--softmax", .metavar = "T|off",
     .help = "softmax normalisation at temperature T, or L1 (off)"},
    {.name = NULL},
};

static const struct nm_cmd_entry entries[] = {
    {.words = "weights submit", .usage = "weights submit SUBNET UID=W [UID=W ...] [--file FILE]",
     .json = "subnet, uid, epoch, count, replaced",
     .summary = "set the signer's weights for a subnet's miners", .flags = NM_CMD_SIGNED,
     .min_args = 1, .max_args = NM_CMD_MAX_ARGS, .options = opts_weights, .build = build_submit,
     .handler = h_submit},
    {.words = "weights commit", .usage = "weights commit SUBNET UID=W [UID=W ...] [--file FILE]",
     .json = "subnet, block, hash, salt, weights",
     .summary = "commit to weights (commit-reveal subnets); keeps them for the reveal",
     .flags = NM_CMD_SIGNED, .min_args = 1, .max_args = NM_CMD_MAX_ARGS, .options = opts_weights,
     .build = build_commit, .handler = h_commit},
    {.words = "weights reveal", .usage = "weights reveal SUBNET",
     .json = "subnet, hash, reveal_from, reveal_until",
     .summary = "reveal the weights committed with weights commit", .flags = NM_CMD_SIGNED,
     .min_args = 1, .max_args = 1, .options = opts_reveal, .build = build_reveal,
     .handler = h_reveal},
    {.words = "weights show",
     .json = "weights_get's object: subnet, epoch, options, submissions (uid, block, "
             "weights), commits, standing, height, activity_cutoff",
     .usage = "weights show SUBNET [--validator UID] [--epoch EPOCH] [--all]",
     .summary = "an epoch's weight submissions and pending commits", .flags = NM_CMD_NEEDS_NODE,
     .min_args = 1, .max_args = 1, .options = nm_cmd_weights_show_options,
     .handler = nm_cmd_weights_show},
    {.words = "weights options", .usage = "weights options SUBNET ...",
     .json = "subnet, commit_reveal, reveal_delay, rate_limit, normalisation",
     .summary = "change a subnet's weight rules (its owner)", .flags = NM_CMD_SIGNED,
     .min_args = 1, .max_args = 1, .options = opts_options, .build = build_options,
     .handler = h_options},
    {.words = "epoch", .usage = "epoch [SUBNET]",
     .json = "epoch_info's object: epoch, height, tempo, start, end, block_in_epoch, "
             "blocks_left, epoch_ends_at, emissions, subnets or summary and validators",
     .summary = "the epoch in progress, emissions, and epoch summaries",
     .flags = NM_CMD_NEEDS_NODE, .max_args = 1, .handler = nm_cmd_epoch_show},
    {.words = "collusion", .usage = "collusion SUBNET",
     .json = "collusion_get's object: subnet, epoch, analysed, findings (uid, kinds, "
             "cluster, partner, score, streak)",
     .summary = "collusion findings of a subnet's last epoch", .flags = NM_CMD_NEEDS_NODE,
     .min_args = 1, .max_args = 1, .handler = nm_cmd_collusion_show},
};

const struct nm_cmd_table nm_cmd_weights_table = NM_CMD_TABLE(entries);
