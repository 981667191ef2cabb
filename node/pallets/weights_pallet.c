/* weights_pallet.c - the weights pallet as data: its tables and its calls'
 * codec and JSON view (CONS-002; see pallet.h). */
#include "node/json.h"
#include "node/pallets/pallet.h"
#include "node/pallets/weights.h"

#include "node/errors.h"

static const char *const schema[] = {
    "CREATE TABLE weight_options(subnet INTEGER PRIMARY KEY, commit_reveal INTEGER NOT NULL,"
    " reveal_delay INTEGER NOT NULL, rate_limit INTEGER NOT NULL,"
    " softmax_temperature INTEGER NOT NULL)",
    "CREATE TABLE weights(subnet INTEGER NOT NULL, epoch INTEGER NOT NULL,"
    " account BLOB NOT NULL, uid INTEGER NOT NULL, block INTEGER NOT NULL, data BLOB NOT NULL,"
    " PRIMARY KEY(subnet, epoch, account)) WITHOUT ROWID",
    "CREATE TABLE weight_commits(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " hash BLOB NOT NULL, block INTEGER NOT NULL, PRIMARY KEY(subnet, account)) WITHOUT ROWID",
    "CREATE TABLE weight_last(subnet INTEGER NOT NULL, account BLOB NOT NULL,"
    " block INTEGER NOT NULL, PRIMARY KEY(subnet, account)) WITHOUT ROWID",
    NULL,
};

/* CONS-002 weight lists: varint n, then n x (u16 uid, u16 weight). */
static void weight_list_encode(const struct nm_weight_list *l, struct nm_writer *w)
{
    nm_put_varint(w, l->n);
    nm_put_raw(w, l->pairs, 4 * (size_t)l->n);
}

/* Points the list into the reader's buffer. */
static void weight_list_decode(struct nm_reader *r, struct nm_weight_list *l)
{
    uint64_t n = nm_get_varint(r);
    if (r->err)
        return;
    if (n > NM_WEIGHTS_MAX || r->len - r->pos < 4 * n) {
        r->err = NM_E_DECODE;
        return;
    }
    l->n = (uint32_t)n;
    l->pairs = r->data + r->pos;
    r->pos += 4 * (size_t)n;
}

static cJSON *weight_list_json(const struct nm_weight_list *l)
{
    cJSON *list = cJSON_CreateArray();
    for (uint32_t i = 0; i < l->n; i++) {
        uint16_t uid, weight;
        nm_weight_at(l, i, &uid, &weight);
        cJSON *pair = cJSON_CreateArray();
        nm_json_append(pair, cJSON_CreateNumber(uid));
        nm_json_append(pair, cJSON_CreateNumber(weight));
        nm_json_append(list, pair);
    }
    return list;
}

static void add_hex32(cJSON *args, const char *key, const uint8_t bytes[32])
{
    char hex[2 * 32 + 3];
    cJSON_AddStringToObject(args, key, nm_hex_encode(bytes, 32, hex, sizeof hex));
}

static void submit_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.weights.subnet);
    weight_list_encode(&c->u.weights.list, w);
}

static int submit_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.weights.subnet = nm_get_u16(r);
    weight_list_decode(r, &c->u.weights.list);
    return 0;
}

static void submit_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.weights.subnet);
    nm_json_add(args, "weights", weight_list_json(&c->u.weights.list));
}

static void commit_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.weights_commit.subnet);
    nm_put_raw(w, c->u.weights_commit.hash, sizeof c->u.weights_commit.hash);
}

static int commit_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.weights_commit.subnet = nm_get_u16(r);
    nm_get_raw(r, c->u.weights_commit.hash, sizeof c->u.weights_commit.hash);
    return 0;
}

static void commit_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.weights_commit.subnet);
    add_hex32(args, "hash", c->u.weights_commit.hash);
}

static void reveal_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.weights_reveal.subnet);
    weight_list_encode(&c->u.weights_reveal.list, w);
    nm_put_raw(w, c->u.weights_reveal.salt, sizeof c->u.weights_reveal.salt);
}

static int reveal_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.weights_reveal.subnet = nm_get_u16(r);
    weight_list_decode(r, &c->u.weights_reveal.list);
    nm_get_raw(r, c->u.weights_reveal.salt, sizeof c->u.weights_reveal.salt);
    return 0;
}

static void reveal_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.weights_reveal.subnet);
    nm_json_add(args, "weights", weight_list_json(&c->u.weights_reveal.list));
    add_hex32(args, "salt", c->u.weights_reveal.salt);
}

static void options_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.weights_options.subnet);
    nm_put_u8(w, c->u.weights_options.commit_reveal);
    nm_put_u32(w, c->u.weights_options.reveal_delay);
    nm_put_u32(w, c->u.weights_options.rate_limit);
    nm_put_u64(w, c->u.weights_options.softmax_temperature);
}

static int options_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.weights_options.subnet = nm_get_u16(r);
    c->u.weights_options.commit_reveal = nm_get_u8(r);
    c->u.weights_options.reveal_delay = nm_get_u32(r);
    c->u.weights_options.rate_limit = nm_get_u32(r);
    c->u.weights_options.softmax_temperature = nm_get_u64(r);
    return 0;
}

static void options_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.weights_options.subnet);
    cJSON_AddBoolToObject(args, "commit_reveal", c->u.weights_options.commit_reveal);
    cJSON_AddNumberToObject(args, "reveal_delay", c->u.weights_options.reveal_delay);
    cJSON_AddNumberToObject(args, "rate_limit", c->u.weights_options.rate_limit);
    cJSON_AddNumberToObject(args, "softmax_temperature", c->u.weights_options.softmax_temperature);
}

/* Issue 16: each weight entry costs execution (sorting, checks, storage,
 * the epoch's share of it) beyond its four bytes. */
static uint32_t submit_items(const struct nm_call *c)
{
    return c->u.weights.list.n;
}

static uint32_t reveal_items(const struct nm_call *c)
{
    return c->u.weights_reveal.list.n;
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_WEIGHTS_SUBMIT,
     .name = "weights.submit", .weight = 150, .item_weight = 2, .items = submit_items,
     .encode = submit_encode,
     .decode = submit_decode,
     .to_json = submit_json,
     .apply = nm_weights_submit},
    {.kind = NM_CALL_WEIGHTS_COMMIT,
     .name = "weights.commit", .weight = 80,
     .encode = commit_encode,
     .decode = commit_decode,
     .to_json = commit_json,
     .apply = nm_weights_commit},
    {.kind = NM_CALL_WEIGHTS_REVEAL,
     .name = "weights.reveal", .weight = 200, .item_weight = 2, .items = reveal_items,
     .encode = reveal_encode,
     .decode = reveal_decode,
     .to_json = reveal_json,
     .apply = nm_weights_reveal},
    {.kind = NM_CALL_WEIGHTS_OPTIONS,
     .name = "weights.set_options", .weight = 60,
     .encode = options_encode,
     .decode = options_decode,
     .to_json = options_json,
     .apply = nm_weights_set_options},
};

static const char *const weights_events[] = {
    "weights.Submitted",
    "weights.Committed",
    "weights.Revealed",
    "weights.OptionsSet",
    NULL,
};

const struct nm_pallet nm_pallet_weights = {
    .name = "weights",
    .index = 5,
    .schema = schema,
    .events = weights_events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .fold = nm_weights_fold,
};
