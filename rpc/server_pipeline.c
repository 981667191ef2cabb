/* server_pipeline.c - recognises lws 4.1.6 re-reading a pipelined request's
 * head as its body, and looping on it (see server_pipeline.h). */
#include "rpc/server_pipeline.h"

bool nm_http_body_is_request_head(const void *chunk, size_t len)
{
    const unsigned char *p = chunk;
    size_t i = 0;
    if (!p || !len)
        return false;
    while (i < len && (p[i] == '\r' || p[i] == '\n'))
        i++;
    /* a body shorter than the method ("{}") gets only its first letters;
     * only line ends: what is left of one before the method */
    return i == len || (p[i] >= 'A' && p[i] <= 'Z');
}

bool nm_http_spurious_completion(struct nm_http_spurious *s, uint64_t loop_now_ms)
{
    if (s->turn_ms != loop_now_ms) {
        s->turn_ms = loop_now_ms;
        s->count = 0;
    }
    return ++s->count > NM_HTTP_SPURIOUS_PER_TURN;
}
