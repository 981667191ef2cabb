/* bench_bft_exec.c - the node thread's cost of executing and committing a
 * block, without the network (issue 11, transfers through 4 authorities):
 * blocks of transfers between many funded accounts, (a) imported as the
 * single-node import does (executed once, committed), and (b) checked as a
 * BFT authority checks a proposal (nm_chain_bft_validate: a dry run whose
 * write set is kept) then committed from that write set once a
 * certificate decides it (nm_chain_bft_commit_validated). Both chains hold
 * the transfers in their pool beforehand, as gossip leaves them, so no
 * signature is verified inside the timed parts: what is measured is the
 * runtime and SQLite. Prints the calling thread's CPU per extrinsic.
 * Stable figures on a shared machine: instruction counts per extrinsic,
 * from callgrind with only the timed function collected:
 *   valgrind --tool=callgrind --toggle-collect=bench_exec_import \
 *       build/bench/bench_bft_exec 20000 10 300 import
 *   (and --toggle-collect=bench_exec_bft ... bft), or bench/bft_exec.sh.
 * Usage: bench_bft_exec [ACCOUNTS] [BLOCKS] [TX_PER_BLOCK] [import|bft|both] */
#include "bench/support/bench_util.h"
#include "node/bft/cert.h"
#include "node/chain.h"
#include "node/chain_bft.h"
#include "node/chainspec.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AUTHORITIES 4
static const char *const NAMES[AUTHORITIES] = {"alice", "bob", "charlie", "dave"};
static const char *prog = "bench_bft_exec";

struct bench {
    struct nm_chain_spec spec;
    struct nm_keypair auth[AUTHORITIES];
    struct nm_keypair *keys; /* the funded accounts */
    uint64_t *nonce;
    size_t accounts;
    struct nm_chain *proposer, *importer, *checker;
    uint64_t rng;
};

/* Timed: the single-node import of one block (signatures judged already). */
__attribute__((noinline)) int bench_exec_import(struct nm_chain *c, const uint8_t *blk,
                                                 size_t len)
{
    return nm_chain_import(c, blk, len, true);
}

/* Timed: a proposal checked (dry run, write set kept), then committed from
 * that write set with its certificate. */
__attribute__((noinline)) int bench_exec_bft(struct nm_chain *c, const uint8_t *blk, size_t len,
                                              const struct nm_bft_cert *cert)
{
    int err = nm_chain_bft_validate(c, blk, len);
    return err ? err : nm_chain_bft_commit_validated(c, blk, len, cert, NULL);
}

static void open_chains(struct bench *b, const char *dir)
{
    char msg[256], path[512];
    bench_check(prog, nm_chainspec_dev(&b->spec), "chain spec");
    for (size_t i = 0; i < b->accounts; i++)
        bench_check(prog, nm_chainspec_add_balance(&b->spec, &b->keys[i].pub, 1000000000000000ULL),
                    "genesis balance");
    b->spec.authorities_given = true;
    b->spec.authority_count = AUTHORITIES;
    for (int i = 0; i < AUTHORITIES; i++) {
        bench_check(prog, nm_keypair_dev(NAMES[i], &b->auth[i]), "authority key");
        b->spec.authorities[i] = (struct nm_bft_authority){b->auth[i].pub, 1};
    }
    struct nm_chain **chains[3] = {&b->proposer, &b->importer, &b->checker};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/chain%d.db", dir, i);
        if (nm_chain_open(path, &b->spec, &b->auth[i], chains[i], msg, sizeof msg)) {
            fprintf(stderr, "%s: %s\n", prog, msg);
            exit(1);
        }
    }
}

/* n transfers from distinct random senders to random receivers, pooled in
 * every chain (not timed). */
static void pool_block(struct bench *b, size_t n)
{
    uint8_t *used = calloc(b->accounts, 1);
    for (size_t k = 0; k < n; k++) {
        size_t from, to;
        do
            from = bench_splitmix(&b->rng) % b->accounts;
        while (used[from]);
        used[from] = 1;
        do
            to = bench_splitmix(&b->rng) % b->accounts;
        while (to == from);
        struct nm_call call = {.kind = NM_CALL_TRANSFER};
        call.u.transfer.dest = b->keys[to].pub;
        call.u.transfer.amount = 1000000000ULL + k;
        uint8_t *ext;
        size_t len;
        bench_check(prog, nm_extrinsic_build(&b->keys[from], &b->proposer->genesis,
                                             b->nonce[from]++, &call, &ext, &len),
                    "sign");
        int verdict = nm_extrinsic_check_bytes(ext, len, &b->proposer->genesis);
        bench_check(prog, nm_chain_submit_checked(b->proposer, ext, len, verdict, NULL), "pool");
        bench_check(prog, nm_chain_submit_checked(b->importer, ext, len, verdict, NULL), "pool");
        bench_check(prog, nm_chain_submit_checked(b->checker, ext, len, verdict, NULL), "pool");
        free(ext);
    }
    free(used);
}

static void make_cert(struct bench *b, const uint8_t *blk, size_t len, struct nm_bft_cert *c)
{
    struct nm_block blk_d;
    nm_hash hash;
    bench_check(prog, nm_block_decode(blk, len, &blk_d), "decode");
    bench_check(prog, nm_header_hash(&blk_d.header, &hash), "hash");
    uint64_t height = blk_d.header.height;
    nm_block_fini(&blk_d);
    bench_check(prog, nm_bft_cert_init(c, height, 0, &hash, AUTHORITIES), "cert");
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(b->proposer, height);
    for (int s = 0; s < 3; s++) {
        struct nm_bft_vote v = {.genesis = b->proposer->genesis, .height = height, .round = 0,
                                .step = NM_BFT_PRECOMMIT, .has_block = true, .block = hash,
                                .authority = (uint16_t)nm_bft_authorities_find(set,
                                                                               &b->auth[s].pub)};
        nm_bft_vote_sign(&v, &b->auth[s]);
        bench_check(prog, nm_bft_cert_add(c, &v), "vote");
    }
}

int main(int argc, char **argv)
{
    size_t accounts = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000;
    size_t blocks = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
    size_t per = argc > 3 ? strtoul(argv[3], NULL, 10) : 300;
    const char *mode = argc > 4 ? argv[4] : "both";
    bool do_import = strcmp(mode, "bft") != 0, do_bft = strcmp(mode, "import") != 0;
    if (accounts < 2 * per || blocks < 1 || per < 1 || per > 2000 ||
        (!do_import && !do_bft) || (strcmp(mode, "both") && strcmp(mode, "import") &&
                                    strcmp(mode, "bft"))) {
        fprintf(stderr, "usage: %s [ACCOUNTS >= 2*TX] [BLOCKS] [TX_PER_BLOCK <= 2000] "
                        "[import|bft|both]\n", prog);
        return 2;
    }
    bench_check(prog, nm_crypto_init(), "libsodium");
    char dir[] = "/tmp/bench_bft_exec.XXXXXX";
    if (!mkdtemp(dir)) {
        perror(prog);
        return 1;
    }
    struct bench b = {.accounts = accounts, .rng = 11};
    b.keys = calloc(accounts, sizeof *b.keys);
    b.nonce = calloc(accounts, sizeof *b.nonce);
    if (!b.keys || !b.nonce)
        bench_check(prog, NM_E_NOMEM, "accounts");
    for (size_t i = 0; i < accounts; i++) {
        uint8_t seed[NM_SEED_LEN] = "bench_bft_exec account";
        memcpy(seed + NM_SEED_LEN - sizeof i, &i, sizeof i);
        nm_keypair_from_seed(seed, &b.keys[i]);
    }
    open_chains(&b, dir);
    double cpu_import = 0, cpu_bft = 0;
    size_t total = 0;
    uint64_t reused = 0, replayed = 0;
    for (size_t k = 0; k < blocks; k++) {
        pool_block(&b, per);
        uint8_t *blk, *full;
        size_t len, full_len;
        bench_check(prog, nm_chain_bft_build(b.proposer, 1000 * (k + 1), &blk, &len), "build");
        struct nm_bft_cert cert;
        make_cert(&b, blk, len, &cert);
        bench_check(prog, nm_chain_bft_commit_validated(b.proposer, blk, len, &cert, NULL),
                    "proposer commit");
        bench_check(prog, nm_chain_bft_justify(blk, len, &cert, &full, &full_len), "justify");
        double t = bench_thread_cpu_s();
        if (do_import)
            bench_check(prog, bench_exec_import(b.importer, full, full_len), "import");
        double t2 = bench_thread_cpu_s();
        if (do_bft)
            bench_check(prog, bench_exec_bft(b.checker, blk, len, &cert), "validate + commit");
        double t3 = bench_thread_cpu_s();
        cpu_import += t2 - t;
        cpu_bft += t3 - t2;
        struct nm_block d;
        bench_check(prog, nm_block_decode(blk, len, &d), "decode");
        total += d.count;
        nm_block_fini(&d);
        nm_bft_cert_fini(&cert);
        free(blk);
        free(full);
    }
    nm_chain_bft_exec_stats(b.checker, &reused, &replayed);
    printf("accounts %zu, %zu blocks of %zu transfers (%zu included)\n", accounts, blocks, per,
           total);
    if (do_import)
        printf("(a) import, executed once:           %7.1f us CPU per extrinsic\n",
               1e6 * cpu_import / (double)total);
    if (do_bft)
        printf("(b) bft validate + commit kept:      %7.1f us CPU per extrinsic"
               " (commits from the kept write set %llu, executed again %llu)\n",
               1e6 * cpu_bft / (double)total, (unsigned long long)reused,
               (unsigned long long)replayed);
    if (do_import && do_bft)
        printf("ratio (b)/(a): %.2f\n", cpu_bft / cpu_import);
    nm_chain_close(b.proposer);
    nm_chain_close(b.importer);
    nm_chain_close(b.checker);
    nm_chainspec_fini(&b.spec);
    bench_rm_tree(dir);
    free(b.keys);
    free(b.nonce);
    return 0;
}
