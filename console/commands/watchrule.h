/* watchrule.h - `watch` rules with actions (issue 15): "tell me when a
 * neuron's incentive drops, when a proposal appears", and what to do then:
 * ring the bell, run a console command, post JSON to a URL.
 *
 *   watch incentive SUBNET UID drops PERCENT [ACTION...]
 *   watch proposals [ACTION...]
 *   ACTION: --bell | --run 'COMMAND' | --post URL   (no action: --bell)
 *
 * Pure: rules are parsed from words and fed observations (a neuron's
 * incentive at an epoch, the list of proposals); a rule says whether it
 * fires and with which message. The console's watcher (console/repl/
 * watcher.h) fetches the observations and performs the actions. */
#ifndef NM_WATCHRULE_H
#define NM_WATCHRULE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nm_watch_kind {
    NM_WATCH_INCENTIVE,
    NM_WATCH_PROPOSALS,
};

#define NM_WATCH_TEXT_MAX 256

struct nm_watch_rule {
    int id; /* given by the watcher, 1, 2, ... */
    enum nm_watch_kind kind;
    uint16_t subnet, uid;     /* incentive */
    uint32_t drop_ppm;        /* incentive: fires on a fall of at least this share */
    bool bell;
    char run[NM_WATCH_TEXT_MAX];  /* a console command line, "" none */
    char post[NM_WATCH_TEXT_MAX]; /* an http:// or https:// URL, "" none */
    /* what it saw last */
    bool primed;
    uint64_t last_epoch;
    int64_t last_ppb;
    uint64_t last_proposal;
};

/* Whether words (after `watch`) are a rule rather than a stream
 * (`watch blocks`): their first word is incentive or proposals. */
bool nm_watch_rule_words(char *const *args, int n);
/* Parses a rule from args (after `watch`). -1 with the usage or the
 * reason in err for anything else: a missing or bad SUBNET, UID or
 * PERCENT ("50%", "50", 0 < p <= 100, at most 4 decimals), an unknown
 * option, a URL that is not http(s), text longer than 255 bytes. */
int nm_watch_rule_parse(char *const *args, int n, struct nm_watch_rule *out, char *err,
                        size_t cap);
/* One line describing it: "1: incentive of uid 3 on subnet 1 drops 50%: bell, run 'proposals'". */
char *nm_watch_rule_describe(const struct nm_watch_rule *r, char *buf, size_t cap);

/* A neuron's incentive (billionths) at epoch. The first observation, and
 * any of an epoch already seen, only records; a later epoch fires when the
 * incentive fell by at least drop_ppm of the last one (never from 0). */
bool nm_watch_rule_incentive(struct nm_watch_rule *r, uint64_t epoch, int64_t incentive_ppb,
                             char *msg, size_t cap);
/* gov_proposals' list ([{id, kind, summary, status...}]): fires for ids
 * above the highest seen (the first list only records), naming the
 * newest. */
bool nm_watch_rule_proposals(struct nm_watch_rule *r, const cJSON *proposals, char *msg,
                             size_t cap);

#endif
