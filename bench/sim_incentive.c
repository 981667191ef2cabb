/* sim_incentive.c - the incentive simulator of issue 16, beside the
 * pallet-level bench/sim_consensus.c: scenarios modelled with the pure
 * functions the pallets call (node/pallets/consensus_math.c, node/pallets/incentive.c,
 * node/pallets/yuma.c), each run under three aggregations - the seed's
 * reputation-only rule (CONS-003), stake x reputation ("stake") and the
 * Yuma-compatible epoch ("yuma") - printing who earned what:
 *
 *   honest, lazy, copier, cartel   16 honest validators of equal stake with
 *                                  4 of another kind (lazy: random weights;
 *                                  copier: last W_global; cartel: +3000 on
 *                                  its 4 miners)
 *   sybil split   an attacker with 20% of the stake, split over 1, 10, 100
 *                 identities sending one vector, pushes its own miner
 *                 (target: under "stake" it moves W_global and earns the
 *                 same within 1%)
 *   sybil swarm   200 identities at the minimum stake beside 64 honest
 *                 validators (target: with permits, no gain)
 *   emission grab the lock an account pays to create subnets back to back
 *   registration spam  a bot registering 50 a interval against the default
 *                 chain's target of 3 into a full subnet, before issue 16
 *                 (free, full refuses) and after (burn, immunity,
 *                 pruning): what it pays and how many UIDs it holds
 *   topology      the third collusion signal (node/pallets/topology.h): 40
 *                 honest validators on 4 shared networks (10 each, random
 *                 submission blocks in a tempo of 10) beside a quiet cartel
 *                 of 4 on one of those networks pushing +250 on its 8
 *                 miners in one block: the false-positive rate (honest
 *                 validator-epochs linked; target < 1%) and the cartel's
 *                 detection, beside the plain correlation floor at 64 miners
 *
 * Validators start at reputation 0.5 whatever their stake (today's rule);
 * permits go to the top 64 by stake above the minimum. Floating point only
 * draws noise and prints; the arithmetic is the node's integer code.
 * Usage: sim_incentive [--epochs N] [--seed S] [--check] */
#include "node/params.h"
#include "node/pallets/consensus_math.h"
#include "node/pallets/incentive.h"
#include "node/pallets/topology.h"
#include "node/pallets/yuma.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 300
#define M 64
#define ONE NM_FX_ONE
#define NMT 1000000000ULL
#define EPOCH_EMISSION (1000 * NMT)
#define PERMITS 64

enum kind { HONEST, LAZY, COPIER, CARTEL, SYBIL, KINDS };
static const char *const kind_names[KINDS] = {"honest", "lazy", "copier", "cartel", "attacker"};
enum mode { SEED, STAKE, YUMA, MODES };
static const char *const mode_names[MODES] = {"seed", "stake", "yuma"};

struct world {
    int v, epochs;
    enum mode mode;
    uint32_t permits; /* 0: every validator above the minimum */
    uint64_t min_stake;
    enum kind kind[MAXV];
    uint64_t stake[MAXV], rep[MAXV];
    double quality[M], bias[MAXV][M], push; /* what a cartel adds to its miners */
    uint16_t w[MAXV][M];
    struct nm_wrow rows[MAXV];
    uint32_t global[M], prev_global[M];
    uint32_t bonds[MAXV * M], bonds_next[MAXV * M];
    bool owned[M];        /* miners of the cartel or the attacker */
    int sybil_first;      /* the attacker's first identity, -1 */
    uint64_t rng;         /* validators' noise */
    uint64_t quality_rng; /* the miners' quality: the same path in every scenario */
    /* results over the counted epochs */
    double earned_v[MAXV], earned_m[M], global_share;
};

static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *state)
{
    return (double)(next_u64(state) >> 11) / 9007199254740992.0;
}

static double gauss(uint64_t *state)
{
    double g = -6;
    for (int i = 0; i < 12; i++)
        g += uniform(state);
    return g;
}

static void world_init(struct world *x, enum mode mode, uint64_t seed)
{
    memset(x, 0, sizeof *x);
    x->mode = mode;
    x->rng = seed;
    x->quality_rng = seed ^ 0x51ed;
    x->epochs = 30;
    x->permits = PERMITS;
    x->sybil_first = -1;
    x->push = 3000;
    for (int j = 0; j < M; j++)
        x->quality[j] = 200 + 800 * uniform(&x->quality_rng);
}

static int add(struct world *x, enum kind k, uint64_t stake)
{
    int i = x->v++;
    x->kind[i] = k;
    x->stake[i] = stake;
    x->rep[i] = ONE / 2;
    if (k == SYBIL && x->sybil_first >= 0)
        return i; /* one attacker: every identity sends the first one's vector */
    if (k == SYBIL)
        x->sybil_first = i;
    for (int j = 0; j < M; j++)
        x->bias[i][j] = 60 * gauss(&x->rng);
    return i;
}

static uint16_t clamp_weight(double w)
{
    return w < 1 ? 1 : w > 60000 ? 60000 : (uint16_t)w;
}

static void compose(struct world *x, int i)
{
    uint16_t *w = x->w[i];
    if (x->kind[i] == SYBIL && i != x->sybil_first) {
        memcpy(w, x->w[x->sybil_first], sizeof x->w[i]);
        return;
    }
    for (int j = 0; j < M; j++) {
        double honest = x->quality[j] + x->bias[i][j] + 80 * gauss(&x->rng);
        switch (x->kind[i]) {
        case LAZY: w[j] = clamp_weight(1000 * uniform(&x->rng)); break;
        case COPIER: w[j] = clamp_weight(x->prev_global[j] / 20000.0 + 1); break;
        case CARTEL:
        case SYBIL: w[j] = clamp_weight(honest + (x->owned[j] ? x->push : 0)); break;
        default: w[j] = clamp_weight(honest);
        }
    }
}

static void die(const char *what)
{
    fprintf(stderr, "sim_incentive: %s failed\n", what);
    exit(2);
}

/* One epoch: weights, aggregation, payout (41% miners, 41% validators). */
static void epoch(struct world *x, bool count)
{
    static bool permit[MAXV];
    static uint64_t stake[MAXV], shares[MAXV], paid_v[MAXV], paid_m[M], rep_out[MAXV], sim[MAXV];
    static uint8_t flags[MAXV];
    if (nm_permits_select(x->stake, (size_t)x->v, x->min_stake, x->permits ? x->permits : MAXV,
                          permit) < 0)
        die("permits");
    for (int j = 0; j < M; j++) {
        x->quality[j] += 40 * gauss(&x->quality_rng);
        x->quality[j] = x->quality[j] < 0 ? -x->quality[j] : x->quality[j];
    }
    for (int i = 0; i < x->v; i++) {
        compose(x, i);
        x->rows[i] = (struct nm_wrow){permit[i] ? M : 0, NULL, x->w[i]};
        stake[i] = permit[i] ? x->stake[i] : 0;
    }
    uint64_t pool = EPOCH_EMISSION * 41 / 100;
    if (x->mode == YUMA) {
        static uint32_t cons[M], inc[M], div[MAXV];
        struct nm_yuma_params p = {ONE / 2, ONE / 10};
        struct nm_yuma_input in = {(uint32_t)x->v, M, x->rows, stake, x->bonds};
        struct nm_yuma_output out = {cons, inc, div, x->bonds_next};
        if (nm_yuma_run(&p, &in, &out) ||
            nm_yuma_emission(2 * pool, &in, &out, paid_m, paid_v) < 0)
            die("yuma");
        memcpy(x->bonds, x->bonds_next, sizeof x->bonds);
        uint64_t total = 0;
        for (int j = 0; j < M; j++)
            total += inc[j];
        for (int j = 0; j < M; j++)
            x->global[j] = total ? (uint32_t)((uint64_t)inc[j] * ONE / total) : 0;
    } else {
        struct nm_consensus_params p = {ONE * 9 / 10, 3 * ONE,  ONE / 20,
                                        ONE / 5,      ONE / 10, x->mode == STAKE};
        struct nm_consensus_input in = {(uint32_t)x->v, M, x->rows, x->rep, stake};
        struct nm_consensus_output out = {
            .global = x->global, .similarity = sim, .reputation = rep_out, .flags = flags};
        if (nm_consensus_run(&p, &in, &out))
            die("consensus");
        for (int i = 0; i < x->v; i++)
            x->rep[i] = rep_out[i];
        uint64_t mshares[M];
        for (int j = 0; j < M; j++)
            mshares[j] = x->global[j];
        nm_split(pool, mshares, M, paid_m);
        if (x->mode == STAKE)
            nm_stake_shares(x->rep, stake, (size_t)x->v, shares);
        for (int i = 0; i < x->v; i++)
            shares[i] = x->rows[i].n ? (x->mode == STAKE ? shares[i] : x->rep[i]) : 0;
        nm_split(pool, shares, (size_t)x->v, paid_v);
    }
    memcpy(x->prev_global, x->global, sizeof x->global);
    if (!count)
        return;
    for (int i = 0; i < x->v; i++)
        x->earned_v[i] += (double)paid_v[i] / NMT;
    for (int j = 0; j < M; j++) {
        x->earned_m[j] += (double)paid_m[j] / NMT;
        x->global_share += x->owned[j] ? x->global[j] / 1e9 : 0;
    }
}

static void run(struct world *x)
{
    for (int e = 0; e < x->epochs; e++)
        epoch(x, e >= x->epochs / 3);
}

static double counted(const struct world *x)
{
    return x->epochs - x->epochs / 3;
}

/* Per class: identities, stake share, NMT per epoch as validators; then
 * owned miners' NMT per epoch against an average honest miner. */
static void report(const struct world *x)
{
    double stake_total = 0, per_epoch = counted(x);
    for (int i = 0; i < x->v; i++)
        stake_total += (double)x->stake[i];
    printf("  %-6s", mode_names[x->mode]);
    for (int k = 0; k < KINDS; k++) {
        int n = 0;
        double stake = 0, earned = 0;
        for (int i = 0; i < x->v; i++)
            if (x->kind[i] == (enum kind)k) {
                n++;
                stake += (double)x->stake[i];
                earned += x->earned_v[i];
            }
        if (n)
            printf("  %s x%d (%.0f%% stake): %.2f", kind_names[k], n, 100 * stake / stake_total,
                   earned / per_epoch);
    }
    double owned = 0, other = 0;
    int n_owned = 0;
    for (int j = 0; j < M; j++) {
        if (x->owned[j]) {
            owned += x->earned_m[j];
            n_owned++;
        } else {
            other += x->earned_m[j];
        }
    }
    if (n_owned)
        printf("  | own miners x%d: %.2f each vs %.2f", n_owned, owned / n_owned / per_epoch,
               other / (M - n_owned) / per_epoch);
    printf("  (NMT/epoch)\n");
}

static void scenario_kinds(uint64_t seed, int epochs)
{
    printf("\n== honest, lazy, copier, cartel: 16 honest validators (100 NMT stake each)"
           " beside 4 of each kind (100 NMT each); validators' NMT per epoch of %llu, and"
           " miners 0-3 (the cartel's) against the other miners' average\n",
           (unsigned long long)(EPOCH_EMISSION * 41 / 100 / NMT));
    for (int k = HONEST; k <= CARTEL; k++) {
        printf("%s:\n", kind_names[k]);
        for (int mode = 0; mode < MODES; mode++) {
            static struct world x;
            world_init(&x, (enum mode)mode, seed);
            x.epochs = epochs;
            for (int i = 0; i < 16; i++)
                add(&x, HONEST, 100 * NMT);
            for (int i = 0; k != HONEST && i < 4; i++)
                add(&x, (enum kind)k, 100 * NMT);
            for (int j = 0; j < 4; j++) /* the cartel's miners (what they earn anyway) */
                x.owned[j] = true;
            run(&x);
            report(&x);
        }
    }
}

/* Attacker's total (validators + its miner) and its miner's W_global share. */
static double attacker_total(const struct world *x)
{
    double sum = 0;
    for (int i = 0; i < x->v; i++)
        sum += x->kind[i] == SYBIL ? x->earned_v[i] : 0;
    return (sum + x->earned_m[0]) / counted(x);
}

static bool scenario_sybil_split(uint64_t seed, int epochs)
{
    printf("\n== sybil split: 16 honest validators of 500 NMT (80%%) and an attacker with"
           " 2000 NMT (20%%) split over 1, 10, 100 identities, pushing its own miner\n");
    bool ok = true;
    for (int mode = 0; mode < MODES; mode++) {
        double base = 0;
        for (int s = 0; s < 3; s++) {
            static const int splits[3] = {1, 10, 100};
            static struct world x;
            world_init(&x, (enum mode)mode, seed);
            x.epochs = epochs;
            x.permits = 0; /* every identity counts: the split itself is tested */
            for (int i = 0; i < 16; i++)
                add(&x, HONEST, 500 * NMT);
            for (int i = 0; i < splits[s]; i++)
                add(&x, SYBIL, 2000 * NMT / (uint64_t)splits[s]);
            x.owned[0] = true;
            run(&x);
            double total = attacker_total(&x);
            if (s == 0)
                base = total;
            double drift = base > 0 ? 100 * (total - base) / base : 0;
            printf("  %-6s %3d identities: attacker earns %8.2f NMT/epoch (%+.2f%% vs one),"
                   " its miner's W_global share %.4f\n",
                   mode_names[mode], splits[s], total, drift, x.global_share / counted(&x));
            if (mode == STAKE && (drift > 1 || drift < -1))
                ok = false;
        }
    }
    printf("  target: under stake, earnings within 1%% across splits: %s\n",
           ok ? "met" : "MISSED");
    return ok;
}

static double validators_of(const struct world *x, enum kind k)
{
    double sum = 0;
    for (int i = 0; i < x->v; i++)
        sum += x->kind[i] == k ? x->earned_v[i] : 0;
    return sum / counted(x);
}

static bool scenario_sybil_swarm(uint64_t seed, int epochs)
{
    printf("\n== sybil swarm: 64 honest validators of 1000 NMT and 200 identities at the"
           " minimum stake (10 NMT each, 3%% of the stake) pushing one miner\n");
    bool ok = true;
    for (int mode = 0; mode < MODES; mode++) {
        static struct world x;
        world_init(&x, (enum mode)mode, seed); /* the miner's earnings without the swarm */
        x.epochs = epochs;
        for (int i = 0; i < 64; i++)
            add(&x, HONEST, 1000 * NMT);
        x.owned[0] = true;
        run(&x);
        double alone = x.earned_m[0] / counted(&x);
        for (int with_permits = 0; with_permits < 2; with_permits++) {
            world_init(&x, (enum mode)mode, seed);
            x.epochs = epochs;
            x.min_stake = 10 * NMT;
            x.permits = with_permits ? PERMITS : 0;
            for (int i = 0; i < 64; i++)
                add(&x, HONEST, 1000 * NMT);
            for (int i = 0; i < 200; i++)
                add(&x, SYBIL, 10 * NMT);
            x.owned[0] = true;
            run(&x);
            double as_validators = validators_of(&x, SYBIL), miner = x.earned_m[0] / counted(&x);
            printf("  %-6s permits %-8s the swarm earns %7.2f NMT/epoch as validators (its"
                   " stake's share: %.2f), its miner %6.2f (%.2f without the swarm)\n",
                   mode_names[mode], with_permits ? "top 64" : "for all", as_validators,
                   (double)EPOCH_EMISSION * 0.41 / NMT * 2000 / 66000, miner, alone);
            if (with_permits && mode != SEED && (as_validators > 0 || miner > alone * 1.01))
                ok = false;
        }
    }
    printf("  target: with permits under stake and yuma, no gain: %s\n", ok ? "met" : "MISSED");
    return ok;
}

static void scenario_emission_grab(void)
{
    printf("\n== emission grab: one account creates subnets back to back (lock floor 100 NMT,"
           " doubling, decaying over 14400 blocks; today: a flat 0.0001 NMT fee each)\n");
    struct nm_lock_params lock = {100 * NMT, 2 * ONE, 14400};
    static const uint64_t gaps[3] = {1, 1800, 14400};
    for (int g = 0; g < 3; g++) {
        uint64_t last = 0, last_block = 0, block = 100;
        double total = 0, at8 = 0;
        for (int k = 1; k <= 32; k++, block += gaps[g]) {
            uint64_t cost = nm_lock_cost(&lock, last, last_block, block);
            total += (double)cost / NMT;
            last = cost;
            last_block = block;
            if (k == 8)
                at8 = total;
        }
        printf("  one creation every %5llu blocks: 8 subnets lock %.0f NMT, 32 lock %.3g NMT"
               " (today 0.0032 NMT)\n",
               (unsigned long long)gaps[g], at8, total);
    }
}

/* One registration on a full subnet of n neurons (or a free slot while
 * n < cap): the newcomer takes the slot nm_prune_choose gives, as
 * registry.register does. Returns the slot, -1 when refused. */
static long spam_register(struct nm_neuron_age *slots, bool *bot, size_t *n, size_t cap,
                          uint64_t immunity, uint64_t now, uint64_t score, bool is_bot)
{
    long at = *n < cap ? (long)(*n)++ : nm_prune_choose(slots, *n, immunity, now);
    if (at >= 0) {
        slots[at] = (struct nm_neuron_age){.score = score, .registered_at = now};
        bot[at] = is_bot;
    }
    return at;
}

/* The default chain's registration rules (node/pallets/registration.h)
 * against a bot registering 50 neurons per interval into a subnet of 256
 * holding 192 honest miners, while 3 honest newcomers a interval (the
 * target) also register; before issue 16 registration was free and a full
 * subnet refused everyone. */
static void spam_subnet(const struct nm_params *p, bool issue16)
{
    enum { CAP = 256, HONEST = 192, BOT_RATE = 50, NEWCOMERS = 3, INTERVALS = 40 };
    struct nm_neuron_age slots[CAP];
    bool bot[CAP];
    size_t n = 0;
    const uint64_t interval = p->reg_adjustment_interval_blocks;
    /* incumbents: registered long ago, scored by their last reward */
    for (uint64_t i = 0; i < HONEST; i++)
        spam_register(slots, bot, &n, CAP, 0, 0, (i + 1) * NMT / 100, false);
    const struct nm_burn_params bp = {.target = (uint32_t)p->reg_target_per_interval,
                                      .alpha_ppb = p->reg_burn_alpha_ppb,
                                      .min_burn = p->reg_burn_min,
                                      .max_burn = p->reg_burn_max};
    uint64_t burn = issue16 ? p->reg_burn_min : 0, start = 100 * interval;
    double paid = 0;
    long refused = 0, honest_out = 0;
    for (int k = 1; k <= INTERVALS; k++) {
        uint64_t now = start + (uint64_t)k * interval;
        uint32_t count = 0;
        for (int j = 0; j < NEWCOMERS + BOT_RATE; j++) {
            bool is_bot = j >= NEWCOMERS;
            long at = -1;
            bool was_honest = false;
            if (n == CAP && issue16) {
                long victim = nm_prune_choose(slots, n, p->immunity_period_blocks, now);
                was_honest = victim >= 0 && !bot[victim];
            }
            if (issue16 || n < CAP)
                at = spam_register(slots, bot, &n, CAP, p->immunity_period_blocks, now,
                                   is_bot ? 0 : NMT / 2, is_bot);
            if (at < 0) {
                refused += !is_bot;
                continue;
            }
            honest_out += was_honest;
            count++;
            if (is_bot)
                paid += (double)burn / NMT;
        }
        if (issue16)
            burn = nm_burn_next(&bp, burn, count);
        if (k % 10 == 0) {
            int held = 0;
            for (size_t i = 0; i < n; i++)
                held += bot[i];
            printf("  %-9s after %2d intervals: burn %9.2f NMT, the bot paid %10.0f NMT and holds"
                   " %3d of %d UIDs; honest miners pruned %3ld, honest newcomers refused %3ld\n",
                   issue16 ? "issue 16" : "before", k, (double)burn / NMT, paid, held, CAP,
                   honest_out, refused);
        }
    }
}

static void scenario_registration_spam(void)
{
    struct nm_params p;
    nm_params_defaults(&p, 0);
    printf("\n== registration spam: the default chain's rules (burn %.2f..%.0f NMT, target %llu"
           " per %llu blocks, alpha %.2f, immunity %llu blocks)\n",
           (double)p.reg_burn_min / NMT, (double)p.reg_burn_max / NMT,
           (unsigned long long)p.reg_target_per_interval,
           (unsigned long long)p.reg_adjustment_interval_blocks,
           (double)p.reg_burn_alpha_ppb / ONE, (unsigned long long)p.immunity_period_blocks);
    spam_subnet(&p, false);
    spam_subnet(&p, true);
    printf("  (a bot registering 50 per interval against a target of 3 into a subnet of 256"
           " with 192 honest miners and 3 honest newcomers per interval)\n");
    /* A full subnet of 8: the bot's 4 neurons score 0, immunity 100 blocks. */
    struct nm_neuron_age n[8];
    for (int i = 0; i < 8; i++)
        n[i] = (struct nm_neuron_age){i < 4 ? 300000000ULL + (uint64_t)i : 0, i < 4 ? 0 : 950};
    printf("  full subnet at block 1000, bot neurons (uids 4-7) registered at 950, immunity"
           " 100: prunes uid %ld; at block 1050: uid %ld\n",
           nm_prune_choose(n, 8, 100, 1000), nm_prune_choose(n, 8, 100, 1050));
}

static bool scenario_topology(uint64_t seed, int epochs)
{
    static struct world x;
    static uint16_t norm[MAXV][M];
    static struct nm_wrow rows[MAXV];
    static uint64_t at[MAXV], raw[M];
    static char keys[MAXV][NM_TOPOLOGY_KEY_MAX];
    static const char *network[MAXV];
    static struct nm_collusion_finding find[MAXV];
    world_init(&x, STAKE, seed);
    x.epochs = epochs;
    x.push = 250;
    for (int i = 0; i < 40; i++) {
        add(&x, HONEST, 100 * NMT);
        char endpoint[40];
        snprintf(endpoint, sizeof endpoint, "10.0.%d.%d:8091", i % 4, 10 + i);
        nm_topology_network(endpoint, keys[i]);
    }
    for (int i = 40; i < 44; i++) {
        add(&x, CARTEL, 100 * NMT);
        nm_topology_network("10.0.0.200:8091", keys[i]); /* beside 10 honest ones */
    }
    for (int j = 0; j < 8; j++)
        x.owned[j * 8] = true;
    uint16_t miners[M];
    for (int j = 0; j < M; j++)
        miners[j] = (uint16_t)j;
    struct nm_topology_params tp = {150000000, 1, 4096};
    long honest_hits = 0, honest_total = 0, cartel_hits = 0, cartel_total = 0, links = 0;
    for (int e = 0; e < x.epochs; e++) {
        epoch(&x, false);
        uint64_t cartel_block = next_u64(&x.rng) % 10;
        for (int i = 0; i < x.v; i++) {
            for (int j = 0; j < M; j++)
                raw[j] = x.w[i][j];
            if (nm_normalize_l1(raw, M, norm[i]))
                die("normalize");
            rows[i] = (struct nm_wrow){M, NULL, norm[i]};
            at[i] = x.kind[i] == CARTEL ? cartel_block : next_u64(&x.rng) % 10;
            network[i] = keys[i];
            find[i] = (struct nm_collusion_finding){.partner = -1};
        }
        /* The model's rows are not L1-normalised (the node's are): W_global
         * scaled back to a whole, as the node's sums. */
        static uint32_t global[M];
        uint64_t total = 0;
        for (int j = 0; j < M; j++)
            total += x.global[j];
        for (int j = 0; j < M; j++)
            global[j] = total ? (uint32_t)((uint64_t)x.global[j] * ONE / total) : 0;
        struct nm_topology_input in = {(uint32_t)x.v, network, rows, at, global, miners, M, M};
        long linked = nm_topology_links(&tp, &in, find);
        if (linked < 0)
            die("topology");
        links += linked;
        for (int i = 0; i < x.v; i++) {
            bool hit = find[i].kinds & NM_COLL_TOPOLOGY;
            if (x.kind[i] == CARTEL) {
                cartel_hits += hit;
                cartel_total++;
            } else {
                honest_hits += hit;
                honest_total++;
            }
        }
    }
    double fpr = 100.0 * honest_hits / honest_total, caught = 100.0 * cartel_hits / cartel_total;
    printf("\ntopology: 40 honest validators on 4 shared /24 networks, a cartel of 4 on one of "
           "them (+%.0f on 8 of %d miners, one block), %d epochs\n",
           x.push, M, x.epochs);
    printf("  link threshold max(0.15, 3/sqrt(%d)) = %.3f (the plain analysis needs max(0.30, "
           "5/sqrt(%d)) = %.3f)\n",
           M, 3.0 / (double)nm_isqrt_u64(M), M, 5.0 / (double)nm_isqrt_u64(M));
    printf("  honest validator-epochs linked: %ld of %ld (%.2f%%, target < 1%%)\n", honest_hits,
           honest_total, fpr);
    printf("  cartel member-epochs linked:    %ld of %ld (%.1f%%); %ld links in all\n",
           cartel_hits, cartel_total, caught, links);
    return fpr < 1.0 && caught > 50.0;
}

int main(int argc, char **argv)
{
    int epochs = 30;
    uint64_t seed = 20261206;
    bool check = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--epochs") && i + 1 < argc)
            epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--check"))
            check = true;
        else {
            fprintf(stderr, "usage: sim_incentive [--epochs N] [--seed S] [--check]\n");
            return 2;
        }
    }
    if (epochs < 6 || epochs > 10000) {
        fprintf(stderr, "sim_incentive: epochs 6..10000\n");
        return 2;
    }
    printf("sim_incentive: pure-function model (seed %llu, %d epochs, the last %d counted)\n",
           (unsigned long long)seed, epochs, epochs - epochs / 3);
    scenario_kinds(seed, epochs);
    bool ok = scenario_sybil_split(seed, epochs);
    ok = scenario_sybil_swarm(seed, epochs) && ok;
    scenario_emission_grab();
    scenario_registration_spam();
    ok = scenario_topology(seed, epochs) && ok;
    return check && !ok ? 1 : 0;
}
