/* bench_import.c - block import speed (issue: chain core): blocks full of
 * signed transfers between 1,000,000 funded accounts, imported by a second
 * node with signatures checked on a second thread while the node thread
 * applies. Beside it, production of the same blocks alone (issue 11: the
 * transfers signed beforehand, admitted as author_submitExtrinsic admits
 * them) and the ratio. Prints, from the same run, the two limits that bound it:
 * libsodium's raw Ed25519 verify rate on one core and SQLite's raw random
 * upsert rate on the accounts table. With SIDE_BY_SIDE = K, then K importer
 * processes import the same blocks at once, each from its own copy of
 * genesis: what K nodes on this machine, each checking and applying every
 * extrinsic, reach with no network and no consensus at all (the measured
 * ceiling of bench/bft_devnet.sh --transfers). Never fails on time.
 * Usage: bench_import [ACCOUNTS] [BLOCKS] [TX_PER_BLOCK] [SIDE_BY_SIDE] */
#include "bench/support/bench_util.h"
#include "node/admission.h"
#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/balances.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SENDERS 20000

struct admitted {
    size_t ok;
    int failed; /* the first error */
};

static void on_admitted(void *ud, int err, const nm_hash *hash)
{
    struct admitted *a = ud;
    (void)hash;
    if (err && !a->failed)
        a->failed = err;
    a->ok += !err;
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[1 << 16];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (!rc && (n = fread(buf, 1, sizeof buf, in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out))
        rc = -1;
    return rc;
}

static double raw_verify_rate(void)
{
    struct nm_keypair kp;
    nm_keypair_generate(&kp);
    uint8_t msg[120], sig[NM_SIG_LEN];
    randombytes_buf(msg, sizeof msg);
    nm_sign(&kp, msg, sizeof msg, sig);
    int n = 20000, ok = 0;
    double t = bench_now_s();
    for (int i = 0; i < n; i++)
        ok += nm_verify(&kp.pub, msg, sizeof msg, sig);
    t = bench_now_s() - t;
    return ok == n ? n / t : 0;
}

/* Random upserts on a copy of the accounts schema in the same database. */
static double raw_upsert_rate(struct nm_db *db, const nm_account *ids, size_t n_ids)
{
    sqlite3 *h = nm_db_handle(db);
    sqlite3_exec(h, "CREATE TEMP TABLE IF NOT EXISTS bench_accounts AS SELECT * FROM accounts",
                 NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h, "INSERT OR REPLACE INTO accounts(id, free, nonce) VALUES(?1,?2,?3)", -1,
                       &st, NULL);
    int n = 100000;
    double t = bench_now_s();
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    for (int i = 0; i < n; i++) {
        sqlite3_bind_blob(st, 1, ids[randombytes_uniform((uint32_t)n_ids)].b, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, 1000000000 + i);
        sqlite3_bind_int64(st, 3, 0);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
    t = bench_now_s() - t;
    sqlite3_finalize(st);
    return n / t;
}

/* Submits exts[first..first+n) as author_submitExtrinsic would. */
static int submit_block(struct nm_admission *adm, uint8_t **exts, const size_t *lens,
                        size_t first, size_t n, struct admitted *admitted)
{
    for (size_t i = first; i < first + n; i++) {
        int err = nm_admission_submit(adm, exts[i], lens[i], on_admitted, admitted);
        if (err) {
            fprintf(stderr, "submit: %s\n", nm_strerror(err));
            return -1;
        }
    }
    return 0;
}

/* K processes, each with its own copy of genesis (copies[k]), import the
 * same blocks at once, released together once all are open. *wall_s: from
 * the release to the last one done; *cpu_s: their CPU over it, summed. */
static int import_side_by_side(const struct nm_chain_spec *spec, char (*copies)[64], size_t k,
                               uint8_t **blocks, const size_t *lens, size_t n,
                               const nm_hash *best, double *wall_s, double *cpu_s)
{
    int ready[2], go[2];
    pid_t pids[16];
    size_t started = 0;
    if (k > 16 || pipe(ready) || pipe(go))
        return -1;
    fflush(stdout);
    for (; started < k; started++) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) { /* an importer: open, wait for the release, import */
            struct nm_chain *c;
            char msg[256], byte = 1, dummy;
            close(ready[0]);
            close(go[1]);
            size_t done = 0;
            int ok = !nm_chain_open(copies[started], spec, NULL, &c, msg, sizeof msg);
            if (write(ready[1], &byte, 1) != 1 || read(go[0], &dummy, 1) < 0)
                _exit(1);
            ok = ok && !nm_chain_import_blocks(c, blocks, lens, n, &done) && done == n &&
                 nm_hash_eq(&c->best_hash, best);
            _exit(ok ? 0 : 1);
        }
        pids[started] = pid;
    }
    close(ready[1]);
    close(go[0]);
    char byte;
    for (size_t i = 0; i < started; i++)
        if (read(ready[0], &byte, 1) != 1)
            break;
    double t = bench_now_s();
    close(go[1]); /* the release: every read of go returns */
    int failed = started < k;
    *cpu_s = 0;
    for (size_t i = 0; i < started; i++) {
        int status;
        struct rusage ru;
        if (wait4(pids[i], &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
            failed = 1;
        *cpu_s += ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
                  ru.ru_stime.tv_usec / 1e6;
    }
    *wall_s = bench_now_s() - t;
    close(ready[0]);
    return failed ? -1 : 0;
}

int main(int argc, char **argv)
{
    size_t accounts = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t blocks = argc > 2 ? strtoul(argv[2], NULL, 10) : 10;
    size_t per_block = argc > 3 ? strtoul(argv[3], NULL, 10) : 5000;
    size_t side_by_side = argc > 4 ? strtoul(argv[4], NULL, 10) : 0;
    if (accounts < SENDERS * 2 || blocks < 1 || per_block < 1 || per_block > 8192 ||
        per_block * blocks > (size_t)SENDERS * 8 || side_by_side > 16) {
        fprintf(stderr, "usage: bench_import [ACCOUNTS>=40000] [BLOCKS] [TX_PER_BLOCK<=8192]"
                        " [SIDE_BY_SIDE<=16]\n");
        return 2;
    }
    if (nm_crypto_init())
        return 1;
    char dir[] = "/tmp/nm-bench-XXXXXX", db_a[64], db_b[64], copies[16][64];
    if (!mkdtemp(dir))
        return 1;
    snprintf(db_a, sizeof db_a, "%s/a.db", dir);
    snprintf(db_b, sizeof db_b, "%s/b.db", dir);

    /* Genesis: SENDERS real keys, the rest random ids, all funded. */
    struct nm_chain_spec spec;
    nm_chainspec_dev(&spec);
    snprintf(spec.id, sizeof spec.id, "bench");
    spec.params.max_block_extrinsics = 8192;
    struct nm_keypair *keys = malloc(SENDERS * sizeof *keys);
    nm_account *ids = malloc(accounts * sizeof *ids);
    for (size_t i = 0; i < accounts; i++) {
        if (i < SENDERS) {
            uint8_t seed[32] = {0};
            memcpy(seed, &i, sizeof i);
            nm_keypair_from_seed(seed, &keys[i]);
            ids[i] = keys[i].pub;
        } else {
            randombytes_buf(ids[i].b, 32);
        }
        nm_chainspec_add_balance(&spec, &ids[i], 1000ULL * 1000000000ULL);
    }
    struct nm_keypair alice;
    nm_keypair_dev("alice", &alice);
    printf("setup: %zu funded accounts, %zu blocks x %zu signed transfers\n", accounts, blocks,
           per_block);
    double t = bench_now_s();
    struct nm_chain *a, *b;
    char msg[256];
    if (nm_chain_open(db_a, &spec, &alice, &a, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    nm_chain_close(a);
    printf("setup: genesis with %zu accounts built in %.1f s\n", accounts, bench_now_s() - t);
    int copy_err = copy_file(db_a, db_b);
    for (size_t k = 0; k < side_by_side; k++) {
        snprintf(copies[k], sizeof copies[k], "%s/c%zu.db", dir, k);
        copy_err = copy_err ? copy_err : copy_file(db_a, copies[k]);
    }
    if (copy_err) {
        fprintf(stderr, "cannot copy the database\n");
        return 1;
    }
    nm_chain_open(db_a, &spec, &alice, &a, msg, sizeof msg);
    if (nm_chain_open(db_b, &spec, NULL, &b, msg, sizeof msg)) {
        fprintf(stderr, "%s\n", msg);
        return 1;
    }

    /* Every transfer signed beforehand: production is measured alone. */
    size_t total = blocks * per_block;
    uint8_t **exts = calloc(total, sizeof *exts);
    size_t *ext_lens = calloc(total, sizeof *ext_lens);
    uint64_t *nonces = calloc(SENDERS, sizeof *nonces);
    t = bench_now_s();
    for (size_t i = 0; i < total; i++) {
        struct nm_call call = {.kind = NM_CALL_TRANSFER};
        call.u.transfer.dest =
            ids[SENDERS + randombytes_uniform((uint32_t)(accounts - SENDERS))];
        call.u.transfer.amount = 1000000000ULL + randombytes_uniform(1000);
        size_t s = i % SENDERS;
        nm_extrinsic_build(&keys[s], &a->genesis, nonces[s]++, &call, &exts[i], &ext_lens[i]);
    }
    double sign_s = bench_now_s() - t;

    /* Producer: each block's transfers submitted as author_submitExtrinsic
     * submits them (node/admission.c: signatures on libuv's workers, pool
     * admission on this thread), then the real producer seals the block. */
    uint8_t **block_bytes = calloc(blocks, sizeof *block_bytes);
    size_t *block_lens = calloc(blocks, sizeof *block_lens);
    uv_loop_t loop;
    struct nm_admission *adm;
    struct admitted admitted = {0};
    uv_loop_init(&loop);
    if (nm_admission_new(&loop, a, &adm))
        return 1;
    unsigned long verifies = nm_extrinsic_verifications();
    double admit_s = 0, admit_cpu_s = 0;
    /* As on a node, where transactions keep coming while a block is made:
     * block k+1's transfers are with the workers while block k is applied
     * (the import below checks block i+1's signatures while applying i). */
    t = bench_now_s();
    if (submit_block(adm, exts, ext_lens, 0, per_block, &admitted))
        return 1;
    for (size_t blk = 0; blk < blocks; blk++) {
        double t_blk = bench_now_s(), cpu_blk = bench_thread_cpu_s();
        uv_run(&loop, UV_RUN_DEFAULT); /* block blk's transfers admitted */
        admit_s += bench_now_s() - t_blk;
        admit_cpu_s += bench_thread_cpu_s() - cpu_blk;
        if (admitted.failed) {
            fprintf(stderr, "admission: %s\n", nm_strerror(admitted.failed));
            return 1;
        }
        if (blk + 1 < blocks &&
            submit_block(adm, exts, ext_lens, (blk + 1) * per_block, per_block, &admitted))
            return 1;
        struct nm_block_outcome o = {0};
        if (nm_chain_produce(a, nm_now_ms() + blk, &o) || o.count != per_block) {
            fprintf(stderr, "produce: only %zu of %zu included\n", o.count, per_block);
            return 1;
        }
        free(o.results);
        nm_chain_block_bytes(a, a->best.height, &block_bytes[blk], &block_lens[blk]);
    }
    double produce_s = bench_now_s() - t;
    verifies = nm_extrinsic_verifications() - verifies;
    nm_admission_delete(adm);
    uv_loop_close(&loop);

    /* Importer: the figure that matters. */
    size_t imported = 0;
    double import_cpu_s = bench_self_cpu_s();
    t = bench_now_s();
    int err = nm_chain_import_blocks(b, block_bytes, block_lens, blocks, &imported);
    double import_s = bench_now_s() - t;
    import_cpu_s = bench_self_cpu_s() - import_cpu_s;
    if (err || imported != blocks || !nm_hash_eq(&a->best_hash, &b->best_hash)) {
        fprintf(stderr, "import failed after %zu blocks: %s\n", imported, nm_strerror(err));
        return 1;
    }
    double rate = total / import_s;
    double verify = raw_verify_rate();
    double upsert = raw_upsert_rate(b->db, ids, accounts);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("import: %zu extrinsics in %.3f s = %.0f extrinsics/s (target >= 10000)\n", total,
           import_s, rate);
    /* what bench_bft_net's ceiling is computed from (bench/bft_devnet.sh) */
    printf("import CPU: %.1f us per extrinsic (process user + sys over the import phase: "
           "%.3f s, %.2f cores used)\n", 1e6 * import_cpu_s / total, import_cpu_s,
           import_cpu_s / import_s);
    printf("produce (signed beforehand in %.1f s; admission with signatures on worker threads"
           " + apply + seal): %.0f extrinsics/s, %lu signature checks for %zu extrinsics\n",
           sign_s, total / produce_s, verifies, total);
    printf("  of which waiting for admission %.3f s (node thread busy admitting %.3f s), "
           "apply + seal %.3f s\n", admit_s, admit_cpu_s, produce_s - admit_s);
    printf("produce / import = %.2f (target >= 0.90)\n", (total / produce_s) / rate);
    printf("limit 1: raw Ed25519 verify, one core: %.0f/s; import / verify = %.2f\n", verify,
           rate / verify);
    printf("limit 2: raw SQLite random upsert on accounts (%zu rows): %.0f/s; "
           "import / upsert = %.2f (a transfer writes 2 rows + 1 extrinsic row + 2 events)\n",
           accounts, upsert, rate / upsert);
    printf("peak resident memory: %.0f MB\n", ru.ru_maxrss / 1024.0);
    double side_s, side_cpu_s;
    if (side_by_side && import_side_by_side(&spec, copies, side_by_side, block_bytes, block_lens,
                                            blocks, &b->best_hash, &side_s, &side_cpu_s)) {
        fprintf(stderr, "side by side: an importer failed\n");
        return 1;
    }
    /* what bench/bft_devnet.sh --transfers prints as the measured ceiling */
    if (side_by_side)
        printf("side by side: %zu importers at once, each checking and applying all %zu "
               "extrinsics (as %zu nodes with no network and no consensus): last done in %.3f s "
               "= %.0f extrinsics/s = %.2f of the import alone; %.1f us CPU per extrinsic per "
               "importer\n", side_by_side, total, side_by_side, side_s, total / side_s,
               total / side_s / rate, 1e6 * side_cpu_s / total / side_by_side);
    for (size_t i = 0; i < blocks; i++)
        free(block_bytes[i]);
    free(block_bytes);
    free(block_lens);
    free(nonces);
    for (size_t i = 0; i < total; i++)
        free(exts[i]);
    free(exts);
    free(ext_lens);
    free(keys);
    free(ids);
    nm_chain_close(a);
    nm_chain_close(b);
    nm_chainspec_fini(&spec);
    bench_rm_tree(dir);
    return 0;
}
