/* pyref.h - runs a NumPy reference script (tests/consensus_ref.py) over
 * the cases a test writes, and hands back its results line by line.
 * /usr/bin/python3 with Debian's python3-numpy. cmocka only. */
#ifndef NM_TESTS_PYREF_H
#define NM_TESTS_PYREF_H

#include <stdbool.h>
#include <stdio.h>

#define PYREF_PYTHON "/usr/bin/python3"

struct pyref {
    char in_path[40], out_path[48];
    FILE *cases, *results;
};

/* Whether python3 with numpy is there (else the test skips). */
bool pyref_available(void);
/* Opens a temporary file for the cases: write them to r->cases. */
bool pyref_begin(struct pyref *r, const char *name);
/* Runs SCRIPT IN OUT; then r->results reads OUT. false on any failure. */
bool pyref_run(struct pyref *r, const char *script);
/* Reads the next result line into a static buffer (NULL at the end). */
char *pyref_line(struct pyref *r);
/* The next number of a result line (*p moves past it); fails the test
 * when there is none. */
double pyref_next(char **p);
/* Closes and removes both files. */
void pyref_end(struct pyref *r);

#endif
