/* node.c - the node thread: libuv loop, block timer, JSON-RPC server and
 * the stop signal (see node.h). */
#include "node/node.h"

#include "node/chain.h"
#include "node/errors.h"
#include "rpc/methods.h"
#include "rpc/server.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct nm_node {
    struct nm_node_config cfg;
    struct nm_chain_spec spec;   /* copy; balances borrowed until started */
    char db_path[4096];
    char rpc_bind[64];
    struct nm_keypair author;
    bool has_author;

    uv_thread_t thread;
    uv_loop_t loop;
    uv_timer_t block_timer;
    uv_async_t stop_async;
    uv_sem_t ready;
    int start_err;
    char start_msg[256];

    struct nm_chain *chain;
    struct nm_rpc_methods *methods;
    struct nm_rpc_server *rpc;
    int rpc_port;
};

static void node_log(struct nm_node *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void node_log(struct nm_node *n, const char *fmt, ...)
{
    if (!n->cfg.log)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    n->cfg.log(n->cfg.log_ud, line);
}

static void produce_block(uv_timer_t *t)
{
    struct nm_node *n = t->data;
    struct nm_block_outcome outcome = {0};
    int err = nm_chain_produce(n->chain, nm_now_ms(), &outcome);
    if (err) {
        node_log(n, "error: block %" PRIu64 " not produced: %s", n->chain->best.height + 1,
                 nm_strerror(err));
        return;
    }
    char hex[NM_HASH_HEXLEN];
    size_t failed = 0;
    for (size_t i = 0; i < outcome.count; i++)
        failed += outcome.results[i].error != 0;
    node_log(n, "block #%" PRIu64 " %.18s… epoch %" PRIu64 ", %zu extrinsics (%zu failed)",
             n->chain->best.height, nm_hash_hex(&n->chain->best_hash, hex), n->chain->best.epoch,
             outcome.count, failed);
    nm_rpc_methods_block_added(n->methods, &outcome);
    free(outcome.results);
}

static void on_handle_closed(uv_handle_t *h)
{
    (void)h;
}

static void close_all(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, on_handle_closed);
}

static void on_stop(uv_async_t *a)
{
    struct nm_node *n = a->data;
    uv_timer_stop(&n->block_timer);
    if (n->rpc) {
        nm_rpc_server_delete(n->rpc);
        n->rpc = NULL;
    }
    uv_close((uv_handle_t *)&n->block_timer, on_handle_closed);
    uv_close((uv_handle_t *)&n->stop_async, on_handle_closed);
}

static int node_open(struct nm_node *n)
{
    int err = nm_chain_open(n->db_path, &n->spec, n->has_author ? &n->author : NULL, &n->chain,
                            n->start_msg, sizeof n->start_msg);
    if (err)
        return err;
    if (n->cfg.produce && !n->chain->can_author)
        node_log(n, "warning: this node's key is not the chain's authority: it makes no blocks");
    if ((err = nm_rpc_methods_new(n->chain, &n->methods)))
        return err;
    struct nm_rpc_server_config rc = {
        .bind_address = n->rpc_bind[0] ? n->rpc_bind : NULL,
        .port = n->cfg.rpc_port,
        .max_connections = n->cfg.max_connections,
    };
    struct nm_rpc_handler h = nm_rpc_methods_handler(n->methods);
    if ((err = nm_rpc_server_new(&n->loop, &rc, &h, &n->rpc))) {
        snprintf(n->start_msg, sizeof n->start_msg, "cannot listen for JSON-RPC on %s:%d",
                 n->rpc_bind[0] ? n->rpc_bind : "127.0.0.1", n->cfg.rpc_port);
        return err;
    }
    n->rpc_port = nm_rpc_server_port(n->rpc);
    uv_timer_init(&n->loop, &n->block_timer);
    n->block_timer.data = n;
    uv_async_init(&n->loop, &n->stop_async, on_stop);
    n->stop_async.data = n;
    if (n->cfg.produce && n->chain->can_author) {
        /* The first block comes at once: an operator (and a test) should
         * not wait a whole block time to see the chain move. */
        uint64_t period = n->chain->rt.params.block_time_ms;
        uv_timer_start(&n->block_timer, produce_block, 0, period);
    }
    return 0;
}

static void node_thread(void *arg)
{
    struct nm_node *n = arg;
    int err = uv_loop_init(&n->loop);
    if (err) {
        n->start_err = NM_E_INTERNAL;
        snprintf(n->start_msg, sizeof n->start_msg, "cannot start the event loop");
        uv_sem_post(&n->ready);
        return;
    }
    n->start_err = node_open(n);
    bool started = n->start_err == 0;
    uv_sem_post(&n->ready); /* after this, n->cfg.spec's borrowed parts are gone */
    if (started)
        uv_run(&n->loop, UV_RUN_DEFAULT);
    else if (n->rpc)
        nm_rpc_server_delete(n->rpc);
    n->rpc = NULL;
    uv_walk(&n->loop, close_all, NULL);
    uv_run(&n->loop, UV_RUN_DEFAULT);
    uv_loop_close(&n->loop);
    nm_rpc_methods_delete(n->methods);
    nm_chain_close(n->chain);
    n->methods = NULL;
    n->chain = NULL;
}

int nm_node_start(const struct nm_node_config *cfg, struct nm_node **out, char *msg, size_t cap)
{
    struct nm_node *n = calloc(1, sizeof *n);
    if (!n)
        return NM_E_NOMEM;
    n->cfg = *cfg;
    n->spec = *cfg->spec;
    snprintf(n->db_path, sizeof n->db_path, "%s", cfg->db_path);
    if (cfg->rpc_bind)
        snprintf(n->rpc_bind, sizeof n->rpc_bind, "%s", cfg->rpc_bind);
    if (cfg->author) {
        n->author = *cfg->author;
        n->has_author = true;
    }
    int err = NM_E_INTERNAL;
    if (uv_sem_init(&n->ready, 0))
        goto fail_sem;
    if (uv_thread_create(&n->thread, node_thread, n))
        goto fail_thread;
    uv_sem_wait(&n->ready);
    n->spec.balances = NULL; /* borrowed from cfg->spec, used only for genesis */
    n->spec.balance_count = 0;
    if ((err = n->start_err)) {
        snprintf(msg, cap, "%s", n->start_msg[0] ? n->start_msg : nm_strerror(err));
        uv_thread_join(&n->thread);
        goto fail_thread;
    }
    *out = n;
    return 0;
fail_thread:
    uv_sem_destroy(&n->ready);
fail_sem:
    free(n);
    return err;
}

int nm_node_rpc_port(const struct nm_node *n)
{
    return n->rpc_port;
}

void nm_node_stop(struct nm_node *n)
{
    if (!n)
        return;
    uv_async_send(&n->stop_async);
    uv_thread_join(&n->thread);
    uv_sem_destroy(&n->ready);
    free(n);
}
