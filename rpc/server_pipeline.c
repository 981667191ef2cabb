/* server_pipeline.c - recognises lws 4.1.6 re-reading a pipelined request's
 * head as its body (see server_pipeline.h). */
#include "rpc/server_pipeline.h"

#define METHOD_MAX 16

bool nm_http_body_is_request_head(const void *chunk, size_t len)
{
    const unsigned char *p = chunk;
    size_t i = 0, method = 0;
    if (!p)
        return false;
    while (i < len && (p[i] == '\r' || p[i] == '\n'))
        i++;
    while (i < len && method < METHOD_MAX && p[i] >= 'A' && p[i] <= 'Z') {
        i++;
        method++;
    }
    return method > 0 && i < len && p[i] == ' ';
}
