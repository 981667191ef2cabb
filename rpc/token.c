/* token.c - the JSON-RPC cookie and token files (see token.h). */
#include "rpc/token.h"

#include "node/errors.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int nm_rpc_cookie_path(const char *base, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s", base, NM_RPC_COOKIE_NAME);
    return n < 0 || (size_t)n >= cap ? NM_E_TOO_BIG : 0;
}

int nm_rpc_token_new(char *out, size_t cap)
{
    unsigned char raw[32];
    if (cap < 2 * sizeof raw + 1)
        return NM_E_INVAL;
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, cap, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return 0;
}

int nm_rpc_cookie_write(const char *path, char *out, size_t cap)
{
    int err = nm_rpc_token_new(out, cap);
    return err ? err : nm_rpc_cookie_save(path, out);
}

int nm_rpc_cookie_save(const char *path, const char *out)
{
    char tmp[4200];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return NM_E_TOO_BIG;
    unlink(tmp);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return NM_E_IO;
    size_t len = strlen(out);
    bool ok = write(fd, out, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return NM_E_IO;
    }
    return 0;
}

int nm_rpc_token_read(const char *path, char *out, size_t cap, int *private_file)
{
    char buf[NM_RPC_TOKEN_MAX + 3];
    struct stat st;
    if (cap < NM_RPC_TOKEN_MAX + 1)
        return NM_E_INVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NM_E_IO;
    ssize_t got = read(fd, buf, sizeof buf - 1);
    int stat_rc = fstat(fd, &st);
    close(fd);
    if (got < 0 || stat_rc != 0)
        return NM_E_IO;
    buf[got] = '\0';
    size_t n = strcspn(buf, "\r\n");
    if (n == 0 || n > NM_RPC_TOKEN_MAX)
        return NM_E_INVAL;
    for (size_t i = 0; i < n; i++)
        if (buf[i] <= 0x20 || buf[i] >= 0x7f)
            return NM_E_INVAL;
    memcpy(out, buf, n);
    out[n] = '\0';
    sodium_memzero(buf, sizeof buf);
    if (private_file)
        *private_file = (st.st_mode & 077) == 0;
    return 0;
}
