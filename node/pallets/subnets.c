/* subnets.c - subnet definitions and their create / update / retire calls
 * (see subnets.h for the rules). */
#include "node/pallets/subnets.h"
#include "node/json.h"

#include "node/errors.h"
#include "node/pallets/governance.h"
#include "node/amount.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnet_lock.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

/* Deepest nesting a schema may have. Checked by us before cJSON parses, so
 * the verdict never depends on the CJSON_NESTING_LIMIT a build chose. */
#define SCHEMA_MAX_DEPTH 32

static const char *const field_names[] = {
    "name",       "emission_weight", "min_stake_miner", "min_stake_validator",
    "max_neurons", "input_schema",   "output_schema",   "eval_spec",
};

static void subnet_entry(struct nm_writer *w, const void *row)
{
    const struct nm_subnet *s = row;
    nm_put_u8(w, NM_TAG_SUBNET);
    nm_put_u16(w, s->id);
    nm_put_str(w, s->spec.name);
    nm_put_u8(w, s->spec.task);
    nm_put_u8(w, s->spec.emission_weight);
    nm_put_u64(w, s->spec.min_stake_miner);
    nm_put_u64(w, s->spec.min_stake_validator);
    nm_put_u16(w, s->spec.max_neurons);
    nm_put_str(w, s->spec.input_schema);
    nm_put_str(w, s->spec.output_schema);
    nm_put_str(w, s->spec.eval_spec);
    nm_put_raw(w, s->owner.b, NM_PUBKEY_LEN);
    nm_put_u8(w, s->status);
    nm_put_u64(w, s->created_at);
    nm_put_u64(w, s->lock);
    nm_put_u64(w, s->unlock_at);
}

#define SUBNET_COLUMNS                                                                     \
    "id, name, task, emission_weight, min_stake_miner, min_stake_validator, max_neurons," \
    " input_schema, output_schema, eval_spec, owner, status, created_at, lock, unlock_at"

static int column_text(sqlite3_stmt *st, int col, char *out, size_t cap)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    int n = sqlite3_column_bytes(st, col);
    if (!text || n < 0 || (size_t)n >= cap)
        return NM_E_DB;
    memcpy(out, text, (size_t)n);
    out[n] = '\0';
    return 0;
}

/* Reads a row selected with SUBNET_COLUMNS. */
static int subnet_read(sqlite3_stmt *st, struct nm_subnet *s)
{
    memset(s, 0, sizeof *s);
    s->id = (uint16_t)sqlite3_column_int(st, 0);
    s->spec.task = (uint8_t)sqlite3_column_int(st, 2);
    s->spec.emission_weight = (uint8_t)sqlite3_column_int(st, 3);
    s->spec.min_stake_miner = nm_column_u64(st, 4);
    s->spec.min_stake_validator = nm_column_u64(st, 5);
    s->spec.max_neurons = (uint16_t)sqlite3_column_int(st, 6);
    s->status = (uint8_t)sqlite3_column_int(st, 11);
    s->created_at = nm_column_u64(st, 12);
    s->lock = nm_column_u64(st, 13);
    s->unlock_at = nm_column_u64(st, 14);
    if (sqlite3_column_bytes(st, 10) != NM_PUBKEY_LEN)
        return NM_E_DB;
    memcpy(s->owner.b, sqlite3_column_blob(st, 10), NM_PUBKEY_LEN);
    int err;
    if ((err = column_text(st, 1, s->spec.name, sizeof s->spec.name)) ||
        (err = column_text(st, 7, s->spec.input_schema, sizeof s->spec.input_schema)) ||
        (err = column_text(st, 8, s->spec.output_schema, sizeof s->spec.output_schema)) ||
        (err = column_text(st, 9, s->spec.eval_spec, sizeof s->spec.eval_spec)))
        return err;
    return 0;
}

int nm_subnets_get(struct nm_db *db, uint16_t id, struct nm_subnet *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT " SUBNET_COLUMNS " FROM subnets WHERE id=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, id);
    int rc = sqlite3_step(st), err;
    if (rc == SQLITE_ROW)
        err = subnet_read(st, out);
    else
        err = rc == SQLITE_DONE ? NM_E_UNKNOWN_SUBNET : NM_E_DB;
    sqlite3_reset(st);
    return err;
}

uint64_t nm_subnet_min_stake(const struct nm_subnet *s, uint8_t role)
{
    return role == NM_ROLE_VALIDATOR ? s->spec.min_stake_validator : s->spec.min_stake_miner;
}

/* Writes s (old: its previous row, NULL for a new subnet). A plain INSERT,
 * not INSERT OR REPLACE: REPLACE would silently drop another row that
 * clashed on the UNIQUE name. */
static void subnet_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_subnet *s = row;
    sqlite3_bind_int(st, 1, s->id);
    if (!whole)
        return;
    sqlite3_bind_text(st, 2, s->spec.name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, s->spec.task);
    sqlite3_bind_int(st, 4, s->spec.emission_weight);
    nm_bind_u64(st, 5, s->spec.min_stake_miner);
    nm_bind_u64(st, 6, s->spec.min_stake_validator);
    sqlite3_bind_int(st, 7, s->spec.max_neurons);
    sqlite3_bind_text(st, 8, s->spec.input_schema, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, s->spec.output_schema, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, s->spec.eval_spec, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 11, s->owner.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 12, s->status);
    nm_bind_u64(st, 13, s->created_at);
    nm_bind_u64(st, 14, s->lock);
    nm_bind_u64(st, 15, s->unlock_at);
}

/* Retired subnets keep their row and name until dissolved (issue 16:
 * nm_subnets_dissolve), which frees both for reuse. */
static const struct nm_state_table subnets_table = {
    .insert_sql = "INSERT INTO subnets(" SUBNET_COLUMNS ")"
                  " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    .update_sql = "UPDATE subnets SET name=?2, task=?3, emission_weight=?4,"
                  " min_stake_miner=?5, min_stake_validator=?6, max_neurons=?7,"
                  " input_schema=?8, output_schema=?9, eval_spec=?10, owner=?11,"
                  " status=?12, created_at=?13, lock=?14, unlock_at=?15 WHERE id=?1",
    .delete_sql = "DELETE FROM subnets WHERE id=?1",
    .bind = subnet_bind,
    .entry = subnet_entry,
};

static int subnet_put(struct nm_runtime *rt, const struct nm_subnet *old,
                      const struct nm_subnet *s)
{
    return nm_runtime_row_put(rt, &subnets_table, old, s);
}

int nm_subnets_row_put(struct nm_runtime *rt, const struct nm_subnet *old,
                       const struct nm_subnet *s)
{
    return subnet_put(rt, old, s);
}

/* --- field checks --- */

int nm_subnet_name_check(const char *name)
{
    size_t len = strnlen(name, NM_SUBNET_NAME_MAX + 1);
    if (len == 0 || len > NM_SUBNET_NAME_MAX || name[0] == ' ' || name[len - 1] == ' ')
        return NM_E_BAD_NAME;
    for (size_t i = 0; i < len; i++) {
        char ch = name[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                  (ch >= '0' && ch <= '9') || ch == ' ' || ch == '_' || ch == '-';
        if (!ok)
            return NM_E_BAD_NAME;
    }
    return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t extra;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (len - i <= extra)
            return false;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

/* Deepest bracket nesting outside JSON strings. */
static int json_depth(const char *s)
{
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (; *s; s++) {
        if (in_string) {
            if (*s == '\\' && s[1])
                s++;
            else if (*s == '"')
                in_string = false;
        } else if (*s == '"') {
            in_string = true;
        } else if (*s == '{' || *s == '[') {
            if (++depth > deepest)
                deepest = depth;
        } else if (*s == '}' || *s == ']') {
            depth--;
        }
    }
    return deepest;
}

int nm_subnet_schema_check(const char *schema)
{
    size_t len = strnlen(schema, NM_SCHEMA_MAX + 1);
    if (len == 0)
        return 0;
    if (len > NM_SCHEMA_MAX || !utf8_valid((const unsigned char *)schema, len) ||
        json_depth(schema) > SCHEMA_MAX_DEPTH)
        return NM_E_BAD_SCHEMA;
    cJSON *doc = cJSON_ParseWithOpts(schema, NULL, 1);
    bool ok = cJSON_IsObject(doc);
    cJSON_Delete(doc);
    /* cJSON returns NULL both for bad JSON and for no memory; a node short
     * of memory would then reject what others accept. Telling the two
     * apart is not possible through cJSON's API; a 4 KiB document needs
     * little memory, so this is accepted. */
    return ok ? 0 : NM_E_BAD_SCHEMA;
}

int nm_subnet_uri_check(const char *uri)
{
    static const char *const schemes[] = {"http://", "https://", "ipfs://", "ar://"};
    size_t len = strnlen(uri, NM_URI_MAX + 1);
    if (len == 0)
        return 0;
    if (len > NM_URI_MAX)
        return NM_E_BAD_URI;
    for (size_t i = 0; i < len; i++)
        if (uri[i] <= ' ' || uri[i] > '~')
            return NM_E_BAD_URI;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
        size_t n = strlen(schemes[i]);
        if (strncmp(uri, schemes[i], n) == 0)
            return uri[n] != '\0' && uri[n] != '/' ? 0 : NM_E_BAD_URI;
    }
    return NM_E_BAD_URI;
}

/* --- queries used by the checks --- */

static int name_taken(struct nm_db *db, const char *name, uint16_t except_id, bool *out)
{
    sqlite3_stmt *st = nm_db_stmt(
        db, "SELECT 1 FROM subnets WHERE name=?1 COLLATE NOCASE AND id<>?2 LIMIT 1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, except_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    *out = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : NM_E_DB;
}

/* Sum of emission weights of active subnets other than except_id (weights
 * are at most 100 each, so the SQL sum is exact). */
static int weight_of_others(struct nm_db *db, uint16_t except_id, uint64_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT COALESCE(SUM(emission_weight), 0) FROM subnets"
                                      " WHERE status=0 AND id<>?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, except_id);
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

static int active_count(struct nm_db *db, uint64_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT COUNT(*) FROM subnets WHERE status=0");
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? nm_column_u64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

/* Lowest id >= 1 no subnet uses: 1 if free, else the smallest used id + 1
 * that is free. NM_E_TOO_MANY_SUBNETS when all 65535 are taken. */
static int lowest_free_id(struct nm_db *db, uint16_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(
        db, "SELECT 1 WHERE NOT EXISTS(SELECT 1 FROM subnets WHERE id=1)"
            " UNION ALL SELECT s.id+1 FROM subnets s WHERE s.id+1 <= 65535"
            " AND NOT EXISTS(SELECT 1 FROM subnets t WHERE t.id=s.id+1)"
            " ORDER BY 1 LIMIT 1");
    if (!st)
        return NM_E_DB;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (uint16_t)sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return NM_E_TOO_MANY_SUBNETS;
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

/* Checks the fields of spec selected by fields for subnet self_id (0: a
 * new subnet) and resolves max_neurons 0 to the chain parameter. */
static int check_fields(struct nm_runtime *rt, struct nm_subnet_spec *spec, uint16_t fields,
                        uint16_t self_id)
{
    int err;
    if (fields & NM_SF_NAME) {
        bool taken;
        if ((err = nm_subnet_name_check(spec->name)) ||
            (err = name_taken(rt->db, spec->name, self_id, &taken)))
            return err;
        if (taken)
            return NM_E_NAME_TAKEN;
    }
    if (fields & NM_SF_EMISSION_WEIGHT) {
        uint64_t others;
        if (spec->emission_weight > 100)
            return NM_E_BAD_PERCENT;
        if ((err = weight_of_others(rt->db, self_id, &others)))
            return err;
        if (others + spec->emission_weight > 100)
            return NM_E_EMISSION_WEIGHT;
    }
    /* Issue 16: a new subnet's minimum validator stake 0 means the chain's
     * default (non-zero on the default chain). */
    if ((fields & NM_SF_MIN_STAKE_VALIDATOR) && self_id == 0 && spec->min_stake_validator == 0)
        spec->min_stake_validator = rt->params.subnet_min_stake_validator;
    if (fields & NM_SF_MAX_NEURONS) {
        if (spec->max_neurons == 0)
            spec->max_neurons = (uint16_t)rt->params.max_neurons;
        if (spec->max_neurons < 1 || spec->max_neurons > rt->params.max_neurons)
            return NM_E_BAD_MAX_NEURONS;
        if (self_id) {
            uint32_t uid_end;
            if ((err = nm_registry_uid_end(rt->db, self_id, &uid_end)))
                return err;
            if (spec->max_neurons < uid_end)
                return NM_E_UID_IN_USE;
        }
    }
    if ((fields & NM_SF_INPUT_SCHEMA) && (err = nm_subnet_schema_check(spec->input_schema)))
        return err;
    if ((fields & NM_SF_OUTPUT_SCHEMA) && (err = nm_subnet_schema_check(spec->output_schema)))
        return err;
    if ((fields & NM_SF_EVAL_SPEC) && (err = nm_subnet_uri_check(spec->eval_spec)))
        return err;
    return 0;
}

/* --- calls --- */

/* Issue 16: a signer may give a subnet emission weight only on a dev chain
 * and as a council member (the dev chain's shortcut, as Substrate's sudo);
 * everywhere else the weight comes from token holders (governance). */
static int weight_setter_check(struct nm_runtime *rt, const nm_account *signer)
{
    bool member = false;
    int err = nm_governance_dev_council(rt, signer, &member);
    if (err)
        return err;
    return member ? 0 : NM_E_EMISSION_BY_GOVERNANCE;
}

/* signer NULL: genesis or an approved governance proposal, trusted with
 * the emission weight. */
static int create(struct nm_runtime *rt, const nm_account *owner, const nm_account *signer,
                  const struct nm_subnet_spec *spec, uint16_t *id_out)
{
    struct nm_subnet *s = malloc(sizeof *s);
    if (!s)
        return NM_E_NOMEM;
    memset(s, 0, sizeof *s);
    s->spec = *spec;
    uint64_t active;
    int err;
    if (spec->task >= NM_TASK__COUNT) {
        err = NM_E_BAD_TASK;
        goto out;
    }
    if ((err = check_fields(rt, &s->spec, NM_SF__ALL, 0)) ||
        (signer && spec->emission_weight && (err = weight_setter_check(rt, signer))) ||
        (err = active_count(rt->db, &active)))
        goto out;
    if (active >= rt->params.max_subnets) {
        err = NM_E_TOO_MANY_SUBNETS;
        goto out;
    }
    if ((err = lowest_free_id(rt->db, &s->id)) ||
        (signer && (err = nm_subnet_lock_take(rt, signer, &s->lock))))
        goto out;
    s->owner = *owner;
    s->status = NM_SUBNET_ACTIVE;
    s->created_at = rt->height;
    if ((err = subnet_put(rt, NULL, s)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    if (!ev) {
        err = NM_E_NOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(ev, "id", s->id);
    cJSON_AddStringToObject(ev, "name", s->spec.name);
    nm_json_add_account(ev, "owner", owner);
    nm_json_add_amount(ev, "lock", s->lock);
    if ((err = nm_runtime_event(rt, "subnets.Created", ev)))
        goto out;
    if (id_out)
        *id_out = s->id;
out:
    free(s);
    return err;
}

int nm_subnets_create(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    return create(rt, signer, signer, &c->u.subnet_create.spec, NULL);
}

int nm_subnets_genesis_create(struct nm_runtime *rt, const nm_account *owner,
                              const struct nm_subnet_spec *spec, uint16_t *id_out)
{
    return create(rt, owner, NULL, spec, id_out);
}

/* governance: the checks of create, writing nothing (a subnet proposal is
 * checked when made, and created by nm_subnets_genesis_create when it
 * executes). */
int nm_subnets_create_check(struct nm_runtime *rt, const struct nm_subnet_spec *spec)
{
    struct nm_subnet_spec *copy = malloc(sizeof *copy);
    if (!copy)
        return NM_E_NOMEM;
    *copy = *spec;
    uint64_t active;
    int err = spec->task >= NM_TASK__COUNT ? NM_E_BAD_TASK : 0;
    if (!err && !(err = check_fields(rt, copy, NM_SF__ALL, 0)) &&
        !(err = active_count(rt->db, &active)) && active >= rt->params.max_subnets)
        err = NM_E_TOO_MANY_SUBNETS;
    free(copy);
    return err;
}

/* Loads subnet id for a change by signer: it must exist, be signer's and
 * be active. */
static int load_owned(struct nm_db *db, uint16_t id, const nm_account *signer,
                      struct nm_subnet *s)
{
    int err = nm_subnets_get(db, id, s);
    if (err)
        return err;
    if (!nm_account_eq(&s->owner, signer))
        return NM_E_NOT_OWNER;
    return s->status == NM_SUBNET_ACTIVE ? 0 : NM_E_SUBNET_RETIRED;
}

/* Which of the fields differ between two specs. */
static uint16_t changed_fields(const struct nm_subnet_spec *a, const struct nm_subnet_spec *b)
{
    uint16_t changed = 0;
    if (strcmp(a->name, b->name) != 0)
        changed |= NM_SF_NAME;
    if (a->emission_weight != b->emission_weight)
        changed |= NM_SF_EMISSION_WEIGHT;
    if (a->min_stake_miner != b->min_stake_miner)
        changed |= NM_SF_MIN_STAKE_MINER;
    if (a->min_stake_validator != b->min_stake_validator)
        changed |= NM_SF_MIN_STAKE_VALIDATOR;
    if (a->max_neurons != b->max_neurons)
        changed |= NM_SF_MAX_NEURONS;
    if (strcmp(a->input_schema, b->input_schema) != 0)
        changed |= NM_SF_INPUT_SCHEMA;
    if (strcmp(a->output_schema, b->output_schema) != 0)
        changed |= NM_SF_OUTPUT_SCHEMA;
    if (strcmp(a->eval_spec, b->eval_spec) != 0)
        changed |= NM_SF_EVAL_SPEC;
    return changed;
}

/* Copies the fields selected by mask from src into dst. */
static void apply_fields(struct nm_subnet_spec *dst, const struct nm_subnet_spec *src,
                         uint16_t mask, uint16_t max_neurons_default)
{
    if (mask & NM_SF_NAME)
        memcpy(dst->name, src->name, sizeof dst->name);
    if (mask & NM_SF_EMISSION_WEIGHT)
        dst->emission_weight = src->emission_weight;
    if (mask & NM_SF_MIN_STAKE_MINER)
        dst->min_stake_miner = src->min_stake_miner;
    if (mask & NM_SF_MIN_STAKE_VALIDATOR)
        dst->min_stake_validator = src->min_stake_validator;
    if (mask & NM_SF_MAX_NEURONS)
        dst->max_neurons = src->max_neurons ? src->max_neurons : max_neurons_default;
    if (mask & NM_SF_INPUT_SCHEMA)
        memcpy(dst->input_schema, src->input_schema, sizeof dst->input_schema);
    if (mask & NM_SF_OUTPUT_SCHEMA)
        memcpy(dst->output_schema, src->output_schema, sizeof dst->output_schema);
    if (mask & NM_SF_EVAL_SPEC)
        memcpy(dst->eval_spec, src->eval_spec, sizeof dst->eval_spec);
}

/* Event subnets.Updated {id, fields: [names of the changed fields]}. */
static int updated_event(struct nm_runtime *rt, uint16_t id, uint16_t changed)
{
    cJSON *ev = cJSON_CreateObject();
    cJSON *names = ev && cJSON_AddNumberToObject(ev, "id", id)
                       ? cJSON_AddArrayToObject(ev, "fields")
                       : NULL;
    if (!names) {
        cJSON_Delete(ev);
        return NM_E_NOMEM;
    }
    for (size_t i = 0; i < sizeof field_names / sizeof field_names[0]; i++)
        if (changed & (1u << i))
            nm_json_append(names, cJSON_CreateString(field_names[i]));
    return nm_runtime_event(rt, "subnets.Updated", ev);
}

int nm_subnets_update(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    uint16_t mask = c->u.subnet_update.fields;
    struct nm_subnet *pair = malloc(2 * sizeof *pair);
    if (!pair)
        return NM_E_NOMEM;
    struct nm_subnet *old = &pair[0], *s = &pair[1];
    int err = load_owned(rt->db, c->u.subnet_update.subnet, signer, old);
    if (err)
        goto out;
    if (mask & ~NM_SF__ALL) {
        err = NM_E_INVAL;
        goto out;
    }
    *s = *old;
    /* max_neurons 0 resolves here too, so "0" when already at the
     * default is no change. Strings are NUL-terminated within their
     * arrays (the decoder and strnlen checks guarantee it). */
    apply_fields(&s->spec, &c->u.subnet_update.spec, mask,
                 (uint16_t)(rt->params.max_neurons > 65535 ? 65535 : rt->params.max_neurons));
    uint16_t changed = changed_fields(&old->spec, &s->spec);
    if (changed == 0) {
        err = NM_E_NO_CHANGE;
        goto out;
    }
    if ((err = check_fields(rt, &s->spec, changed, s->id)) ||
        ((changed & NM_SF_EMISSION_WEIGHT) && (err = weight_setter_check(rt, signer))) ||
        (err = subnet_put(rt, old, s)))
        goto out;
    err = updated_event(rt, s->id, changed);
out:
    free(pair);
    return err;
}

bool nm_subnets_param_name(const char *name, const char *suffix, uint16_t *id_out)
{
    static const char prefix[] = "subnet.";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *p = name + sizeof prefix - 1;
    uint32_t id = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
        id = id * 10 + (uint32_t)(*p - '0');
    /* one spelling per subnet: no leading zero, 1..65535 */
    if (digits == 0 || name[sizeof prefix - 1] == '0' || id > 65535 || strcmp(p, suffix) != 0)
        return false;
    if (id_out)
        *id_out = (uint16_t)id;
    return true;
}

bool nm_subnets_weight_param(const char *name, uint16_t *id_out)
{
    return nm_subnets_param_name(name, ".emission_weight", id_out);
}

bool nm_subnets_lock_burn_param(const char *name, uint16_t *id_out)
{
    return nm_subnets_param_name(name, ".lock_burn_ppb", id_out);
}

int nm_subnets_weight_set(struct nm_runtime *rt, uint16_t id, uint64_t weight, bool write,
                          uint8_t *old_out)
{
    struct nm_subnet *pair = malloc(2 * sizeof *pair);
    if (!pair)
        return NM_E_NOMEM;
    struct nm_subnet *old = &pair[0], *s = &pair[1];
    int err = nm_subnets_get(rt->db, id, old);
    if (err)
        goto out;
    if (old->status != NM_SUBNET_ACTIVE) {
        err = NM_E_SUBNET_RETIRED;
        goto out;
    }
    if (weight > 100) {
        err = NM_E_BAD_PERCENT;
        goto out;
    }
    *s = *old;
    s->spec.emission_weight = (uint8_t)weight;
    if (s->spec.emission_weight == old->spec.emission_weight) {
        err = NM_E_NO_CHANGE;
        goto out;
    }
    if (old_out)
        *old_out = old->spec.emission_weight;
    if ((err = check_fields(rt, &s->spec, NM_SF_EMISSION_WEIGHT, id)) || !write ||
        (err = subnet_put(rt, old, s)))
        goto out;
    err = updated_event(rt, id, NM_SF_EMISSION_WEIGHT);
out:
    free(pair);
    return err;
}

int nm_subnets_retire(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c)
{
    struct nm_subnet *pair = malloc(2 * sizeof *pair);
    if (!pair)
        return NM_E_NOMEM;
    struct nm_subnet *old = &pair[0], *s = &pair[1];
    int err = load_owned(rt->db, c->u.subnet_retire.subnet, signer, old);
    if (err)
        goto out;
    *s = *old;
    s->status = NM_SUBNET_RETIRED;
    /* issue 16: at unlock_at the lock goes back and the subnet is dissolved */
    if (!nm_add_u64(rt->height, rt->params.subnet_lock_return_blocks, &s->unlock_at)) {
        err = NM_E_OVERFLOW;
        goto out;
    }
    if ((err = subnet_put(rt, old, s)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    if (!ev) {
        err = NM_E_NOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(ev, "id", s->id);
    nm_json_add_u64(ev, "unlock_at", s->unlock_at);
    err = nm_runtime_event(rt, "subnets.Retired", ev);
out:
    free(pair);
    return err;
}

/* --- JSON views --- */

cJSON *nm_subnet_json(const struct nm_subnet *s, uint32_t miners, uint32_t validators)
{
    cJSON *obj = cJSON_CreateObject();
    if (!obj)
        return NULL;
    const char *task = nm_task_name(s->spec.task);
    cJSON_AddNumberToObject(obj, "id", s->id);
    cJSON_AddStringToObject(obj, "name", s->spec.name);
    cJSON_AddStringToObject(obj, "task", task ? task : "UNKNOWN");
    cJSON_AddNumberToObject(obj, "emission_weight", s->spec.emission_weight);
    nm_json_add_amount(obj, "min_stake_miner", s->spec.min_stake_miner);
    nm_json_add_amount(obj, "min_stake_validator", s->spec.min_stake_validator);
    cJSON_AddNumberToObject(obj, "max_neurons", s->spec.max_neurons);
    cJSON_AddStringToObject(obj, "input_schema", s->spec.input_schema);
    cJSON_AddStringToObject(obj, "output_schema", s->spec.output_schema);
    cJSON_AddStringToObject(obj, "eval_spec", s->spec.eval_spec);
    nm_json_add_account(obj, "owner", &s->owner);
    cJSON_AddStringToObject(obj, "status",
                            s->status == NM_SUBNET_ACTIVE ? "active" : "retired");
    nm_json_add_u64(obj, "created_at", s->created_at);
    nm_json_add_amount(obj, "lock", s->lock);
    nm_json_add_u64(obj, "unlock_at", s->unlock_at);
    cJSON_AddNumberToObject(obj, "miners", miners);
    if (!cJSON_AddNumberToObject(obj, "validators", validators)) {
        cJSON_Delete(obj);
        return NULL;
    }
    return obj;
}

static cJSON *subnet_json_counted(struct nm_db *db, const struct nm_subnet *s, int *err_out)
{
    uint32_t miners, validators;
    int err = nm_registry_counts(db, s->id, &miners, &validators);
    cJSON *obj = err ? NULL : nm_subnet_json(s, miners, validators);
    if (!err && !obj)
        err = NM_E_NOMEM;
    if (err_out)
        *err_out = err;
    return obj;
}

cJSON *nm_subnets_get_json(struct nm_db *db, uint16_t id, int *err_out)
{
    struct nm_subnet *s = malloc(sizeof *s);
    if (!s) {
        if (err_out)
            *err_out = NM_E_NOMEM;
        return NULL;
    }
    cJSON *obj = NULL;
    int err = nm_subnets_get(db, id, s);
    if (!err)
        obj = subnet_json_counted(db, s, &err);
    free(s);
    if (err_out)
        *err_out = err;
    return obj;
}

cJSON *nm_subnets_list_json(struct nm_db *db)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT " SUBNET_COLUMNS " FROM subnets ORDER BY id");
    struct nm_subnet *s = malloc(sizeof *s);
    cJSON *list = cJSON_CreateArray();
    int rc = SQLITE_ERROR, err = 0;
    if (!st || !s || !list)
        goto fail;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *obj = NULL;
        if ((err = subnet_read(st, s)) || !(obj = subnet_json_counted(db, s, &err)))
            break;
        nm_json_append(list, obj);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    free(s);
    return list;
fail:
    cJSON_Delete(list);
    free(s);
    return NULL;
}

static int subnet_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    struct nm_subnet *s = malloc(sizeof *s); /* ~8.5 KB of schemas */
    if (!s)
        return NM_E_NOMEM;
    int err = subnet_read(row, s);
    if (!err)
        subnet_entry(w, s);
    free(s);
    return err;
}

int nm_subnets_fold(struct nm_db *db, struct nm_lthash *acc)
{
    return nm_runtime_fold_rows(db, "SELECT " SUBNET_COLUMNS " FROM subnets", subnet_row_entry,
                                acc);
}
