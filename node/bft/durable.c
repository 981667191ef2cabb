/* durable.c - durable replacement of a small file (see durable.h). */
#include "node/bft/durable.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/errors.h"

static int fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return NM_E_NOMEM;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    free(copy);
    if (fd < 0)
        return NM_E_IO;
    int rc = fsync(fd);
    close(fd);
    return rc ? NM_E_IO : 0;
}

int nm_bft_durable_replace(const char *path, const void *data, size_t len)
{
    size_t tmp_len = strlen(path) + 5;
    char *tmp = malloc(tmp_len);
    if (!tmp)
        return NM_E_NOMEM;
    snprintf(tmp, tmp_len, "%s.tmp", path);
    int err = NM_E_IO;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        goto out;
    bool ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        goto out;
    }
    err = fsync_dir_of(path);
out:
    free(tmp);
    return err;
}
