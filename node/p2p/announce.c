/* announce.c - signed miner/validator endpoint announcements (announce.h). */
#include "node/p2p/announce.h"

#include "node/call.h"
#include "node/errors.h"
#include "node/pallets/registry.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGN_PREFIX "neuromesh-announce:"

char *nm_announce_topic(uint16_t subnet, uint8_t role, char *out, size_t cap)
{
    const char *r = nm_role_name(role);
    snprintf(out, cap, NM_ANNOUNCE_TOPIC_PREFIX "%u/%ss", (unsigned)subnet, r ? r : "unknown");
    return out;
}

static size_t signing_bytes(const struct nm_announcement *a, uint8_t *out)
{
    size_t n = sizeof SIGN_PREFIX - 1;
    memcpy(out, SIGN_PREFIX, n);
    memcpy(out + n, a->genesis.b, NM_HASH_LEN);
    n += NM_HASH_LEN;
    out[n++] = (uint8_t)(a->subnet & 0xff);
    out[n++] = (uint8_t)(a->subnet >> 8);
    out[n++] = a->role;
    for (int i = 0; i < 8; i++)
        out[n++] = (uint8_t)(a->at >> (8 * i));
    size_t e = strnlen(a->endpoint, NM_ANNOUNCE_ENDPOINT_MAX);
    memcpy(out + n, a->endpoint, e);
    return n + e;
}

#define SIGNING_MAX (sizeof SIGN_PREFIX + NM_HASH_LEN + 11 + NM_ANNOUNCE_ENDPOINT_MAX)

void nm_announce_sign(struct nm_announcement *a, const struct nm_keypair *hotkey)
{
    uint8_t msg[SIGNING_MAX];
    a->hotkey = hotkey->pub;
    nm_sign(hotkey, msg, signing_bytes(a, msg), a->sig);
}

cJSON *nm_announce_to_object(const struct nm_announcement *a)
{
    char genesis[NM_HASH_HEXLEN], hotkey[NM_SS58_STRLEN], sig[2 * NM_SIG_LEN + 3];
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "genesis", nm_hash_hex(&a->genesis, genesis));
    cJSON_AddNumberToObject(o, "subnet", a->subnet);
    cJSON_AddStringToObject(o, "role", nm_role_name(a->role) ? nm_role_name(a->role) : "");
    cJSON_AddStringToObject(o, "hotkey", nm_ss58_encode(&a->hotkey, hotkey));
    cJSON_AddStringToObject(o, "endpoint", a->endpoint);
    cJSON_AddNumberToObject(o, "at", (double)a->at);
    cJSON_AddStringToObject(o, "sig", nm_hex_encode(a->sig, NM_SIG_LEN, sig, sizeof sig));
    return o;
}

char *nm_announce_to_json(const struct nm_announcement *a)
{
    cJSON *o = nm_announce_to_object(a);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return text;
}

static const char *str_of(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* A whole number in 0..max, or -1. */
static double whole_of(const cJSON *o, const char *k, double max)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return -1;
    return v->valuedouble;
}

int nm_announce_from_object(const cJSON *o, struct nm_announcement *a)
{
    memset(a, 0, sizeof *a);
    const char *genesis = str_of(o, "genesis"), *role = str_of(o, "role");
    const char *hotkey = str_of(o, "hotkey"), *endpoint = str_of(o, "endpoint");
    const char *sig = str_of(o, "sig");
    double subnet = whole_of(o, "subnet", 65535), at = whole_of(o, "at", 9007199254740991.0);
    if (!cJSON_IsObject(o) || !genesis || !role || !hotkey || !endpoint || !sig || subnet < 0 ||
        at < 0 || nm_role_parse(role) < 0)
        return NM_E_DECODE;
    a->subnet = (uint16_t)subnet;
    a->at = (uint64_t)at;
    a->role = (uint8_t)nm_role_parse(role);
    int rc;
    if ((rc = nm_hash_from_hex(genesis, &a->genesis)) ||
        (rc = nm_hex_decode(sig, a->sig, NM_SIG_LEN, NM_SIG_LEN, NULL)) ||
        (rc = nm_ss58_decode(hotkey, &a->hotkey)))
        return rc;
    if (nm_endpoint_check(endpoint))
        return NM_E_BAD_ENDPOINT;
    snprintf(a->endpoint, sizeof a->endpoint, "%s", endpoint);
    return 0;
}

int nm_announce_parse(const char *json, size_t len, struct nm_announcement *a)
{
    cJSON *o = cJSON_ParseWithLength(json, len);
    int rc = o ? nm_announce_from_object(o, a) : NM_E_DECODE;
    cJSON_Delete(o);
    return rc;
}

int nm_announce_check(struct nm_db *db, const nm_hash *genesis, uint64_t best,
                      const struct nm_announcement *a, uint16_t *uid)
{
    if (!nm_hash_eq(&a->genesis, genesis))
        return NM_E_WRONG_CHAIN;
    uint8_t msg[SIGNING_MAX];
    if (!nm_verify(&a->hotkey, msg, signing_bytes(a, msg), a->sig))
        return NM_E_BAD_SIGNATURE;
    if (a->at > best + 2)
        return NM_E_ANNOUNCE_EARLY;
    if (a->at + NM_ANNOUNCE_STALE < best)
        return NM_E_ANNOUNCE_STALE;
    struct nm_neuron n;
    int rc = nm_registry_find(db, a->subnet, &a->hotkey, &n);
    if (rc)
        return rc; /* NM_E_NOT_REGISTERED, or the database's */
    if (n.role != a->role)
        return NM_E_ANNOUNCE_ROLE;
    *uid = n.uid;
    return 0;
}

void nm_announce_book_put(struct nm_announce_book *b, const struct nm_announcement *a,
                          uint16_t uid, uint64_t now_ms, const struct nm_peer_id *via)
{
    struct nm_announce_entry *slot = NULL;
    for (int i = 0; i < NM_ANNOUNCE_BOOK && !slot; i++) {
        struct nm_announce_entry *e = &b->e[i];
        if (e->used && e->a.subnet == a->subnet && nm_account_eq(&e->a.hotkey, &a->hotkey)) {
            if (e->a.at > a->at)
                return; /* we hold a newer one */
            slot = e;
        }
    }
    for (int i = 0; i < NM_ANNOUNCE_BOOK && !slot; i++)
        if (!b->e[i].used)
            slot = &b->e[i];
    if (!slot) { /* full: forget the oldest */
        slot = &b->e[0];
        for (int i = 1; i < NM_ANNOUNCE_BOOK; i++)
            if (b->e[i].received_ms < slot->received_ms)
                slot = &b->e[i];
    }
    *slot = (struct nm_announce_entry){
        .used = true, .a = *a, .uid = uid, .received_ms = now_ms, .via = *via};
}

static int by_uid(const void *x, const void *y)
{
    const struct nm_announce_entry *const *a = x, *const *b = y;
    if ((*a)->a.subnet != (*b)->a.subnet)
        return (*a)->a.subnet < (*b)->a.subnet ? -1 : 1;
    return (*a)->uid < (*b)->uid ? -1 : (*a)->uid > (*b)->uid;
}

cJSON *nm_announce_book_json(const struct nm_announce_book *b, int subnet, uint64_t now_ms)
{
    const struct nm_announce_entry *list[NM_ANNOUNCE_BOOK];
    size_t n = 0;
    for (int i = 0; i < NM_ANNOUNCE_BOOK; i++)
        if (b->e[i].used && (subnet < 0 || b->e[i].a.subnet == subnet))
            list[n++] = &b->e[i];
    qsort(list, n, sizeof list[0], by_uid);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < n; i++) {
        char id[NM_PEER_ID_STRLEN], hk[NM_SS58_STRLEN];
        cJSON *o = cJSON_CreateObject();
        if (!o)
            break;
        cJSON_AddNumberToObject(o, "subnet", list[i]->a.subnet);
        cJSON_AddNumberToObject(o, "uid", list[i]->uid);
        cJSON_AddStringToObject(o, "role", nm_role_name(list[i]->a.role));
        cJSON_AddStringToObject(o, "hotkey", nm_ss58_encode(&list[i]->a.hotkey, hk));
        cJSON_AddStringToObject(o, "endpoint", list[i]->a.endpoint);
        cJSON_AddNumberToObject(o, "at", (double)list[i]->a.at);
        cJSON_AddNumberToObject(o, "ageMs", (double)(now_ms - list[i]->received_ms));
        cJSON_AddStringToObject(o, "via", nm_peer_id_to_string(&list[i]->via, id));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int nm_announce_fill_endpoints(cJSON *neurons, const cJSON *heard)
{
    int filled = 0;
    cJSON *n;
    cJSON_ArrayForEach(n, neurons)
    {
        const char *hk = str_of(n, "hotkey"), *ep = str_of(n, "endpoint");
        if (!hk)
            continue;
        const cJSON *a;
        cJSON_ArrayForEach(a, heard)
        {
            const char *ahk = str_of(a, "hotkey"), *role = str_of(a, "role");
            const char *aep = str_of(a, "endpoint");
            if (!ahk || !role || !aep || strcmp(ahk, hk) || strcmp(role, "miner"))
                continue;
            if (!ep || strcmp(ep, aep) != 0) { /* signed by the hotkey, at most 100 blocks old */
                cJSON_DeleteItemFromObjectCaseSensitive(n, "endpoint");
                cJSON_AddStringToObject(n, "endpoint", aep);
                filled++;
            }
            break;
        }
    }
    return filled;
}
