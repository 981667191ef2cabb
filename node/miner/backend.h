/* backend.h - what a miner runs a model with (issue 12): each backend
 * turns one request's input text into output text before a deadline.
 *
 *   builtin      the reference CODE_GEN miner (deterministic; solves part
 *                of the task set, fails the rest: see builtin.c)
 *   echo         answers {"code": <prompt>, "explanation": "echo"}; for
 *                benchmarks and plumbing tests
 *   exec:CMD     a worker process (sh -c CMD) speaking JSON lines on
 *                stdin/stdout, restarted when it dies (docs/miner.md)
 *   openai:URL   an OpenAI-compatible /v1/chat/completions endpoint
 *                (llama.cpp server, vLLM, Ollama) through libcurl
 *
 * A backend is a const table of functions (htop's PanelClass style); every
 * backend is safe to call from several threads at once. Deadlines are
 * CLOCK_MONOTONIC milliseconds (nm_miner_now_ms). */
#ifndef NM_MINER_BACKEND_H
#define NM_MINER_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nm_miner_backend;
struct cJSON;

struct nm_miner_backend_ops {
    const char *kind; /* "builtin", "echo", "exec", "openai" */
    /* false: answers at once without blocking (run on the gRPC thread) */
    bool blocking;
    /* 0 with *out (malloc'd, *out_len bytes, NUL-terminated) or
     * NM_E_TIMEOUT past the deadline, or another NM_E_* with err. */
    int (*infer)(struct nm_miner_backend *b, const char *input, size_t len,
                 int64_t deadline_ms, char **out, size_t *out_len, char *err, size_t cap);
    /* optional: the same, given the input already parsed (doc, borrowed),
     * so the server's schema check and the backend parse it once */
    int (*infer_parsed)(struct nm_miner_backend *b, const struct cJSON *doc, const char *input,
                        size_t len, int64_t deadline_ms, char **out, size_t *out_len, char *err,
                        size_t cap);
    void (*free)(struct nm_miner_backend *b);
};

struct nm_miner_backend {
    const struct nm_miner_backend_ops *ops;
};

struct nm_miner_backend_options {
    int workers;              /* exec: worker processes at most (<= 0: 4) */
    const char *model;        /* openai: model name (NULL: "default") */
    const char *api_key_file; /* openai: key file; else $NEUROMESH_OPENAI_API_KEY,
                                 then $OPENAI_API_KEY; never logged */
};

/* Parses SPEC and creates the backend. NM_E_INVAL with a message for an
 * unknown kind or a malformed spec. Free with nm_miner_backend_free. */
int nm_miner_backend_new(const char *spec, const struct nm_miner_backend_options *opt,
                         struct nm_miner_backend **out, char *err, size_t cap);
int nm_miner_backend_infer(struct nm_miner_backend *b, const char *input, size_t len,
                           int64_t deadline_ms, char **out, size_t *out_len, char *err,
                           size_t cap);
/* The same with input's parse tree (doc, borrowed; NULL: as above). */
int nm_miner_backend_infer_parsed(struct nm_miner_backend *b, const struct cJSON *doc,
                                  const char *input, size_t len, int64_t deadline_ms, char **out,
                                  size_t *out_len, char *err, size_t cap);
void nm_miner_backend_free(struct nm_miner_backend *b);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t nm_miner_now_ms(void);

/* A backend with no state of its own (builtin, echo): just its ops. */
int nm_miner_backend_plain_new(const struct nm_miner_backend_ops *ops,
                               struct nm_miner_backend **out, char *err, size_t cap);
void nm_miner_backend_plain_free(struct nm_miner_backend *b);

/* Constructors, one per backend file. */
int nm_miner_backend_builtin_new(struct nm_miner_backend **out, char *err, size_t cap);
int nm_miner_backend_echo_new(struct nm_miner_backend **out, char *err, size_t cap);
int nm_miner_backend_exec_new(const char *cmd, const struct nm_miner_backend_options *opt,
                              struct nm_miner_backend **out, char *err, size_t cap);
int nm_miner_backend_openai_new(const char *url, const struct nm_miner_backend_options *opt,
                                struct nm_miner_backend **out, char *err, size_t cap);

#endif
