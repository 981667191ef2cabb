/* bench_p2p.c - p2p figures (issue 10), in one process, no sockets:
 *  1. one Noise + yamux stream: MB/s moved (seal, frame, mux, open, demux,
 *     window updates) beside libsodium's raw ChaCha20-Poly1305 IETF seal +
 *     open rate on the same 64 KiB chunks (aim: at least 0.5x);
 *  2. heap per idle connection after the full upgrade and identify
 *     (aim: < 64 KB; kernel socket buffers and the host's small per-socket
 *     record are not in it);
 *  3. sync: blocks of signed transfers served by /neuromesh/sync/1 answers
 *     and imported from them, beside importing the same blocks directly
 *     (both in batches with signatures checked on a second thread, as
 *     bench_import does; aim: at least 0.8x).
 * Prints figures; never fails on time.
 * Usage: bench_p2p [MEGABYTES] [CONNECTIONS] [BLOCKS] [TX_PER_BLOCK] */
#include "node/call.h"
#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/p2p/conn.h"
#include "node/p2p/proto/sync.pb-c.h"
#include "node/p2p/sync.h"

#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- 1. throughput --- */

struct end {
    struct nm_yamux y;
    struct nm_noise_cipher tx, rx;
    uint64_t got;
};

static void on_data(void *ud, struct nm_yamux_stream *s, const uint8_t *d, size_t n)
{
    (void)d;
    struct end *e = ud;
    e->got += n;
    nm_yamux_consume(&e->y, s, n);
}

static void on_stream(void *ud, struct nm_yamux_stream *s)
{
    (void)ud;
    (void)s;
}

static const struct nm_yamux_callbacks CB = {.on_stream = on_stream, .on_data = on_data};

/* Seals a's yamux output into Noise frames, opens them at b, feeds b. */
static void carry(struct end *a, struct end *b, uint8_t *wire, uint8_t *plain)
{
    size_t len;
    const uint8_t *o = nm_yamux_output(&a->y, &len);
    size_t off = 0;
    while (off < len) {
        size_t chunk = len - off > NM_NOISE_MAX_PLAINTEXT ? NM_NOISE_MAX_PLAINTEXT : len - off;
        nm_noise_seal(&a->tx, o + off, chunk, wire);
        size_t fs = nm_noise_frame_size(wire, 2);
        int pl = nm_noise_open(&b->rx, wire + 2, fs - 2, plain);
        if (pl < 0 || nm_yamux_feed(&b->y, plain, (size_t)pl)) {
            fprintf(stderr, "bench: transport failed\n");
            exit(1);
        }
        off += chunk;
    }
    nm_yamux_output_clear(&a->y, len);
}

static void bench_stream(size_t megabytes)
{
    static struct end a, b;
    uint8_t key[32];
    randombytes_buf(key, sizeof key);
    memcpy(a.tx.k, key, 32);
    memcpy(b.rx.k, key, 32);
    randombytes_buf(key, sizeof key);
    memcpy(b.tx.k, key, 32);
    memcpy(a.rx.k, key, 32);
    nm_yamux_init(&a.y, true, &CB, &a);
    nm_yamux_init(&b.y, false, &CB, &b);
    int err;
    struct nm_yamux_stream *s = nm_yamux_open(&a.y, NULL, &err);
    static uint8_t chunk[65536], wire[NM_NOISE_MAX_FRAME + 2], plain[NM_NOISE_MAX_FRAME];
    randombytes_buf(chunk, sizeof chunk);
    uint64_t total = (uint64_t)megabytes << 20, sent = 0;
    double t0 = now_s();
    while (b.got < total) {
        if (sent < total) {
            size_t want = total - sent < sizeof chunk ? (size_t)(total - sent) : sizeof chunk;
            int w = nm_yamux_write(&a.y, s, chunk, want);
            if (w > 0)
                sent += (uint64_t)w;
        }
        carry(&a, &b, wire, plain);
        carry(&b, &a, wire, plain); /* window updates */
    }
    double stream_s = now_s() - t0;
    /* raw AEAD on the same chunk size: seal then open */
    uint8_t nonce[12] = {0}, *ct = malloc(sizeof chunk + 16), *pt = malloc(sizeof chunk);
    t0 = now_s();
    for (uint64_t done = 0; done < total; done += sizeof chunk) {
        unsigned long long clen;
        nonce[4]++;
        crypto_aead_chacha20poly1305_ietf_encrypt(ct, &clen, chunk, sizeof chunk, NULL, 0, NULL,
                                                  nonce, key);
        if (crypto_aead_chacha20poly1305_ietf_decrypt(pt, NULL, NULL, ct, clen, NULL, 0, nonce,
                                                      key))
            exit(1);
    }
    double raw_s = now_s() - t0;
    free(ct);
    free(pt);
    double mbs = (double)megabytes / stream_s, raw = (double)megabytes / raw_s;
    printf("noise+yamux stream: %zu MiB in %.2f s = %.0f MB/s; raw ChaCha20-Poly1305 seal+open "
           "%.0f MB/s; ratio %.2f (aim >= 0.5)\n",
           megabytes, stream_s, mbs, raw, mbs / raw);
    nm_yamux_fini(&a.y);
    nm_yamux_fini(&b.y);
}

/* --- 2. memory per idle connection --- */

static const struct nm_p2p_conn_events NO_EVENTS = {0};

static void move(struct nm_p2p_conn *from, struct nm_p2p_conn *to)
{
    size_t len;
    const uint8_t *o = nm_p2p_conn_output(from, &len);
    if (!len)
        return;
    uint8_t *copy = malloc(len);
    memcpy(copy, o, len);
    nm_p2p_conn_output_clear(from);
    nm_p2p_conn_feed(to, copy, len, 0);
    free(copy);
}

static void bench_memory(size_t n)
{
    struct nm_keypair ka, kb;
    nm_keypair_generate(&ka);
    nm_keypair_generate(&kb);
    static struct nm_noise_identity ia, ib;
    nm_noise_identity_init(&ia, &ka);
    nm_noise_identity_init(&ib, &kb);
    struct nm_p2p_local la = {.noise = &ia}, lb = {.noise = &ib};
    nm_peer_id_from_pubkey(&ka.pub, &la.id);
    nm_peer_id_from_pubkey(&kb.pub, &lb.id);
    struct mallinfo2 before = mallinfo2();
    struct nm_p2p_conn *d = malloc(n * sizeof *d), *l = malloc(n * sizeof *l);
    for (size_t i = 0; i < n; i++) {
        nm_p2p_conn_init(&d[i], &la, true, NULL, NULL, &NO_EVENTS, NULL);
        nm_p2p_conn_init(&l[i], &lb, false, NULL, NULL, &NO_EVENTS, NULL);
        for (int r = 0; r < 8; r++) {
            move(&d[i], &l[i]);
            move(&l[i], &d[i]);
        }
        if (d[i].state != NM_P2P_CONN_READY || !d[i].info.identified) {
            fprintf(stderr, "bench: connection %zu did not come up\n", i);
            exit(1);
        }
    }
    malloc_trim(0);
    struct mallinfo2 after = mallinfo2();
    double per = (double)(after.uordblks - before.uordblks) / (double)(2 * n);
    printf("idle connection (upgraded, identified): %.1f KB heap each over %zu (struct %zu B "
           "included); aim < 64 KB\n",
           per / 1024.0, 2 * n, sizeof(struct nm_p2p_conn));
    for (size_t i = 0; i < n; i++) {
        nm_p2p_conn_fini(&d[i]);
        nm_p2p_conn_fini(&l[i]);
    }
    free(d);
    free(l);
}

/* --- 3. sync beside import --- */

static struct nm_chain *dev_chain(bool author)
{
    struct nm_chain_spec spec;
    nm_chainspec_dev(&spec);
    struct nm_keypair alice;
    nm_keypair_dev("alice", &alice);
    struct nm_chain *c = NULL;
    char msg[256];
    if (nm_chain_open(":memory:", &spec, author ? &alice : NULL, &c, msg, sizeof msg)) {
        fprintf(stderr, "bench: %s\n", msg);
        exit(1);
    }
    nm_chainspec_fini(&spec);
    return c;
}

static void bench_sync(size_t blocks, size_t per_block)
{
    struct nm_chain *a = dev_chain(true);
    struct nm_keypair keys[6];
    uint64_t nonce[6] = {0};
    for (int k = 0; k < 6; k++)
        nm_keypair_dev(nm_dev_names[k], &keys[k]);
    struct nm_call call;
    memset(&call, 0, sizeof call);
    call.kind = NM_CALL_TRANSFER;
    call.u.transfer.amount = 2000000;
    for (size_t b = 0; b < blocks; b++) {
        for (size_t i = 0; i < per_block; i++) {
            int k = (int)(i % 6);
            call.u.transfer.dest = keys[(k + 1) % 6].pub;
            uint8_t *ext;
            size_t len;
            nm_extrinsic_build(&keys[k], &a->genesis, nonce[k]++, &call, &ext, &len);
            if (nm_chain_submit(a, ext, len, NULL)) {
                fprintf(stderr, "bench: submit failed\n");
                exit(1);
            }
            free(ext);
        }
        nm_chain_produce(a, a->best.timestamp_ms + 1000, NULL);
    }
    /* direct import, as bench_import does it: batches with signatures
     * checked on a second thread */
    struct nm_chain *direct = dev_chain(false), *synced = dev_chain(false);
    uint8_t **blks = calloc(a->best.height + 1, sizeof *blks);
    size_t *lens = calloc(a->best.height + 1, sizeof *lens);
    for (uint64_t h = 1; h <= a->best.height; h++)
        nm_chain_block_bytes(a, h, &blks[h - 1], &lens[h - 1]);
    double t0 = now_s();
    for (uint64_t h = 0; h < a->best.height; h += NM_SYNC_MAX_BLOCKS) {
        size_t n = a->best.height - h < NM_SYNC_MAX_BLOCKS ? a->best.height - h
                                                           : NM_SYNC_MAX_BLOCKS;
        if (nm_chain_import_blocks(direct, blks + h, lens + h, n, NULL)) {
            fprintf(stderr, "bench: import failed\n");
            exit(1);
        }
    }
    double direct_s = now_s() - t0;
    for (uint64_t h = 0; h < a->best.height; h++)
        free(blks[h]);
    free(blks);
    free(lens);
    /* through sync requests and answers (encoding, protobuf, limits) */
    t0 = now_s();
    while (synced->best.height < a->best.height) {
        uint8_t req[256], *resp;
        size_t len, rlen;
        nm_sync_request_encode(&synced->genesis, synced->best.height + 1, NM_SYNC_MAX_BLOCKS,
                               NULL, NULL, 0, req, sizeof req, &len);
        nm_sync_answer(a, req, len, &resp, &rlen, NULL);
        Nm__P2p__SyncResponse *m = nm__p2p__sync_response__unpack(NULL, rlen, resp);
        uint8_t *bp[NM_SYNC_MAX_BLOCKS];
        size_t bl[NM_SYNC_MAX_BLOCKS];
        for (size_t i = 0; m && i < m->n_blocks; i++) {
            bp[i] = m->blocks[i].data;
            bl[i] = m->blocks[i].len;
        }
        if (!m || !m->n_blocks || nm_chain_import_blocks(synced, bp, bl, m->n_blocks, NULL)) {
            fprintf(stderr, "bench: sync import failed\n");
            exit(1);
        }
        nm__p2p__sync_response__free_unpacked(m, NULL);
        free(resp);
    }
    double sync_s = now_s() - t0;
    double n = (double)(blocks * per_block);
    printf("sync of %zu blocks x %zu transfers: %.0f extrinsics/s; direct import %.0f "
           "extrinsics/s; ratio %.2f (aim >= 0.8); same best hash: %s\n",
           blocks, per_block, n / sync_s, n / direct_s, direct_s / sync_s,
           nm_hash_eq(&direct->best_hash, &synced->best_hash) ? "yes" : "NO");
    nm_chain_close(a);
    nm_chain_close(direct);
    nm_chain_close(synced);
}

int main(int argc, char **argv)
{
    size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    size_t conns = argc > 2 ? strtoul(argv[2], NULL, 10) : 200;
    size_t blocks = argc > 3 ? strtoul(argv[3], NULL, 10) : 100;
    size_t per_block = argc > 4 ? strtoul(argv[4], NULL, 10) : 100;
    if (nm_crypto_init())
        return 1;
    bench_stream(mb ? mb : 1);
    bench_memory(conns ? conns : 1);
    bench_sync(blocks ? blocks : 1, per_block ? per_block : 1);
    return 0;
}
