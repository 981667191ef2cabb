/* bench_weights.c - CONS-001 storage: bytes per validator of the compact
 * weight-vector encoding (node/pallets/weights_codec.c) for 1000 miners, dense and
 * 10% sparse, beside plain (uid u16, weight u16) pairs, a dense u16 array
 * and the seed's estimate (~1 KB per validator); and the time to load a
 * 100 validators x 1000 miners matrix: decoding alone, and from the node's
 * SQLite through the weights pallet as epoch processing reads it (the seed
 * asks < 100 ms; the aim is < 1 ms). Never fails on time.
 * Usage: bench_weights [VALIDATORS] [MINERS] */
#include "bench/support/bench_util.h"
#include "node/amount.h"
#include "node/pallets/consensus_math.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"
#include "node/pallets/weights_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng = 0x5eed;

enum shape { UNIFORM, SKEWED, SPARSE };
static const char *const shape_names[] = {"dense, uniform scores", "dense, skewed (score^3)",
                                          "10% sparse, uniform"};

/* A normalised vector of m miners: uids/values with zeros left out. */
static size_t make_vector(enum shape shape, uint32_t m, uint16_t *uids, uint32_t *values)
{
    uint64_t *raw = malloc(m * sizeof *raw);
    uint16_t *norm = malloc(m * sizeof *norm);
    for (uint32_t j = 0; j < m; j++) {
        uint64_t x = bench_splitmix(&rng) % 1000 + 1;
        raw[j] = shape == SKEWED ? x * x * x : shape == SPARSE && bench_splitmix(&rng) % 10 ? 0 : x;
    }
    raw[bench_splitmix(&rng) % m] |= 1;
    bench_check("bench_weights", nm_normalize_l1(raw, m, norm), "normalise");
    size_t n = 0;
    for (uint32_t j = 0; j < m; j++)
        if (norm[j]) {
            uids[n] = (uint16_t)j;
            values[n++] = norm[j];
        }
    free(raw);
    free(norm);
    return n;
}

static void sizes(uint32_t m)
{
    enum { SAMPLES = 100 };
    uint16_t *uids = malloc(m * sizeof *uids);
    uint32_t *values = malloc(m * sizeof *values);
    printf("bytes per validator, %u miners (mean of %d vectors summing to 65535):\n", m, SAMPLES);
    printf("  %-26s %10s %10s %12s %12s\n", "vector", "entries", "compact", "(uid,w) u16",
           "dense u16");
    for (int s = 0; s < 3; s++) {
        double bytes = 0, entries = 0;
        for (int i = 0; i < SAMPLES; i++) {
            size_t n = make_vector((enum shape)s, m, uids, values);
            struct nm_writer w;
            nm_writer_init(&w);
            bench_check("bench_weights", nm_wcodec_encode(uids, values, n, &w), "encode");
            bytes += (double)w.len;
            entries += (double)n;
            nm_writer_fini(&w);
        }
        printf("  %-26s %10.1f %10.1f %12.1f %12u\n", shape_names[s], entries / SAMPLES,
               bytes / SAMPLES, 4 * entries / SAMPLES, 2 * m);
    }
    printf("  seed estimate: ~1024 bytes per validator (1000 miners, 16-bit weights)\n");
    free(uids);
    free(values);
}

/* --- loading --- */

struct load_ctx {
    uint16_t *uids;
    uint32_t *values;
    size_t cap, entries;
};

static int load_row(void *ctx, const struct nm_weights_row *row)
{
    struct load_ctx *l = ctx;
    size_t n;
    int err = nm_wcodec_decode(row->data, row->len, l->uids, l->values, l->cap, &n);
    l->entries += n;
    return err;
}

static nm_account account_of(char kind, uint32_t i)
{
    nm_account a;
    memset(a.b, 0x33, sizeof a.b);
    a.b[0] = (uint8_t)kind;
    a.b[1] = (uint8_t)i;
    a.b[2] = (uint8_t)(i >> 8);
    return a;
}

static void load(uint32_t v, uint32_t m)
{
    struct nm_db *db;
    struct nm_runtime rt;
    nm_hash genesis = {{0}};
    bench_check("bench_weights", nm_db_open(":memory:", &db), "open");
    bench_check("bench_weights", nm_runtime_init(&rt, db, &genesis, true), "runtime");
    bench_check("bench_weights", nm_db_begin(db), "begin");
    nm_runtime_begin_block(&rt, 1, 1000);
    bench_check("bench_weights", nm_runtime_param_set(&rt, "weights_rate_limit_blocks", 0), "param");
    /* every validator holds a permit (issue 16), however many there are */
    bench_check("bench_weights", nm_runtime_param_set(&rt, "max_validators", 65535), "param");
    nm_account owner = account_of('o', 0);
    struct nm_subnet_spec *spec = calloc(1, sizeof *spec);
    snprintf(spec->name, sizeof spec->name, "bench");
    spec->max_neurons = 4096;
    uint16_t subnet;
    bench_check("bench_weights", nm_subnets_genesis_create(&rt, &owner, spec, &subnet), "subnet");
    free(spec);
    struct nm_call *call = calloc(1, sizeof *call);
    for (uint32_t i = 0; i < v + m; i++) {
        nm_account a = account_of(i < v ? 'v' : 'm', i);
        bench_check("bench_weights", nm_balances_credit(&rt, &a, NM_UNITS_PER_NMT), "credit");
        memset(call, 0, sizeof *call);
        call->kind = NM_CALL_REGISTER;
        call->u.reg.subnet = subnet;
        call->u.reg.role = i < v ? NM_ROLE_VALIDATOR : NM_ROLE_MINER;
        snprintf(call->u.reg.endpoint, sizeof call->u.reg.endpoint, "grpc://10.0.0.1:1");
        bench_check("bench_weights", nm_registry_register(&rt, &a, call), "register");
    }
    /* Every validator submits a dense vector over all miners (uids v..). */
    uint8_t *pairs = malloc(4 * (size_t)m);
    uint16_t *uids = malloc(m * sizeof *uids);
    uint32_t *values = malloc(m * sizeof *values);
    uint8_t **blobs = calloc(v, sizeof *blobs);
    size_t *lens = calloc(v, sizeof *lens), stored = 0;
    for (uint32_t i = 0; i < v; i++) {
        for (uint32_t j = 0; j < m; j++) {
            uint16_t uid = (uint16_t)(v + j), w = (uint16_t)(bench_splitmix(&rng) % 1000 + 1);
            memcpy(pairs + 4 * j,
                   (uint8_t[]){(uint8_t)uid, (uint8_t)(uid >> 8), (uint8_t)w, (uint8_t)(w >> 8)},
                   4);
        }
        memset(call, 0, sizeof *call);
        call->kind = NM_CALL_WEIGHTS_SUBMIT;
        call->u.weights.subnet = subnet;
        call->u.weights.list = (struct nm_weight_list){m, pairs};
        nm_account a = account_of('v', i);
        bench_check("bench_weights", nm_weights_submit(&rt, &a, call), "submit");
    }
    bench_check("bench_weights", nm_db_commit(db), "commit");
    /* The blobs as stored, for the decode-only timing. */
    sqlite3_stmt *st;
    sqlite3_prepare_v2(nm_db_handle(db), "SELECT data FROM weights", -1, &st, NULL);
    for (uint32_t i = 0; i < v && sqlite3_step(st) == SQLITE_ROW; i++) {
        lens[i] = (size_t)sqlite3_column_bytes(st, 0);
        blobs[i] = malloc(lens[i]);
        memcpy(blobs[i], sqlite3_column_blob(st, 0), lens[i]);
        stored += lens[i];
    }
    sqlite3_finalize(st);
    double best_decode = 1e9, best_sql = 1e9, best_standing = 1e9;
    struct load_ctx l = {uids, values, m, 0};
    for (int rep = 0; rep < 50; rep++) {
        double t0 = bench_now_s();
        size_t total = 0;
        for (uint32_t i = 0; i < v; i++) {
            size_t n;
            bench_check("bench_weights", nm_wcodec_decode(blobs[i], lens[i], uids, values, m, &n), "decode");
            total += n;
        }
        double t1 = bench_now_s();
        l.entries = 0;
        bench_check("bench_weights", nm_weights_bucket_each(db, subnet, 0, load_row, &l), "load");
        double t2 = bench_now_s();
        if (total != l.entries || total < (size_t)v * m / 2)
            bench_check("bench_weights", NM_E_INTERNAL, "entry count");
        /* issue 16: each validator's latest row, as the epoch now reads them */
        size_t bucket_entries = l.entries;
        l.entries = 0;
        bench_check("bench_weights", nm_weights_standing_each(db, subnet, 0, load_row, &l),
                    "standing");
        double t3 = bench_now_s();
        if (l.entries != bucket_entries)
            bench_check("bench_weights", NM_E_INTERNAL, "standing entry count");
        best_decode = t1 - t0 < best_decode ? t1 - t0 : best_decode;
        best_sql = t2 - t1 < best_sql ? t2 - t1 : best_sql;
        best_standing = t3 - t2 < best_standing ? t3 - t2 : best_standing;
    }
    printf("load a %u x %u matrix (%zu bytes stored, %.1f per validator), best of 50:\n", v, m,
           stored, (double)stored / v);
    printf("  decode only:                 %8.3f ms  (%.1f ns per weight)\n", best_decode * 1e3,
           best_decode * 1e9 / ((double)v * m));
    printf("  from SQLite via the pallet:  %8.3f ms  (seed limit 100 ms, aim 1 ms)\n",
           best_sql * 1e3);
    printf("  standing rows (issue 16):    %8.3f ms  (each validator's latest, any bucket)\n",
           best_standing * 1e3);
    for (uint32_t i = 0; i < v; i++)
        free(blobs[i]);
    free(blobs);
    free(lens);
    free(pairs);
    free(uids);
    free(values);
    free(call);
    nm_db_close(db);
}

int main(int argc, char **argv)
{
    uint32_t v = argc > 1 ? (uint32_t)atoi(argv[1]) : 100;
    uint32_t m = argc > 2 ? (uint32_t)atoi(argv[2]) : 1000;
    if (v < 1 || m < 1 || v + m > 4096) {
        fprintf(stderr, "usage: bench_weights [VALIDATORS] [MINERS] (together at most 4096)\n");
        return 2;
    }
    nm_crypto_init();
    sizes(m);
    load(v, m);
    return 0;
}
