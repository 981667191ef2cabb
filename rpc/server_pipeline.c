/* server_pipeline.c - recognises lws 4.1.6 re-reading a pipelined request's
 * head as its body, and looping on it (see server_pipeline.h). */
#include "rpc/server_pipeline.h"

#include <string.h>

/* Request lines lws parses (RFC 9110 9.3), each with the space after it. */
static const char *const request_methods[] = {
    "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE ",
};

bool nm_http_body_is_request_head(const void *chunk, size_t len)
{
    const unsigned char *p = chunk;
    size_t i = 0;
    if (!p || !len)
        return false;
    while (i < len && (p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i == len) /* only line ends: what is left of one before the method */
        return true;
    /* a body shorter than the method ("{}") gets only its first letters */
    for (size_t m = 0; m < sizeof request_methods / sizeof request_methods[0]; m++) {
        size_t n = strlen(request_methods[m]);
        if (!memcmp(p + i, request_methods[m], len - i < n ? len - i : n))
            return true;
    }
    return false;
}

bool nm_http_spurious_completion(struct nm_http_spurious *s, uint64_t loop_now_ms)
{
    if (s->turn_ms != loop_now_ms) {
        s->turn_ms = loop_now_ms;
        s->count = 0;
    }
    return ++s->count > NM_HTTP_SPURIOUS_PER_TURN;
}
