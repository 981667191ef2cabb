/* ws_flood.h - issue 17's flood of a node's JSON-RPC, shared by
 * tests/test_rpc_limits.c (which asserts the block intervals under it) and
 * bench/rpc_attack.c (which prints figures): clients looping the largest
 * allowed request, clients pipelining requests as costly to parse as
 * allowed (65,000 values), and holders of unfinished frames. It runs as an
 * attacker program would: a process of its own (wsr_flood_start forks it),
 * in a session of its own so the scheduler groups it apart from the node,
 * at nice 19 (an attacker's CPU is not the node's); the kernel kills it if
 * its parent dies. Loopback only. */
#ifndef NM_TESTS_WS_FLOOD_H
#define NM_TESTS_WS_FLOOD_H

#include <stddef.h>
#include <sys/types.h>

struct wsr_flood;

/* The largest request that passes every check of a node whose request
 * limit is max_request (malloc'd, abort()s without memory): a call with one
 * long string, max_request - 64 bytes; its length in *len. */
char *wsr_largest_request(size_t max_request, size_t *len);

/* Forks the attacker against 127.0.0.1:port (a node whose request limit is
 * max_request): 2 clients, 4 pipelining clients, 40 holders. NULL if the
 * fork failed. */
struct wsr_flood *wsr_flood_start(int port, size_t max_request);
/* Requests the attacker got answers to so far. */
long wsr_flood_sent(const struct wsr_flood *fl);
/* Kills the attacker by its PID, waits for it and frees fl (NULL: nothing). */
void wsr_flood_stop(struct wsr_flood *fl);

#endif
