/* sim_consensus.c - the consensus simulator (CONS-004): runs the real
 * runtime and pallets (weights, consensus, emissions) on an in-memory
 * chain for many epochs with four kinds of validators and prints
 * reputation and reward per kind, collusion detection rates and the false
 * positive rate on honest validators, against the targets of the issue:
 * FPR < 1% on honest validators, copiers and cartel members confirmed
 * within 3 epochs at >= 95%, copiers earning less than honest validators.
 *
 *   honest   truth + a steady personal bias + fresh noise, every epoch
 *   lazy     half random weights each epoch, half one stale vector
 *   copier   half copy one honest validator's latest visible weights,
 *            half the latest visible W_global
 *   cartel   an honest view plus a large push for the cartel's own miners
 *
 * Miners' true quality drifts every epoch. Two scenarios: commit-reveal on
 * (the default chain: reveal delay = tempo, so what a copier can see is an
 * epoch old) and off (copiers copy this epoch's submissions a block
 * later). Usage: sim_consensus [--epochs N] [--miners M] [--seed S]
 * [--cartel-boost B] [--copy-noise F] [--check] (exit 1 when a target is
 * missed). Honest weights are ~ quality (200..1000) + bias (sd 60) + noise
 * (sd 80); a cartel adds B (3000) to its 8 miners; a copier may jitter each
 * weight by a fraction F (0) to hide. Floating point is only used
 * here to draw noise; everything that reaches state is the node's integer
 * code. Weights stand until changed (issue 16): a validator's latest
 * submission counts until older than weights_activity_cutoff_blocks. The
 * other scenarios of issue 16 (Sybil split and swarm, emission grab,
 * registration spam against the burn and pruning; stake x reputation and
 * Yuma aggregation) are modelled with the pure functions the pallets call,
 * in bench/sim_incentive.c. */
#include "bench/support/bench_util.h"
#include "node/amount.h"
#include "node/pallets/consensus_math.h"
#include "node/db.h"
#include "node/errors.h"
#include "node/pallets/balances.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"
#include "node/pallets/weights.h"
#include "node/runtime.h"
#include "node/pallets/weights_codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kind { HONEST, LAZY, COPIER, CARTEL, KINDS };
static const char *const kind_names[KINDS] = {"honest", "lazy", "copier", "cartel"};
static const int kind_counts[KINDS] = {40, 8, 8, 8};
static double cartel_boost = 3000; /* added to each cartel miner's weight */
static double copy_noise = 0;      /* a copier's jitter, as a fraction of each weight */
#define MAX_V 64
#define MAX_M 1024
#define CARTEL_MINERS 8
#define TEMPO 10

struct sim {
    struct nm_db *db;
    struct nm_runtime rt;
    uint16_t subnet;
    int v, m;
    enum kind kind[MAX_V];
    nm_account vacct[MAX_V];
    uint16_t vuid[MAX_V], muid[MAX_M];
    double quality[MAX_M], bias[MAX_V][MAX_M];
    uint16_t stale[MAX_V][MAX_M];
    uint16_t pending[MAX_V][MAX_M]; /* what each validator committed */
    bool has_pending[MAX_V];
    int target[MAX_V]; /* the honest validator a copier follows, -1: W_global */
    uint8_t salt[32];
    uint64_t rng;
    /* results */
    int first_collusive[MAX_V], confirmed_at[MAX_V];
    long suspect_epochs[KINDS], member_epochs[KINDS];
    bool ever_confirmed[MAX_V];
    double reward[KINDS], reputation[KINDS];
    long reward_samples[KINDS];
};

static double uniform(struct sim *s)
{
    return (double)(bench_splitmix(&s->rng) >> 11) / 9007199254740992.0;
}

/* About N(0, 1): the sum of twelve uniforms (no libm needed). */
static double gauss(struct sim *s)
{
    double x = -6;
    for (int i = 0; i < 12; i++)
        x += uniform(s);
    return x;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "sim_consensus: %s: %s\n", what, nm_strerror(err));
    exit(2);
}

static nm_account account_of(char kind, int i)
{
    nm_account a;
    memset(a.b, 0x5c, sizeof a.b);
    a.b[0] = (uint8_t)kind;
    a.b[1] = (uint8_t)i;
    a.b[2] = (uint8_t)(i >> 8);
    return a;
}

static uint16_t do_register(struct sim *s, const nm_account *who, uint8_t role)
{
    struct nm_call *c = calloc(1, sizeof *c);
    int err = nm_balances_credit(&s->rt, who, 1000 * NM_UNITS_PER_NMT);
    c->kind = NM_CALL_REGISTER;
    c->u.reg.subnet = s->subnet;
    c->u.reg.role = role;
    c->u.reg.stake = 100 * NM_UNITS_PER_NMT;
    snprintf(c->u.reg.endpoint, sizeof c->u.reg.endpoint, "grpc://10.0.0.1:50051");
    if (err || (err = nm_registry_register(&s->rt, who, c)))
        die("register", err);
    struct nm_neuron n;
    if ((err = nm_registry_find(s->db, s->subnet, who, &n)))
        die("find", err);
    free(c);
    return n.uid;
}

static void next_block(struct sim *s)
{
    int err;
    if ((err = nm_runtime_end_block(&s->rt)) || (err = nm_db_commit(s->db)))
        die("end block", err);
    nm_runtime_begin_block(&s->rt, s->rt.height + 1, s->rt.timestamp_ms + 1000);
    if ((err = nm_db_begin(s->db)))
        die("begin", err);
}

static void setup(struct sim *s, bool commit_reveal)
{
    nm_hash genesis = {{0}};
    int err;
    if ((err = nm_db_open(":memory:", &s->db)) ||
        (err = nm_runtime_init(&s->rt, s->db, &genesis, true)) || (err = nm_db_begin(s->db)))
        die("open", err);
    nm_runtime_begin_block(&s->rt, 1, 1000);
    if ((err = nm_runtime_param_set(&s->rt, "tempo", TEMPO)) ||
        (err = nm_runtime_param_set(&s->rt, "max_neurons", 4096)))
        die("params", err);
    nm_account owner = account_of('o', 0);
    struct nm_subnet_spec *spec = calloc(1, sizeof *spec);
    snprintf(spec->name, sizeof spec->name, "sim");
    spec->emission_weight = 100;
    spec->max_neurons = 4096;
    if ((err = nm_balances_credit(&s->rt, &owner, NM_UNITS_PER_NMT)) ||
        (err = nm_subnets_genesis_create(&s->rt, &owner, spec, &s->subnet)))
        die("subnet", err);
    free(spec);
    struct nm_call c = {.kind = NM_CALL_WEIGHTS_OPTIONS};
    c.u.weights_options = (struct nm_weight_options){s->subnet, commit_reveal, TEMPO, 0, 0};
    if ((err = nm_weights_set_options(&s->rt, &owner, &c)))
        die("options", err);
    for (int k = 0, i = 0; k < KINDS; k++)
        for (int j = 0; j < kind_counts[k]; j++, i++) {
            s->kind[i] = (enum kind)k;
            s->vacct[i] = account_of('v', i);
            s->vuid[i] = do_register(s, &s->vacct[i], NM_ROLE_VALIDATOR);
            s->first_collusive[i] = s->confirmed_at[i] = -1;
        }
    s->v = 0;
    for (int k = 0; k < KINDS; k++)
        s->v += kind_counts[k];
    for (int j = 0; j < s->m; j++) {
        nm_account a = account_of('m', j);
        s->muid[j] = do_register(s, &a, NM_ROLE_MINER);
        s->quality[j] = 200 + 800 * uniform(s);
    }
    for (int i = 0; i < s->v; i++) {
        for (int j = 0; j < s->m; j++) {
            s->bias[i][j] = 60 * gauss(s);
            s->stale[i][j] = (uint16_t)(1 + 1000 * uniform(s));
        }
        s->target[i] =
            s->kind[i] == COPIER && i % 2 ? (int)(bench_splitmix(&s->rng) % kind_counts[HONEST]) : -1;
    }
    memset(s->salt, 0x3c, sizeof s->salt);
}

static uint16_t clamp_weight(double x)
{
    return x < 0 ? 0 : x > 60000 ? 60000 : (uint16_t)x;
}

/* An honest view of the current quality. */
static void honest_view(struct sim *s, int i, uint16_t *w)
{
    for (int j = 0; j < s->m; j++)
        w[j] = clamp_weight(s->quality[j] + s->bias[i][j] + 80 * gauss(s));
    w[0] |= 1;
}

/* The latest vector of validator `who` anyone can read: the bucket of
 * epoch (decoded, over our miner index). false when there is none. */
struct copy_ctx {
    struct sim *s;
    uint16_t uid;
    uint16_t *out;
    bool found;
};

static int copy_row(void *ctx, const struct nm_weights_row *row)
{
    struct copy_ctx *c = ctx;
    if (row->uid != c->uid)
        return 0;
    static uint16_t uids[NM_WCODEC_MAX_ENTRIES];
    static uint32_t values[NM_WCODEC_MAX_ENTRIES];
    size_t n;
    if (nm_wcodec_decode(row->data, row->len, uids, values, NM_WCODEC_MAX_ENTRIES, &n))
        return NM_E_DB;
    memset(c->out, 0, (size_t)c->s->m * sizeof *c->out);
    for (size_t k = 0; k < n; k++)
        for (int j = 0; j < c->s->m; j++)
            if (c->s->muid[j] == uids[k])
                c->out[j] = (uint16_t)values[k];
    c->found = true;
    return 0;
}

static bool visible_vector(struct sim *s, uint64_t epoch, int who, uint16_t *out)
{
    struct copy_ctx c = {s, s->vuid[who], out, false};
    int err = nm_weights_bucket_each(s->db, s->subnet, epoch, copy_row, &c);
    if (err)
        die("bucket", err);
    return c.found;
}

/* The latest W_global (epoch summaries are public), scaled to u16. */
static bool visible_global(struct sim *s, uint16_t *out)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(nm_db_handle(s->db),
                       "SELECT global FROM epochs WHERE subnet=?1 ORDER BY epoch DESC LIMIT 1", -1,
                       &st, NULL);
    sqlite3_bind_int(st, 1, s->subnet);
    bool found = false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        static uint16_t uids[NM_WCODEC_MAX_ENTRIES];
        static uint32_t values[NM_WCODEC_MAX_ENTRIES];
        size_t n;
        if (!nm_wcodec_decode(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                              uids, values, NM_WCODEC_MAX_ENTRIES, &n)) {
            memset(out, 0, (size_t)s->m * sizeof *out);
            for (size_t k = 0; k < n; k++)
                for (int j = 0; j < s->m; j++)
                    if (s->muid[j] == uids[k])
                        out[j] = (uint16_t)(values[k] / 20000); /* ppb to a u16 scale */
            found = true;
        }
    }
    sqlite3_finalize(st);
    return found;
}

/* What validator i sends this epoch (false: nothing, e.g. a copier with
 * nothing to copy yet). */
static bool compose(struct sim *s, int i, uint64_t visible_epoch, bool visible_ok, uint16_t *w)
{
    switch (s->kind[i]) {
    case HONEST: honest_view(s, i, w); return true;
    case LAZY:
        for (int j = 0; j < s->m; j++)
            w[j] = i % 2 ? s->stale[i][j] : (uint16_t)(1 + 1000 * uniform(s));
        return true;
    case CARTEL:
        honest_view(s, i, w);
        for (int j = 0; j < CARTEL_MINERS; j++)
            w[j] = clamp_weight(w[j] + cartel_boost);
        return true;
    case COPIER: {
        if (!visible_ok || !(s->target[i] >= 0 ? visible_vector(s, visible_epoch, s->target[i], w)
                                               : visible_global(s, w)))
            return false;
        bool any = false;
        for (int j = 0; j < s->m; j++) {
            w[j] = clamp_weight(w[j] * (1 + copy_noise * gauss(s)));
            any |= w[j] != 0;
        }
        return any; /* false: nothing worth copying yet */
    }
    default: return false;
    }
}

static int send(struct sim *s, int i, const uint16_t *w, bool commit, bool reveal)
{
    static uint16_t uids[MAX_M], weights[MAX_M];
    static uint8_t pairs[4 * MAX_M];
    uint32_t n = 0;
    for (int j = 0; j < s->m; j++)
        if (w[j] || commit || reveal) {
            uids[n] = s->muid[j];
            weights[n++] = w[j];
        }
    for (uint32_t k = 0; k < n; k++) {
        pairs[4 * k] = (uint8_t)uids[k];
        pairs[4 * k + 1] = (uint8_t)(uids[k] >> 8);
        pairs[4 * k + 2] = (uint8_t)weights[k];
        pairs[4 * k + 3] = (uint8_t)(weights[k] >> 8);
    }
    struct nm_weight_list list = {n, pairs};
    struct nm_call c;
    memset(&c, 0, sizeof c);
    if (commit) {
        c.kind = NM_CALL_WEIGHTS_COMMIT;
        c.u.weights_commit.subnet = s->subnet;
        nm_weights_commit_hash(&s->vacct[i], s->subnet, &list, s->salt, c.u.weights_commit.hash);
        return nm_weights_commit(&s->rt, &s->vacct[i], &c);
    }
    if (reveal) {
        c.kind = NM_CALL_WEIGHTS_REVEAL;
        c.u.weights_reveal.subnet = s->subnet;
        c.u.weights_reveal.list = list;
        memcpy(c.u.weights_reveal.salt, s->salt, 32);
        return nm_weights_reveal(&s->rt, &s->vacct[i], &c);
    }
    c.kind = NM_CALL_WEIGHTS_SUBMIT;
    c.u.weights.subnet = s->subnet;
    c.u.weights.list = list;
    return nm_weights_submit(&s->rt, &s->vacct[i], &c);
}

static void collect(struct sim *s, int epoch, int warmup)
{
    sqlite3_stmt *st;
    sqlite3_prepare_v2(nm_db_handle(s->db),
                       "SELECT reputation, reward, flags, streak FROM neuron_stats"
                       " WHERE subnet=?1 AND account=?2",
                       -1, &st, NULL);
    for (int i = 0; i < s->v; i++) {
        sqlite3_bind_int(st, 1, s->subnet);
        sqlite3_bind_blob(st, 2, s->vacct[i].b, NM_PUBKEY_LEN, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            enum kind k = s->kind[i];
            double rep = sqlite3_column_int64(st, 0) / 1e9;
            double reward = sqlite3_column_int64(st, 1) / 1e9;
            int flags = sqlite3_column_int(st, 2);
            bool collusive = s->first_collusive[i] >= 0 && epoch >= s->first_collusive[i];
            if (k == HONEST || k == LAZY || collusive) {
                s->member_epochs[k]++;
                s->suspect_epochs[k] += (flags & NM_VFLAG_COLLUSION_SUSPECT) != 0;
            }
            if (flags & NM_VFLAG_COLLUSION_CONFIRMED) {
                s->ever_confirmed[i] = true;
                if (s->confirmed_at[i] < 0)
                    s->confirmed_at[i] = epoch;
            }
            if (epoch >= warmup) {
                s->reward[k] += reward;
                s->reward_samples[k]++;
            }
            s->reputation[k] += rep; /* overwritten by the last epoch below */
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

static void final_reputation(struct sim *s)
{
    memset(s->reputation, 0, sizeof s->reputation);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(nm_db_handle(s->db),
                       "SELECT reputation FROM neuron_stats WHERE subnet=?1 AND account=?2", -1,
                       &st, NULL);
    for (int i = 0; i < s->v; i++) {
        sqlite3_bind_int(st, 1, s->subnet);
        sqlite3_bind_blob(st, 2, s->vacct[i].b, NM_PUBKEY_LEN, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            s->reputation[s->kind[i]] +=
                sqlite3_column_int64(st, 0) / 1e9 / kind_counts[s->kind[i]];
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
}

/* One scenario; returns whether it met every target. */
static bool run(bool commit_reveal, int epochs, int miners, uint64_t seed)
{
    static struct sim sim;
    struct sim *s = &sim;
    memset(s, 0, sizeof *s);
    s->m = miners;
    s->rng = seed;
    setup(s, commit_reveal);
    static uint16_t w[MAX_M];
    int warmup = 4;
    /* Align to the start of epoch 1. */
    while (s->rt.height % TEMPO != 0)
        next_block(s);
    for (int e = 1; e <= epochs; e++) {
        /* true quality drifts */
        for (int j = 0; j < s->m; j++) {
            s->quality[j] += 40 * gauss(s);
            if (s->quality[j] < 0)
                s->quality[j] = -s->quality[j];
        }
        next_block(s); /* block 10e + 1 */
        if (commit_reveal) {
            /* Reveal delay = tempo: a commit at offset k of an epoch opens
             * at offset k of the next. Offset 1: everyone but the copiers
             * reveals, then commits anew; offset 2: the copiers reveal and
             * commit copies of what the others just revealed. */
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < s->v; i++) {
                    if ((s->kind[i] == COPIER) != (pass == 1))
                        continue;
                    if (s->has_pending[i]) /* a refused reveal is no submission */
                        send(s, i, s->pending[i], false, true);
                    bool ok = compose(s, i, (uint64_t)e, e >= 2, w);
                    s->has_pending[i] = ok && !send(s, i, w, true, false);
                    if (s->has_pending[i]) {
                        memcpy(s->pending[i], w, (size_t)s->m * sizeof w[0]);
                        if ((s->kind[i] == COPIER || s->kind[i] == CARTEL) &&
                            s->first_collusive[i] < 0)
                            s->first_collusive[i] = e + 1; /* counted next epoch */
                    }
                }
                if (pass == 0)
                    next_block(s);
            }
        } else {
            for (int i = 0; i < s->v; i++)
                if (s->kind[i] != COPIER && compose(s, i, (uint64_t)e, true, w))
                    send(s, i, w, false, false);
            next_block(s); /* copiers act a block later, on what they see */
            for (int i = 0; i < s->v; i++)
                if (s->kind[i] == COPIER && compose(s, i, (uint64_t)e, true, w) &&
                    !send(s, i, w, false, false) && s->first_collusive[i] < 0)
                    s->first_collusive[i] = e;
            for (int i = 0; i < s->v; i++)
                if (s->kind[i] == CARTEL && s->first_collusive[i] < 0)
                    s->first_collusive[i] = e;
        }
        while ((s->rt.height + 1) % TEMPO != 0)
            next_block(s);
        next_block(s); /* the epoch's last block: processing */
        collect(s, e, warmup);
    }
    final_reputation(s);
    printf("\n== commit-reveal %s: %d validators x %d miners, %d epochs, tempo %d\n",
           commit_reveal ? "on (reveal delay = tempo)" : "off", s->v, s->m, epochs, TEMPO);
    printf("%-8s %5s %12s %16s %16s %12s\n", "class", "count", "reputation", "reward/epoch NMT",
           "suspect epochs", "confirmed");
    for (int k = 0; k < KINDS; k++) {
        int confirmed = 0;
        for (int i = 0; i < s->v; i++)
            confirmed += s->kind[i] == (enum kind)k && s->ever_confirmed[i];
        printf("%-8s %5d %12.4f %16.4f %9ld/%-6ld %12d\n", kind_names[k], kind_counts[k],
               s->reputation[k], s->reward_samples[k] ? s->reward[k] / s->reward_samples[k] : 0.0,
               s->suspect_epochs[k], s->member_epochs[k], confirmed);
    }
    int colluders = 0, detected = 0, honest_confirmed = 0;
    for (int i = 0; i < s->v; i++) {
        if (s->kind[i] == COPIER || s->kind[i] == CARTEL) {
            colluders++;
            detected += s->confirmed_at[i] >= 0 && s->first_collusive[i] >= 0 &&
                        s->confirmed_at[i] - s->first_collusive[i] + 1 <= 3;
        }
        honest_confirmed += s->kind[i] == HONEST && s->ever_confirmed[i];
    }
    double fpr_suspect = s->member_epochs[HONEST]
                             ? 100.0 * s->suspect_epochs[HONEST] / s->member_epochs[HONEST]
                             : 0;
    double fpr_confirmed = 100.0 * honest_confirmed / kind_counts[HONEST];
    double detection = 100.0 * detected / colluders;
    double honest_reward =
        s->reward[HONEST] / (s->reward_samples[HONEST] ? s->reward_samples[HONEST] : 1);
    double copier_reward =
        s->reward[COPIER] / (s->reward_samples[COPIER] ? s->reward_samples[COPIER] : 1);
    bool ok_fpr = fpr_suspect < 1.0 && fpr_confirmed < 1.0, ok_det = detection >= 95.0,
         ok_pay = copier_reward < honest_reward;
    printf("false positives on honest: %.2f%% of validator-epochs suspected, %.2f%% of honest"
           " validators ever confirmed (target < 1%%): %s\n",
           fpr_suspect, fpr_confirmed, ok_fpr ? "met" : "MISSED");
    printf("copiers and cartel confirmed within 3 epochs: %d of %d = %.1f%% (target >= 95%%):"
           " %s\n",
           detected, colluders, detection, ok_det ? "met" : "MISSED");
    printf("copier reward %.4f vs honest %.4f NMT/epoch (target: less): %s\n", copier_reward,
           honest_reward, ok_pay ? "met" : "MISSED");
    nm_db_close(s->db);
    return ok_fpr && ok_det && ok_pay;
}

int main(int argc, char **argv)
{
    int epochs = 30, miners = 256;
    uint64_t seed = 20260101;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
            epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--miners") && i + 1 < argc)
            miners = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--cartel-boost") && i + 1 < argc)
            cartel_boost = atof(argv[++i]);
        else if (!strcmp(argv[i], "--copy-noise") && i + 1 < argc)
            copy_noise = atof(argv[++i]);
        else if (!strcmp(argv[i], "--check"))
            check = true;
        else {
            fprintf(stderr, "usage: sim_consensus [--epochs N] [--miners M] [--seed S]"
                            " [--cartel-boost B] [--copy-noise F] [--check]\n");
            return 2;
        }
    }
    if (miners < 16 || miners > MAX_M || epochs < 5) {
        fprintf(stderr, "sim_consensus: miners 16..%d, epochs >= 5\n", MAX_M);
        return 2;
    }
    nm_crypto_init();
    printf("sim_consensus: the real pallets on an in-memory chain (seed %llu, cartel boost %g,"
           " copy noise %g)\n",
           (unsigned long long)seed, cartel_boost, copy_noise);
    bool ok = run(true, epochs, miners, seed);
    ok = run(false, epochs, miners, seed + 1) && ok;
    return check && !ok ? 1 : 0;
}
