/* bench_bft_net.c - transfers through a running BFT devnet (issue 11,
 * speed): SENDERS accounts funded by alice (not timed), then TRANSFERS
 * transfers signed beforehand, each sender's in nonce order, submitted
 * over JSON-RPC with the senders spread over every node (so each node
 * admits a share from RPC and the rest by gossip: every node checks every
 * signature, once), until every node's final state holds them all.
 * Prints extrinsics/s from the first submission to the last node final,
 * and each node's time; the CPU the node processes used over that phase
 * (/proc/PID/stat, the pids devnet.sh keeps), per extrinsic and node, and
 * with the single-node import's rate and CPU per extrinsic (from
 * bench_import, passed by bench/bft_devnet.sh --transfers, which starts
 * the devnet with no RPC rate limit) the ceiling ratio those imply on this
 * machine's cores. Never fails on time.
 * Usage: bench_bft_net DEVNET_DIR [TRANSFERS=20000] [SENDERS=64] [WINDOW=1]
 *                      [IMPORT_RATE IMPORT_CPU_US]
 * (WINDOW: each sender's transfers in flight at once, in nonce order; 16 at
 * most, the pool's limit of future transactions per account.) */
#include "bench/support/bench_util.h"
#include "node/call.h"
#include "node/crypto.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/ss58.h"
#include "rpc/client.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_NODES 16
#define NMT 1000000000ULL

struct tx {
    char *hex; /* "0x..." */
    int node;  /* where it is submitted */
};

/* Submission: each sender has up to WINDOW transfers in flight, in nonce
 * order on one connection (admission takes them in that order); the next
 * goes once one is in the pool (so a sender never has a gap larger than
 * its window, whatever the network's pace); the senders go side by side. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t *ready; /* a queue of tx indexes to submit */
    size_t head, n_ready, cap;
    size_t n, stride; /* txs[i]'s successor from the same sender: i + stride */
    size_t window;    /* in flight per sender */
    size_t ok, failed, retried;
    uint8_t *done; /* by tx index: answered as in the pool */
    uint8_t *sent; /* by tx index: queued once already (its successor's turn) */
    char first_error[512];
} sub = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static struct tx *txs;

static void ready_push(size_t i)
{
    sub.sent[i] = 1;
    sub.ready[(sub.head + sub.n_ready++) % sub.cap] = i;
    pthread_cond_signal(&sub.cv);
}

static void on_submitted(void *ud, int rc, const cJSON *result, const struct nm_rpc_error *err)
{
    (void)result;
    size_t i = (size_t)(uintptr_t)ud;
    pthread_mutex_lock(&sub.mu);
    if (rc == 0 || (err && strstr(err->message, "already"))) { /* in the pool (again) */
        if (!sub.done[i]) {
            sub.done[i] = 1;
            sub.ok++;
        }
        size_t next = i + sub.window * sub.stride; /* the first not sent yet */
        if (next < sub.n && !sub.sent[next])
            ready_push(next);
    } else if (err && strstr(err->message, "pool is full")) {
        sub.retried++; /* the pool waits for blocks: again, later */
        ready_push(i);
    } else if (err && strstr(err->message, "earlier transaction is missing") &&
               i >= sub.stride) {
        /* the node lost the sender's previous one (its pool let it go):
         * that one again, then this one; or it is still on its way: this
         * one again, later */
        sub.retried++;
        if (sub.done[i - sub.stride]) {
            sub.done[i - sub.stride] = 0;
            sub.ok--;
            ready_push(i - sub.stride);
        }
        ready_push(i);
    } else {
        /* this sender's later ones cannot go either */
        for (size_t k = i; k < sub.n; k += sub.stride)
            sub.failed++;
        if (!sub.first_error[0])
            snprintf(sub.first_error, sizeof sub.first_error, "%s",
                     err ? err->message : nm_strerror(rc));
    }
    pthread_cond_signal(&sub.cv); /* the last answer too */
    pthread_mutex_unlock(&sub.mu);
}

/* Submits txs[0..n), stride senders side by side (txs[s], txs[s + stride],
 * ... are sender s's in nonce order), window of each in flight; returns
 * once each is answered. */
static void submit_all(struct nm_rpc_client **cl, size_t n, size_t stride, size_t window)
{
    pthread_mutex_lock(&sub.mu);
    sub.n = n;
    sub.stride = stride;
    sub.window = window;
    sub.ok = sub.failed = sub.retried = sub.head = sub.n_ready = 0;
    memset(sub.done, 0, n);
    memset(sub.sent, 0, n);
    for (size_t i = 0; i < window * stride && i < n; i++)
        ready_push(i);
    while (sub.ok + sub.failed < n) {
        if (!sub.n_ready) {
            pthread_cond_wait(&sub.cv, &sub.mu);
            continue;
        }
        size_t i = sub.ready[sub.head];
        sub.head = (sub.head + 1) % sub.cap;
        sub.n_ready--;
        bool again = sub.retried && sub.n_ready == 0;
        pthread_mutex_unlock(&sub.mu);
        if (again)
            usleep(2000); /* only pool-full retries about: let blocks make room */
        cJSON *params = cJSON_CreateArray();
        cJSON_AddItemToArray(params, cJSON_CreateString(txs[i].hex));
        struct nm_rpc_error e = {0};
        int rc = nm_rpc_client_call_async(cl[txs[i].node], "author_submitExtrinsic", params,
                                          60000, on_submitted, (void *)(uintptr_t)i, &e);
        if (rc) /* not queued: the callback never runs */
            on_submitted((void *)(uintptr_t)i, rc, NULL, &e);
        nm_rpc_error_fini(&e);
        pthread_mutex_lock(&sub.mu);
    }
    pthread_mutex_unlock(&sub.mu);
}

static int call_json(struct nm_rpc_client *c, const char *method, cJSON *params, cJSON **out)
{
    struct nm_rpc_error e = {0};
    int rc = nm_rpc_client_call(c, method, params, 30000, out, &e);
    if (rc)
        fprintf(stderr, "bench_bft_net: %s: %s\n", method, e.message);
    nm_rpc_error_fini(&e);
    return rc;
}

/* The account's nonce in the node's final state (-1 on error). */
static long nonce_of(struct nm_rpc_client *c, const nm_account *a)
{
    char addr[NM_SS58_STRLEN];
    cJSON *params = cJSON_CreateArray(), *r = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateString(nm_ss58_encode(a, addr)));
    if (call_json(c, "account_get", params, &r))
        return -1;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(r, "nonce");
    long v = cJSON_IsNumber(n) ? (long)n->valuedouble : -1;
    cJSON_Delete(r);
    return v;
}

static char *ext_hex(const struct nm_keypair *from, const nm_hash *genesis, uint64_t nonce,
                     const nm_account *to, uint64_t amount)
{
    struct nm_call call = {.kind = NM_CALL_TRANSFER};
    call.u.transfer.dest = *to;
    call.u.transfer.amount = amount;
    uint8_t *ext;
    size_t len;
    if (nm_extrinsic_build(from, genesis, nonce, &call, &ext, &len))
        return NULL;
    char *hex = malloc(2 * len + 3);
    if (hex)
        nm_hex_encode(ext, len, hex, 2 * len + 3); /* "0x..." */
    free(ext);
    return hex;
}

/* Waits until, on every node, each account i has nonce >= want[i]; the
 * seconds since t0 at which each node got there go to done_s. */
static int wait_final(struct nm_rpc_client **cl, int nodes, const nm_account *accts,
                      const long *want, size_t n, double t0, double *done_s)
{
    for (int k = 0; k < nodes; k++) {
        size_t i = 0;
        for (int polls = 0; i < n; polls++) {
            long got = nonce_of(cl[k], &accts[i]);
            if (got < 0 || polls > 3000)
                return -1;
            if (got >= want[i])
                i++;
            else
                usleep(20000);
        }
        done_s[k] = bench_now_s() - t0;
    }
    return 0;
}

/* The node processes' pids (DEVNET_DIR/nodeK.pid, as scripts/devnet.sh
 * writes them), by node index; 0 where there is none. */
static void node_pids(const char *dir, int nodes, pid_t *pids)
{
    for (int k = 0; k < nodes; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/node%d.pid", dir, k);
        FILE *f = fopen(path, "r");
        int pid = 0;
        if (!f || fscanf(f, "%d", &pid) != 1)
            pid = 0;
        if (f)
            fclose(f);
        pids[k] = (pid_t)pid;
    }
}

/* The node processes' CPU seconds so far, summed; -1 if one is unknown. */
static double nodes_cpu_s(const pid_t *pids, int nodes)
{
    double sum = 0;
    for (int k = 0; k < nodes; k++) {
        double s = pids[k] ? bench_cpu_s(pids[k]) : -1;
        if (s < 0)
            return -1;
        sum += s;
    }
    return sum;
}

/* The CPU figures of the timed phase and the ceiling they imply (see the
 * file's comment): cpu_s is the nodes' total, all_s the phase's length. */
static void print_cpu(int nodes, size_t total, double all_s, double cpu_s, double client_cpu_s,
                      double import_rate, double import_cpu_us)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    if (cpu_s < 0) {
        printf("nodes' CPU: unknown (no node pids in the devnet's directory)\n");
        return;
    }
    double per_ext_us = 1e6 * cpu_s / (double)total;
    printf("nodes' CPU over the timed phase: %.2f s = %.1f us per extrinsic, %.1f us per "
           "extrinsic per node, %.2f of %ld cores busy (this client: %.2f s, %.1f us per "
           "extrinsic)\n", cpu_s, per_ext_us, per_ext_us / nodes, cpu_s / all_s, cores,
           client_cpu_s, 1e6 * client_cpu_s / (double)total);
    if (import_rate <= 0 || import_cpu_us <= 0)
        return;
    /* the nodes share the machine's cores: with every core busy on them,
     * the network cannot pass more than cores / CPU per extrinsic */
    double cpu_bound = cores / (per_ext_us / 1e6);
    double import_cores = import_rate * import_cpu_us / 1e6;
    printf("ceiling on %ld cores: with each node at the import's %.1f us per extrinsic "
           "(import uses %.2f cores), ratio <= %ld / (%d x %.2f) = %.2f; with the %.1f us per "
           "extrinsic per node measured here, ratio <= %.0f/s / %.0f/s = %.2f; measured "
           "%.2f\n", cores, import_cpu_us, import_cores, cores, nodes, import_cores,
           cores / (nodes * import_cores), per_ext_us / nodes, cpu_bound, import_rate,
           cpu_bound / import_rate, total / all_s / import_rate);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("bench_bft_net: needs a running devnet (bench/bft_devnet.sh --transfers N starts "
               "one and runs it)\n");
        return 0;
    }
    size_t total = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
    size_t senders = argc > 3 ? strtoul(argv[3], NULL, 10) : 64;
    size_t window = argc > 4 ? strtoul(argv[4], NULL, 10) : 1;
    double import_rate = argc > 6 ? strtod(argv[5], NULL) : 0;
    double import_cpu_us = argc > 6 ? strtod(argv[6], NULL) : 0;
    if (total < 1 || senders < 1 || senders > 4096 || total > 1000000 || window < 1 ||
        window > 16) {
        fprintf(stderr, "usage: bench_bft_net DEVNET_DIR [TRANSFERS] [SENDERS<=4096] "
                        "[WINDOW<=16] [IMPORT_RATE IMPORT_CPU_US]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* piped through tee: each line as it comes */
    if (nm_crypto_init())
        return 1;
    char path[4200], line[1024], urls[MAX_NODES][256];
    snprintf(path, sizeof path, "%s/nodes.txt", argv[1]);
    FILE *f = fopen(path, "r");
    int nodes = 0;
    while (f && nodes < MAX_NODES && fgets(line, sizeof line, f))
        if (sscanf(line, "%*s %255s", urls[nodes]) == 1)
            nodes++;
    if (f)
        fclose(f);
    if (!nodes) {
        fprintf(stderr, "bench_bft_net: no nodes in %s\n", path);
        return 1;
    }
    struct nm_rpc_client *cl[MAX_NODES];
    for (int k = 0; k < nodes; k++) {
        struct nm_rpc_error e = {0};
        if (nm_rpc_client_connect(urls[k], NULL, 10000, &cl[k], &e)) {
            fprintf(stderr, "bench_bft_net: %s: %s\n", urls[k], e.message);
            return 1;
        }
    }
    cJSON *r = NULL, *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateNumber(0));
    nm_hash genesis;
    if (call_json(cl[0], "chain_getBlockHash", p, &r) || !cJSON_IsString(r) ||
        nm_hash_from_hex(r->valuestring, &genesis)) {
        fprintf(stderr, "bench_bft_net: no genesis hash\n");
        return 1;
    }
    cJSON_Delete(r);

    struct nm_keypair alice, *keys = calloc(senders, sizeof *keys);
    nm_keypair_dev("alice", &alice);
    nm_account *accts = calloc(senders + 1, sizeof *accts);
    long *want = calloc(senders + 1, sizeof *want);
    for (size_t s = 0; s < senders; s++) {
        uint8_t seed[NM_SEED_LEN] = "bench_bft_net sender";
        memcpy(seed + 24, &s, sizeof s < 8 ? sizeof s : 8);
        nm_keypair_from_seed(seed, &keys[s]);
        accts[s] = keys[s].pub;
    }
    long alice_nonce = nonce_of(cl[0], &alice.pub);
    if (alice_nonce < 0)
        return 1;
    size_t per = (total + senders - 1) / senders;
    total = per * senders;
    txs = calloc(total > senders ? total : senders, sizeof *txs);
    sub.cap = (total > senders ? total : senders) + 1;
    sub.ready = calloc(sub.cap, sizeof *sub.ready);
    sub.done = calloc(sub.cap, 1);
    sub.sent = calloc(sub.cap, 1);

    /* set-up, not timed: alice funds every sender (at node 0) */
    for (size_t s = 0; s < senders; s++)
        txs[s] = (struct tx){ext_hex(&alice, &genesis, (uint64_t)alice_nonce + s, &accts[s],
                                     1000 * NMT), 0};
    double done_s[MAX_NODES], t = bench_now_s();
    submit_all(cl, senders, 1, 1);
    accts[senders] = alice.pub;
    want[senders] = alice_nonce + (long)senders;
    if (sub.failed || wait_final(cl, nodes, accts + senders, want + senders, 1, t, done_s)) {
        fprintf(stderr, "bench_bft_net: funding failed: %s\n", sub.first_error);
        return 1;
    }
    for (size_t s = 0; s < senders; s++)
        free(txs[s].hex);
    printf("set-up: %zu senders funded and final on %d nodes in %.1f s\n", senders, nodes,
           bench_now_s() - t);

    /* every transfer signed beforehand; round r holds each sender's r-th,
     * so one sender's follow each other far apart */
    t = bench_now_s();
    for (size_t r = 0; r < per; r++)
        for (size_t s = 0; s < senders; s++)
            txs[r * senders + s] = (struct tx){
                ext_hex(&keys[s], &genesis, r, &accts[(s + 1) % senders], NMT / 1000 + r),
                (int)(s % (size_t)nodes)};
    printf("signed %zu transfers beforehand in %.1f s (%zu senders x %zu, %zu in flight "
           "each)\n", total, bench_now_s() - t, senders, per, window);
    for (size_t s = 0; s < senders; s++)
        want[s] = (long)per;
    pid_t pids[MAX_NODES];
    node_pids(argv[1], nodes, pids);
    double cpu0 = nodes_cpu_s(pids, nodes), client0 = bench_self_cpu_s();
    double t0 = bench_now_s();
    submit_all(cl, total, senders, window);
    double submit_s = bench_now_s() - t0;
    if (sub.failed) {
        fprintf(stderr, "bench_bft_net: %zu submissions refused, the first: %s\n", sub.failed,
                sub.first_error);
        return 1;
    }
    if (wait_final(cl, nodes, accts, want, senders, t0, done_s)) {
        fprintf(stderr, "bench_bft_net: the transfers did not all become final\n");
        return 1;
    }
    double cpu1 = nodes_cpu_s(pids, nodes), client_cpu_s = bench_self_cpu_s() - client0;
    double all_s = 0;
    for (int k = 0; k < nodes; k++)
        all_s = done_s[k] > all_s ? done_s[k] : all_s;
    printf("network: %zu transfers final on all %d nodes in %.2f s = %.0f extrinsics/s "
           "(submitted in %.2f s, %zu retried for a full pool)\n", total, nodes, all_s,
           total / all_s, submit_s, sub.retried);
    printf("  final on node:");
    for (int k = 0; k < nodes; k++)
        printf(" %d %.2f s%s", k, done_s[k], k + 1 < nodes ? "," : "\n");
    print_cpu(nodes, total, all_s, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0, client_cpu_s,
              import_rate, import_cpu_us);
    for (int k = 0; k < nodes; k++)
        nm_rpc_client_close(cl[k]);
    for (size_t i = 0; i < total; i++)
        free(txs[i].hex);
    free(txs);
    free(sub.ready);
    free(sub.done);
    free(sub.sent);
    free(keys);
    free(accts);
    free(want);
    return 0;
}
