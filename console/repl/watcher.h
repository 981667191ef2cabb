/* watcher.h - the console's `watch` rules at work (rules themselves:
 * console/commands/watchrule.h): a thread with its own session to the node
 * that, once a second while there are rules, reads what they watch
 * (neuron_get, gov_proposals), judges them and performs what fired: a
 * line in the output, the bell (NM_DQ_BELL), a console command run on its
 * session (its output follows), a JSON POST to a URL (libcurl, 5 s). All
 * it says goes through the console's queue, so every front end shows it.
 * Thread-safe: the front end adds, lists and clears rules. */
#ifndef NM_WATCHER_H
#define NM_WATCHER_H

#include "client/session.h"
#include "console/commands/watchrule.h"
#include "console/dashboard/dashboard_queue.h"

#include <stdbool.h>
#include <stddef.h>

struct nm_watcher;

/* cfg is copied (url, token, signer, home); the thread starts with the
 * first rule. NM_E_NOMEM. */
int nm_watcher_new(struct nm_dq *q, const struct nm_session_config *cfg,
                   struct nm_watcher **out);
/* Stops the thread (within a second or a call's timeout) and frees. */
void nm_watcher_free(struct nm_watcher *w);

/* `watch incentive|proposals|rules|clear ...` (args after `watch`): adds
 * a rule, lists them, or removes them all; what to say goes into out.
 * false with the reason in out for bad words. w NULL: "no node". */
bool nm_watcher_command(struct nm_watcher *w, char *const *args, int n, char *out, size_t cap);
/* Whether args (after `watch`) are for nm_watcher_command. */
bool nm_watcher_words(char *const *args, int n);

#endif
