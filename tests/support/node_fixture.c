/* node_fixture.c - helpers for tests that run a node (see node_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/support/node_fixture.h"
#include "tests/support/ws_raw.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
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
