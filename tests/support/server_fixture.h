/* server_fixture.h - shared by the rpc server tests (tests/test_rpc_server*.c):
 * a server on a loop thread (tests/support/loop_thread.h) with a recording
 * test handler ("defer", "big:N", "flood:N:M", "spin:MS", "bearer", else
 * "echo:" + text), and asserting raw WebSocket / HTTP helpers over tests/support/ws_raw.
 * cmocka only. */
#ifndef NM_TESTS_SERVER_FIXTURE_H
#define NM_TESTS_SERVER_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rpc/server.h"
#include "tests/support/loop_thread.h"
#include "tests/support/ws_raw.h"

#include <pthread.h>
#include <stdbool.h>

#define SRV_IO_TIMEOUT_MS 3000

struct srv_recorder {
    pthread_mutex_t mu;
    int requests;
    int closes;
    bool last_was_ws;
    char last_text[256];
    char last_bearer[128];
    bool last_had_bearer;
    char last_peer[64];
    int send_error;
    int handler_problems; /* cmocka asserts only work on the test thread */
    struct nm_rpc_conn *deferred;
};

struct srv_fixture {
    struct loop_thread lt;
    struct nm_rpc_server *srv;
    struct nm_rpc_server_config cfg;
    int port;
    int new_err;
};

struct srv_http_response {
    int status;
    char head[2048];
    char *body;
    size_t body_len;
};

/* What the handler saw (lock mu to read it). */
extern struct srv_recorder srv_rec;

void srv_note_problem(void);
void srv_send_or_note(struct nm_rpc_conn *conn, const char *text, size_t len);
int srv_rec_closes(void);
int srv_rec_requests(void);
void srv_server_new_on_loop(void *arg);
void srv_server_delete_on_loop(void *arg);
int srv_start(struct srv_fixture *f);
struct srv_fixture *srv_fixture_new(void);
int srv_setup_default(void **state);
int srv_setup_small_limits(void **state);
int srv_teardown(void **state);
int srv_connection_count(struct srv_fixture *f);
void srv_sleep_ms(int ms);
int srv_tcp_connect(int port);
/* Opens a WebSocket (no subprotocol); -1 if the server refused it. */
int srv_ws_open(int port, const char *bearer);
void srv_ws_send_frame(int fd, int opcode, bool fin, const void *payload, size_t len);
void srv_ws_send_text(int fd, const char *text);
/* The next text message; fails the test on anything else. */
char *srv_ws_recv_text(int fd, size_t *len);
/* Waits for the server to end the connection: a close frame (its status
 * code is returned) and/or EOF/reset (0). -1 if it stays open. */
int srv_ws_expect_closed(int fd);
void srv_ws_expect_echo(int fd, const char *text);
bool srv_http_read_response(int fd, struct srv_http_response *r);
void srv_http_send(int fd, int port, const char *method, const char *path, const char *body,
                   const char *extra_headers);
bool srv_wait_for(int (*get)(void), int want, int timeout_ms);

#endif
