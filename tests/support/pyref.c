/* pyref.c - the NumPy reference runner (see pyref.h). */
#include "tests/support/pyref.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>

bool pyref_available(void)
{
    return access(PYREF_PYTHON, X_OK) == 0 &&
           system(PYREF_PYTHON " -c 'import numpy' >/dev/null 2>&1") == 0;
}

bool pyref_begin(struct pyref *r, const char *name)
{
    snprintf(r->in_path, sizeof r->in_path, "/tmp/nm-%.16s-XXXXXX", name);
    r->cases = r->results = NULL;
    int fd = mkstemp(r->in_path);
    if (fd < 0)
        return false;
    snprintf(r->out_path, sizeof r->out_path, "%s.out", r->in_path);
    r->cases = fdopen(fd, "w");
    return r->cases != NULL;
}

bool pyref_run(struct pyref *r, const char *script)
{
    char cmd[256];
    if (fclose(r->cases) != 0)
        return r->cases = NULL, false;
    r->cases = NULL;
    snprintf(cmd, sizeof cmd, PYREF_PYTHON " %s %s %s", script, r->in_path, r->out_path);
    if (system(cmd) != 0)
        return false;
    r->results = fopen(r->out_path, "r");
    return r->results != NULL;
}

char *pyref_line(struct pyref *r)
{
    static char line[1 << 20];
    return fgets(line, sizeof line, r->results);
}

double pyref_next(char **p)
{
    char *end;
    double d = strtod(*p, &end);
    assert_true(end != *p);
    *p = end;
    return d;
}

void pyref_end(struct pyref *r)
{
    if (r->cases)
        fclose(r->cases);
    if (r->results)
        fclose(r->results);
    unlink(r->in_path);
    unlink(r->out_path);
}
