/* home.c - the operator's NeuroMesh directory (see home.h). */
#include "client/home.h"

#include "node/errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int nm_home_dir(char *out, size_t cap, int create)
{
    const char *env = getenv("NEUROMESH_HOME");
    int n;
    if (env && *env) {
        n = snprintf(out, cap, "%s", env);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home)
            return NM_E_IO;
        n = snprintf(out, cap, "%s/.neuromesh", home);
    }
    if (n < 0 || (size_t)n >= cap)
        return NM_E_TOO_BIG;
    if (create && mkdir(out, 0700) != 0 && errno != EEXIST)
        return NM_E_IO;
    return 0;
}
