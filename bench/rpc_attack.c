/* rpc_attack.c - the attacks of issue 17 on a node's JSON-RPC, as figures:
 * worst gap between blocks (newHeads arrivals), peak and retained resident
 * memory of the node, and the time to serve an honest request (a fresh
 * WebSocket + system_health) while the attack runs. Not a test: it prints.
 *
 *   rpc_attack                        starts a dev node in this process
 *   rpc_attack --port P --pid PID     attacks a running node (any version:
 *                                     bench/rpc_attack.sh runs old and new)
 *   ... [SCENARIO ...]                bomb, unfinished, slots, subscribers,
 *                                     flood, future, pending, weights
 *
 * Scaled to a 2-core machine shared with others: a 14.7 MB "[0,0,...]"
 * looped by 2 clients, 50 x 2 MiB unfinished fragmented frames finished at
 * once, 100 idle WebSockets from another address, 20 x 1024 subscriptions
 * never read; the flood of tests/test_rpc_limits.c; 128 funded accounts
 * each pooling 64 future-nonce transfers, then an honest transfer; that
 * pool's author_pendingExtrinsics looped by two clients; weights.submit
 * of 60,000 UIDs from a non-validator looped. Loopback only. */
#include "node/amount.h"
#include "node/call.h"
#include "node/chainspec.h"
#include "node/crypto.h"
#include "node/extrinsic.h"
#include "node/ss58.h"
#include "service/node.h"
#include "tests/support/ws_flood.h"
#include "tests/support/ws_raw.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SECONDS 8

static int port;
static long pid;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long rss_kb(void)
{
    char path[64];
    long pages = 0, resident = 0;
    snprintf(path, sizeof path, "/proc/%ld/statm", pid);
    FILE *f = fopen(path, "r");
    if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    if (f)
        fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- what is measured while an attack runs ---- */

struct watch {
    atomic_bool stop;
    long long worst_gap_ms;
    atomic_int heads;
    long peak_kb;
    long long honest_worst_ms;
    int honest_ok, honest_failed;
};

static void *watch_heads(void *arg)
{
    struct watch *w = arg;
    /* long timeouts: a stalled node is what is measured */
    int fd = wsr_open(port, NULL, NULL, 60000, 0);
    if (fd < 0)
        return NULL;
    char *r =
        wsr_call(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"chain_subscribeNewHeads\"}");
    free(r);
    long long last = 0;
    while (!atomic_load(&w->stop)) {
        char *n = wsr_recv_text(fd);
        if (!n)
            break;
        free(n);
        long long t = now_ms();
        if (last && t - last > w->worst_gap_ms)
            w->worst_gap_ms = t - last;
        last = t;
        atomic_fetch_add(&w->heads, 1);
    }
    close(fd);
    return NULL;
}

static void *watch_honest(void *arg)
{
    struct watch *w = arg;
    while (!atomic_load(&w->stop)) {
        long long t0 = now_ms();
        int fd = wsr_open(port, NULL, NULL, 5000, 0);
        char *r = fd >= 0 ? wsr_call(fd, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                                         "\"system_health\"}")
                          : NULL;
        long long took = now_ms() - t0;
        if (r && strstr(r, "\"result\"")) {
            w->honest_ok++;
            if (took > w->honest_worst_ms)
                w->honest_worst_ms = took;
        } else {
            w->honest_failed++;
        }
        free(r);
        if (fd >= 0)
            close(fd);
        usleep(200 * 1000);
    }
    return NULL;
}

static void *watch_rss(void *arg)
{
    struct watch *w = arg;
    while (!atomic_load(&w->stop)) {
        long rss = rss_kb();
        if (rss > w->peak_kb)
            w->peak_kb = rss;
        usleep(20 * 1000);
    }
    return NULL;
}

typedef void (*attack_fn)(atomic_bool *stop);

static void run(const char *name, attack_fn attack)
{
    struct watch w = {0};
    atomic_init(&w.stop, false);
    atomic_init(&w.heads, 0);
    long before = rss_kb();
    pthread_t heads, honest, rss;
    pthread_create(&rss, NULL, watch_rss, &w);
    pthread_create(&heads, NULL, watch_heads, &w);
    for (int i = 0; i < 50 && atomic_load(&w.heads) < 1; i++)
        usleep(100 * 1000); /* gaps are measured from the first head on */
    pthread_create(&honest, NULL, watch_honest, &w);
    attack(&w.stop); /* returns after SECONDS */
    atomic_store(&w.stop, true);
    pthread_join(honest, NULL);
    pthread_join(heads, NULL);
    pthread_join(rss, NULL);
    sleep(3); /* what the node keeps after the attack */
    long after = rss_kb();
    printf("%-12s worst block gap %5lld ms (%d heads) | RSS before %4ld MB, peak %5ld MB, "
           "retained %4ld MB | honest request: worst %5lld ms, %d served, %d failed\n",
           name, w.worst_gap_ms, atomic_load(&w.heads), before / 1024, w.peak_kb / 1024,
           after / 1024,
           w.honest_worst_ms, w.honest_ok, w.honest_failed);
    fflush(stdout);
}

static void sleep_attack(atomic_bool *stop)
{
    (void)stop;
    sleep(SECONDS);
}

/* ---- 1. JSON bombs: two clients looping a 14.7 MB "[0,0,...]" ---- */

/* Two clients sending one text and reading each answer, for SECONDS. */
struct looped {
    atomic_bool stop;
    const char *text;
    size_t len;
};

static void *loop_client(void *arg)
{
    struct looped *l = arg;
    int fd = wsr_open(port, NULL, NULL, 30000, 0);
    while (fd >= 0 && !atomic_load(&l->stop)) {
        if (!wsr_send_frame(fd, 1, true, l->text, l->len))
            break;
        char *r = wsr_recv_text(fd);
        if (!r)
            break;
        free(r);
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void loop_two_clients(const char *text, size_t len)
{
    struct looped l = {.text = text, .len = len};
    atomic_init(&l.stop, false);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, loop_client, &l);
    sleep(SECONDS);
    atomic_store(&l.stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
}

static void attack_bomb(atomic_bool *stop)
{
    size_t bomb_len = 14700000;
    char *bomb = malloc(bomb_len);
    bomb[0] = '[';
    for (size_t i = 1; i + 1 < bomb_len; i += 2) {
        bomb[i] = '0';
        bomb[i + 1] = ',';
    }
    bomb[bomb_len - 2] = '0';
    bomb[bomb_len - 1] = ']';
    loop_two_clients(bomb, bomb_len);
    free(bomb);
    (void)stop;
}

/* ---- 2. unfinished fragmented frames, then finished all at once ---- */

static void attack_unfinished(atomic_bool *stop)
{
    enum { CONNS = 50 };
    size_t part = 2 * 1024 * 1024;
    char *buf = malloc(part);
    for (size_t i = 0; i < part; i += 2) {
        buf[i] = '0';
        buf[i + 1] = ',';
    }
    buf[0] = '[';
    int fds[CONNS];
    for (int i = 0; i < CONNS; i++) {
        fds[i] = wsr_open(port, NULL, NULL, 5000, 0);
        if (fds[i] >= 0 && !wsr_send_frame(fds[i], 1, false, buf, part)) {
            close(fds[i]);
            fds[i] = -1;
        }
    }
    sleep(SECONDS / 2);
    for (int i = 0; i < CONNS; i++) /* "0]" finishes each */
        if (fds[i] >= 0)
            (void)wsr_send_frame(fds[i], 0, true, "0]", 2);
    sleep(SECONDS / 2);
    for (int i = 0; i < CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(buf);
    (void)stop;
}

/* ---- 5. slots: 100 idle WebSockets from 127.0.0.2 ---- */

static void attack_slots(atomic_bool *stop)
{
    enum { CONNS = 100 };
    int fds[CONNS];
    for (int i = 0; i < CONNS; i++)
        fds[i] = wsr_open_from("127.0.0.2", port, NULL, NULL, 3000, 0);
    sleep(SECONDS);
    for (int i = 0; i < CONNS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    (void)stop;
}

/* ---- 6. slow subscribers: 20 x 1024 newHeads, never read ---- */

static void attack_subscribers(atomic_bool *stop)
{
    enum { CONNS = 20, SUBS = 1024 };
    int fds[CONNS];
    for (int c = 0; c < CONNS; c++) {
        char src[32];
        snprintf(src, sizeof src, "127.0.0.%d", 10 + c / 2);
        fds[c] = wsr_open_from(src, port, NULL, NULL, 5000, 4096);
        for (int part = 0; fds[c] >= 0 && part < 2; part++)
            (void)wsr_send_batch(fds[c], "chain_subscribeNewHeads", SUBS / 2);
    }
    sleep(SECONDS);
    for (int c = 0; c < CONNS; c++)
        if (fds[c] >= 0)
            close(fds[c]);
    (void)stop;
}

/* ---- 1. the flood of tests/test_rpc_limits.c: largest requests, costly
 * requests pipelined, unfinished frames (an attacker program at nice 19) ---- */

static void attack_flood(atomic_bool *stop)
{
    struct wsr_flood *fl = wsr_flood_start(port, 512 * 1024);
    sleep(SECONDS);
    if (fl)
        printf("flood: %ld requests answered\n", wsr_flood_sent(fl));
    wsr_flood_stop(fl);
    (void)stop;
}

/* ---- signed transactions (items 2-4) ---- */

static nm_hash genesis;

/* The reply's "result" member (malloc'd text of it) or NULL; the error
 * message into err otherwise. */
static char *call_result(int fd, const char *request, char *err, size_t cap)
{
    char *reply = wsr_call(fd, request);
    cJSON *r = reply ? cJSON_Parse(reply) : NULL;
    free(reply);
    const cJSON *res = cJSON_GetObjectItem(r, "result");
    const cJSON *msg = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "error"), "message");
    char *out = res ? cJSON_PrintUnformatted(res) : NULL;
    if (!res && err)
        snprintf(err, cap, "%s", cJSON_IsString(msg) ? msg->valuestring : "no answer");
    cJSON_Delete(r);
    return out;
}

static bool genesis_read(void)
{
    int fd = wsr_open(port, NULL, NULL, 5000, 0);
    char *hash = fd >= 0 ? call_result(fd,
                                       "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                                       "\"chain_getBlockHash\",\"params\":[0]}",
                                       NULL, 0)
                         : NULL;
    bool ok = hash && strlen(hash) > 2;
    if (ok) {
        hash[strlen(hash) - 1] = '\0'; /* the quotes */
        ok = nm_hash_from_hex(hash + 1, &genesis) == 0;
    }
    free(hash);
    if (fd >= 0)
        close(fd);
    return ok;
}

/* Signs and submits; 0 when the pool took it, else -1 (why in err). */
static int submit(int fd, const struct nm_keypair *kp, uint64_t nonce, const struct nm_call *call,
                  char *err, size_t cap)
{
    uint8_t *ext = NULL;
    size_t len = 0;
    if (nm_extrinsic_build(kp, &genesis, nonce, call, &ext, &len))
        return -1;
    size_t hex_cap = 2 * len + 3, req_cap = hex_cap + 128;
    char *hex = malloc(hex_cap), *req = malloc(req_cap);
    nm_hex_encode(ext, len, hex, hex_cap);
    snprintf(req, req_cap,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
             "\"author_submitExtrinsic\",\"params\":[\"%s\"]}",
             hex);
    char *res = call_result(fd, req, err, cap);
    int rc = res ? 0 : -1;
    free(res);
    free(req);
    free(hex);
    free(ext);
    return rc;
}

static struct nm_call transfer_to(const nm_account *dest, uint64_t amount)
{
    struct nm_call c = {.kind = NM_CALL_TRANSFER};
    c.u.transfer.dest = *dest;
    c.u.transfer.amount = amount;
    return c;
}

/* Item 2: FUNDED accounts, each given 0.001 NMT by a dev account (a
 * quarter each by alice, dave, eve and ferdie: the pool takes only so many
 * of one sender's transactions at once), submit nonces
 * 1..64 and never 0, from 8 connections on 8 addresses (the rate limits
 * are per connection and address). */
enum { FUNDED = 128, FUTURES = 64, SENDERS = 8 };
static struct nm_keypair funded[FUNDED];

struct future_sender {
    int first, accepted, refused;
    char last_err[160];
};

static void *send_futures(void *arg)
{
    struct future_sender *fs = arg;
    char src[32];
    snprintf(src, sizeof src, "127.0.0.%d", 20 + fs->first);
    int fd = wsr_open_from(src, port, NULL, NULL, 10000, 0);
    for (int a = fs->first; fd >= 0 && a < FUNDED; a += SENDERS) {
        struct nm_call c = transfer_to(&funded[(a + 1) % FUNDED].pub, 1);
        for (uint64_t nonce = 1; nonce <= FUTURES; nonce++) {
            if (submit(fd, &funded[a], nonce, &c, fs->last_err, sizeof fs->last_err) == 0)
                fs->accepted++;
            else
                fs->refused++;
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static bool fill_with_futures(void)
{
    static const char *const funders[] = {"alice", "dave", "eve", "ferdie"};
    struct nm_keypair funder[4];
    char err[160] = "";
    if (!genesis_read())
        return false;
    for (int i = 0; i < 4; i++)
        if (nm_keypair_dev(funders[i], &funder[i]))
            return false;
    int fd = wsr_open(port, NULL, NULL, 10000, 0);
    int funded_ok = 0;
    for (int a = 0; fd >= 0 && a < FUNDED; a++) {
        uint8_t seed[NM_SEED_LEN] = {0x17, (uint8_t)a};
        nm_keypair_from_seed(seed, &funded[a]);
        struct nm_call c = transfer_to(&funded[a].pub, NM_UNITS_PER_NMT / 1000);
        funded_ok += submit(fd, &funder[a % 4], (uint64_t)(a / 4), &c, err, sizeof err) == 0;
    }
    if (fd >= 0)
        close(fd);
    sleep(3); /* two blocks: the funds are in */
    struct future_sender fs[SENDERS] = {{0}};
    pthread_t th[SENDERS];
    for (int i = 0; i < SENDERS; i++) {
        fs[i].first = i;
        pthread_create(&th[i], NULL, send_futures, &fs[i]);
    }
    int accepted = 0, refused = 0;
    for (int i = 0; i < SENDERS; i++) {
        pthread_join(th[i], NULL);
        accepted += fs[i].accepted;
        refused += fs[i].refused;
        if (fs[i].refused)
            snprintf(err, sizeof err, "%s", fs[i].last_err);
    }
    printf("futures: %d of %d accounts funded; %d future transactions pooled, %d refused "
           "(%s)\n",
           funded_ok, FUNDED, accepted, refused, refused ? err : "-");
    return true;
}

static uint64_t nonce_of(int fd, const nm_account *who)
{
    char addr[NM_SS58_STRLEN], req[256];
    nm_ss58_encode(who, addr);
    snprintf(req, sizeof req,
             "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"account_get\","
             "\"params\":[\"%s\"]}",
             addr);
    char *res = call_result(fd, req, NULL, 0);
    cJSON *r = res ? cJSON_Parse(res) : NULL;
    const cJSON *n = cJSON_GetObjectItem(r, "nonce");
    uint64_t nonce = cJSON_IsNumber(n) ? (uint64_t)n->valuedouble : 0;
    cJSON_Delete(r);
    free(res);
    return nonce;
}

/* An honest transfer from bob once the pool is under attack: refused, or
 * the time until it is in a block. */
static void honest_transfer(void)
{
    struct nm_keypair bob, charlie;
    char err[160] = "";
    nm_keypair_dev("bob", &bob);
    nm_keypair_dev("charlie", &charlie);
    int fd = wsr_open(port, NULL, NULL, 10000, 0);
    struct nm_call c = transfer_to(&charlie.pub, NM_UNITS_PER_NMT);
    long long t0 = now_ms();
    if (fd < 0 || submit(fd, &bob, 0, &c, err, sizeof err)) {
        printf("honest transfer: refused (%s)\n", err);
    } else {
        while (nonce_of(fd, &bob.pub) == 0 && now_ms() - t0 < 10000)
            usleep(50 * 1000);
        printf("honest transfer: accepted, in a block after %lld ms\n", now_ms() - t0);
    }
    if (fd >= 0)
        close(fd);
}

static void attack_future(atomic_bool *stop)
{
    if (fill_with_futures())
        honest_transfer();
    (void)stop;
}

/* ---- weights.submit naming 60,000 UIDs (240 KB), for items 3 and 4 ---- */

enum { PAIRS = 60000 };

/* weights.submit on subnet 1 naming PAIRS UIDs; pairs (malloc'd) is the
 * caller's to free. */
static struct nm_call weights_call(uint8_t **pairs)
{
    *pairs = calloc(PAIRS, 4);
    for (uint32_t i = 0; i < PAIRS; i++) {
        (*pairs)[4 * i] = (uint8_t)i;
        (*pairs)[4 * i + 1] = (uint8_t)(i >> 8);
        (*pairs)[4 * i + 2] = 1;
    }
    struct nm_call c = {.kind = NM_CALL_WEIGHTS_SUBMIT};
    c.u.weights.subnet = 1;
    c.u.weights.list.n = PAIRS;
    c.u.weights.list.pairs = *pairs;
    return c;
}

/* ---- 4. author_pendingExtrinsics on that pool and charlie's large future
 * transactions, looped by two clients ---- */

static void attack_pending(atomic_bool *stop)
{
    static const char pending[] =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"author_pendingExtrinsics\"}";
    /* charlie's weights.submit of 240 KB each, nonces 1..64, then the
     * future transfers of item 2 */
    struct nm_keypair charlie;
    uint8_t *pairs = NULL;
    char err[160] = "";
    if (!genesis_read())
        return;
    int big = 0, fd = wsr_open(port, NULL, NULL, 30000, 0);
    struct nm_call c = weights_call(&pairs);
    nm_keypair_dev("charlie", &charlie);
    for (uint64_t nonce = 1; fd >= 0 && nonce <= FUTURES; nonce++)
        big += submit(fd, &charlie, nonce, &c, err, sizeof err) == 0;
    free(pairs);
    printf("pending: %d of %d weights.submit of 240 KB pooled (%s)\n", big, FUTURES,
           big < FUTURES ? err : "-");
    if (!fill_with_futures())
        return;
    long long t0 = now_ms();
    char *r = fd >= 0 ? wsr_call(fd, pending) : NULL;
    printf("pending: one answer of %zu bytes in %lld ms\n", r ? strlen(r) : 0, now_ms() - t0);
    free(r);
    if (fd >= 0)
        close(fd);
    loop_two_clients(pending, sizeof pending - 1);
    (void)stop;
}

/* ---- 3. that call from a non-validator (alice), looped ---- */

static void attack_weights(atomic_bool *stop)
{
    struct nm_keypair alice;
    char err[160] = "";
    uint8_t *pairs = NULL;
    if (!genesis_read() || nm_keypair_dev("alice", &alice))
        return;
    struct nm_call c = weights_call(&pairs);
    int fd = wsr_open(port, NULL, NULL, 30000, 0);
    int accepted = 0, refused = 0;
    long long t0 = now_ms();
    for (uint64_t nonce = 0; fd >= 0 && now_ms() - t0 < SECONDS * 1000; nonce++) {
        if (submit(fd, &alice, nonce, &c, err, sizeof err) == 0) {
            accepted++;
        } else {
            refused++;
            usleep(10 * 1000);
        }
    }
    printf("weights: %d of 60,000 UIDs each: %d pooled, %d refused (%s)\n", PAIRS, accepted,
           refused, refused ? err : "-");
    if (fd >= 0)
        close(fd);
    free(pairs);
    (void)stop;
}

static const struct {
    const char *name;
    attack_fn fn;
} scenarios[] = {
    {"idle", sleep_attack},
    {"bomb", attack_bomb},
    {"unfinished", attack_unfinished},
    {"slots", attack_slots},
    {"subscribers", attack_subscribers},
    {"flood", attack_flood},
    {"future", attack_future},
    {"pending", attack_pending},
    {"weights", attack_weights},
};

int main(int argc, char **argv)
{
    struct nm_node *node = NULL;
    char dir[64] = "";
    int first = 1;
    if (argc > 4 && !strcmp(argv[1], "--port") && !strcmp(argv[3], "--pid")) {
        port = atoi(argv[2]);
        pid = atol(argv[4]);
        first = 5;
    } else {
        struct nm_chain_spec spec;
        struct nm_keypair alice;
        char db[128], msg[256];
        snprintf(dir, sizeof dir, "/tmp/nm-bench-attack-XXXXXX");
        if (!mkdtemp(dir) || nm_chainspec_dev(&spec) || nm_keypair_dev("alice", &alice))
            return 1;
        snprintf(db, sizeof db, "%s/chain.db", dir);
        struct nm_node_config cfg = {
            .spec = &spec, .db_path = db, .author = &alice, .produce = true};
        if (nm_node_start(&cfg, &node, msg, sizeof msg)) {
            fprintf(stderr, "node: %s\n", msg);
            return 1;
        }
        nm_chainspec_fini(&spec);
        port = nm_node_rpc_port(node);
        pid = (long)getpid();
        sleep(2);
    }
    printf("rpc_attack: node on port %d (pid %ld), %d s per attack, dev chain (1 s blocks)\n",
           port, pid, SECONDS);
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        bool wanted = first >= argc;
        for (int a = first; a < argc; a++)
            wanted |= !strcmp(argv[a], scenarios[i].name);
        if (wanted)
            run(scenarios[i].name, scenarios[i].fn);
    }
    if (node) {
        nm_node_stop(node);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            return 1;
    }
    return 0;
}
