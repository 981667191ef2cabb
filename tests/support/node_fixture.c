/* node_fixture.c - helpers for tests that run a node (see node_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/node_fixture.h"
#include "tests/support/ws_raw.h"

#include "node/chainspec.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void nmt_tmpdir(char *dir, size_t cap, const char *name)
{
    snprintf(dir, cap, "/tmp/nm-test-%s-XXXXXX", name);
    assert_non_null(mkdtemp(dir));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void nmt_rmtree(const char *dir)
{
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void nmt_node_start(struct nmt_node *n, const char *name, struct nm_node_config *cfg,
                    uint32_t block_time_ms, uint32_t tempo)
{
    struct nm_chain_spec spec;
    struct nm_keypair alice;
    char msg[256];
    memset(n, 0, sizeof *n);
    nmt_tmpdir(n->dir, sizeof n->dir, name);
    snprintf(n->db, sizeof n->db, "%s/chain.db", n->dir);
    assert_int_equal(nm_chainspec_dev(&spec), 0);
    if (block_time_ms)
        spec.params.block_time_ms = block_time_ms;
    if (tempo)
        spec.params.tempo = tempo;
    assert_int_equal(nm_keypair_dev("alice", &alice), 0);
    cfg->spec = &spec;
    cfg->db_path = n->db;
    if (cfg->produce && !cfg->author)
        cfg->author = &alice;
    int err = nm_node_start(cfg, &n->node, msg, sizeof msg);
    nm_chainspec_fini(&spec);
    cfg->spec = NULL;
    if (cfg->author == &alice)
        cfg->author = NULL;
    if (err)
        fail_msg("node start: %s", msg);
    n->port = nm_node_rpc_port(n->node);
}

void nmt_node_stop(struct nmt_node *n)
{
    nm_node_stop(n->node);
    n->node = NULL;
    nmt_rmtree(n->dir);
}

long nmt_rss_kb(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f && fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    if (f)
        fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

int nmt_close_code(int fd, char *reason, size_t cap)
{
    for (;;) {
        int opcode = -1;
        size_t len = 0;
        char *p = wsr_recv_frame(fd, &opcode, &len);
        if (!p) {
            char c;
            return recv(fd, &c, 1, MSG_DONTWAIT) == 0 ? 0 : -1;
        }
        if (opcode == 8) {
            int code = len >= 2 ? ((unsigned char)p[0] << 8 | (unsigned char)p[1]) : 0;
            if (reason && cap)
                snprintf(reason, cap, "%s", len > 2 ? p + 2 : "");
            free(p);
            return code;
        }
        free(p);
    }
}
