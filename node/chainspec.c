/* chainspec.c - the built-in dev chain and JSON chain spec files (see
 * chainspec.h). */
#include "node/chainspec.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/ss58.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_FILE_MAX (64 * 1024 * 1024)

int nm_chainspec_add_balance(struct nm_chain_spec *spec, const nm_account *id, uint64_t amount)
{
    if ((spec->balance_count & (spec->balance_count - 1)) == 0) {
        size_t cap = spec->balance_count ? spec->balance_count * 2 : 8;
        struct nm_genesis_balance *p = realloc(spec->balances, cap * sizeof *p);
        if (!p)
            return NM_E_NOMEM;
        spec->balances = p;
    }
    spec->balances[spec->balance_count].id = *id;
    spec->balances[spec->balance_count].amount = amount;
    spec->balance_count++;
    return 0;
}

int nm_chainspec_dev(struct nm_chain_spec *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "NeuroMesh Development");
    snprintf(out->id, sizeof out->id, "neuromesh_dev");
    out->dev = true;
    out->spec_version = 1;
    out->council_threshold = 2;
    nm_params_defaults(&out->params, 1);
    for (int i = 0; nm_dev_names[i]; i++) {
        struct nm_keypair kp;
        nm_keypair_dev(nm_dev_names[i], &kp);
        int err = nm_chainspec_add_balance(out, &kp.pub, NM_DEV_ENDOWMENT);
        if (i == 0) {
            out->has_authority = true;
            out->authority = kp.pub;
            out->authority_count = 1; /* one authority: instant finality */
            out->authorities[0] = (struct nm_bft_authority){kp.pub, 1};
        }
        if (i < 3) /* governance: alice, bob and charlie, 2 of 3 */
            out->council[out->council_count++] = kp.pub;
        if (err) {
            nm_chainspec_fini(out);
            return err;
        }
    }
    return 0;
}

static int fail(char *msg, size_t cap, const char *what, const char *detail)
{
    snprintf(msg, cap, "chain spec: %s%s%s", what, detail ? ": " : "", detail ? detail : "");
    return NM_E_CHAIN_SPEC;
}

static int parse_params(const cJSON *params, struct nm_params *p, char *msg, size_t cap)
{
    if (!params)
        return 0;
    if (!cJSON_IsObject(params))
        return fail(msg, cap, "\"params\" must be an object", NULL);
    for (const cJSON *it = params->child; it; it = it->next) {
        const struct nm_param_info *info = nm_param_find(it->string);
        if (!info)
            return fail(msg, cap, "unknown parameter", it->string);
        uint64_t v;
        /* Numbers up to 2^53 may be JSON numbers; larger ones decimal strings. */
        if (cJSON_IsString(it)) {
            if (nm_units_parse(it->valuestring, &v))
                return fail(msg, cap, "parameter is not a whole number", it->string);
        } else if (cJSON_IsNumber(it) && it->valuedouble >= 0 &&
                   it->valuedouble <= 9007199254740992.0 &&
                   it->valuedouble == (double)(uint64_t)it->valuedouble) {
            v = (uint64_t)it->valuedouble;
        } else {
            return fail(msg, cap, "parameter is not a whole number", it->string);
        }
        if (v < info->min || v > info->max) {
            char detail[160];
            snprintf(detail, sizeof detail, "%s=%llu outside %llu..%llu", info->name,
                     (unsigned long long)v, (unsigned long long)info->min,
                     (unsigned long long)info->max);
            return fail(msg, cap, "parameter out of bounds", detail);
        }
        *nm_param_slot(p, info) = v;
    }
    return 0;
}

static int parse_balances(const cJSON *list, struct nm_chain_spec *spec, char *msg, size_t cap)
{
    if (!list)
        return 0;
    if (!cJSON_IsArray(list))
        return fail(msg, cap, "\"balances\" must be an array", NULL);
    for (const cJSON *it = list->child; it; it = it->next) {
        const cJSON *addr = cJSON_GetObjectItemCaseSensitive(it, "address");
        const cJSON *amount = cJSON_GetObjectItemCaseSensitive(it, "amount");
        nm_account id;
        uint64_t units;
        if (!cJSON_IsString(addr) || nm_ss58_decode(addr->valuestring, &id))
            return fail(msg, cap, "balance entry needs a valid SS58 \"address\"",
                        cJSON_IsString(addr) ? addr->valuestring : NULL);
        if (!cJSON_IsString(amount))
            return fail(msg, cap, "balance entry needs an NMT \"amount\" string",
                        addr->valuestring);
        int err = nm_amount_parse(amount->valuestring, &units);
        if (err) {
            char detail[160];
            snprintf(detail, sizeof detail, "%.60s: %s", amount->valuestring, nm_strerror(err));
            return fail(msg, cap, "bad balance amount", detail);
        }
        for (size_t i = 0; i < spec->balance_count; i++)
            if (nm_account_eq(&spec->balances[i].id, &id))
                return fail(msg, cap, "address funded twice", addr->valuestring);
        if ((err = nm_chainspec_add_balance(spec, &id, units)))
            return err;
    }
    return 0;
}

/* governance: a whole JSON number in lo..hi. */
static bool json_uint(const cJSON *it, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (!cJSON_IsNumber(it) || it->valuedouble < (double)lo || it->valuedouble > (double)hi ||
        it->valuedouble != (double)(uint64_t)it->valuedouble)
        return false;
    *out = (uint64_t)it->valuedouble;
    return true;
}

/* governance: "spec_version": N (default 1) and the optional emergency
 * council {"threshold": M, "members": [SS58, ...]}, 1 <= M <= N <= 32. */
static int parse_governance(const cJSON *root, struct nm_chain_spec *spec, char *msg, size_t cap)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "spec_version");
    const cJSON *council = cJSON_GetObjectItemCaseSensitive(root, "council");
    uint64_t v = 1;
    char detail[160];
    if (version && !json_uint(version, 1, UINT32_MAX, &v))
        return fail(msg, cap, "\"spec_version\" must be a whole number from 1", NULL);
    if (v > NM_RUNTIME_SPEC_VERSION) {
        snprintf(detail, sizeof detail, "it needs %llu, this node supports up to %d",
                 (unsigned long long)v, NM_RUNTIME_SPEC_VERSION);
        return fail(msg, cap, "runtime spec version not supported (upgrade neuromesh)", detail);
    }
    spec->spec_version = (uint32_t)v;
    if (!council)
        return 0;
    if (!cJSON_IsObject(council))
        return fail(msg, cap, "\"council\" must be an object", NULL);
    const cJSON *threshold = cJSON_GetObjectItemCaseSensitive(council, "threshold");
    const cJSON *members = cJSON_GetObjectItemCaseSensitive(council, "members");
    int n = cJSON_GetArraySize(members);
    if (!cJSON_IsArray(members) || n < 1 || n > NM_COUNCIL_MAX)
        return fail(msg, cap, "\"council\" needs \"members\": 1-32 SS58 addresses", NULL);
    for (const cJSON *it = members->child; it; it = it->next) {
        nm_account id;
        if (!cJSON_IsString(it) || nm_ss58_decode(it->valuestring, &id))
            return fail(msg, cap, "council member is not a valid SS58 address",
                        cJSON_IsString(it) ? it->valuestring : NULL);
        for (size_t i = 0; i < spec->council_count; i++)
            if (nm_account_eq(&spec->council[i], &id))
                return fail(msg, cap, "council member listed twice", it->valuestring);
        spec->council[spec->council_count++] = id;
    }
    uint64_t m;
    if (!json_uint(threshold, 1, (uint64_t)n, &m)) {
        snprintf(detail, sizeof detail, "1..%d", n);
        return fail(msg, cap, "council \"threshold\" must be a whole number in", detail);
    }
    spec->council_threshold = (uint32_t)m;
    return 0;
}

/* BFT: "authorities": [{"account": SS58, "power": N}, ...], checked with
 * the authority set's own rules; `authority`, if given, must be listed. */
static int parse_authorities(const cJSON *list, struct nm_chain_spec *spec, char *msg, size_t cap)
{
    if (!list) {
        if (spec->has_authority) {
            spec->authority_count = 1;
            spec->authorities[0] = (struct nm_bft_authority){spec->authority, 1};
        }
        return 0;
    }
    int n = cJSON_GetArraySize(list);
    if (!cJSON_IsArray(list) || n < 1 || n > NM_CHAINSPEC_MAX_AUTHORITIES)
        return fail(msg, cap, "\"authorities\" must be an array of 1-128 {account, power}", NULL);
    for (const cJSON *it = list->child; it; it = it->next) {
        const cJSON *acct = cJSON_GetObjectItemCaseSensitive(it, "account");
        const cJSON *power = cJSON_GetObjectItemCaseSensitive(it, "power");
        struct nm_bft_authority *a = &spec->authorities[spec->authority_count];
        if (!cJSON_IsString(acct) || nm_ss58_decode(acct->valuestring, &a->account))
            return fail(msg, cap, "authority entry needs a valid SS58 \"account\"",
                        cJSON_IsString(acct) ? acct->valuestring : NULL);
        if (!json_uint(power, 1, 1ULL << 53, &a->power))
            return fail(msg, cap, "authority \"power\" must be a whole number from 1",
                        acct->valuestring);
        for (size_t i = 0; i < spec->authority_count; i++)
            if (nm_account_eq(&spec->authorities[i].account, &a->account))
                return fail(msg, cap, "authority listed twice", acct->valuestring);
        spec->authority_count++;
    }
    struct nm_bft_authorities set;
    int err = nm_bft_authorities_init(&set, spec->authorities, (uint32_t)spec->authority_count);
    if (err)
        return err == NM_E_NOMEM ? err : fail(msg, cap, "authority powers add up too high", NULL);
    /* until BFT is wired, `authority` seals blocks: it must be one of them */
    bool listed = !spec->has_authority ||
                  nm_bft_authorities_find(&set, &spec->authority) >= 0;
    nm_bft_authorities_fini(&set);
    if (!listed)
        return fail(msg, cap, "\"authority\" must be one of \"authorities\"", NULL);
    spec->authorities_given = true;
    return 0;
}

int nm_chainspec_parse(const char *json, struct nm_chain_spec *out, char *msg, size_t cap)
{
    memset(out, 0, sizeof *out);
    nm_params_defaults(&out->params, 0);
    cJSON *root = cJSON_Parse(json);
    int err;
    if (!root || !cJSON_IsObject(root)) {
        err = fail(msg, cap, "not a JSON object", NULL);
        goto out;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    const cJSON *auth = cJSON_GetObjectItemCaseSensitive(root, "authority");
    if (!cJSON_IsString(name) || !*name->valuestring ||
        strlen(name->valuestring) >= sizeof out->name) {
        err = fail(msg, cap, "\"name\" must be a string of 1-63 characters", NULL);
        goto out;
    }
    if (!cJSON_IsString(id) || !*id->valuestring || strlen(id->valuestring) >= sizeof out->id) {
        err = fail(msg, cap, "\"id\" must be a string of 1-63 characters", NULL);
        goto out;
    }
    snprintf(out->name, sizeof out->name, "%s", name->valuestring);
    snprintf(out->id, sizeof out->id, "%s", id->valuestring);
    if (auth) {
        if (!cJSON_IsString(auth) || nm_ss58_decode(auth->valuestring, &out->authority)) {
            err = fail(msg, cap, "\"authority\" must be an SS58 address", NULL);
            goto out;
        }
        out->has_authority = true;
    }
    if ((err = parse_params(cJSON_GetObjectItemCaseSensitive(root, "params"), &out->params, msg,
                            cap)) ||
        (err = parse_balances(cJSON_GetObjectItemCaseSensitive(root, "balances"), out, msg,
                              cap)) ||
        (err = parse_governance(root, out, msg, cap)) ||
        (err = parse_authorities(cJSON_GetObjectItemCaseSensitive(root, "authorities"), out, msg,
                                 cap)))
        goto out;
out:
    cJSON_Delete(root);
    if (err)
        nm_chainspec_fini(out);
    return err;
}

int nm_chainspec_load(const char *path, struct nm_chain_spec *out, char *msg, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, cap, "chain spec %s: cannot open", path);
        return NM_E_IO;
    }
    char *text = NULL;
    int err = NM_E_IO;
    long size;
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
        goto out;
    if (size > SPEC_FILE_MAX) {
        snprintf(msg, cap, "chain spec %s: larger than 64 MiB", path);
        err = NM_E_TOO_BIG;
        goto out;
    }
    if (!(text = malloc((size_t)size + 1))) {
        err = NM_E_NOMEM;
        goto out;
    }
    if (fread(text, 1, (size_t)size, f) != (size_t)size)
        goto out;
    text[size] = '\0';
    err = nm_chainspec_parse(text, out, msg, cap);
out:
    if (err == NM_E_IO)
        snprintf(msg, cap, "chain spec %s: read error", path);
    free(text);
    fclose(f);
    return err;
}

void nm_chainspec_fini(struct nm_chain_spec *spec)
{
    free(spec->balances);
    spec->balances = NULL;
    spec->balance_count = 0;
}
