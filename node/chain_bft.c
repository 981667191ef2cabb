/* chain_bft.c - what a chain with several authorities accepts, and the
 * consensus engine's dry runs (see chain_bft.h). */
/* the session extension (Debian's libsqlite3 has it): a dry run's write set */
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include "node/chain_bft.h"

#include "node/admission.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "node/pallets/authorities.h"
#include "node/sig_check.h"

#include <stdlib.h>
#include <string.h>

int nm_chain_bft_setup(struct nm_chain *c)
{
    c->bft_self = -1;
    if (c->spec.authority_count <= 1)
        return 0; /* one authority: instant finality, as before */
    int err = nm_bft_authorities_init(&c->bft_set, c->spec.authorities,
                                      (uint32_t)c->spec.authority_count);
    if (err)
        return err;
    c->bft = true;
    c->can_author = false; /* blocks come from consensus, never from the block timer */
    int i = nm_bft_authorities_find(&c->bft_set, &c->author.pub);
    c->bft_self = i >= 0 ? i : -1;
    return 0;
}

int nm_chain_bft_refresh(struct nm_chain *c)
{
    if (!c->bft)
        return 0;
    struct nm_bft_authority list[NM_CHAINSPEC_MAX_AUTHORITIES];
    size_t n;
    int err = nm_authorities_load(c->db, list, NM_CHAINSPEC_MAX_AUTHORITIES, &n);
    if (err || n == 0)
        return err; /* none in state (an older database): the spec's stays */
    bool same = n == c->bft_set.count;
    for (size_t i = 0; same && i < n; i++)
        same = nm_account_eq(&list[i].account, &c->bft_set.list[i].account) &&
               list[i].power == c->bft_set.list[i].power;
    if (same)
        return 0;
    struct nm_bft_authorities set;
    if ((err = nm_bft_authorities_init(&set, list, (uint32_t)n)))
        return err;
    nm_bft_authorities_fini(&c->bft_set);
    c->bft_set = set;
    int i = nm_bft_authorities_find(&c->bft_set, &c->author.pub);
    c->bft_self = i >= 0 ? i : -1;
    c->bft_set_version++;
    return 0;
}

const struct nm_bft_authorities *nm_chain_bft_authorities_at(const struct nm_chain *c,
                                                             uint64_t height)
{
    (void)height; /* one set for the whole chain until governance can change it */
    return &c->bft_set;
}

static bool cert_was_checked(const struct nm_chain *c, const struct nm_block *b);

int nm_chain_bft_check_block(struct nm_chain *c, const struct nm_block *b, const nm_hash *hash)
{
    const struct nm_header *h = &b->header;
    const struct nm_bft_authorities *set = nm_chain_bft_authorities_at(c, h->height);
    int author = nm_bft_authorities_find(set, &h->author);
    if (author < 0)
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    if (c->dry_run)
        return 0; /* a proposal: final only later */
    if (!b->justification_len)
        return NM_E_BFT_NO_CERTIFICATE;
    struct nm_bft_cert cert;
    int err = nm_bft_cert_decode(b->justification, b->justification_len, &cert);
    if (err)
        return err;
    /* the sealer need not be the deciding round's proposer: a block made
     * in one round may be proposed again in a later one (valid_round) */
    if (cert.height != h->height || !nm_hash_eq(&cert.block, hash))
        err = NM_E_BFT_CERT_MISMATCH;
    else if (cert_was_checked(c, b))
        err = nm_bft_cert_check_power(&cert, set); /* its signatures were checked as votes */
    else
        err = nm_bft_cert_verify(&cert, &c->genesis, set);
    nm_bft_cert_fini(&cert);
    return err;
}

/* Issue 11 (execute once): every node executes a proposed block to check
 * it before its prevote, and used to execute it again to store it once
 * decided. The dry run's write set (an SQLite changeset recorded by a
 * session over the block's transaction, before it is rolled back) is kept
 * with the commitment it left and the extrinsics' outcomes; the decided
 * block, when it is one of these on the same parent, is stored by applying
 * that changeset. Any conflict (a row not as it was when executed) rolls
 * back and the block is executed again, as before. Rows nothing reads while
 * a block executes (events, extrinsics) are not even written by the dry
 * run: they wait in the database's log of deferred inserts (db.h), kept
 * beside the changeset and inserted with it. */
#define EXEC_KEEP 4 /* blocks of one height (rounds) kept */

struct exec_entry {
    nm_hash block;  /* header hash */
    nm_hash parent; /* the best block it was executed on */
    void *changes;  /* sqlite3_malloc'd changeset */
    int changes_len;
    uint8_t *inserts; /* malloc'd: the deferred inserts (events, extrinsics; db.h) */
    size_t inserts_len;
    struct nm_lthash state;
    struct nm_apply_result *results;
    size_t count;
};

struct nm_chain_bft_exec {
    sqlite3_session *session; /* during a dry run */
    int usable;               /* 0 unknown, 1 yes, -1 a table without key: never */
    struct exec_entry keep[EXEC_KEEP];
    size_t count, next;
    uint64_t reused, replayed;
    struct nm_admission *admission; /* shares verdicts with the proposal checks */
    /* during nm_chain_bft_commit_decided: the engine's certificate, encoded;
     * a justification of exactly these bytes had its signatures checked */
    const uint8_t *cert_checked;
    size_t cert_checked_len;
};

/* The block's justification is the certificate nm_chain_bft_commit_decided
 * is storing, byte for byte. */
static bool cert_was_checked(const struct nm_chain *c, const struct nm_block *b)
{
    const struct nm_chain_bft_exec *x = c->bft_exec;
    return x && x->cert_checked && x->cert_checked_len == b->justification_len &&
           !memcmp(x->cert_checked, b->justification, b->justification_len);
}

static void exec_entry_fini(struct exec_entry *e)
{
    sqlite3_free(e->changes);
    free(e->inserts);
    free(e->results);
    memset(e, 0, sizeof *e);
}

static void exec_clear(struct nm_chain_bft_exec *x)
{
    for (size_t i = 0; i < x->count; i++)
        exec_entry_fini(&x->keep[i]);
    x->count = x->next = 0;
}

void nm_chain_bft_fini(struct nm_chain *c)
{
    if (!c->bft_exec)
        return;
    exec_clear(c->bft_exec);
    if (c->bft_exec->session)
        sqlite3session_delete(c->bft_exec->session);
    free(c->bft_exec);
    c->bft_exec = NULL;
}

void nm_chain_bft_exec_stats(const struct nm_chain *c, uint64_t *reused, uint64_t *replayed)
{
    *reused = c->bft_exec ? c->bft_exec->reused : 0;
    *replayed = c->bft_exec ? c->bft_exec->replayed : 0;
}

/* A session records only tables with a primary key: with any other, a
 * changeset would miss rows, so none is ever kept. */
static bool every_table_keyed(struct nm_db *db)
{
    sqlite3_stmt *st = nm_db_stmt(db, "SELECT count(*) FROM sqlite_schema m WHERE m.type='table'"
                                      " AND m.name NOT LIKE 'sqlite_%' AND NOT EXISTS(SELECT 1"
                                      " FROM pragma_table_info(m.name) WHERE pk > 0)");
    bool ok = st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
    if (st)
        sqlite3_reset(st);
    return ok;
}

/* Starts recording a dry run's writes (none when it cannot: the block is
 * then executed again when decided). */
static struct nm_chain_bft_exec *exec_of(struct nm_chain *c)
{
    if (!c->bft_exec)
        c->bft_exec = calloc(1, sizeof *c->bft_exec);
    return c->bft_exec;
}

static void exec_record(struct nm_chain *c)
{
    struct nm_chain_bft_exec *x = exec_of(c);
    if (!x)
        return;
    if (!x->usable)
        x->usable = every_table_keyed(c->db) ? 1 : -1;
    if (x->usable < 0 || x->session)
        return;
    if (sqlite3session_create(nm_db_handle(c->db), "main", &x->session) != SQLITE_OK ||
        sqlite3session_attach(x->session, NULL) != SQLITE_OK) {
        if (x->session)
            sqlite3session_delete(x->session);
        x->session = NULL;
        return;
    }
    /* events and extrinsics rows are kept aside, not written and undone */
    nm_db_defer_start(c->db);
}

static void exec_record_end(struct nm_chain *c)
{
    if (c->bft_exec && c->bft_exec->session) {
        sqlite3session_delete(c->bft_exec->session);
        c->bft_exec->session = NULL;
        nm_db_defer_stop(c->db);
    }
}

static struct exec_entry *exec_find(struct nm_chain *c, const nm_hash *block)
{
    struct nm_chain_bft_exec *x = c->bft_exec;
    for (size_t i = 0; x && i < x->count; i++)
        if (nm_hash_eq(&x->keep[i].block, block) && nm_hash_eq(&x->keep[i].parent, &c->best_hash))
            return &x->keep[i];
    return NULL;
}

/* A dry run's writes that must not be used: its block turned out invalid
 * (a signature checked beside it failed). */
static void exec_forget(struct nm_chain *c, const nm_hash *block)
{
    struct exec_entry *e = exec_find(c, block);
    if (!e)
        return;
    struct nm_chain_bft_exec *x = c->bft_exec;
    exec_entry_fini(e);
    *e = x->keep[--x->count]; /* the last one fills the hole */
    memset(&x->keep[x->count], 0, sizeof x->keep[0]);
    x->next = x->count < EXEC_KEEP ? 0 : x->next;
}

/* The dry run's end (its block is valid): its writes, before rollback. */
static void exec_keep(struct nm_chain *c, const struct nm_header *h,
                      const struct nm_apply_result *results, size_t n)
{
    struct nm_chain_bft_exec *x = c->bft_exec;
    nm_hash block;
    if (!x || !x->session || nm_header_hash(h, &block))
        return;
    struct exec_entry e = {.block = block, .parent = c->best_hash, .state = c->rt.state,
                           .count = n};
    if (!(e.results = malloc((n ? n : 1) * sizeof *e.results)))
        return;
    if (n)
        memcpy(e.results, results, n * sizeof *e.results);
    if (sqlite3session_changeset(x->session, &e.changes_len, &e.changes) != SQLITE_OK ||
        nm_db_defer_take(c->db, &e.inserts, &e.inserts_len)) {
        exec_entry_fini(&e);
        return;
    }
    struct exec_entry *same = exec_find(c, &block);
    struct exec_entry *slot = same ? same : &x->keep[x->count < EXEC_KEEP ? x->count++ : x->next];
    if (!same && x->count == EXEC_KEEP)
        x->next = (x->next + 1) % EXEC_KEEP;
    exec_entry_fini(slot);
    *slot = e;
}

static int exec_conflict(void *ud, int kind, sqlite3_changeset_iter *it)
{
    (void)ud;
    (void)kind;
    (void)it;
    return SQLITE_CHANGESET_ABORT; /* the rows are not as executed: execute again */
}

struct exec_store {
    struct nm_db *db;
    const struct exec_entry *e;
};

static int exec_apply(void *ud, sqlite3 *db)
{
    const struct exec_store *s = ud;
    const struct exec_entry *e = s->e;
    if (sqlite3changeset_apply(db, e->changes_len, e->changes, NULL, exec_conflict, NULL) !=
        SQLITE_OK)
        return NM_E_DB;
    return nm_db_log_apply(s->db, e->inserts, e->inserts_len);
}

int nm_chain_bft_keep_dry(struct nm_chain *c, const struct nm_header *h,
                          const uint8_t seal[NM_SIG_LEN], const uint8_t *const *exts,
                          const size_t *lens, size_t n, const struct nm_apply_result *results)
{
    exec_keep(c, h, results, n);
    struct nm_writer w;
    nm_writer_init(&w);
    nm_block_encode(h, seal, exts, lens, n, &w);
    if (w.err) {
        int err = w.err;
        nm_writer_fini(&w);
        return err;
    }
    free(c->dry_block);
    c->dry_block = nm_writer_take(&w, &c->dry_len);
    return 0;
}

int nm_chain_bft_build(struct nm_chain *c, uint64_t timestamp_ms, uint8_t **block, size_t *len)
{
    if (!c->bft || c->bft_self < 0)
        return NM_E_INVAL;
    c->dry_run = true;
    c->can_author = true;
    exec_record(c);
    uint64_t max_bytes = c->rt.params.max_block_bytes; /* the chain's, restored below */
    if (max_bytes > NM_BFT_PROPOSAL_BLOCK_MAX)
        c->rt.params.max_block_bytes = NM_BFT_PROPOSAL_BLOCK_MAX;
    int err = nm_chain_produce(c, timestamp_ms, NULL);
    exec_record_end(c);
    c->rt.params.max_block_bytes = max_bytes;
    c->can_author = false;
    c->dry_run = false;
    if (!err && !c->dry_block)
        err = NM_E_INTERNAL;
    if (!err) {
        *block = c->dry_block;
        *len = c->dry_len;
        c->dry_block = NULL;
    }
    return err;
}

void nm_chain_bft_set_admission(struct nm_chain *c, struct nm_admission *a)
{
    struct nm_chain_bft_exec *x = a || c->bft_exec ? exec_of(c) : NULL;
    if (x)
        x->admission = a; /* without memory: nothing shared, each checks its own */
}

bool nm_chain_bft_sig_known(const struct nm_chain *c, const nm_hash *hash)
{
    const struct nm_chain_bft_exec *x = c->bft_exec;
    return nm_sig_memo_has(&c->sigs_good, hash) ||
           (x && x->admission && nm_admission_pending_good(x->admission, hash));
}

/* Issue 11 (speed): the signatures of a proposed block's extrinsics that
 * this node has not checked (not in its pool, where admission checked
 * them, nor in an earlier proposal) are checked on threads while the node
 * thread executes the block as if they were good; a bad one makes the
 * block invalid all the same, and its dry run's write set is dropped.
 * *hashes (malloc'd) gets every extrinsic's hash and *unchecked the
 * indexes of those the threads check. */
static int sigs_start(struct nm_chain *c, const struct nm_block *b, nm_hash **hashes,
                      size_t **unchecked, size_t *n, struct nm_sig_check **sc)
{
    struct nm_chain_bft_exec *x = exec_of(c);
    *hashes = malloc((b->count ? b->count : 1) * sizeof **hashes);
    *unchecked = malloc((b->count ? b->count : 1) * sizeof **unchecked);
    *n = 0;
    if (!x || !*hashes || !*unchecked)
        return NM_E_NOMEM;
    nm_mempool_index(&c->pool);
    for (size_t i = 0; i < b->count; i++) {
        nm_extrinsic_hash(b->extrinsics[i], b->lengths[i], &(*hashes)[i]);
        if (!nm_mempool_find(&c->pool, &(*hashes)[i]) && !nm_chain_bft_sig_known(c, &(*hashes)[i]))
            (*unchecked)[(*n)++] = i;
    }
    return nm_sig_check_start(&c->genesis, b->extrinsics, b->lengths, *unchecked, *n, sc);
}

/* rooted: bytes decoded before here or by the caller, their extrinsics
 * root checked then (or encoded here): not computed again */
static int decode(const uint8_t *data, size_t len, struct nm_block *b, bool rooted)
{
    return rooted ? nm_block_decode_unrooted(data, len, b) : nm_block_decode(data, len, b);
}

/* rooted: the caller decoded these bytes, their extrinsics root checked */
static int validate(struct nm_chain *c, const uint8_t *block, size_t len, bool rooted)
{
    if (!c->bft)
        return NM_E_INVAL;
    if (len > NM_BFT_PROPOSAL_BLOCK_MAX)
        return NM_E_BFT_PROPOSAL_TOO_LARGE;
    struct nm_block b;
    int err = decode(block, len, &b, rooted);
    if (err)
        return err;
    nm_hash *hashes = NULL, hash;
    size_t *unchecked = NULL, n = 0;
    struct nm_sig_check *sc = NULL;
    if ((err = sigs_start(c, &b, &hashes, &unchecked, &n, &sc)))
        goto out;
    c->dry_run = true;
    exec_record(c);
    /* the threads check the rest meanwhile; b is these bytes, decoded */
    err = nm_chain_import_decoded(c, len, &b, true, NULL);
    exec_record_end(c);
    c->dry_run = false;
    free(c->dry_block);
    c->dry_block = NULL;
    int sig_err = nm_sig_check_finish(sc, NULL);
    if (sig_err && !nm_header_hash(&b.header, &hash))
        exec_forget(c, &hash);
    err = err ? err : sig_err;
    if (!err) {
        for (size_t k = 0; k < n; k++) /* only the hashes the threads checked */
            hashes[k] = hashes[unchecked[k]];
        (void)nm_sig_memo_add(&c->sigs_good, hashes, n); /* lost: checked again */
        if (c->bft_exec->admission) /* a copy waiting there needs no check either */
            nm_admission_sig_note_good(c->bft_exec->admission, hashes, n);
    }
out:
    free(hashes);
    free(unchecked);
    nm_block_fini(&b);
    return err;
}

int nm_chain_bft_validate(struct nm_chain *c, const uint8_t *block, size_t len)
{
    return validate(c, block, len, false);
}

int nm_chain_bft_validate_decoded(struct nm_chain *c, const uint8_t *block, size_t len)
{
    return validate(c, block, len, true);
}

/* The bytes of b with the certificate cbytes as its justification. */
static int justified_encode(const struct nm_block *b, const uint8_t *cbytes, size_t clen,
                            uint8_t **out, size_t *out_len)
{
    struct nm_writer w;
    nm_writer_init(&w);
    nm_block_encode_justified(&b->header, b->seal, cbytes, clen, b->extrinsics, b->lengths,
                              b->count, &w);
    int err = w.err;
    if (!err)
        *out = nm_writer_take(&w, out_len);
    nm_writer_fini(&w);
    return err;
}

/* rooted: built or validated here (its extrinsics root known good) */
static int justify(const uint8_t *block, size_t len, const struct nm_bft_cert *cert, bool rooted,
                   uint8_t **out, size_t *out_len)
{
    struct nm_block b;
    int err = decode(block, len, &b, rooted);
    if (err)
        return err;
    uint8_t *cbytes = NULL;
    size_t clen = 0;
    if (!(err = nm_bft_cert_encode(cert, &cbytes, &clen)))
        err = justified_encode(&b, cbytes, clen, out, out_len);
    free(cbytes);
    nm_block_fini(&b);
    return err;
}

int nm_chain_bft_justify(const uint8_t *block, size_t len, const struct nm_bft_cert *cert,
                         uint8_t **out, size_t *out_len)
{
    return justify(block, len, cert, false, out, out_len);
}

/* The decided block b from its kept write set: 0 when stored; 1 when it
 * must be executed (none kept, or it no longer applies); else why the
 * block is refused (its certificate). b's extrinsics root was checked by
 * whoever decoded it (a kept write set is found by the header alone). */
static int commit_kept(struct nm_chain *c, struct nm_block *b, struct nm_block_outcome *outcome)
{
    nm_hash hash;
    struct exec_entry *e;
    if (!c->bft_exec || nm_header_hash(&b->header, &hash) || !(e = exec_find(c, &hash)) ||
        b->header.height != c->best.height + 1)
        return 1;
    /* everything else was checked when it was executed, on this parent */
    int err = nm_chain_bft_check_block(c, b, &hash);
    if (err)
        return err;
    struct nm_apply_result *results = NULL;
    if (outcome && !(results = malloc((e->count ? e->count : 1) * sizeof *results)))
        return NM_E_NOMEM;
    struct exec_store store = {.db = c->db, .e = e};
    if (nm_chain_store_applied(c, b, exec_apply, &store, &e->state, e->results)) {
        free(results);
        return 1;
    }
    c->bft_exec->reused++;
    if (outcome) {
        memcpy(results, e->results, e->count * sizeof *results);
        outcome->count = e->count;
        outcome->results = results;
    }
    exec_clear(c->bft_exec);
    return 0;
}

/* issue 11 (speed): the block is decoded once here, its justification set
 * to the certificate, and that decoded block found kept; the justified
 * bytes are executed only when it is not. sigs_checked: validated here, so
 * its extrinsics root was checked then (else decoding checks it). */
static int commit(struct nm_chain *c, const uint8_t *block, size_t len,
                  const struct nm_bft_cert *cert, bool sigs_checked, bool cert_checked,
                  struct nm_block_outcome *outcome)
{
    struct nm_block b;
    int err = decode(block, len, &b, sigs_checked);
    if (err)
        return err;
    uint8_t *full = NULL, *cbytes = NULL;
    size_t full_len = 0, clen = 0;
    if ((err = nm_bft_cert_encode(cert, &cbytes, &clen)) ||
        (err = justified_encode(&b, cbytes, clen, &full, &full_len)))
        goto out;
    b.justification = cbytes;
    b.justification_len = clen;
    struct nm_chain_bft_exec *trust = cert_checked ? exec_of(c) : NULL;
    if (trust) {
        trust->cert_checked = cbytes;
        trust->cert_checked_len = clen;
    }
    if ((err = commit_kept(c, &b, outcome)) == 1) {
        err = nm_chain_import_outcome(c, full, full_len, sigs_checked, outcome);
        struct nm_chain_bft_exec *x = err ? NULL : exec_of(c);
        if (x) {
            x->replayed++;
            exec_clear(x);
        }
    }
    if (trust) {
        trust->cert_checked = NULL;
        trust->cert_checked_len = 0;
    }
out:
    free(cbytes);
    free(full);
    nm_block_fini(&b);
    return err;
}

int nm_chain_bft_import_final(struct nm_chain *c, const uint8_t *block, size_t len,
                              struct nm_block_outcome *outcome)
{
    struct nm_block b;
    int err = 1;
    /* bytes from elsewhere: decoded with their extrinsics root checked */
    if (c->bft && c->bft_exec && !nm_block_decode(block, len, &b)) {
        err = commit_kept(c, &b, outcome);
        nm_block_fini(&b);
    }
    return err == 1 ? nm_chain_import_outcome(c, block, len, false, outcome) : err;
}

int nm_chain_bft_commit(struct nm_chain *c, const uint8_t *block, size_t len,
                        const struct nm_bft_cert *cert, struct nm_block_outcome *outcome)
{
    return commit(c, block, len, cert, false, false, outcome);
}

int nm_chain_bft_commit_validated(struct nm_chain *c, const uint8_t *block, size_t len,
                                  const struct nm_bft_cert *cert,
                                  struct nm_block_outcome *outcome)
{
    return commit(c, block, len, cert, true, false, outcome);
}

int nm_chain_bft_commit_decided(struct nm_chain *c, const uint8_t *block, size_t len,
                                const struct nm_bft_cert *cert, bool validated,
                                struct nm_block_outcome *outcome)
{
    return commit(c, block, len, cert, validated, true, outcome);
}
