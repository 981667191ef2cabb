/* dashboard_cache.c - the dashboard's model (see dashboard_cache.h): JSON
 * from the node turned into plain structs, read defensively (a missing or
 * odd field leaves a zero, never a crash). */
#include "console/dashboard/dashboard_cache.h"

#include "console/commands/jget.h"
#include "console/dashboard/dashboard_fmt.h"
#include "node/amount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nm_series_push(struct nm_series *s, double v)
{
    s->v[s->head] = v;
    s->head = (s->head + 1) % NM_SERIES_MAX;
    if (s->n < NM_SERIES_MAX)
        s->n++;
}

double nm_series_at(const struct nm_series *s, int i)
{
    if (i < 0 || i >= s->n)
        return 0;
    int oldest = (s->head + NM_SERIES_MAX - s->n) % NM_SERIES_MAX;
    return s->v[(oldest + i) % NM_SERIES_MAX];
}

void nm_cache_init(struct nm_cache *c)
{
    memset(c, 0, sizeof *c);
    c->link = NM_LINK_CONNECTING;
    c->alloc = calloc;
}

void nm_cache_fini(struct nm_cache *c)
{
    free(c->subnets);
    free(c->neurons);
    free(c->peer_rows);
    free(c->auth_rows);
    cJSON_Delete(c->gov_overview);
    nm_names_fini(&c->names);
    nm_roles_view_fini(&c->roles);
    memset(c, 0, sizeof *c);
}

void nm_cache_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
    /* Text from the node never carries control characters to the screen. */
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

/* A string value for the screen (its text, "" when not a string). */
static void text_of(char *dst, size_t cap, const cJSON *v)
{
    nm_cache_text(dst, cap, cJSON_IsString(v) ? v->valuestring : "");
}

static void copy_str(char *dst, size_t cap, const cJSON *o, const char *name)
{
    text_of(dst, cap, nm_jget(o, name));
}

/* Another chain behind the same address: nothing cached describes it.
 * The link state, the signer and the allocator stay. */
static void reset_for_new_chain(struct nm_cache *c, const char *genesis)
{
    struct nm_cache keep = *c;
    free(c->subnets);
    free(c->neurons);
    free(c->peer_rows);
    free(c->auth_rows);
    cJSON_Delete(c->gov_overview);
    nm_names_fini(&c->names); /* reloaded for the new chain (dev names or not) */
    nm_roles_view_fini(&c->roles);
    memset(c, 0, sizeof *c);
    c->show_addresses = keep.show_addresses;
    c->link = keep.link;
    memcpy(c->link_msg, keep.link_msg, sizeof c->link_msg);
    memcpy(c->signer, keep.signer, sizeof c->signer);
    memcpy(c->signer_address, keep.signer_address, sizeof c->signer_address);
    memcpy(c->latency_source, keep.latency_source, sizeof c->latency_source);
    c->alloc = keep.alloc;
    c->alloc_failures = keep.alloc_failures;
    memcpy(c->old_genesis, keep.genesis, sizeof c->old_genesis);
    snprintf(c->genesis, sizeof c->genesis, "%s", genesis);
}

/* The node's one epoch shape (node/epoch.h: epoch_info, epoch_update and
 * chain_info all carry it): the counter kept in state, tempo, first and
 * last block. Epoch progress comes from start/end, never height % tempo,
 * which is wrong once governance has changed the tempo. */
static void take_epoch(struct nm_cache *c, const cJSON *j)
{
    uint64_t v;
    if (nm_jget_has_u64(j, "epoch", &v))
        c->epoch = v;
    if (nm_jget_has_u64(j, "tempo", &v))
        c->tempo = v;
    if (nm_jget_has_u64(j, "start", &v) && nm_jget_has_u64(j, "end", &c->epoch_end)) {
        c->epoch_start = v;
        c->have_epoch = true;
    }
}

static unsigned apply_chain(struct nm_cache *c, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return 0;
    unsigned changed = 0;
    char genesis[sizeof c->genesis];
    copy_str(genesis, sizeof genesis, j, "genesis_hash");
    if (genesis[0] && c->genesis[0] && strcmp(genesis, c->genesis) != 0) {
        reset_for_new_chain(c, genesis);
        changed = NM_DIRTY_ALL | NM_DIRTY_NEW_CHAIN;
    } else if (genesis[0]) {
        memcpy(c->genesis, genesis, sizeof c->genesis);
    }
    c->have_chain = true;
    copy_str(c->chain_name, sizeof c->chain_name, j, "name");
    c->dev = cJSON_IsTrue(nm_jget(j, "dev"));
    uint64_t v;
    if (nm_jget_has_u64(j, "height", &v) && v >= c->height)
        c->height = v;
    if (nm_jget_has_u64(j, "finalized", &v))
        c->finalized = v;
    take_epoch(c, j);
    if (nm_jget_has_u64(j, "block_time_ms", &v))
        c->block_time_ms = v;
    if (nm_jget_has_u64(j, "pending", &v))
        c->pending = v;
    return changed | NM_DIRTY_OVERVIEW | NM_DIRTY_STATUS;
}

/* bft_state: where consensus stands; on a BFT chain only final blocks are
 * stored, so its finalized height is the node's best. */
static unsigned apply_bft(struct nm_cache *c, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return 0;
    uint64_t v;
    c->have_bft = true;
    c->bft_chain = strcmp(nm_jget_str(j, "finality"), "bft") == 0;
    c->bft_running = cJSON_IsTrue(nm_jget(j, "running"));
    if (nm_jget_has_u64(j, "height", &v))
        c->bft_height = v;
    c->bft_round = nm_jget_u64(j, "round");
    text_of(c->bft_step, sizeof c->bft_step, nm_jget(j, "step"));
    c->bft_self = c->bft_running && nm_jget_has_u64(j, "self", &v) && v < 1u << 20 ? (int)v : -1;
    if (nm_jget_has_u64(j, "finalizedHeight", &v) && v >= c->finalized)
        c->finalized = v;
    c->bft_authorities = c->bft_online = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, nm_jget(j, "authorities")) {
        c->bft_authorities++;
        c->bft_online += cJSON_IsTrue(nm_jget(a, "online"));
    }
    nm_cache_apply_bft_seen(c, j);
    return NM_DIRTY_OVERVIEW | NM_DIRTY_BFT;
}

static unsigned apply_head(struct nm_cache *c, const cJSON *j)
{
    uint64_t h = 0, ts = 0, epoch;
    if (!nm_jget_has_u64(j, "height", &h))
        nm_jget_has_u64(j, "number", &h);
    if (h < c->height)
        return 0; /* an old head after a reconnect */
    c->height = h;
    if (nm_jget_has_u64(j, "epoch", &epoch))
        c->epoch = epoch;
    /* With one authority every block is final when made (docs/rpc.md);
     * chain_info corrects this when finality lags. */
    if (c->finalized + 1 == h || c->finalized == 0)
        c->finalized = h;
    if (nm_jget_has_u64(j, "timestamp", &ts)) {
        if (c->last_head_ts_ms && ts > c->last_head_ts_ms && h == c->last_head_height + 1)
            nm_series_push(&c->block_times_ms, (double)(ts - c->last_head_ts_ms));
        c->last_head_ts_ms = ts;
    }
    c->last_head_height = h;
    return NM_DIRTY_OVERVIEW | NM_DIRTY_STATUS;
}

static unsigned apply_epoch(struct nm_cache *c, const cJSON *j)
{
    if (!cJSON_IsObject(j))
        return 0;
    take_epoch(c, j);
    return NM_DIRTY_OVERVIEW;
}

static unsigned apply_subnets(struct nm_cache *c, const cJSON *j)
{
    int n = cJSON_GetArraySize(j);
    struct nm_subnet_row *rows = n > 0 ? c->alloc((size_t)n, sizeof *rows) : NULL;
    if (n > 0 && !rows) {
        c->alloc_failures++;
        return 0;
    }
    size_t k = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, j)
    {
        if (!cJSON_IsObject(s) || k >= (size_t)n)
            continue;
        struct nm_subnet_row *r = &rows[k++];
        r->id = (int)nm_jget_u64(s, "id");
        copy_str(r->name, sizeof r->name, s, "name");
        copy_str(r->task, sizeof r->task, s, "task");
        copy_str(r->status, sizeof r->status, s, "status");
        copy_str(r->owner, sizeof r->owner, s, "owner");
        r->emission_weight = (int)nm_jget_u64(s, "emission_weight");
        r->miners = (int)nm_jget_u64(s, "miners");
        r->validators = (int)nm_jget_u64(s, "validators");
        r->max_neurons = (int)nm_jget_u64(s, "max_neurons");
        r->min_stake_miner = nm_jget_u64(s, "min_stake_miner");
        r->min_stake_validator = nm_jget_u64(s, "min_stake_validator");
        r->created_at = nm_jget_u64(s, "created_at");
    }
    bool same = k == c->nsubnets && (k == 0 || memcmp(rows, c->subnets, k * sizeof *rows) == 0);
    if (same) {
        free(rows);
        return 0;
    }
    free(c->subnets);
    c->subnets = rows;
    c->nsubnets = k;
    return NM_DIRTY_SUBNETS | NM_DIRTY_OVERVIEW;
}

/* One pass over the neuron's fields (a metagraph has thousands of them,
 * so no lookup per field). */
static void read_neuron(const cJSON *o, struct nm_neuron *n, unsigned *fields)
{
    uint64_t u;
    for (const cJSON *v = o->child; v; v = v->next) {
        const char *k = v->string;
        if (!k)
            continue;
        switch (k[0]) {
        case 'u':
            if (!strcmp(k, "uid") && nm_jget_u64_parse(v, &u))
                n->uid = (int)u;
            break;
        case 'h':
            if (!strcmp(k, "hotkey"))
                text_of(n->hotkey, sizeof n->hotkey, v);
            break;
        case 'r':
            if (!strcmp(k, "role"))
                text_of(n->role, sizeof n->role, v);
            else if (!strcmp(k, "registered_at") && nm_jget_u64_parse(v, &u))
                n->registered_at = u;
            else if (!strcmp(k, "reputation") && nm_jget_number_parse(v, &n->reputation))
                n->has |= NM_NF_REPUTATION;
            else if (!strcmp(k, "reward") && cJSON_IsString(v)) {
                if (nm_units_parse(v->valuestring, &u) == 0)
                    n->reward = u;
                n->has |= NM_NF_REWARD;
            }
            break;
        case 's':
            if (!strcmp(k, "stake") && cJSON_IsString(v) &&
                nm_units_parse(v->valuestring, &u) == 0)
                n->stake = u;
            else if (!strcmp(k, "similarity") && nm_jget_number_parse(v, &n->similarity))
                n->has |= NM_NF_SIMILARITY;
            break;
        case 'e':
            if (!strcmp(k, "endpoint"))
                text_of(n->endpoint, sizeof n->endpoint, v);
            break;
        case 'w':
            if (!strcmp(k, "weight") && nm_jget_number_parse(v, &n->weight))
                n->has |= NM_NF_WEIGHT;
            else if (!strcmp(k, "weights_age")) {
                n->weights_age = nm_jget_u64_parse(v, &u) ? (int64_t)u : -1;
                n->has |= NM_NF_WEIGHTS_AGE;
            } else if (!strcmp(k, "weights_stale_at") && nm_jget_u64_parse(v, &u))
                n->weights_stale_at = u;
            else if (!strcmp(k, "weights_stale"))
                n->weights_stale = cJSON_IsTrue(v);
            break;
        case 'i':
            if (!strcmp(k, "incentive") && nm_jget_number_parse(v, &n->incentive))
                n->has |= NM_NF_INCENTIVE;
            break;
        case 't':
            if (!strcmp(k, "trust") && nm_jget_number_parse(v, &n->trust))
                n->has |= NM_NF_TRUST;
            break;
        case 'o':
            if (!strcmp(k, "outlier") && cJSON_IsBool(v)) {
                n->outlier = cJSON_IsTrue(v);
                n->has |= NM_NF_OUTLIER;
            }
            break;
        case 'c':
            if ((!strcmp(k, "collusion") || !strcmp(k, "colluding")) && cJSON_IsBool(v)) {
                n->collusion = cJSON_IsTrue(v);
                n->has |= NM_NF_COLLUSION;
            } else if (!strcmp(k, "collusion_confirmed") && cJSON_IsBool(v)) {
                n->collusion_confirmed = cJSON_IsTrue(v);
            } else if (!strcmp(k, "cluster") && cJSON_IsNumber(v)) {
                n->collusion = n->collusion || v->valuedouble > 0;
                n->has |= NM_NF_COLLUSION;
            }
            break;
        default: break;
        }
    }
    *fields |= n->has;
}

static unsigned apply_neurons(struct nm_cache *c, const struct nm_dq_msg *m)
{
    const cJSON *list = nm_jget(m->json, "neurons");
    int n = cJSON_GetArraySize(list);
    struct nm_neuron *rows = n > 0 ? c->alloc((size_t)n, sizeof *rows) : NULL;
    if (n > 0 && !rows) {
        c->alloc_failures++;
        return 0;
    }
    size_t k = 0;
    unsigned fields = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, list)
    {
        if (cJSON_IsObject(o) && k < (size_t)n)
            read_neuron(o, &rows[k++], &fields);
    }
    int subnet = (int)m->num;
    bool same = subnet == c->mg_subnet && k == c->nneurons && fields == c->neuron_fields &&
                (k == 0 || memcmp(rows, c->neurons, k * sizeof *rows) == 0);
    if (same) {
        free(rows);
        return 0;
    }
    free(c->neurons);
    c->neurons = rows;
    c->nneurons = k;
    c->neuron_fields = fields;
    c->mg_subnet = subnet;
    return NM_DIRTY_METAGRAPH;
}

static unsigned apply_latency(struct nm_cache *c, const cJSON *j)
{
    double p50, p95, p99, calls = 1;
    if (!nm_jget_has_number(j, "p50_us", &p50) || !nm_jget_has_number(j, "p95_us", &p95) ||
        !nm_jget_has_number(j, "p99_us", &p99))
        return 0;
    nm_jget_has_number(j, "calls", &calls);
    const cJSON *src = nm_jget(j, "source");
    /* An idle second of the node's own window says nothing: keep the line. */
    if (calls <= 0)
        return 0;
    snprintf(c->latency_source, sizeof c->latency_source, "%s",
             cJSON_IsString(src) ? src->valuestring : "");
    nm_series_push(&c->lat_p50, p50);
    nm_series_push(&c->lat_p95, p95);
    nm_series_push(&c->lat_p99, p99);
    return NM_DIRTY_OVERVIEW;
}

static unsigned apply_proposals(struct nm_cache *c, const struct nm_dq_msg *m)
{
    if (m->status != 0 || !m->json) {
        if (c->gov == NM_GOV_UNAVAILABLE)
            return 0;
        c->gov = NM_GOV_UNAVAILABLE;
        return NM_DIRTY_GOVERNANCE;
    }
    if (c->gov == NM_GOV_OK && c->gov_overview && cJSON_Compare(c->gov_overview, m->json, 1))
        return 0;
    cJSON *copy = cJSON_Duplicate(m->json, 1);
    if (!copy) {
        c->alloc_failures++;
        return 0;
    }
    cJSON_Delete(c->gov_overview);
    c->gov_overview = copy;
    c->gov = NM_GOV_OK;
    int open = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, nm_jget(copy, "proposals"))
    {
        const cJSON *st = nm_jget(p, "status");
        if (!cJSON_IsString(st) || strcmp(st->valuestring, "voting") == 0 ||
            strcmp(st->valuestring, "open") == 0 || strcmp(st->valuestring, "review") == 0)
            open++;
    }
    c->open_proposals = open;
    return NM_DIRTY_GOVERNANCE;
}

unsigned nm_cache_apply(struct nm_cache *c, const struct nm_dq_msg *m)
{
    switch (m->kind) {
    case NM_DQ_LINK: {
        enum nm_link_state st = (enum nm_link_state)m->status;
        char msg[sizeof c->link_msg];
        snprintf(msg, sizeof msg, "%s", m->text ? m->text : "");
        if (st == c->link && strcmp(msg, c->link_msg) == 0)
            return 0;
        c->link = st;
        memcpy(c->link_msg, msg, sizeof msg);
        return NM_DIRTY_STATUS | NM_DIRTY_OVERVIEW | NM_DIRTY_LOG;
    }
    case NM_DQ_CHAIN: return apply_chain(c, m->json);
    case NM_DQ_HEAD: return apply_head(c, m->json);
    case NM_DQ_HEALTH: {
        uint64_t peers = nm_jget_u64(m->json, "peers");
        bool syncing = cJSON_IsTrue(nm_jget(m->json, "isSyncing"));
        if (c->have_health && (int)peers == c->peers && syncing == c->syncing)
            return 0;
        c->have_health = true;
        c->peers = (int)peers;
        c->syncing = syncing;
        return NM_DIRTY_OVERVIEW;
    }
    case NM_DQ_SUBNETS: return apply_subnets(c, m->json);
    case NM_DQ_NEURONS: return apply_neurons(c, m);
    case NM_DQ_PEERS: return nm_cache_apply_peers(c, m->json);
    case NM_DQ_EPOCH: return apply_epoch(c, m->json);
    case NM_DQ_LATENCY: return apply_latency(c, m->json);
    case NM_DQ_PROPOSALS: return apply_proposals(c, m);
    case NM_DQ_BFT: return apply_bft(c, m->json);
    case NM_DQ_BFT_SET: return nm_cache_apply_bft_set(c, m->json);
    case NM_DQ_EVENTS:
        c->events_seen += (uint64_t)cJSON_GetArraySize(nm_jget(m->json, "events"));
        return NM_DIRTY_LOG | NM_DIRTY_OVERVIEW;
    case NM_DQ_SIGNER: {
        snprintf(c->signer, sizeof c->signer, "%s", m->text ? m->text : "");
        copy_str(c->signer_address, sizeof c->signer_address, m->json, "address");
        return NM_DIRTY_STATUS | NM_DIRTY_GOVERNANCE;
    }
    case NM_DQ_API:
    case NM_DQ_API_MINERS:
    case NM_DQ_VALIDATOR: return nm_roles_view_apply(&c->roles, m) ? NM_DIRTY_ROLES : 0;
    default: return 0;
    }
}

const struct nm_subnet_row *nm_cache_subnet(const struct nm_cache *c, int id)
{
    for (size_t i = 0; i < c->nsubnets; i++)
        if (c->subnets[i].id == id)
            return &c->subnets[i];
    return NULL;
}

bool nm_cache_epoch_progress(const struct nm_cache *c, uint64_t *into, uint64_t *len)
{
    if (c->tempo == 0 || !c->have_chain)
        return false;
    *len = c->tempo;
    if (c->have_epoch && c->height >= c->epoch_start && c->epoch_end >= c->epoch_start &&
        c->height <= c->epoch_end) {
        *len = c->epoch_end - c->epoch_start + 1;
        *into = c->height - c->epoch_start;
        return true;
    }
    *into = c->height % c->tempo;
    return true;
}
