/* topology.c - validators on the same network, weighed with their weights'
 * correlation and their timing (see topology.h). */
#include "node/pallets/topology.h"

#include "node/errors.h"

#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

bool nm_topology_network(const char *endpoint, char *key)
{
    key[0] = '\0';
    const char *host = strstr(endpoint, "://");
    host = host ? host + 3 : endpoint;
    size_t n = 0;
    if (host[0] == '[') { /* IPv6: the first three groups */
        int groups = 0;
        while (host[n] && host[n] != ']' && n < NM_TOPOLOGY_KEY_MAX - 1) {
            if (host[n] == ':' && ++groups == 3) {
                n++;
                break;
            }
            n++;
        }
    } else {
        n = strcspn(host, ":/");
        int dots = 0;
        bool digits = n > 0;
        for (size_t i = 0; i < n; i++) {
            dots += host[i] == '.';
            digits = digits && (host[i] == '.' || (host[i] >= '0' && host[i] <= '9'));
        }
        if (digits && dots == 3) /* IPv4: its /24 */
            n = (size_t)(strrchr(host, '.') - host) + 1;
    }
    if (n == 0 || n >= NM_TOPOLOGY_KEY_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        key[i] = host[i] >= 'A' && host[i] <= 'Z' ? (char)(host[i] - 'A' + 'a') : host[i];
    key[n] = '\0';
    return true;
}

/* dev[j] = row's weight of miner j in ppb minus W_global's (rows sum to
 * 65535, so a weight is w x 10^9 / 65535). */
static int deviation(const struct nm_topology_input *in, const struct nm_wrow *row,
                     const int32_t *column, int64_t *dev)
{
    for (uint32_t j = 0; j < in->miner_count; j++)
        dev[j] = -(int64_t)in->global[in->miners[j]];
    for (uint32_t i = 0; i < row->n; i++) {
        uint32_t uid = row->uids ? row->uids[i] : i;
        if (uid >= in->width)
            return NM_E_INVAL;
        if (column[uid] >= 0)
            dev[column[uid]] += (int64_t)row->w[i] * 1000000000 / 65535;
    }
    return 0;
}

/* Pearson correlation of two deviations over m entries, ppb (0 when one
 * is constant). Entries are below 2^31 in magnitude: sums of products fit
 * an i128 for any m < 2^32. */
static int64_t correlation(const int64_t *x, const int64_t *y, uint32_t m)
{
    i128 sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (uint32_t j = 0; j < m; j++) {
        sx += x[j];
        sy += y[j];
        sxx += (i128)x[j] * x[j];
        syy += (i128)y[j] * y[j];
        sxy += (i128)x[j] * y[j];
    }
    i128 vx = (i128)m * sxx - sx * sx, vy = (i128)m * syy - sy * sy;
    if (vx <= 0 || vy <= 0)
        return 0;
    /* Scale each variance down to 64 bits before the product's root. */
    unsigned shift = 0;
    while ((vx >> shift) > (i128)UINT64_MAX || (vy >> shift) > (i128)UINT64_MAX)
        shift++;
    uint64_t rx = nm_isqrt_u64((uint64_t)(vx >> shift)), ry = nm_isqrt_u64((uint64_t)(vy >> shift));
    if (!rx || !ry)
        return 0;
    i128 num = ((i128)m * sxy - sx * sy) >> shift; /* same scale as rx x ry */
    i128 c = num * 1000000000 / ((i128)rx * ry);
    return c > 1000000000 ? 1000000000 : c < -1000000000 ? -1000000000 : (int64_t)c;
}

static void link(struct nm_collusion_finding *f, int32_t partner, int64_t score)
{
    bool only = (f->kinds & ~NM_COLL_TOPOLOGY) == 0;
    if (only && (!(f->kinds & NM_COLL_TOPOLOGY) || score > f->score)) {
        f->partner = partner;
        f->score = score;
    }
    f->kinds |= NM_COLL_TOPOLOGY;
}

long nm_topology_links(const struct nm_topology_params *p, const struct nm_topology_input *in,
                       struct nm_collusion_finding *out)
{
    if (!p->threshold_ppb || in->miner_count < 2)
        return 0;
    /* The significance floor: 3 standard deviations of independent noise. */
    uint64_t floor = 3000000000ULL / nm_isqrt_u64(in->miner_count);
    int64_t threshold = (int64_t)(p->threshold_ppb > floor ? p->threshold_ppb : floor);
    int32_t *column = malloc(((size_t)in->width + 1) * sizeof *column);
    int64_t *dx = malloc(((size_t)in->miner_count + 1) * sizeof *dx);
    int64_t *dy = malloc(((size_t)in->miner_count + 1) * sizeof *dy);
    long linked = NM_E_NOMEM;
    uint32_t examined = 0;
    if (!column || !dx || !dy)
        goto out;
    for (uint32_t u = 0; u < in->width; u++)
        column[u] = -1;
    for (uint32_t j = 0; j < in->miner_count; j++)
        if (in->miners[j] < in->width)
            column[in->miners[j]] = (int32_t)j;
    linked = 0;
    for (uint32_t u = 0; u < in->validators && examined < p->max_pairs; u++) {
        if (!in->rows[u].n || !in->network[u][0])
            continue;
        bool have_x = false;
        for (uint32_t v = u + 1; v < in->validators && examined < p->max_pairs; v++) {
            if (!in->rows[v].n || strcmp(in->network[u], in->network[v]) != 0)
                continue;
            uint64_t tu = in->submitted_at[u], tv = in->submitted_at[v];
            if ((tu > tv ? tu - tv : tv - tu) > p->window_blocks)
                continue;
            examined++;
            int err = 0;
            if (!have_x && !(err = deviation(in, &in->rows[u], column, dx)))
                have_x = true;
            if (err || (err = deviation(in, &in->rows[v], column, dy))) {
                linked = err;
                goto out;
            }
            int64_t c = correlation(dx, dy, in->miner_count);
            if (c < threshold)
                continue;
            link(&out[u], (int32_t)v, c);
            link(&out[v], (int32_t)u, c);
            linked++;
        }
    }
out:
    free(column);
    free(dx);
    free(dy);
    return linked;
}
