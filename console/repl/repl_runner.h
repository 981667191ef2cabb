/* repl_runner.h - runs console command lines one after another on a thread
 * of their own, so a command that waits for its block (transfer, stake
 * ...) never freezes the screen. Lines go in with nm_runner_submit; what
 * they print comes back through the UI's queue (NM_DQ_OUTPUT, then
 * NM_DQ_CMD_DONE with the status), in the same words as `neuromesh exec`.
 *
 * `use NAME` (a row of the command table) makes NAME the session's signer
 * for the commands that follow; its key is unlocked once (a keystore key
 * asks for its password through NM_DQ_ASK_PASSWORD; the UI answers with
 * nm_runner_answer_password), and the runner reports the new signer to the
 * UI with NM_DQ_SIGNER. */
#ifndef NM_REPL_RUNNER_H
#define NM_REPL_RUNNER_H

#include "console/dashboard/dashboard_queue.h"
#include "client/session.h"

#include <stdbool.h>

struct nm_runner;

/* Creates a runner posting to q; its thread starts with nm_runner_start. */
int nm_runner_new(struct nm_dq *q, struct nm_runner **out);
/* Points cfg's ask_password hook at this runner (before nm_session_new):
 * $NEUROMESH_PASSWORD when set, else a NM_DQ_ASK_PASSWORD round trip. */
void nm_runner_session_config(struct nm_runner *r, struct nm_session_config *cfg);
/* Starts the thread; from now on only it uses s (which stays the caller's
 * to free, after nm_runner_stop). NM_E_NOMEM. */
int nm_runner_start(struct nm_runner *r, struct nm_session *s);
/* Waits up to wait_ms for the command in progress (lines not started are
 * dropped), then frees the runner. Returns false when the command was
 * still running: the thread is then left to finish on its own, and the
 * session must not be freed. NULL is fine (true). */
bool nm_runner_stop(struct nm_runner *r, int wait_ms);

/* Queues one line (copied). Lines run in order. NM_E_NOMEM. */
int nm_runner_submit(struct nm_runner *r, const char *line);
/* True while a line runs or waits. */
bool nm_runner_busy(struct nm_runner *r);

/* The answer to NM_DQ_ASK_PASSWORD; NULL when the person cancelled. The
 * caller wipes its own copy. */
void nm_runner_answer_password(struct nm_runner *r, const char *password);

#endif
