/* strategy.c - top-k selection and answer combination (see strategy.h). */
#include "api/strategy.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

static const char *const strategy_names[] = {"majority", "weighted", "best", "first"};

int nm_api_strategy_parse(const char *name, enum nm_api_strategy *out)
{
    for (size_t i = 0; name && i < sizeof strategy_names / sizeof *strategy_names; i++)
        if (strcmp(name, strategy_names[i]) == 0) {
            *out = (enum nm_api_strategy)i;
            return 0;
        }
    return NM_E_INVAL;
}

const char *nm_api_strategy_name(enum nm_api_strategy s)
{
    return (unsigned)s < 4 ? strategy_names[s] : "?";
}

static bool ranks_before(const struct nm_api_candidate *a, const struct nm_api_candidate *b)
{
    return a->weight_ppb != b->weight_ppb ? a->weight_ppb > b->weight_ppb : a->uid < b->uid;
}

size_t nm_api_select_top(const struct nm_api_candidate *c, size_t n, size_t k, size_t *idx)
{
    size_t m = 0;
    /* insertion into a sorted list of at most k: k is small (--k-max) */
    for (size_t i = 0; i < n; i++) {
        if (!c[i].healthy)
            continue;
        size_t pos = m;
        while (pos > 0 && ranks_before(&c[i], &c[idx[pos - 1]]))
            pos--;
        if (pos >= k)
            continue;
        size_t last = m < k ? m : k - 1;
        memmove(idx + pos + 1, idx + pos, (last - pos) * sizeof *idx);
        idx[pos] = i;
        if (m < k)
            m++;
    }
    return m;
}

static int cmp_items(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* A deep copy with object members in key order. */
static cJSON *sorted_copy(const cJSON *v)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return cJSON_Duplicate(v, 1);
    size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
    const cJSON **items = calloc(n ? n : 1, sizeof *items);
    cJSON *out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!items || !out)
        goto fail;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) items[i++] = e;
    if (cJSON_IsObject(v))
        qsort(items, n, sizeof *items, cmp_items);
    for (i = 0; i < n; i++) {
        cJSON *c = sorted_copy(items[i]);
        if (!c)
            goto fail;
        if (cJSON_IsObject(v))
            cJSON_AddItemToObject(out, items[i]->string, c);
        else
            cJSON_AddItemToArray(out, c);
    }
    free(items);
    return out;
fail:
    free(items);
    cJSON_Delete(out);
    return NULL;
}

char *nm_api_canonical(const cJSON *v)
{
    cJSON *c = sorted_copy(v);
    char *text = c ? cJSON_PrintUnformatted(c) : NULL;
    cJSON_Delete(c);
    return text;
}

/* Groups of equal outputs: votes and summed weight. */
struct group {
    char *text;
    size_t first; /* index of its first answer */
    uint64_t votes, weight;
};

static int pick_group(struct group *g, size_t ng, bool by_weight)
{
    int best = 0;
    for (size_t i = 1; i < ng; i++) {
        uint64_t a = by_weight ? g[i].weight : g[i].votes;
        uint64_t b = by_weight ? g[best].weight : g[best].votes;
        uint64_t ta = by_weight ? g[i].votes : g[i].weight;
        uint64_t tb = by_weight ? g[best].votes : g[best].weight;
        if (a > b || (a == b && ta > tb))
            best = (int)i;
    }
    return best;
}

static bool all_numbers(const struct nm_api_answer *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].output && !cJSON_IsNumber(a[i].output))
            return false;
    return true;
}

int nm_api_combine(enum nm_api_strategy s, const struct nm_api_answer *a, size_t n,
                   cJSON **result, uint32_t *agreement_ppm, int *chosen)
{
    struct group *g = calloc(n ? n : 1, sizeof *g);
    size_t ng = 0, ok = 0;
    int rc = NM_E_NOMEM, pick = -1;
    uint64_t wsum = 0;
    double acc = 0; /* the weighted average is an API answer, never chain state */
    *result = NULL;
    if (!g)
        return NM_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!a[i].output)
            continue;
        ok++;
        char *t = nm_api_canonical(a[i].output);
        if (!t)
            goto out;
        size_t j = 0;
        while (j < ng && strcmp(g[j].text, t) != 0)
            j++;
        if (j == ng) {
            g[ng].text = t;
            g[ng++].first = i;
        } else {
            free(t);
        }
        g[j].votes++;
        g[j].weight += a[i].weight_ppb;
        wsum += a[i].weight_ppb;
        if (cJSON_IsNumber(a[i].output))
            acc += a[i].output->valuedouble * (double)a[i].weight_ppb;
        if (s == NM_API_BEST && (pick < 0 || a[i].weight_ppb > a[pick].weight_ppb))
            pick = (int)i;
        if (s == NM_API_FIRST && (pick < 0 || a[i].latency_ms < a[pick].latency_ms))
            pick = (int)i;
    }
    if (ok == 0) {
        rc = NM_E_INVAL;
        goto out;
    }
    if (s == NM_API_WEIGHTED && all_numbers(a, n) && wsum > 0) {
        *result = cJSON_CreateNumber(acc / (double)wsum);
        *chosen = -1;
        *agreement_ppm = 0;
        for (size_t j = 0; j < ng; j++)
            if (g[j].votes * 1000000 / ok > *agreement_ppm)
                *agreement_ppm = (uint32_t)(g[j].votes * 1000000 / ok);
        rc = *result ? 0 : NM_E_NOMEM;
        goto out;
    }
    if (s == NM_API_MAJORITY || s == NM_API_WEIGHTED)
        pick = (int)g[pick_group(g, ng, s == NM_API_WEIGHTED)].first;
    char *mine = nm_api_canonical(a[pick].output);
    if (!mine)
        goto out;
    for (size_t j = 0; j < ng; j++)
        if (strcmp(g[j].text, mine) == 0)
            *agreement_ppm = (uint32_t)(g[j].votes * 1000000 / ok);
    free(mine);
    *chosen = pick;
    *result = cJSON_Duplicate(a[pick].output, 1);
    rc = *result ? 0 : NM_E_NOMEM;
out:
    for (size_t j = 0; j < ng; j++)
        free(g[j].text);
    free(g);
    return rc;
}
