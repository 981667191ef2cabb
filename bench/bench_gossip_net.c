/* bench_gossip_net.c - what one gossip message costs on real sockets
 * (issue 11, speed: the node thread's networking per extrinsic): NODES
 * p2p hosts with their gossipsub routers in this one thread, on
 * 127.0.0.1, fully meshed (as the 4-authority devnet is). Each round,
 * every node publishes one message of SIZE bytes (an extrinsics batch is
 * about 2 KB) in the same loop turn; the round ends when every other node
 * has it. Prints, per message received per node: the thread's CPU (both
 * ends: sign, send, seal, read, open, demux, decode, the one signature
 * check, forward), the part of it that is the signature work alone
 * (1/(NODES-1) of a sign and one verify, measured here on the same bytes),
 * the rest (transport and router), and the socket writes per message
 * (/proc/self/io syscw: every write-type syscall of the process).
 * Run it under valgrind --tool=callgrind for a load-independent count.
 * Prints figures; never fails on time.
 * Usage: bench_gossip_net [ROUNDS=2000] [SIZE=2000] */
#include "bench/support/bench_util.h"
#include "node/crypto.h"
#include "node/errors.h"
#include "node/p2p/gossip.h"
#include "node/p2p/host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define NODES 4
#define TOPIC "/bench/gossip"

struct node {
    struct nm_keypair key;
    struct nm_p2p_host *host;
    struct nm_gossip *router;
    int peers;
    uint64_t got;
};

static uv_loop_t loop;
static struct node nodes[NODES];
static uint64_t now_ms = 1000;

static void on_up(void *ud, const struct nm_peer_id *id)
{
    struct node *n = ud;
    n->peers++;
    nm_gossip_peer_add(n->router, id);
}

static void on_down(void *ud, const struct nm_peer_id *id)
{
    struct node *n = ud;
    n->peers--;
    nm_gossip_peer_remove(n->router, id);
}

static void on_rpc(void *ud, const struct nm_peer_id *from, const uint8_t *rpc, size_t len)
{
    struct node *n = ud;
    nm_gossip_receive(n->router, from, rpc, len, now_ms);
}

static void router_send(void *ud, const struct nm_peer_id *to, const uint8_t *rpc, size_t len)
{
    struct node *n = ud;
    nm_p2p_host_gossip_send(n->host, to, rpc, len);
}

static enum nm_gossip_verdict on_deliver(void *ud, const char *topic, const uint8_t *data,
                                         size_t len, const struct nm_peer_id *author,
                                         const struct nm_peer_id *via, uint64_t ticket)
{
    (void)topic, (void)data, (void)len, (void)author, (void)via, (void)ticket;
    ((struct node *)ud)->got++;
    return NM_GOSSIP_ACCEPT;
}

static uint64_t total_got(void)
{
    uint64_t t = 0;
    for (int i = 0; i < NODES; i++)
        t += nodes[i].got;
    return t;
}

static bool all_peered(void)
{
    for (int i = 0; i < NODES; i++)
        if (nodes[i].peers != NODES - 1 ||
            nm_gossip_mesh_size(nodes[i].router, TOPIC) != NODES - 1)
            return false;
    return true;
}

/* write-type syscalls of this process so far (/proc/self/io) */
static void start_node(int i)
{
    struct node *n = &nodes[i];
    nm_keypair_generate(&n->key);
    struct nm_gossip_config gc = {
        .key = &n->key, .send = router_send, .deliver = on_deliver, .ud = n};
    bench_check("bench_gossip_net", nm_gossip_new(&gc, &n->router), "router");
    bench_check("bench_gossip_net", nm_gossip_subscribe(n->router, TOPIC), "subscribe");
    struct nm_p2p_config cfg = {
        .node_key = &n->key,
        .listen_ip = "127.0.0.1",
        .nat = NM_NAT_NONE,
        .max_bytes_per_sec = 1u << 30,
        .on_peer_up = on_up,
        .on_peer_down = on_down,
        .on_gossip = on_rpc,
        .gossip_ud = n,
    };
    char msg[256];
    if (nm_p2p_host_start(&loop, &cfg, &n->host, msg, sizeof msg)) {
        fprintf(stderr, "bench_gossip_net: %s\n", msg);
        exit(1);
    }
    for (int j = 0; j < i; j++) {
        struct nm_multiaddr addr;
        if (nm_p2p_host_listen_addrs(nodes[j].host, &addr, 1) == 1)
            nm_p2p_host_add_reserved(n->host, &addr);
    }
}

/* Signature work per message received per node: one verify, and a
 * sign shared by the NODES - 1 receivers. */
static double signature_us(size_t size)
{
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    uint8_t *data = calloc(1, size + 128), sig[NM_SIG_LEN];
    const int reps = 200;
    double t0 = bench_thread_cpu_s();
    for (int i = 0; i < reps; i++) {
        data[0] = (uint8_t)i;
        nm_sign(&kp, data, size + 128, sig);
    }
    double t1 = bench_thread_cpu_s();
    int ok = 0;
    for (int i = 0; i < reps; i++)
        ok += nm_verify(&kp.pub, data, size + 128, sig); /* the last signed */
    double t2 = bench_thread_cpu_s();
    if (ok != reps)
        fprintf(stderr, "bench_gossip_net: a verify failed\n");
    free(data);
    return ((t1 - t0) / (NODES - 1) + (t2 - t1)) / reps * 1e6;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000;
    long size = argc > 2 ? atol(argv[2]) : 2000;
    if (rounds < 1 || size < 1 || size > 500000) {
        fprintf(stderr,
                "usage: bench_gossip_net [ROUNDS=2000] [SIZE=2000 (bytes, at most 500000)]\n");
        return 2;
    }
    nm_crypto_init();
    uv_loop_init(&loop);
    for (int i = 0; i < NODES; i++)
        start_node(i);
    double deadline = bench_now_s() + 20;
    while (!all_peered() && bench_now_s() < deadline) {
        uv_run(&loop, UV_RUN_NOWAIT);
        now_ms += 1000;
        for (int i = 0; i < NODES; i++)
            nm_gossip_heartbeat(nodes[i].router, now_ms);
    }
    if (!all_peered()) {
        fprintf(stderr, "bench_gossip_net: the mesh did not form in 20 s\n");
        return 1;
    }
    uint8_t *data = calloc(1, (size_t)size);
    double c0 = bench_thread_cpu_s(), w0 = bench_now_s();
    long long s0 = bench_proc_value("/proc/self/io", "syscw: %lld");
    uint64_t want = 0;
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < NODES; i++) { /* one loop turn: each node publishes */
            memcpy(data, &r, sizeof r);
            data[sizeof r] = (uint8_t)i;
            nm_gossip_publish(nodes[i].router, TOPIC, data, (size_t)size, now_ms);
        }
        want += NODES * (NODES - 1);
        while (total_got() < want)
            uv_run(&loop, UV_RUN_ONCE);
    }
    double c1 = bench_thread_cpu_s(), w1 = bench_now_s();
    long long s1 = bench_proc_value("/proc/self/io", "syscw: %lld");
    double per = (double)want;
    double cpu_us = (c1 - c0) / per * 1e6, sig_us = signature_us((size_t)size);
    printf("gossip over loopback: %d nodes fully meshed, %ld rounds of one %ld-byte message "
           "per node, %.0f messages received in %.2f s\n",
           NODES, rounds, size, per, w1 - w0);
    printf("per message received per node: CPU %.1f us (both ends), of which signature work "
           "%.1f us (a verify and 1/%d of a sign), transport and router %.1f us; socket writes "
           "%.3f\n",
           cpu_us, sig_us, NODES - 1, cpu_us - sig_us, (double)(s1 - s0) / per);
    free(data);
    for (int i = 0; i < NODES; i++)
        nm_p2p_host_stop(nodes[i].host);
    uv_run(&loop, UV_RUN_DEFAULT);
    for (int i = 0; i < NODES; i++)
        nm_gossip_free(nodes[i].router);
    uv_loop_close(&loop);
    return 0;
}
