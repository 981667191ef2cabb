/* api_priv.h - what the aggregator's files share (server.c: libwebsockets
 * glue; routes.c: the endpoints; metrics.c: figures). Not a public API. */
#ifndef NM_API_PRIV_H
#define NM_API_PRIV_H

#include "api/aggregator.h"
#include "api/cache.h"
#include "api/chainview.h"
#include "api/keys.h"
#include "api/limit.h"
#include "api/query.h"
#include "api/redis.h"
#include "rpc/server_pipeline.h"

#include <libwebsockets.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#define NM_API_LAT_RING 4096

/* One HTTP connection (lws per-session data: lws owns the memory). */
struct nm_api_conn {
    struct nm_api_conn *prev, *next; /* the server's list, for answers from threads */
    bool linked;
    uint64_t id;
    struct lws *wsi;
    char peer[64];
    int method;
    char path[256];
    char content_type[64];
    char auth[192];
    char cache_control[64];
    bool in_body, waiting, too_long;
    bool in_callback; /* routing inside lws's callback: answer_now writes */
    bool body_seen;   /* this request's first body chunk came */
    bool pipelined;   /* bytes came behind this request: answer, then close */
    struct nm_http_spurious spurious; /* lws's repeated body completions */
    char *body;
    size_t body_len, body_cap;
    int64_t start_us;
    /* the answer being written */
    bool reply_ready, headers_sent; /* headers_sent: HTTP/2, the DATA is next */
    size_t reply_sent; /* HTTP/2: body bytes already in DATA frames */
    int status;
    char *reply_body;
    bool reply_borrowed; /* reply_body is not ours to free (nm_api_reply_borrowed) */
    const char *reply_type;
    /* the answer's own headers: names as lws takes them (string literals,
     * lower case with the colon), values as text; added with
     * nm_api_header*, at most 10 */
    struct nm_api_hdr {
        const char *name;
        char value[100];
    } hdr[10];
    int nhdr;
};

/* What the aggregator keeps with a network connection (lws's opaque user
 * data on its wsi: the per-request data above is freed between requests),
 * freed at LWS_CALLBACK_WSI_DESTROY: the client's address, and its place
 * in the list of HTTP/1.1 connections whose next request lws holds back
 * until POLLOUT (server.c, confirm_writable). */
struct nm_api_link {
    char peer[64];
    struct lws *wsi;
    struct nm_api_link *prev, *next;
    bool due;
};

struct nm_api_metrics {
    uint64_t requests, by_class[6]; /* by_class[2] = 2xx ... */
    uint64_t cache_hits, cache_misses, limited, unauthorized, queries;
    uint64_t redis_hits; /* cache hits answered from the shared cache (Redis) */
    uint64_t pipelined_closed; /* connections closed at a pipelined request */
    uint64_t keepalive_confirmed; /* POLLOUT waits confirmed in the turn (server.c) */
    uint64_t lat_us[NM_API_LAT_RING]; /* last request latencies, a ring */
    uint64_t lat_count;
    uint64_t lat_sum_us; /* every request's, for the summary's _sum */
};

struct nm_api_server {
    struct nm_api_config cfg;
    uv_loop_t loop;
    uv_signal_t sigint, sigterm;
    struct lws_context *ctx;
    int port;
    struct nm_api_conn *conns;
    uint64_t next_conn_id;
    struct nm_api_link *due;  /* kept-alive HTTP/1.1 connections, see confirm_writable */
    uv_check_t confirm;
    struct nm_miner_async *miners; /* the queries' miner calls */
    struct nm_api_chainview *view;
    struct nm_api_cache *cache;
    struct nm_api_limits *limits;
    struct nm_api_keys *keys;
    struct nm_api_redis *redis; /* NULL without --redis */
    struct nm_api_metrics metrics;
    int in_flight;
    int64_t started_ms;
    bool stopping;
};

/* Routes a complete request; the answer is queued with nm_api_reply or a
 * query is started (conn->waiting). */
void nm_api_route(struct nm_api_server *s, struct nm_api_conn *c);
/* Queues the answer (takes body, malloc'd; NULL: an out-of-memory 500). */
void nm_api_reply(struct nm_api_server *s, struct nm_api_conn *c, int status, char *body,
                  const char *type);
/* A 200 with a body that is not ours (a cache entry): inside lws's
 * callback on HTTP/1.1 it is written before the callback returns, so it is
 * only borrowed, and the caller must not change the cache before
 * returning; else it is copied. */
void nm_api_reply_borrowed(struct nm_api_server *s, struct nm_api_conn *c, const char *body);
void nm_api_reply_error(struct nm_api_server *s, struct nm_api_conn *c, int status,
                        const char *code, const char *message);
/* Adds a header to the answer (dropped when there is no room; a value is
 * cut at 99 bytes). name: a string literal, lower case with the colon
 * ("retry-after:"). _u64: prefix then a number, and _text: a fixed value,
 * both written without printf (the cache-hit path). */
void nm_api_header(struct nm_api_conn *c, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void nm_api_header_u64(struct nm_api_conn *c, const char *name, const char *prefix, uint64_t v);
void nm_api_header_text(struct nm_api_conn *c, const char *name, const char *text);
/* The open connection with this id, or NULL (it closed meanwhile). */
struct nm_api_conn *nm_api_conn_find(struct nm_api_server *s, uint64_t id);
/* Starts job's miner calls; nm_api_query_done runs when it has its answer
 * (at once when no miner can be asked). */
void nm_api_query_begin(struct nm_api_server *s, struct nm_api_job *job);
/* A finished query, on the loop. */
void nm_api_query_done(struct nm_api_server *s, struct nm_api_job *job);
/* p50/p95/p99 of the recent latencies in microseconds. */
void nm_api_latency_quantiles(const struct nm_api_metrics *m, uint64_t q[3]);
char *nm_api_metrics_text(struct nm_api_server *s);

extern const char nm_api_openapi_json[];

#endif
