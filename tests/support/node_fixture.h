/* node_fixture.h - small helpers shared by the tests that run a node
 * thread and talk to it over loopback sockets: a temporary directory, the
 * process's resident memory, and how a WebSocket ended. */
#ifndef NM_TESTS_NODE_FIXTURE_H
#define NM_TESTS_NODE_FIXTURE_H

#include <stddef.h>

/* Makes /tmp/nm-test-NAME-XXXXXX into dir (asserts). */
void nmt_tmpdir(char *dir, size_t cap, const char *name);
/* Removes dir and everything under it. */
void nmt_rmtree(const char *dir);
/* Resident memory of this process, KiB. */
long nmt_rss_kb(void);
/* Reads a WebSocket until the peer ends it: its close code (reason copied
 * into reason if not NULL), 0 when the socket ended without a close frame,
 * -1 when the socket's timeout passed first. */
int nmt_close_code(int fd, char *reason, size_t cap);

#endif
