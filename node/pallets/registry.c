/* registry.c - miner and validator registration, UIDs, endpoints and
 * deregistration (see registry.h for the rules). */
#include "node/pallets/registry.h"
#include "node/json.h"

#include "node/amount.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/registration.h"
#include "node/pallets/staking.h"
#include "node/pallets/subnets.h"

#include <stdlib.h>
#include <string.h>

/* --- endpoint syntax --- */

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Decimal 1..max with no leading zero (or "0" when allow_zero). */
static bool number_valid(const char *s, size_t len, unsigned max, bool allow_zero)
{
    if (len == 0 || len > 5 || (len > 1 && s[0] == '0'))
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    return v <= max && (allow_zero || v > 0);
}

static bool ipv4_valid(const char *s, size_t len)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        size_t start = i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i - start > 3 || !number_valid(s + start, i - start, 255, true))
            return false;
        if (part < 3) {
            if (i >= len || s[i] != '.')
                return false;
            i++;
        }
    }
    return i == len;
}

/* RFC 4291 section 2.2 text forms: eight groups of 1-4 hex digits, at
 * most one "::" standing for one or more zero groups, optionally ending
 * in a dotted IPv4 address worth two groups. */
static bool ipv6_valid(const char *s, size_t len)
{
    size_t i = 0;
    int groups = 0;
    bool gap = false;
    if (len >= 2 && s[0] == ':' && s[1] == ':') {
        gap = true;
        i = 2;
    } else if (len == 0 || s[0] == ':') {
        return false;
    }
    while (i < len) {
        size_t start = i;
        while (i < len && is_hex(s[i]))
            i++;
        if (i < len && s[i] == '.') {
            if (!ipv4_valid(s + start, len - start))
                return false;
            groups += 2;
            break;
        }
        if (i - start == 0 || i - start > 4)
            return false;
        groups++;
        if (i == len)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < len && s[i] == ':') {
            if (gap)
                return false;
            gap = true;
            i++;
        } else if (i == len) {
            return false; /* a single trailing colon */
        }
    }
    return gap ? groups <= 7 : groups == 8;
}

static bool dns_valid(const char *s, size_t len)
{
    if (len == 0 || len > 253)
        return false;
    size_t start = 0;
    bool all_digits = true;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            size_t n = i - start;
            if (n == 0 || n > 63 || s[start] == '-' || s[i - 1] == '-')
                return false;
            start = i + 1;
            if (i < len)
                all_digits = true;
            continue;
        }
        if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '-')
            return false;
        if (!is_digit(s[i]))
            all_digits = false;
    }
    /* An all-digit last label would make "1.2.3" or "999.1.1.1" look
     * like a name; top-level domains are never numeric. */
    return !all_digits;
}

/* RFC 3986 pchar plus '/' and '?' (path and query), '%' as an escape. */
static bool path_valid(const char *s, size_t len)
{
    static const char extra[] = "-._~!$&'()*+,;=:@/?";
    if (len == 0 || s[0] != '/')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return false;
            i += 2;
        } else if (!is_alpha(c) && !is_digit(c) && !strchr(extra, c)) {
            return false;
        }
    }
    return true;
}

int nm_endpoint_check(const char *endpoint)
{
    static const struct {
        const char *prefix;
        bool port_required;
        bool path_allowed;
    } schemes[] = {
        {"grpc://", true, false},
        {"http://", false, true},
        {"https://", false, true},
    };
    size_t len = strnlen(endpoint, NM_ENDPOINT_MAX + 1);
    if (len == 0 || len > NM_ENDPOINT_MAX)
        return NM_E_BAD_ENDPOINT;
    for (size_t i = 0; i < len; i++)
        if (endpoint[i] <= ' ' || endpoint[i] > '~')
            return NM_E_BAD_ENDPOINT;
    size_t k = 0, n = sizeof schemes / sizeof schemes[0];
    while (k < n && strncmp(endpoint, schemes[k].prefix, strlen(schemes[k].prefix)) != 0)
        k++;
    if (k == n)
        return NM_E_BAD_ENDPOINT;
    const char *auth = endpoint + strlen(schemes[k].prefix);
    const char *end = endpoint + len;
    const char *slash = memchr(auth, '/', (size_t)(end - auth));
    const char *auth_end = slash ? slash : end;
    if (slash && !schemes[k].path_allowed)
        return NM_E_BAD_ENDPOINT;
    if (slash && !path_valid(slash, (size_t)(end - slash)))
        return NM_E_BAD_ENDPOINT;
    /* Split host and port: the port colon follows "]" for IPv6. */
    const char *host = auth, *host_end, *port = NULL;
    bool host_ok;
    if (*auth == '[') {
        const char *close = memchr(auth, ']', (size_t)(auth_end - auth));
        if (!close)
            return NM_E_BAD_ENDPOINT;
        host_end = close + 1;
        host_ok = ipv6_valid(auth + 1, (size_t)(close - auth - 1));
        if (host_end < auth_end) {
            if (*host_end != ':')
                return NM_E_BAD_ENDPOINT;
            port = host_end + 1;
        }
    } else {
        const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));
        host_end = colon ? colon : auth_end;
        port = colon ? colon + 1 : NULL;
        size_t host_len = (size_t)(host_end - host);
        host_ok = ipv4_valid(host, host_len) || dns_valid(host, host_len);
    }
    if (!host_ok)
        return NM_E_BAD_ENDPOINT;
    if (port ? !number_valid(port, (size_t)(auth_end - port), 65535, false)
             : schemes[k].port_required)
        return NM_E_BAD_ENDPOINT;
    return 0;
}

/* Miners must say where to reach them; validators may not listen at all. */
static int endpoint_check_for(uint8_t role, const char *endpoint)
{
    if (endpoint[0] == '\0')
        return role == NM_ROLE_VALIDATOR ? 0 : NM_E_BAD_ENDPOINT;
    return nm_endpoint_check(endpoint);
}

/* --- storage --- */

static void neuron_entry(struct nm_writer *w, const void *row)
{
    const struct nm_neuron *n = row;
    nm_put_u8(w, NM_TAG_NEURON);
    nm_put_u16(w, n->subnet);
    nm_put_u16(w, n->uid);
    nm_put_raw(w, n->account.b, NM_PUBKEY_LEN);
    nm_put_u8(w, n->role);
    nm_put_str(w, n->endpoint);
    nm_put_u64(w, n->registered_at);
}

#define NEURON_COLUMNS "subnet, uid, account, role, endpoint, registered_at"

static int neuron_read(sqlite3_stmt *st, struct nm_neuron *n)
{
    memset(n, 0, sizeof *n);
    n->subnet = (uint16_t)sqlite3_column_int(st, 0);
    n->uid = (uint16_t)sqlite3_column_int(st, 1);
    n->role = (uint8_t)sqlite3_column_int(st, 3);
    n->registered_at = nm_column_u64(st, 5);
    const unsigned char *endpoint = sqlite3_column_text(st, 4);
    int len = sqlite3_column_bytes(st, 4);
    if (sqlite3_column_bytes(st, 2) != NM_PUBKEY_LEN || !endpoint || len < 0 ||
        len > NM_ENDPOINT_MAX)
        return NM_E_DB;
    memcpy(n->account.b, sqlite3_column_blob(st, 2), NM_PUBKEY_LEN);
    memcpy(n->endpoint, endpoint, (size_t)len);
    n->endpoint[len] = '\0';
    return 0;
}

int nm_registry_find(struct nm_db *db, uint16_t subnet, const nm_account *who,
                     struct nm_neuron *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT " NEURON_COLUMNS " FROM neurons"
                                      " WHERE subnet=?1 AND account=?2");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    sqlite3_bind_blob(st, 2, who->b, NM_PUBKEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st), err;
    if (rc == SQLITE_ROW)
        err = neuron_read(st, out);
    else
        err = rc == SQLITE_DONE ? NM_E_NOT_REGISTERED : NM_E_DB;
    sqlite3_reset(st);
    return err;
}

int nm_registry_counts(struct nm_db *db, uint16_t subnet, uint32_t *miners,
                       uint32_t *validators)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT role, COUNT(*) FROM neurons WHERE subnet=?1"
                                      " GROUP BY role");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    *miners = *validators = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t count = (uint32_t)sqlite3_column_int64(st, 1);
        if (sqlite3_column_int(st, 0) == NM_ROLE_VALIDATOR)
            *validators = count;
        else
            *miners = count;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : NM_E_DB;
}

int nm_registry_uid_end(struct nm_db *db, uint16_t subnet, uint32_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT MAX(uid) FROM neurons WHERE subnet=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_type(st, 0) == SQLITE_NULL
                   ? 0
                   : (uint32_t)sqlite3_column_int(st, 0) + 1;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : NM_E_DB;
}

/* Lowest uid in 0..max_neurons-1 no neuron of subnet holds: 0 if free,
 * else the smallest held uid + 1 that is free. */
static int lowest_free_uid(struct nm_db *db, uint16_t subnet, uint16_t max_neurons,
                           uint16_t *out)
{
    sqlite3_stmt *st = nm_db_stmt(
        db, "SELECT 0 WHERE NOT EXISTS(SELECT 1 FROM neurons WHERE subnet=?1 AND uid=0)"
            " UNION ALL SELECT n.uid+1 FROM neurons n WHERE n.subnet=?1"
            " AND NOT EXISTS(SELECT 1 FROM neurons m WHERE m.subnet=?1 AND m.uid=n.uid+1)"
            " ORDER BY 1 LIMIT 1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_int(st, 1, subnet);
    int rc = sqlite3_step(st);
    int64_t uid = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return NM_E_DB; /* the query always yields a row */
    if (uid >= max_neurons)
        return NM_E_SUBNET_FULL;
    *out = (uint16_t)uid;
    return 0;
}

static void neuron_bind(sqlite3_stmt *st, const void *row, bool whole)
{
    const struct nm_neuron *n = row;
    sqlite3_bind_int(st, 1, n->subnet);
    sqlite3_bind_int(st, 2, n->uid);
    if (!whole)
        return;
    sqlite3_bind_blob(st, 3, n->account.b, NM_PUBKEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, n->role);
    sqlite3_bind_text(st, 5, n->endpoint, -1, SQLITE_STATIC);
    nm_bind_u64(st, 6, n->registered_at);
}

/* Neurons are written with nm_runtime_row_put(rt, &neurons_table, old, n):
 * old is the current row (NULL to insert), n NULL deletes old. */
static const struct nm_state_table neurons_table = {
    .insert_sql = "INSERT INTO neurons(" NEURON_COLUMNS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    .update_sql = "UPDATE neurons SET account=?3, role=?4, endpoint=?5,"
                  " registered_at=?6 WHERE subnet=?1 AND uid=?2",
    .delete_sql = "DELETE FROM neurons WHERE subnet=?1 AND uid=?2",
    .bind = neuron_bind,
    .entry = neuron_entry,
};

/* --- calls --- */

/* Issue 16: victim leaves a full subnet for newcomer (registration.h). */
static int prune_neuron(struct nm_runtime *rt, const struct nm_neuron *victim, uint64_t score,
                        const nm_account *newcomer)
{
    uint64_t amount, unlock_at;
    int err;
    if ((err = nm_staking_unlock_height(rt, &unlock_at)) ||
        (err = nm_staking_unbond_all(rt, &victim->account, victim->subnet, &amount)) ||
        (err = nm_runtime_row_put(rt, &neurons_table, victim, NULL)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    cJSON_AddNumberToObject(ev, "subnet", victim->subnet);
    cJSON_AddNumberToObject(ev, "uid", victim->uid);
    nm_json_add_account(ev, "who", &victim->account);
    nm_json_add_amount(ev, "score", score);
    nm_json_add_account(ev, "replaced_by", newcomer);
    nm_json_add_u64(ev, "unlock_at", unlock_at);
    nm_json_add_amount(ev, "amount", amount);
    return nm_runtime_event(rt, "registry.Pruned", ev);
}

int nm_registry_register(struct nm_runtime *rt, const nm_account *signer,
                         const struct nm_call *c)
{
    uint16_t subnet_id = c->u.reg.subnet;
    uint8_t role = c->u.reg.role;
    uint64_t bonded = c->u.reg.stake, stake, total, needed, score = 0;
    struct nm_neuron n, victim;
    struct nm_reg_state reg;
    bool reg_stored, prune = false;
    struct nm_account_info info;
    struct nm_subnet *subnet = malloc(sizeof *subnet);
    if (!subnet)
        return NM_E_NOMEM;
    int err = nm_subnets_get(rt->db, subnet_id, subnet);
    if (err)
        goto out;
    if (subnet->status != NM_SUBNET_ACTIVE) {
        err = NM_E_SUBNET_RETIRED;
        goto out;
    }
    if (role >= NM_ROLE__COUNT) {
        err = NM_E_BAD_ROLE;
        goto out;
    }
    err = nm_registry_find(rt->db, subnet_id, signer, &n);
    if (err != NM_E_NOT_REGISTERED) {
        err = err ? err : NM_E_ALREADY_REGISTERED;
        goto out;
    }
    if ((err = endpoint_check_for(role, c->u.reg.endpoint)))
        goto out;
    memset(&n, 0, sizeof n);
    err = lowest_free_uid(rt->db, subnet_id, subnet->spec.max_neurons, &n.uid);
    if (err == NM_E_SUBNET_FULL) { /* issue 16: prune instead of refusing */
        if ((err = nm_registration_victim(rt, subnet_id, &victim, &score)))
            goto out;
        n.uid = victim.uid;
        prune = true;
    }
    if (err || (err = nm_balances_get(rt->db, signer, &info)) ||
        (err = nm_staking_get(rt->db, signer, subnet_id, &stake)) ||
        (err = nm_registration_state(rt->db, &rt->params, subnet_id, rt->height, &reg,
                                     &reg_stored)))
        goto out;
    if (!nm_add_u64(bonded, reg.burn, &needed)) {
        err = NM_E_OVERFLOW;
        goto out;
    }
    if (info.free < needed) {
        err = NM_E_INSUFFICIENT_BALANCE;
        goto out;
    }
    if (!nm_add_u64(stake, bonded, &total)) {
        err = NM_E_OVERFLOW;
        goto out;
    }
    if (total < nm_subnet_min_stake(subnet, role)) {
        err = NM_E_BELOW_MINIMUM;
        goto out;
    }
    n.subnet = subnet_id;
    n.account = *signer;
    n.role = role;
    memcpy(n.endpoint, c->u.reg.endpoint, sizeof n.endpoint);
    n.registered_at = rt->height;
    if ((prune && (err = prune_neuron(rt, &victim, score, signer))) ||
        (reg.burn && (err = nm_balances_debit(rt, signer, reg.burn))) ||
        (err = nm_registration_count(rt, &reg, reg_stored)) ||
        (err = nm_staking_bond(rt, signer, subnet_id, bonded)) ||
        (err = nm_runtime_row_put(rt, &neurons_table, NULL, &n)))
        goto out;
    cJSON *ev = cJSON_CreateObject();
    if (!ev) {
        err = NM_E_NOMEM;
        goto out;
    }
    cJSON_AddNumberToObject(ev, "subnet", subnet_id);
    cJSON_AddNumberToObject(ev, "uid", n.uid);
    nm_json_add_account(ev, "who", signer);
    cJSON_AddStringToObject(ev, "role", nm_role_name(role));
    nm_json_add_amount(ev, "stake", total);
    nm_json_add_amount(ev, "bonded", bonded);
    nm_json_add_amount(ev, "burn", reg.burn);
    err = nm_runtime_event(rt, "registry.Registered", ev);
out:
    free(subnet);
    return err;
}

int nm_registry_deregister(struct nm_runtime *rt, const nm_account *signer,
                           const struct nm_call *c)
{
    struct nm_neuron n;
    uint64_t amount, unlock_at;
    int err;
    if ((err = nm_registry_find(rt->db, c->u.deregister.subnet, signer, &n)) ||
        (err = nm_staking_unlock_height(rt, &unlock_at)))
        return err;
    /* The unbond is the only step that can refuse (unlock cap), so it
     * goes first: when it fails nothing has been written. */
    if ((err = nm_staking_unbond_all(rt, signer, n.subnet, &amount)) ||
        (err = nm_runtime_row_put(rt, &neurons_table, &n, NULL)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    cJSON_AddNumberToObject(ev, "subnet", n.subnet);
    cJSON_AddNumberToObject(ev, "uid", n.uid);
    nm_json_add_account(ev, "who", signer);
    nm_json_add_u64(ev, "unlock_at", unlock_at);
    nm_json_add_amount(ev, "amount", amount);
    return nm_runtime_event(rt, "registry.Deregistered", ev);
}

int nm_registry_set_endpoint(struct nm_runtime *rt, const nm_account *signer,
                             const struct nm_call *c)
{
    struct nm_neuron old, n;
    int err = nm_registry_find(rt->db, c->u.set_endpoint.subnet, signer, &old);
    if (err || (err = endpoint_check_for(old.role, c->u.set_endpoint.endpoint)))
        return err;
    if (strcmp(old.endpoint, c->u.set_endpoint.endpoint) == 0)
        return NM_E_NO_CHANGE;
    n = old;
    memcpy(n.endpoint, c->u.set_endpoint.endpoint, sizeof n.endpoint);
    if ((err = nm_runtime_row_put(rt, &neurons_table, &old, &n)))
        return err;
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return NM_E_NOMEM;
    cJSON_AddNumberToObject(ev, "subnet", n.subnet);
    cJSON_AddNumberToObject(ev, "uid", n.uid);
    nm_json_add_account(ev, "who", signer);
    cJSON_AddStringToObject(ev, "endpoint", n.endpoint);
    return nm_runtime_event(rt, "registry.EndpointSet", ev);
}

/* --- views --- */

cJSON *nm_registry_neurons_json(struct nm_db *db, uint16_t subnet, uint64_t offset,
                                uint64_t limit)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT " NEURON_COLUMNS " FROM neurons"
                                      " WHERE subnet=?1 ORDER BY uid LIMIT ?2 OFFSET ?3");
    cJSON *list = cJSON_CreateArray();
    if (!st || !list)
        goto fail;
    sqlite3_bind_int(st, 1, subnet);
    /* SQLite's LIMIT is signed: a negative one means no limit */
    sqlite3_bind_int64(st, 2, limit > INT64_MAX ? -1 : (sqlite3_int64)limit);
    sqlite3_bind_int64(st, 3, offset > INT64_MAX ? INT64_MAX : (sqlite3_int64)offset);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct nm_neuron n;
        uint64_t stake;
        cJSON *item;
        if (neuron_read(st, &n) || nm_staking_get(db, &n.account, subnet, &stake) ||
            !(item = cJSON_CreateObject()))
            break;
        nm_json_append(list, item);
        cJSON_AddNumberToObject(item, "uid", n.uid);
        nm_json_add_account(item, "hotkey", &n.account);
        cJSON_AddStringToObject(item, "role", nm_role_name(n.role) ? nm_role_name(n.role)
                                                                   : "unknown");
        nm_json_add_amount(item, "stake", stake);
        cJSON_AddStringToObject(item, "endpoint", n.endpoint);
        nm_json_add_u64(item, "registered_at", n.registered_at);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        goto fail;
    return list;
fail:
    cJSON_Delete(list);
    return NULL;
}

static int neuron_row_entry(sqlite3_stmt *row, struct nm_writer *w)
{
    struct nm_neuron n;
    int err = neuron_read(row, &n);
    if (!err)
        neuron_entry(w, &n);
    return err;
}

int nm_registry_fold(struct nm_db *db, struct nm_lthash *acc)
{
    int err = nm_runtime_fold_rows(db, "SELECT " NEURON_COLUMNS " FROM neurons",
                                   neuron_row_entry, acc);
    return err ? err : nm_registration_fold(db, acc);
}

int nm_registry_clear_subnet(struct nm_runtime *rt, uint16_t subnet)
{
    int err = nm_runtime_rows_drop(rt, "SELECT " NEURON_COLUMNS " FROM neurons WHERE subnet=?1",
                                   "DELETE FROM neurons WHERE subnet=?1", neuron_row_entry,
                                   subnet, 0, 0);
    return err ? err : nm_registration_clear(rt, subnet);
}
