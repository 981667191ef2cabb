/* Fault injection (STYLE.md, the SQLite discipline): an I/O error at the
 * Nth write of a block commit, for N = 1, 2, 3 ... until the block commits
 * without meeting it. The node must report the error and change nothing;
 * after a restart (the database closed and opened again, unhurt) it stands
 * at the last whole block and nm_chain_check (`node --check`) agrees. The
 * writes fail in a test VFS wrapped around SQLite's default one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/chain_fixture.h"

#include "node/chain.h"
#include "node/errors.h"
#include "node/extrinsic.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* --- a VFS whose Nth write fails --- */

static sqlite3_vfs *real_vfs;
static long fail_at; /* 0: off */
static long writes;  /* since armed */

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same allocation */
};

#define REAL(f) (((struct fault_file *)(f))->real)

static int f_close(sqlite3_file *f)
{
    return REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
}

static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}

static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    if (fail_at && ++writes == fail_at)
        return SQLITE_IOERR_WRITE;
    return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}

static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int f_sync(sqlite3_file *f, int flags)
{
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}

static int f_lock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xLock(REAL(f), level);
}

static int f_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}

static int f_reserved(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int f_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int f_device(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int f_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), page, size, extend, out);
}

static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int f_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), delete_flag);
}

static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}

static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods fault_io = {
    .iVersion = 3,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_reserved,
    .xFileControl = f_control,
    .xSectorSize = f_sector,
    .xDeviceCharacteristics = f_device,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
    .xFetch = f_fetch,
    .xUnfetch = f_unfetch,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    struct fault_file *ff = (struct fault_file *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
    /* xClose is called even when open fails, if pMethods is set */
    ff->base.pMethods = ff->real->pMethods ? &fault_io : NULL;
    return rc;
}

static int v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int v_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int v_random(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xRandomness(real_vfs, n, out);
}

static int v_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs->xSleep(real_vfs, us);
}

static int v_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs->xCurrentTime(real_vfs, out);
}

static int v_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs->xGetLastError(real_vfs, n, out);
}

static int v_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs fault_vfs = {
    .iVersion = 2,
    .zName = "nm-fault",
    .xOpen = v_open,
    .xDelete = v_delete,
    .xAccess = v_access,
    .xFullPathname = v_full,
    .xRandomness = v_random,
    .xSleep = v_sleep,
    .xCurrentTime = v_time,
    .xGetLastError = v_error,
    .xCurrentTimeInt64 = v_time64,
};

static int install(void **state)
{
    (void)state;
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs)
        return -1;
    fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
    fault_vfs.mxPathname = real_vfs->mxPathname;
    /* the default: nm_db_open opens with it */
    if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK)
        return -1;
    return nm_crypto_init();
}

/* --- the test --- */

static void test_write_error_in_block_commit_leaves_the_last_whole_block(void **state)
{
    (void)state;
    char dir[] = "/tmp/nm-faults-io.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/chain.db", dir);
    struct nm_chain *c = chx_dev_at(path);
    assert_int_equal(nm_chain_produce(c, 1000, NULL), 0);
    long n, failures = 0;
    for (n = 1;; n++) {
        uint64_t height = c->best.height;
        nm_hash root = c->best.state_root, hash = c->best_hash;
        if (c->pool.count == 0) /* a failed block leaves its extrinsic pooled */
            assert_int_equal(chx_submit(c, "alice", height - 1, "bob", 1000000000ULL), 0);
        writes = 0;
        fail_at = n;
        int err = nm_chain_produce(c, 1000 * (height + 1), NULL);
        bool hit = fail_at && writes >= fail_at;
        fail_at = 0;
        if (!err && !hit)
            break;
        bool retried = false;
        if (err) { /* reported; nothing of the block in memory */
            failures++;
            assert_true(err == NM_E_DB || err == NM_E_IO);
            assert_int_equal(c->best.height, height);
            assert_true(nm_hash_eq(&c->best.state_root, &root));
            if (n % 2 == 0) { /* a retry in the same process makes the block */
                assert_int_equal(nm_chain_produce(c, 1000 * (height + 1), NULL), 0);
                assert_int_equal(c->best.height, height + 1);
                retried = true;
            }
        }
        /* Restart: the file holds the last whole block. */
        uint64_t expect = c->best.height;
        nm_chain_close(c);
        c = chx_dev_at(path);
        assert_int_equal(c->best.height, expect);
        if (err && !retried)
            assert_true(nm_hash_eq(&c->best_hash, &hash));
        chx_assert_check(c);
    }
    print_message("block commit: %ld writes, %ld failed cleanly\n", n - 1, failures);
    assert_true(failures > 0);
    chx_assert_check(c);
    nm_chain_close(c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_error_in_block_commit_leaves_the_last_whole_block),
    };
    return cmocka_run_group_tests(tests, install, NULL);
}
