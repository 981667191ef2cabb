/* chain.c - genesis, block production and import, stored blocks and the
 * consistency check (see chain.h). */
#include "node/chain.h"
#include "node/chain_bft.h"
#include "node/chain_door.h"
#include "node/chain_verify.h"

#include "node/errors.h"
#include "node/fee.h"
#include "node/extrinsic.h"
#include "node/pallets/pallet.h"
#include "node/pallets/governance.h"
#include "node/sig_check.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t nm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* BFT: the authority set's canonical encoding (count, then account and
 * power of each). */
static void put_authorities(struct nm_writer *w, const struct nm_chain_spec *s)
{
    nm_put_varint(w, s->authority_count);
    for (size_t i = 0; i < s->authority_count; i++) {
        nm_put_raw(w, s->authorities[i].account.b, NM_PUBKEY_LEN);
        nm_put_u64(w, s->authorities[i].power);
    }
}

/* Identifies a chain spec: everything genesis is built from. */
static void spec_hash(const struct nm_chain_spec *s, nm_hash *out)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_put_str(&w, s->id);
    nm_put_str(&w, s->name);
    nm_put_u8(&w, s->dev);
    for (int i = 0; i < nm_param_count; i++)
        nm_put_u64(&w, nm_param_value(&s->params, &nm_param_table[i]));
    nm_put_varint(&w, s->balance_count);
    for (size_t i = 0; i < s->balance_count; i++) {
        nm_put_raw(&w, s->balances[i].id.b, NM_PUBKEY_LEN);
        nm_put_u64(&w, s->balances[i].amount);
    }
    nm_put_u8(&w, s->has_authority);
    nm_put_raw(&w, s->authority.b, NM_PUBKEY_LEN);
    /* governance: only when set, so specs without them keep their hash. */
    if (s->spec_version > 1 || s->council_threshold) {
        nm_put_u32(&w, s->spec_version);
        nm_put_u32(&w, s->council_threshold);
        nm_put_varint(&w, s->council_count);
        for (size_t i = 0; i < s->council_count; i++)
            nm_put_raw(&w, s->council[i].b, NM_PUBKEY_LEN);
    }
    /* BFT: an explicit authority set is part of the chain; only when given,
     * so specs without one keep their hash. */
    if (s->authorities_given)
        put_authorities(&w, s);
    nm_hash_bytes(w.data, w.len, out);
    nm_writer_fini(&w);
}

static int store_block(struct nm_chain *c, const struct nm_header *h,
                       const uint8_t seal[NM_SIG_LEN], const struct nm_block *justified,
                       const uint8_t *const *exts, const size_t *lens, size_t n,
                       nm_hash *hash_out)
{
    struct nm_writer hw, bw;
    nm_writer_init(&hw);
    nm_writer_init(&bw);
    nm_header_encode(h, &hw);
    nm_block_encode_justified(h, seal, justified ? justified->justification : NULL,
                              justified ? justified->justification_len : 0, exts, lens, n,
                              &bw);
    int err = hw.err ? hw.err : bw.err;
    if (err)
        goto out;
    nm_hash_bytes(hw.data, hw.len, hash_out);
    sqlite3_stmt *st = nm_db_stmt(c->db,
                                  "INSERT INTO blocks(height, hash, header, body, timestamp_ms,"
                                  " extrinsic_count) VALUES(?1,?2,?3,?4,?5,?6)");
    err = NM_E_DB;
    if (!st)
        goto out;
    nm_bind_u64(st, 1, h->height);
    sqlite3_bind_blob(st, 2, hash_out->b, NM_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, hw.data, (int)hw.len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, bw.data, (int)bw.len, SQLITE_STATIC);
    nm_bind_u64(st, 5, h->timestamp_ms);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)n);
    if (sqlite3_step(st) == SQLITE_DONE)
        err = 0;
    sqlite3_reset(st);
out:
    nm_writer_fini(&hw);
    nm_writer_fini(&bw);
    return err;
}

/* Ends the block, fills in the roots, stores it and commits. The caller
 * began the transaction; on failure it is rolled back by the caller. An
 * imported block comes with its seal and justification; on a dry run the
 * block is only encoded (into c->dry_block) and the caller rolls back. */
static void block_stored(struct nm_chain *c, const struct nm_header *h, const nm_hash *hash);
static void pool_drop_included(struct nm_chain *c, const struct nm_apply_result *res, size_t n);

static int finish_block(struct nm_chain *c, struct nm_header *h, const uint8_t *const *exts,
                        const size_t *lens, size_t n, const struct nm_block *imported,
                        const struct nm_apply_result *results)
{
    const uint8_t *seal_in = imported ? imported->seal : NULL;
    int err = nm_runtime_end_block(&c->rt);
    if (err)
        return err;
    nm_hash root;
    nm_runtime_state_root(&c->rt, &root);
    uint8_t seal[NM_SIG_LEN];
    if (seal_in) { /* import: the header came with the block (its root checked by decoding) */
        if (!nm_hash_eq(&root, &h->state_root))
            return NM_E_STATE_MISMATCH;
        memcpy(seal, seal_in, NM_SIG_LEN);
    } else {
        h->state_root = root;
        if ((err = nm_extrinsics_root(exts, lens, n, &h->extrinsics_root)))
            return err;
        nm_hash hash;
        if ((err = nm_header_hash(h, &hash)))
            return err;
        nm_sign(&c->author, hash.b, NM_HASH_LEN, seal);
    }
    if (c->dry_run)
        return nm_chain_bft_keep_dry(c, h, seal, exts, lens, n, results);
    nm_hash hash;
    if ((err = store_block(c, h, seal, imported, exts, lens, n, &hash)) ||
        (err = nm_runtime_save(&c->rt)) || (err = nm_db_commit(c->db)))
        return err;
    block_stored(c, h, &hash);
    return 0;
}

/* After a block's transaction committed: it is the best one. */
static void block_stored(struct nm_chain *c, const struct nm_header *h, const nm_hash *hash)
{
    c->best = *h;
    c->best_hash = *hash;
    /* BFT: the set for the next block, as this one left it (a failed read
     * keeps the old set: this node then refuses blocks, it never forks) */
    (void)nm_chain_bft_refresh(c);
    /* periodic checkpoints (issue 17: until the 64 MiB autocheckpoint the
     * main file held only the schema, so a copy without its -wal was a new
     * chain); a failed one is retried at the next */
    if (h->height % NM_CHECKPOINT_BLOCKS == 0)
        (void)nm_db_checkpoint(c->db);
}

/* After a failed block the in-memory runtime must match the database
 * again: reload it from what was last committed. */
static void abandon_block(struct nm_chain *c)
{
    nm_db_rollback(c->db);
    nm_runtime_reload(&c->rt);
}

static int build_genesis(struct nm_chain *c, const struct nm_chain_spec *spec)
{
    int err = nm_db_begin(c->db);
    if (err)
        return err;
    nm_runtime_begin_block(&c->rt, 0, 0);
    for (int i = 0; i < nm_param_count && !err; i++)
        err = nm_runtime_param_set(&c->rt, nm_param_table[i].name,
                                   nm_param_value(&c->spec.params, &nm_param_table[i]));
    for (size_t i = 0; i < nm_pallet_count && !err; i++)
        if (nm_pallets[i]->genesis)
            err = nm_pallets[i]->genesis(&c->rt, spec);
    if (err)
        goto fail;
    struct nm_header h = {0};
    h.author = c->spec.authority;
    nm_runtime_state_root(&c->rt, &h.state_root);
    char label[96];
    int n = snprintf(label, sizeof label, "neuromesh-genesis/%s", c->spec.id);
    nm_hash_bytes(label, (size_t)n, &h.extrinsics_root);
    if (spec->authorities_given) {
        /* BFT: votes sign the genesis hash, so an explicit authority set
         * makes it another chain (specs without one keep their genesis) */
        struct nm_writer w;
        nm_writer_init(&w);
        put_authorities(&w, spec);
        if (w.err) {
            err = w.err;
            nm_writer_fini(&w);
            goto fail;
        }
        nm_hash set;
        nm_hash_bytes(w.data, w.len, &set);
        nm_writer_fini(&w);
        nm_hash_pair(&h.extrinsics_root, &set, &h.extrinsics_root);
    }
    if ((err = nm_header_hash(&h, &c->genesis)))
        goto fail;
    c->rt.genesis = c->genesis;
    nm_hash sh;
    spec_hash(spec, &sh);
    uint8_t no_seal[NM_SIG_LEN] = {0};
    nm_hash hash;
    if ((err = store_block(c, &h, no_seal, NULL, NULL, NULL, 0, &hash)) ||
        (err = nm_db_meta_put(c->db, "genesis", c->genesis.b, NM_HASH_LEN)) ||
        (err = nm_db_meta_put(c->db, "spec_hash", sh.b, NM_HASH_LEN)) ||
        (err = nm_runtime_save(&c->rt)) || (err = nm_db_commit(c->db)))
        goto fail;
    c->best = h;
    c->best_hash = hash;
    return 0;
fail:
    abandon_block(c);
    return err;
}

static int load_best(struct nm_chain *c)
{
    sqlite3_stmt *st = nm_db_stmt(c->db, "SELECT header, hash FROM blocks ORDER BY height DESC"
                                         " LIMIT 1");
    if (!st)
        return NM_E_DB;
    int err = NM_E_DB;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == NM_HASH_LEN) {
        struct nm_reader r;
        nm_reader_init(&r, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        memcpy(c->best_hash.b, sqlite3_column_blob(st, 1), NM_HASH_LEN);
        err = nm_header_decode(&r, &c->best);
    }
    sqlite3_reset(st);
    return err;
}

int nm_chain_open(const char *path, const struct nm_chain_spec *spec,
                  const struct nm_keypair *author, struct nm_chain **out, char *msg, size_t cap)
{
    return nm_chain_open_with(path, spec, author, NULL, out, msg, cap);
}

/* Where a database file was emptied, lost its -wal, or was replaced by an
 * empty one, the marker written at genesis remains: refuse to start a new
 * chain over it unless asked (issue 17: a 0-byte chain.db silently became
 * a new chain at height 0). */
static int check_new_genesis_allowed(const char *path, const struct nm_chain_open_options *opt,
                                     char *msg, size_t cap)
{
    nm_hash was;
    int found = nm_chain_marker_read(path, &was);
    if (opt->no_create) {
        snprintf(msg, cap, "the database %s holds no chain%s", path,
                 found ? " (the marker beside it says it held one: restore it with its -wal "
                         "file)"
                       : "");
        return NM_E_DB_INTEGRITY;
    }
    if (found < 0 || (found && !opt->force_new)) {
        char hex[NM_HASH_HEXLEN];
        snprintf(msg, cap,
                 "the database %s holds no chain, but %s.genesis says it held chain %s: the "
                 "database is lost or damaged (restore it with its -wal file, or start a new "
                 "chain with --force-new)",
                 path, path, found > 0 ? nm_hash_hex(&was, hex) : "?");
        return NM_E_DB_INTEGRITY;
    }
    return 0;
}

int nm_chain_open_with(const char *path, const struct nm_chain_spec *spec,
                       const struct nm_keypair *author,
                       const struct nm_chain_open_options *options, struct nm_chain **out,
                       char *msg, size_t cap)
{
    struct nm_chain_open_options opt = {0};
    if (options)
        opt = *options;
    struct nm_chain *c = calloc(1, sizeof *c);
    if (!c)
        return NM_E_NOMEM;
    int err;
    /* Genesis balances live in state once built; the copy keeps the rest. */
    c->spec = *spec;
    c->spec.balances = NULL;
    c->spec.balance_count = 0;
    nm_mempool_init(&c->pool, NM_POOL_MAX);
    if (author) {
        c->author = *author;
        c->can_author = !spec->has_authority || nm_account_eq(&spec->authority, &author->pub);
    }
    if ((err = nm_chain_bft_setup(c)))
        goto fail;
    if ((err = nm_db_open(path, &c->db))) {
        snprintf(msg, cap, "cannot open the database %s", path);
        goto fail;
    }
    nm_hash stored_spec, sh;
    spec_hash(spec, &sh);
    int len = 0;
    err = nm_db_meta_get(c->db, "genesis", c->genesis.b, NM_HASH_LEN, &len);
    if (err == NM_E_UNKNOWN_BLOCK) {
        if ((err = check_new_genesis_allowed(path, &opt, msg, cap)))
            goto fail;
        if ((err = nm_runtime_init(&c->rt, c->db, NULL, spec->dev)) ||
            (err = build_genesis(c, spec))) {
            snprintf(msg, cap, "cannot build genesis: %s", nm_strerror(err));
            goto fail;
        }
        if ((err = nm_chain_marker_write(path, &c->genesis))) {
            snprintf(msg, cap, "cannot write %s.genesis", path);
            goto fail;
        }
    } else if (err) {
        snprintf(msg, cap, "cannot read the database %s", path);
        goto fail;
    } else {
        if (nm_db_meta_get(c->db, "spec_hash", stored_spec.b, NM_HASH_LEN, &len) ||
            !nm_hash_eq(&stored_spec, &sh)) {
            snprintf(msg, cap, "the database %s belongs to another chain than \"%s\"", path,
                     spec->id);
            err = NM_E_CHAIN_SPEC;
            goto fail;
        }
        if ((err = nm_runtime_init(&c->rt, c->db, &c->genesis, spec->dev)) ||
            (err = load_best(c))) {
            snprintf(msg, cap, "cannot load the chain from %s", path);
            goto fail;
        }
        char why[400];
        if (!opt.skip_verify && (err = nm_chain_verify(c, opt.depth, why, sizeof why))) {
            snprintf(msg, cap, "refusing the database %s: %s (see `neuromesh node --check`)",
                     path, why);
            goto fail;
        }
        (void)nm_chain_bft_refresh(c); /* the set as state has it */
        /* a chain made before markers existed gets one now */
        nm_hash was;
        if (nm_chain_marker_read(path, &was) == 0)
            (void)nm_chain_marker_write(path, &c->genesis);
    }
    if ((err = nm_lthash_memo_new(NM_CHAIN_LTHASH_MEMO, &c->rt.memo) ? NM_E_NOMEM : 0))
        goto fail;
    *out = c;
    return 0;
fail:
    nm_chain_close(c);
    return err;
}

void nm_chain_close(struct nm_chain *c)
{
    if (!c)
        return;
    nm_mempool_fini(&c->pool);
    nm_sig_memo_fini(&c->sigs_good);
    nm_bft_authorities_fini(&c->bft_set);
    nm_chain_bft_fini(c);
    nm_lthash_memo_delete(c->rt.memo);
    free(c->dry_block);
    nm_db_close(c->db);
    sodium_memzero(&c->author, sizeof c->author);
    free(c);
}

/* Encoded size of a block beyond its extrinsics' bytes: header, seal,
 * justification and counts (generous), and each extrinsic's length. */
#define BLOCK_OVERHEAD_BYTES 512
#define EXTRINSIC_OVERHEAD_BYTES 10

static void header_next(struct nm_chain *c, uint64_t timestamp_ms, struct nm_header *h)
{
    memset(h, 0, sizeof *h);
    h->parent = c->best_hash;
    h->height = c->best.height + 1;
    h->timestamp_ms = timestamp_ms > c->best.timestamp_ms ? timestamp_ms
                                                         : c->best.timestamp_ms + 1;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->rt, h->height, &pos);
    h->epoch = pos.epoch;
    h->author = c->author.pub;
}

int nm_chain_produce(struct nm_chain *c, uint64_t timestamp_ms, struct nm_block_outcome *outcome)
{
    if (!c->can_author)
        return NM_E_INVAL;
    size_t n_pool = c->pool.count, n = 0;
    const struct nm_pool_tx *txs = nm_mempool_ordered(&c->pool);
    uint8_t *drop = calloc(n_pool ? n_pool : 1, 1);
    const uint8_t **exts = calloc(n_pool ? n_pool : 1, sizeof *exts);
    size_t *lens = calloc(n_pool ? n_pool : 1, sizeof *lens);
    struct nm_apply_result *results = calloc(n_pool ? n_pool : 1, sizeof *results);
    int err = NM_E_NOMEM;
    if (!drop || !exts || !lens || !results)
        goto out;
    struct nm_header h;
    header_next(c, timestamp_ms, &h);
    /* governance: a runtime upgrade this build does not implement stops
     * the chain here, with NM_E_RUNTIME_UNSUPPORTED, rather than forking. */
    if ((err = nm_governance_runtime_check(c->db)) || (err = nm_db_begin(c->db)))
        goto out;
    nm_runtime_begin_block(&c->rt, h.height, h.timestamp_ms);
    uint64_t max = c->rt.params.max_block_extrinsics;
    uint64_t bytes = BLOCK_OVERHEAD_BYTES, max_bytes = c->rt.params.max_block_bytes;
    uint64_t weight = 0, w = 0;
    for (size_t i = 0; i < n_pool && n < max; i++) {
        if (txs[i].len > c->rt.params.max_extrinsic_bytes) {
            drop[i] = 1; /* the limit went down since it came in */
            continue;
        }
        if (bytes + txs[i].len + EXTRINSIC_OVERHEAD_BYTES > max_bytes ||
            (nm_fee_weigh_extrinsic(txs[i].data, txs[i].len, &w) == 0 &&
             weight + w > c->rt.params.max_block_weight))
            continue; /* the next block (issue 16: bytes and weight alike) */
        int rc = nm_runtime_apply(&c->rt, txs[i].data, txs[i].len, true, (uint32_t)n,
                                  &results[n]);
        if (rc == 0) {
            bytes += txs[i].len + EXTRINSIC_OVERHEAD_BYTES;
            weight += results[n].weight;
            exts[n] = txs[i].data;
            lens[n++] = txs[i].len;
            drop[i] = 1;
        } else if (nm_error_is_fatal(rc)) {
            err = rc;
            abandon_block(c);
            goto out;
        } else if (rc != NM_E_FUTURE_NONCE) {
            drop[i] = 1; /* stale, or no longer affordable: it never will be */
        } else {
            nm_mempool_set_future(&c->pool, i, true);
        }
    }
    if ((err = finish_block(c, &h, exts, lens, n, NULL, results)) || c->dry_run) {
        abandon_block(c); /* a dry run ends here: the block is in c->dry_block */
        goto out;
    }
    nm_mempool_remove_flagged(&c->pool, drop);
    nm_mempool_expire(&c->pool, c->best.height);
    if (outcome) {
        outcome->count = n;
        outcome->results = results;
        results = NULL;
    }
out:
    free(drop);
    free(exts);
    free(lens);
    free(results);
    return err;
}

/* What an imported block included leaves the pool, as it does when this
 * node produces the block. */
static void pool_drop_included(struct nm_chain *c, const struct nm_apply_result *res, size_t n)
{
    if (!c->pool.count || !n)
        return;
    uint8_t *drop = calloc(c->pool.count, 1);
    if (!drop)
        return;
    nm_mempool_index(&c->pool); /* one lookup per included extrinsic, not a scan */
    for (size_t i = 0; i < n; i++) {
        const struct nm_pool_tx *tx = nm_mempool_find(&c->pool, &res[i].hash);
        if (tx)
            drop[tx - c->pool.txs] = 1;
    }
    nm_mempool_remove_flagged(&c->pool, drop);
    free(drop);
}

int nm_chain_store_applied(struct nm_chain *c, const struct nm_block *b,
                           int (*apply)(void *ud, sqlite3 *db), void *ud,
                           const struct nm_lthash *state, const struct nm_apply_result *results)
{
    nm_hash hash;
    int err = nm_db_begin(c->db);
    if (err || (err = apply(ud, nm_db_handle(c->db))))
        goto fail;
    c->rt.state = *state;
    if ((err = store_block(c, &b->header, b->seal, b, b->extrinsics, b->lengths, b->count,
                           &hash)) ||
        (err = nm_runtime_save(&c->rt)) || (err = nm_db_commit(c->db)))
        goto fail;
    /* params and the epoch counter as the block left them in the tables */
    err = nm_runtime_reload(&c->rt);
    block_stored(c, &b->header, &hash);
    pool_drop_included(c, results, b->count);
    return err;
fail:
    abandon_block(c);
    return err;
}

int nm_chain_import(struct nm_chain *c, const uint8_t *data, size_t len, bool sigs_checked)
{
    return nm_chain_import_outcome(c, data, len, sigs_checked, NULL);
}

int nm_chain_import_outcome(struct nm_chain *c, const uint8_t *data, size_t len,
                            bool sigs_checked, struct nm_block_outcome *outcome)
{
    struct nm_block b;
    if (len > c->rt.params.max_block_bytes)
        return NM_E_BLOCK_TOO_LARGE;
    /* bytes: their extrinsics root checked (chain_bft's dry run passes the
     * block its check decoded to nm_chain_import_decoded instead) */
    int err = nm_block_decode(data, len, &b);
    if (err)
        return err;
    err = nm_chain_import_decoded(c, len, &b, sigs_checked, outcome);
    nm_block_fini(&b);
    return err;
}

int nm_chain_import_decoded(struct nm_chain *c, size_t len, struct nm_block *bp,
                            bool sigs_checked, struct nm_block_outcome *outcome)
{
    if (len > c->rt.params.max_block_bytes)
        return NM_E_BLOCK_TOO_LARGE;
    struct nm_block b = *bp; /* the caller's to free */
    struct nm_apply_result *results = NULL;
    int err = 0;
    for (size_t i = 0; i < b.count; i++)
        if (b.lengths[i] > c->rt.params.max_extrinsic_bytes) {
            err = NM_E_EXTRINSIC_TOO_LARGE;
            goto out;
        }
    struct nm_header *h = &b.header;
    nm_hash hash;
    if ((err = nm_header_hash(h, &hash)))
        goto out;
    /* several authorities: any of them seals, the certificate says which */
    const nm_account *sealer =
        c->spec.has_authority && !c->bft ? &c->spec.authority : &h->author;
    struct nm_epoch_pos pos;
    nm_runtime_epoch_at(&c->rt, h->height, &pos);
    if (!nm_hash_eq(&h->parent, &c->best_hash) || h->height != c->best.height + 1 ||
        h->timestamp_ms <= c->best.timestamp_ms ||
        h->epoch != pos.epoch || !nm_account_eq(sealer, &h->author)) {
        err = NM_E_UNKNOWN_BLOCK;
        goto out;
    }
    if (!nm_verify(sealer, hash.b, NM_HASH_LEN, b.seal)) {
        err = NM_E_BAD_SIGNATURE;
        goto out;
    }
    if (c->bft && (err = nm_chain_bft_check_block(c, &b, &hash)))
        goto out;
    if (!(results = calloc(b.count ? b.count : 1, sizeof *results))) {
        err = NM_E_NOMEM;
        goto out;
    }
    if ((err = nm_governance_runtime_check(c->db)) || (err = nm_db_begin(c->db)))
        goto out;
    nm_runtime_begin_block(&c->rt, h->height, h->timestamp_ms);
    uint64_t weight = 0;
    if (!sigs_checked)
        nm_mempool_index(&c->pool);
    for (size_t i = 0; i < b.count; i++) {
        /* one in our pool had its signature checked when it was admitted
         * (admission.c): it is not checked twice */
        nm_hash xh;
        bool checked = sigs_checked;
        if (!checked && (c->pool.count || c->bft)) {
            nm_extrinsic_hash(b.extrinsics[i], b.lengths[i], &xh);
            checked = nm_mempool_find(&c->pool, &xh) != NULL || nm_chain_bft_sig_known(c, &xh);
        }
        if (!(err = nm_runtime_apply(&c->rt, b.extrinsics[i], b.lengths[i], checked,
                                     (uint32_t)i, &results[i])) &&
            (weight += results[i].weight) > c->rt.params.max_block_weight)
            err = NM_E_BLOCK_OVERWEIGHT; /* issue 16: the producer's limit, checked */
        if (err) {
            abandon_block(c);
            goto out;
        }
    }
    if ((err = finish_block(c, h, b.extrinsics, b.lengths, b.count, &b, results)) ||
        c->dry_run) {
        abandon_block(c); /* a dry run ends here: the block is valid */
        goto out;
    }
    pool_drop_included(c, results, b.count);
    if (outcome) {
        outcome->count = b.count;
        outcome->results = results;
        results = NULL;
    }
out:
    free(results);
    return err;
}

int nm_chain_import_blocks(struct nm_chain *c, uint8_t *const *blocks, const size_t *lens,
                           size_t n, size_t *imported)
{
    return nm_chain_import_blocks_outcome(c, blocks, lens, n, imported, NULL);
}

/* Appends one block's results to a batch's outcome. */
static void outcome_append(struct nm_block_outcome *all, struct nm_block_outcome *one)
{
    struct nm_apply_result *r =
        realloc(all->results, (all->count + one->count + 1) * sizeof *r);
    if (r) {
        memcpy(r + all->count, one->results, one->count * sizeof *r);
        all->results = r;
        all->count += one->count;
    }
    free(one->results);
}

/* Which of the blocks' extrinsics the pool holds, or whose signatures
 * this node found good already (chain_bft.h: by admission or a proposal's
 * check), on the node thread before the workers start: NULL when none can
 * be (an empty pool on a chain without BFT, or no memory: then all are
 * checked). */
static uint8_t **pooled_of(struct nm_chain *c, uint8_t *const *blocks, const size_t *lens, size_t n)
{
    if (!n || (!c->pool.count && !c->bft))
        return NULL;
    uint8_t **pooled = calloc(n, sizeof *pooled);
    nm_mempool_index(&c->pool);
    for (size_t i = 0; pooled && i < n; i++) {
        struct nm_block b;
        if (nm_block_decode(blocks[i], lens[i], &b))
            continue; /* the workers report it */
        if ((pooled[i] = calloc(b.count ? b.count : 1, 1)))
            for (size_t k = 0; k < b.count; k++) {
                nm_hash h;
                nm_extrinsic_hash(b.extrinsics[k], b.lengths[k], &h);
                pooled[i][k] = nm_mempool_find(&c->pool, &h) != NULL ||
                               nm_chain_bft_sig_known(c, &h); /* checked here already */
            }
        nm_block_fini(&b);
    }
    return pooled;
}

/* The blocks' signatures are checked off the node thread (they touch no
 * state; one in our pool was checked at admission and is skipped: never
 * checked twice) by sig_check's threads, which run ahead over the whole
 * batch while this thread applies block after block: on two cores
 * verification is no longer bounded by one core's Ed25519 rate. */
int nm_chain_import_blocks_outcome(struct nm_chain *c, uint8_t *const *blocks, const size_t *lens,
                                   size_t n, size_t *imported, struct nm_block_outcome *outcome)
{
    uint8_t **pooled = pooled_of(c, blocks, lens, n);
    struct nm_sig_check *sigs = NULL;
    size_t done = 0;
    int err = nm_sig_check_start_blocks(&c->genesis, (const uint8_t *const *)blocks, lens,
                                        (const uint8_t *const *)pooled, n, &sigs);
    for (; !err && done < n; done++) {
        struct nm_block_outcome one = {0};
        if (!(err = nm_sig_check_wait(sigs, done, NULL)))
            err = nm_chain_import_outcome(c, blocks[done], lens[done], true,
                                          outcome ? &one : NULL);
        if (err)
            break;
        if (outcome)
            outcome_append(outcome, &one);
    }
    nm_sig_check_cancel(sigs); /* the checks of blocks after a bad one stop */
    for (size_t i = 0; pooled && i < n; i++)
        free(pooled[i]);
    free(pooled);
    if (imported)
        *imported = done;
    return err;
}

int nm_chain_block_bytes(struct nm_chain *c, uint64_t height, uint8_t **out, size_t *len)
{
    sqlite3_stmt *st = nm_db_stmt(c->db, "SELECT body FROM blocks WHERE height=?1");
    if (!st)
        return NM_E_DB;
    nm_bind_u64(st, 1, height);
    int err = NM_E_UNKNOWN_BLOCK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        *out = malloc(n ? n : 1);
        err = NM_E_NOMEM;
        if (*out) {
            memcpy(*out, sqlite3_column_blob(st, 0), n);
            *len = n;
            err = 0;
        }
    }
    sqlite3_reset(st);
    return err;
}

int nm_chain_header_at(struct nm_chain *c, uint64_t height, struct nm_header *out)
{
    sqlite3_stmt *st = nm_db_stmt(c->db, "SELECT header FROM blocks WHERE height=?1");
    if (!st)
        return NM_E_DB;
    nm_bind_u64(st, 1, height);
    int err = NM_E_UNKNOWN_BLOCK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        struct nm_reader r;
        nm_reader_init(&r, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
        err = nm_header_decode(&r, out);
    }
    sqlite3_reset(st);
    return err;
}

int nm_chain_height_of(struct nm_chain *c, const nm_hash *hash, uint64_t *height)
{
    sqlite3_stmt *st = nm_db_stmt(c->db, "SELECT height FROM blocks WHERE hash=?1");
    if (!st)
        return NM_E_DB;
    sqlite3_bind_blob(st, 1, hash->b, NM_HASH_LEN, SQLITE_STATIC);
    int err = NM_E_UNKNOWN_BLOCK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *height = nm_column_u64(st, 0);
        err = 0;
    }
    sqlite3_reset(st);
    return err;
}
