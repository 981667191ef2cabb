/* ws_raw.h - a raw WebSocket and HTTP client over plain sockets for tests
 * that must send what a well-behaved client never would (malformed frames,
 * floods, a reader that never reads). Blocking sockets with timeouts; all
 * functions return -1 / NULL on failure instead of asserting. */
#ifndef NM_TESTS_WS_RAW_H
#define NM_TESTS_WS_RAW_H

#include <stdbool.h>
#include <stddef.h>

/* TCP to 127.0.0.1:port; rcvbuf > 0 shrinks the receive buffer first. */
int wsr_tcp(int port, int timeout_ms, int rcvbuf);
/* The same from a given loopback source address ("127.0.0.2"; NULL: any),
 * so tests can be several peers. */
int wsr_tcp_from(const char *source, int port, int timeout_ms, int rcvbuf);
/* TCP + WebSocket handshake; bearer and origin may be NULL. -1 if refused. */
int wsr_open(int port, const char *bearer, const char *origin, int timeout_ms, int rcvbuf);
int wsr_open_from(const char *source, int port, const char *bearer, const char *origin,
                  int timeout_ms, int rcvbuf);
bool wsr_send_all(int fd, const void *buf, size_t len);
/* One masked frame; opcode 1 text, 2 binary, 0 continuation, 8 close... */
bool wsr_send_frame(int fd, int opcode, bool fin, const void *payload, size_t len);
bool wsr_send_text(int fd, const char *text);
/* The next frame: payload (malloc'd, NUL-terminated) or NULL on EOF or
 * timeout; *opcode and *len set. */
char *wsr_recv_frame(int fd, int *opcode, size_t *len);
/* The next text message (skipping pings/pongs), or NULL. */
char *wsr_recv_text(int fd);
/* One text frame: a batch of n calls of method without params, ids 0..n-1. */
bool wsr_send_batch(int fd, const char *method, int n);
/* Sends a request, returns the reply text (skips notifications). */
char *wsr_call(int fd, const char *request);
/* One HTTP request on fd (Host and Content-Length, then headers: each
 * line ending in CRLF). */
bool wsr_http_send(int fd, const char *method, const char *path, const char *headers,
                   const char *body);
/* One HTTP response on fd: its status (-1 on failure), its head into head
 * (cap bytes), its body (malloc'd) into *body_out if body_out, its length
 * into *len_out if len_out. */
int wsr_http_read(int fd, char *head, size_t cap, char **body_out, size_t *len_out);
/* HTTP exchange on a new connection: status, and the body (malloc'd) if
 * body_out. -1 on failure. */
int wsr_http(int port, const char *method, const char *path, const char *headers, const char *body,
             char **body_out);

#endif
