/* server_pipeline.h - HTTP/1.1 pipelining on Debian's libwebsockets 4.1.6
 * (issue 17): what the JSON-RPC server (rpc/server_http.c) and the
 * aggregator (api/server.c) do about a request sent before the previous
 * answer came back.
 *
 * lws 4.1.6 keeps the bytes it read past a request in a per-connection
 * buffer list. When the next request's headers are parsed from that list and
 * the request has a body, lws_http_action() reads the SAME buffered segment
 * again, from its start, as the body: the body callback gets the request's
 * own head ("POST / HTTP/1.1..."), then the body-completion callback comes
 * again and again with nothing consumed - an endless loop inside lws on the
 * loop thread (also in lws 4.4). lws cannot be made to parse such a request
 * correctly from outside, so both servers refuse it cleanly: the requests
 * before it are answered, then the connection is closed (an answer known to
 * be followed by pipelined bytes says "Connection: close"); RFC 9112 9.3.2
 * has the client send the unanswered ones again on a new connection. */
#ifndef NM_RPC_SERVER_PIPELINE_H
#define NM_RPC_SERVER_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first body chunk of a request is really a request head (lws re-reading
 * its buffer): after optional CR/LF, a request line's method and its space
 * ("POST ", or only its first letters when the body is shorter), or nothing
 * but line ends. No JSON text starts that way, so a JSON body is never
 * mistaken for one, and any other body ("Hello") gets its own answer (400)
 * rather than a closed connection. */
bool nm_http_body_is_request_head(const void *chunk, size_t len);

/* lws calls body-completion again while a pipelined request's bytes wait
 * (a few times a loop turn: that is how a server learns of them); dozens of
 * times in one loop turn mean lws loops on them. Counted per connection. */
#define NM_HTTP_SPURIOUS_PER_TURN 16
struct nm_http_spurious {
    uint64_t turn_ms; /* the loop's uv_now: constant within one turn */
    unsigned count;
};
/* Counts one; true when lws is looping (close the connection). */
bool nm_http_spurious_completion(struct nm_http_spurious *s, uint64_t loop_now_ms);

#endif
