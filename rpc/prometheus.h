/* prometheus.h - Prometheus text exposition (format 0.0.4): a growing text
 * buffer with helpers for families and samples, and a tiny HTTP/1.x
 * responder on a libuv loop that answers GET /metrics with what a render
 * callback writes. One request per connection (Connection: close); at most
 * 16 connections, 10 s each. Everything runs on the loop's thread. */
#ifndef NM_RPC_PROMETHEUS_H
#define NM_RPC_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* Text being built; after a failed allocation it stays as it was and oom
 * is set. _fini frees buf. */
struct nm_prom_text {
    char *buf;
    size_t len, cap;
    bool oom;
};

void nm_prom_text_fini(struct nm_prom_text *t);
void nm_prom_printf(struct nm_prom_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "# HELP name help" and "# TYPE name type" (type: counter, gauge, histogram). */
void nm_prom_family(struct nm_prom_text *t, const char *name, const char *type, const char *help);
/* name{labels} value; labels is e.g. "method=\"x\"" or NULL. */
void nm_prom_sample(struct nm_prom_text *t, const char *name, const char *labels, double value);

/* The calling process's own families, as every Prometheus client library
 * names them: process_resident_memory_bytes, process_cpu_seconds_total
 * (user + system). Every role (node, miner, validator) exports them, so the
 * dashboards' resource panels work for each. */
void nm_prom_process(struct nm_prom_text *t);
/* The filesystem holding path: neuromesh_data_filesystem_avail_bytes (free
 * to an unprivileged writer) and neuromesh_data_filesystem_size_bytes.
 * Nothing is written when statvfs fails (e.g. a path not yet created). */
void nm_prom_filesystem(struct nm_prom_text *t, const char *path);

typedef void (*nm_prom_render_fn)(void *ud, struct nm_prom_text *out);

struct nm_prom_server;

/* Listens on bind:port (bind NULL: 127.0.0.1; port 0: the OS picks).
 * NM_E_INVAL for a bad address, NM_E_IO when the port cannot be bound
 * (nothing is left on the loop then). */
int nm_prom_server_new(uv_loop_t *loop, const char *bind, int port, nm_prom_render_fn render,
                       void *ud, struct nm_prom_server **out);
int nm_prom_server_port(const struct nm_prom_server *s);
/* Stops listening and closes every connection; the memory goes when the
 * loop has run the close callbacks. NULL is a no-op. */
void nm_prom_server_delete(struct nm_prom_server *s);

#endif
