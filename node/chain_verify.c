/* chain_verify.c - what the chain checks before it trusts bytes: start-up
 * integrity checks of the database and the genesis marker, `--check`'s full
 * replay, and the door checks of a transaction before the pool (see
 * chain_verify.h). */
#include "node/chain_verify.h"

#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/lthash.h"
#include "node/pallets/registry.h"
#include "node/pallets/subnets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int nm_chain_verify_sqlite(struct nm_chain *c, bool full, char *msg, size_t cap)
{
    sqlite3_stmt *st = NULL;
    const char *sql = full ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)";
    if (sqlite3_prepare_v2(nm_db_handle(c->db), sql, -1, &st, NULL) != SQLITE_OK) {
        snprintf(msg, cap, "the database cannot be checked: %s",
                 sqlite3_errmsg(nm_db_handle(c->db)));
        return NM_E_DB_INTEGRITY;
    }
    int rc = sqlite3_step(st);
    const char *text = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    int err = 0;
    if (!text || strcmp(text, "ok") != 0) {
        snprintf(msg, cap, "the database file is damaged (SQLite %s: %.160s)",
                 full ? "integrity_check" : "quick_check",
                 text ? text : sqlite3_errmsg(nm_db_handle(c->db)));
        err = NM_E_DB_INTEGRITY;
    }
    sqlite3_finalize(st);
    return err;
}

/* The state tables against the head's state root: an edited balance (an
 * UPDATE behind the node's back) changes the fold. */
static int verify_state(struct nm_chain *c, char *msg, size_t cap)
{
    struct nm_lthash folded;
    nm_hash root;
    int err = nm_runtime_fold_state(c->db, &folded);
    if (err) {
        snprintf(msg, cap, "the state tables cannot be read: %s", nm_strerror(err));
        return NM_E_DB_INTEGRITY;
    }
    nm_lthash_digest(&folded, &root);
    if (!nm_hash_eq(&root, &c->best.state_root)) {
        snprintf(msg, cap,
                 "the state tables do not match block %llu's state root (edited or damaged)",
                 (unsigned long long)c->best.height);
        return NM_E_DB_INTEGRITY;
    }
    return 0;
}

/* From the head back depth blocks: each stored block decodes, its body
 * matches its header's extrinsics root, its header hashes to what its
 * child names as parent (the head: the stored best hash), and heights
 * follow; at height 0, the genesis hash. */
static int verify_hash_chain(struct nm_chain *c, unsigned depth, char *msg, size_t cap)
{
    nm_hash expect = c->best_hash;
    uint64_t stop = c->best.height > depth ? c->best.height - depth : 0;
    for (uint64_t h = c->best.height;; h--) {
        if (h == 0) {
            if (!nm_hash_eq(&expect, &c->genesis)) {
                snprintf(msg, cap, "block 1 does not follow the genesis block");
                return NM_E_DB_INTEGRITY;
            }
            return 0;
        }
        uint8_t *data = NULL;
        size_t len = 0;
        int err = nm_chain_block_bytes(c, h, &data, &len);
        if (err == NM_E_NOMEM)
            return err;
        if (err) {
            snprintf(msg, cap, "block %llu is missing", (unsigned long long)h);
            return NM_E_DB_INTEGRITY;
        }
        struct nm_block b;
        err = nm_block_decode(data, len, &b);
        nm_hash hash;
        if (!err)
            nm_header_hash(&b.header, &hash);
        bool ok = !err && b.header.height == h && nm_hash_eq(&hash, &expect);
        if (ok)
            expect = b.header.parent;
        if (!err)
            nm_block_fini(&b);
        free(data);
        if (!ok) {
            snprintf(msg, cap, "block %llu is damaged: %s", (unsigned long long)h,
                     err ? "its body does not decode or match its header"
                         : "it is not the block its child or the head names");
            return NM_E_DB_INTEGRITY;
        }
        if (h == stop + 1 && stop > 0)
            return 0;
    }
}

int nm_chain_verify(struct nm_chain *c, unsigned depth, char *msg, size_t cap)
{
    int err;
    if ((err = nm_chain_verify_sqlite(c, false, msg, cap)) ||
        (err = verify_hash_chain(c, depth ? depth : NM_VERIFY_DEFAULT_DEPTH, msg, cap)) ||
        (err = verify_state(c, msg, cap)))
        return err;
    return 0;
}

static bool is_file_path(const char *db_path)
{
    return db_path && *db_path && strcmp(db_path, ":memory:") != 0 &&
           strncmp(db_path, "file:", 5) != 0;
}

int nm_chain_marker_write(const char *db_path, const nm_hash *genesis)
{
    if (!is_file_path(db_path))
        return 0;
    char path[4200], tmp[4300], hex[NM_HASH_HEXLEN];
    if ((size_t)snprintf(path, sizeof path, "%s.genesis", db_path) >= sizeof path)
        return NM_E_TOO_BIG;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return NM_E_IO;
    bool ok = fprintf(f, "%s\n", nm_hash_hex(genesis, hex)) > 0;
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return NM_E_IO;
    }
    return 0;
}

int nm_chain_marker_read(const char *db_path, nm_hash *genesis)
{
    if (!is_file_path(db_path))
        return 0;
    char path[4200], line[NM_HASH_HEXLEN + 8];
    if ((size_t)snprintf(path, sizeof path, "%s.genesis", db_path) >= sizeof path)
        return NM_E_TOO_BIG;
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : NM_E_IO;
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    /* an unreadable marker still says a chain was here */
    memset(genesis->b, 0, sizeof genesis->b);
    if (got)
        (void)nm_hash_from_hex(line, genesis);
    return 1;
}

int nm_chain_check(struct nm_chain *c, const struct nm_chain_spec *spec, char *msg, size_t cap)
{
    struct nm_lthash folded;
    nm_hash root;
    char why[300];
    int err = nm_chain_verify_sqlite(c, true, why, sizeof why);
    if (err) {
        snprintf(msg, cap, "check: %s", why);
        return err;
    }
    if ((err = nm_runtime_fold_state(c->db, &folded))) {
        snprintf(msg, cap, "check: cannot read the state tables: %s", nm_strerror(err));
        return err;
    }
    nm_lthash_digest(&folded, &root);
    if (!nm_hash_eq(&root, &c->best.state_root)) {
        snprintf(msg, cap, "check: the state tables do not match block %llu's state root",
                 (unsigned long long)c->best.height);
        return NM_E_STATE_MISMATCH;
    }
    struct nm_chain *replay;
    char sub[256];
    if ((err = nm_chain_open(":memory:", spec, NULL, &replay, sub, sizeof sub))) {
        snprintf(msg, cap, "check: %s", sub);
        return err;
    }
    if (!nm_hash_eq(&replay->genesis, &c->genesis)) {
        snprintf(msg, cap, "check: the chain spec gives another genesis");
        err = NM_E_STATE_MISMATCH;
        goto out;
    }
    /* Replayed in chunks, signatures checked beside the apply. */
    enum { CHUNK = 64 };
    uint8_t *blocks[CHUNK];
    size_t lens[CHUNK];
    for (uint64_t from = 1; from <= c->best.height; from += CHUNK) {
        size_t n = 0, imported = 0;
        for (; n < CHUNK && from + n <= c->best.height; n++)
            if ((err = nm_chain_block_bytes(c, from + n, &blocks[n], &lens[n])))
                break;
        /* the blocks before a missing one are replayed first: the report
         * names the first bad block by its real height */
        int missing = err;
        err = n ? nm_chain_import_blocks(replay, blocks, lens, n, &imported) : 0;
        for (size_t i = 0; i < n; i++)
            free(blocks[i]);
        if (err) {
            snprintf(msg, cap, "check: replaying block %llu failed: %s",
                     (unsigned long long)(from + imported), nm_strerror(err));
            goto out;
        }
        if ((err = missing)) {
            snprintf(msg, cap, "check: block %llu is missing: %s",
                     (unsigned long long)(from + n), nm_strerror(err));
            goto out;
        }
    }
    char hex[NM_HASH_HEXLEN];
    snprintf(msg, cap, "check: ok: %llu blocks replayed from genesis, state root %s",
             (unsigned long long)c->best.height, nm_hash_hex(&root, hex));
out:
    nm_chain_close(replay);
    return err;
}
