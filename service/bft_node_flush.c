/* bft_node_flush.c - the double-sign record's flush off the node's loop
 * (issue 11): each vote or proposal we sign needs its record durable
 * before it leaves this machine, but the fdatasync need not block the
 * loop. The record is written on the loop (nm_bft_guard_write), our
 * message is held, a libuv worker runs the fdatasync, and its completion
 * (on the loop) sends every held message the flush covered; meanwhile the
 * loop keeps taking other nodes' messages, RPC and gossip. */
#include "service/bft_node_internal.h"

#include <stdlib.h>

static void flush_start(struct nm_bft_node *b);

static void flush_work(uv_work_t *req)
{
    struct nm_bft_node *b = req->data;
    b->flush_rc = nm_bft_guard_flush_fd(b->flush_fd); /* only the fd: no shared state */
}

/* Sends, in order, what the durable part of the record covers. */
static void release(struct nm_bft_node *b)
{
    size_t n = 0;
    while (n < b->n_held && b->held[n].written <= b->guard.synced && !b->stopping)
        nm_bft_node_broadcast(b, &b->held[n++].o);
    if (b->stopping)
        n = b->n_held; /* never sent: the node stops */
    for (size_t i = n; i < b->n_held; i++)
        b->held[i - n] = b->held[i];
    b->n_held -= n;
}

static void flush_done(uv_work_t *req, int status)
{
    struct nm_bft_node *b = req->data;
    b->flushing = false;
    if (status == 0 && b->flush_rc == 0) {
        b->flushes++;
        nm_bft_guard_flushed(&b->guard, b->flush_written);
    } else if (b->flush_failures++ == 0) {
        b_log(b, "error: bft: the double-sign record could not be flushed: our votes are "
                 "held, not sent");
    }
    release(b);
    if (b->n_held && b->flush_rc == 0)
        flush_start(b); /* signed meanwhile: the next flush */
}

static void flush_start(struct nm_bft_node *b)
{
    if (b->flushing || b->stopping)
        return;
    b->flushing = true;
    b->flush_fd = b->guard.fd;
    b->flush_written = b->guard.written;
    b->flush_req.data = b;
    if (uv_queue_work(b->cfg.loop, &b->flush_req, flush_work, flush_done)) {
        flush_work(&b->flush_req); /* no worker: on this thread, as before */
        flush_done(&b->flush_req, 0);
    }
}

void nm_bft_node_send_own(struct nm_bft_node *b, const struct nm_bft_engine_output *o)
{
    if (!b->n_held && b->guard.synced == b->guard.written) {
        nm_bft_node_broadcast(b, o);
        return;
    }
    if (b->n_held == b->held_cap) {
        size_t cap = b->held_cap ? 2 * b->held_cap : 8;
        struct held_msg *h = realloc(b->held, cap * sizeof *h);
        if (!h) {
            b_log(b, "error: bft: out of memory: one of our messages not sent");
            return; /* not sent is safe; the resend tick and round timeouts recover */
        }
        b->held = h;
        b->held_cap = cap;
    }
    b->held[b->n_held++] = (struct held_msg){.o = *o, .written = b->guard.written};
    flush_start(b);
}

void nm_bft_node_held_free(struct nm_bft_node *b)
{
    free(b->held);
    b->held = NULL;
    b->n_held = b->held_cap = 0;
}
