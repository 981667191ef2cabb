/* Unit tests for node/chain_verify (issue 17, item 7): a start refuses a
 * database whose balances were edited, whose block body is corrupted or
 * whose blocks were deleted; an emptied database does not silently become
 * a new chain (the genesis marker, --force-new); periodic checkpoints keep
 * a copy without its -wal from being almost empty; --check names the first
 * bad block by its real height; random byte flips are refused or miss what
 * the chain relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/amount.h"
#include "node/chain.h"
#include "node/chain_verify.h"
#include "node/errors.h"
#include "node/extrinsic.h"
#include "tests/support/node_fixture.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NMT NM_UNITS_PER_NMT
#define BLOCKS 40

struct fx {
    char dir[64];
    char db[128];
    struct nm_chain_spec spec;
    struct nm_keypair alice;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    nmt_tmpdir(f->dir, sizeof f->dir, "verify");
    snprintf(f->db, sizeof f->db, "%s/chain.db", f->dir);
    assert_int_equal(nm_chainspec_dev(&f->spec), 0);
    assert_int_equal(nm_keypair_dev("alice", &f->alice), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    nmt_rmtree(f->dir);
    nm_chainspec_fini(&f->spec);
    free(f);
    return 0;
}

static struct nm_chain *open_ok(struct fx *f, const char *path)
{
    struct nm_chain *c = NULL;
    char msg[512] = "";
    if (nm_chain_open(path, &f->spec, &f->alice, &c, msg, sizeof msg))
        fail_msg("open: %s", msg);
    return c;
}

/* Opening must fail with NM_E_DB_INTEGRITY and a message holding want. */
static void expect_refused(struct fx *f, const char *path, const char *want)
{
    struct nm_chain *c = NULL;
    char msg[512] = "";
    int err = nm_chain_open(path, &f->spec, &f->alice, &c, msg, sizeof msg);
    if (err != NM_E_DB_INTEGRITY)
        fail_msg("open gave %s, want DB_INTEGRITY (%s)", nm_errname(err), msg);
    if (!strstr(msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", msg, want);
    print_message("refused: %s\n", msg);
}

/* A chain of BLOCKS blocks, each with a transfer, then closed. */
static void make_chain(struct fx *f)
{
    struct nm_chain *c = open_ok(f, f->db);
    struct nm_keypair bob;
    assert_int_equal(nm_keypair_dev("bob", &bob), 0);
    for (uint64_t n = 0; n < BLOCKS; n++) {
        struct nm_call call;
        memset(&call, 0, sizeof call);
        call.kind = NM_CALL_TRANSFER;
        call.u.transfer.dest = bob.pub;
        call.u.transfer.amount = NMT;
        uint8_t *x = NULL;
        size_t len = 0;
        assert_int_equal(nm_extrinsic_build(&f->alice, &c->genesis, n, &call, &x, &len), 0);
        assert_int_equal(nm_chain_submit(c, x, len, NULL), 0);
        free(x);
        assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL), 0);
    }
    nm_chain_close(c);
}

static void sql(struct fx *f, const char *statement)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(db, statement, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", statement, err);
    assert_int_equal(sqlite3_changes(db) > 0, 1);
    sqlite3_close(db);
}

static void test_a_healthy_database_opens_and_gets_a_marker(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    struct nm_chain *c = open_ok(f, f->db);
    assert_int_equal(c->best.height, BLOCKS);
    nm_hash marker;
    assert_int_equal(nm_chain_marker_read(f->db, &marker), 1);
    assert_true(nm_hash_eq(&marker, &c->genesis));
    char msg[256];
    assert_int_equal(nm_chain_verify(c, 0, msg, sizeof msg), 0);
    nm_chain_close(c);
}

static void test_edited_balances_are_refused_at_start(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    sql(f, "UPDATE accounts SET free=free+1000000000000");
    expect_refused(f, f->db, "state tables do not match");
}

static void test_a_corrupted_block_body_is_refused_at_start(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    char s[160];
    snprintf(s, sizeof s,
             "UPDATE blocks SET body=substr(body,1,length(body)-8)||x'0102030405060708' "
             "WHERE height=%d",
             BLOCKS - 3);
    sql(f, s);
    char want[64];
    snprintf(want, sizeof want, "block %d is damaged", BLOCKS - 3);
    expect_refused(f, f->db, want);
}

static void test_deleted_blocks_are_refused_at_start(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    /* the last blocks gone: the head moves back, the state does not */
    sql(f, "DELETE FROM blocks WHERE height>30");
    expect_refused(f, f->db, "state tables do not match block 30");
    /* a gap in the chain */
    sql(f, "DELETE FROM blocks WHERE height=5");
    expect_refused(f, f->db, "block 5 is missing");
}

static void test_an_emptied_database_is_not_a_new_chain_without_force_new(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    char path[200];
    assert_int_equal(truncate(f->db, 0), 0);
    snprintf(path, sizeof path, "%s-wal", f->db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", f->db);
    unlink(path);
    expect_refused(f, f->db, "--force-new");
    /* --check never makes a genesis either */
    struct nm_chain *c = NULL;
    char msg[512];
    struct nm_chain_open_options check = {.skip_verify = true, .no_create = true};
    assert_int_equal(nm_chain_open_with(f->db, &f->spec, NULL, &check, &c, msg, sizeof msg),
                     NM_E_DB_INTEGRITY);
    print_message("--check: %s\n", msg);
    struct nm_chain_open_options force = {.force_new = true};
    assert_int_equal(nm_chain_open_with(f->db, &f->spec, &f->alice, &force, &c, msg, sizeof msg),
                     0);
    assert_int_equal(c->best.height, 0);
    nm_chain_close(c);
}

/* The main file copied while the node runs, without its -wal. */
static void test_a_copy_without_its_wal_still_holds_the_chain(void **state)
{
    struct fx *f = *state;
    struct nm_chain *c = open_ok(f, f->db);
    for (int i = 0; i < BLOCKS; i++)
        assert_int_equal(nm_chain_produce(c, c->best.timestamp_ms + 1000, NULL), 0);
    char copy[200], cmd[600];
    snprintf(copy, sizeof copy, "%s/copy.db", f->dir);
    snprintf(cmd, sizeof cmd, "cp %s %s", f->db, copy);
    assert_int_equal(system(cmd), 0);
    nm_chain_close(c);
    struct nm_chain *copied = NULL;
    char msg[512];
    struct nm_chain_open_options no_create = {.no_create = true};
    if (nm_chain_open_with(copy, &f->spec, NULL, &no_create, &copied, msg, sizeof msg))
        fail_msg("open copy: %s", msg);
    print_message("copy without -wal: height %llu of %d\n",
                  (unsigned long long)copied->best.height, BLOCKS);
    assert_true(copied->best.height >= NM_CHECKPOINT_BLOCKS);
    nm_chain_close(copied);
}

static void test_check_names_the_first_bad_block_by_its_height(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    sql(f, "DELETE FROM blocks WHERE height=37");
    struct nm_chain *c = NULL;
    char msg[512];
    struct nm_chain_open_options check = {.skip_verify = true, .no_create = true};
    assert_int_equal(nm_chain_open_with(f->db, &f->spec, NULL, &check, &c, msg, sizeof msg), 0);
    assert_int_not_equal(nm_chain_check(c, &f->spec, msg, sizeof msg), 0);
    print_message("%s\n", msg);
    assert_non_null(strstr(msg, "block 37"));
    nm_chain_close(c);
}

static uint32_t rng = 0x9e3779b9u;

static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Six random 4-byte flips in the database file, one at a time: a start
 * refuses, or what it opens has the same head, and passed every start
 * check (state, the last 256 blocks, SQLite's structure) and a full
 * integrity_check: the flip hit unused space or rows outside state and
 * blocks (events, indexes SQLite does not cross-check). */
static void test_random_byte_flips_are_refused_or_leave_state_and_blocks_intact(void **state)
{
    struct fx *f = *state;
    make_chain(f);
    struct nm_chain *c = open_ok(f, f->db);
    nm_hash best = c->best_hash;
    nm_chain_close(c);
    char saved[200], cmd[600];
    snprintf(saved, sizeof saved, "%s/saved.db", f->dir);
    snprintf(cmd, sizeof cmd, "cp %s %s", f->db, saved);
    assert_int_equal(system(cmd), 0);
    struct stat st;
    assert_int_equal(stat(f->db, &st), 0);
    int refused = 0;
    for (int i = 0; i < 6; i++) {
        snprintf(cmd, sizeof cmd, "cp %s %s", saved, f->db);
        assert_int_equal(system(cmd), 0);
        int fd = open(f->db, O_RDWR);
        assert_true(fd >= 0);
        /* past the 100-byte file header, whose flips SQLite mostly ignores */
        off_t at = 100 + (off_t)(next_rand() % (uint32_t)(st.st_size - 104));
        uint32_t junk = next_rand();
        assert_int_equal(pwrite(fd, &junk, 4, at), 4);
        close(fd);
        char msg[512] = "";
        int err = nm_chain_open(f->db, &f->spec, &f->alice, &c, msg, sizeof msg);
        if (err) {
            refused++;
            print_message("flip at %lld: refused: %s\n", (long long)at, msg);
            continue;
        }
        bool same = nm_hash_eq(&c->best_hash, &best);
        char why[256] = "";
        int full = nm_chain_verify_sqlite(c, true, why, sizeof why);
        nm_chain_close(c);
        print_message("flip at %lld: opened (same head: %d, integrity_check: %s)\n",
                      (long long)at, same, full ? why : "ok");
        assert_true(same);
        assert_int_equal(full, 0);
    }
    print_message("%d of 6 flips refused at start; the rest left state and blocks intact\n",
                  refused);
}

int main(void)
{
    if (nm_crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_healthy_database_opens_and_gets_a_marker, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_edited_balances_are_refused_at_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_corrupted_block_body_is_refused_at_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deleted_blocks_are_refused_at_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_an_emptied_database_is_not_a_new_chain_without_force_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_copy_without_its_wal_still_holds_the_chain, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_check_names_the_first_bad_block_by_its_height,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_random_byte_flips_are_refused_or_leave_state_and_blocks_intact, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
