/* bft_node_view.c - what the BFT engine on the loop shows: bft_state's
 * object and the Prometheus figures (see bft_node.h). */
#include "service/bft_node_internal.h"

#include "node/crypto.h"
#include "node/ss58.h"
#include "rpc/prometheus.h"

#include <inttypes.h>
#include <stdio.h>

cJSON *nm_bft_node_state_json(const struct nm_bft_node *b)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    const struct nm_bft_machine *m = &b->e.m;
    char hex[NM_HASH_HEXLEN];
    cJSON_AddBoolToObject(o, "running", b->live);
    cJSON_AddNumberToObject(o, "height", (double)m->height);
    cJSON_AddNumberToObject(o, "round", m->round);
    cJSON_AddStringToObject(o, "step", m->waiting ? "commit" : nm_bft_step_name(m->step));
    cJSON_AddNumberToObject(o, "self", b->ecfg.self);
    if (m->locked_round >= 0) {
        cJSON_AddNumberToObject(o, "lockedRound", m->locked_round);
        cJSON_AddStringToObject(o, "lockedBlock", nm_hash_hex(&m->locked_value, hex));
    } else {
        cJSON_AddNullToObject(o, "lockedRound");
        cJSON_AddNullToObject(o, "lockedBlock");
    }
    struct nm_bft_round_power p;
    nm_bft_machine_power(m, &p);
    char num[24];
#define ADD_POWER(key, v) (snprintf(num, sizeof num, "%" PRIu64, (v)), \
                           cJSON_AddStringToObject(o, key, num))
    ADD_POWER("prevotePower", p.prevote_any);
    ADD_POWER("prevoteBlockPower", p.prevote_block);
    ADD_POWER("precommitPower", p.precommit_any);
    ADD_POWER("precommitBlockPower", p.precommit_block);
    ADD_POWER("totalPower", b->ecfg.set->total_power);
#undef ADD_POWER
    cJSON_AddNumberToObject(o, "decided", (double)b->decided);
    cJSON_AddNumberToObject(o, "lastFinalityMs", (double)b->last_finality_ms);
    cJSON_AddNumberToObject(o, "lateVotes", (double)b->late_votes);
    cJSON_AddNumberToObject(o, "evidenceSeen", (double)b->evidence_seen);
    cJSON_AddNumberToObject(o, "evidenceReported", (double)b->reports_sent);
    cJSON_AddNumberToObject(o, "refusedSignatures", (double)b->e.refused);
    cJSON_AddNumberToObject(o, "resent", (double)b->resent);
    cJSON *evl = cJSON_AddArrayToObject(o, "evidence");
    for (size_t i = 0; evl && i < b->n_evidence && i < 4; i++) {
        char ehex[2 * NM_BFT_EVIDENCE_LEN + 3];
        cJSON_AddItemToArray(evl, cJSON_CreateString(nm_hex_encode(
                                      b->evidence[i], NM_BFT_EVIDENCE_LEN, ehex, sizeof ehex)));
    }
    /* an authority is online when a vote or proposal of it arrived within
     * the last 3 block times (and 3 s); this node, while its engine runs */
    uint64_t now = nm_now_ms(), bt = b->chain->rt.params.block_time_ms;
    uint64_t window = 3 * bt > 3000 ? 3 * bt : 3000;
    cJSON *list = cJSON_AddArrayToObject(o, "authorities");
    for (uint32_t i = 0; list && i < b->ecfg.set->count; i++) {
        const struct auth_seen *a = &b->seen[i];
        char addr[NM_SS58_STRLEN];
        cJSON *x = cJSON_CreateObject();
        if (!x)
            break;
        cJSON_AddNumberToObject(x, "index", i);
        cJSON_AddStringToObject(x, "account", nm_ss58_encode(&b->ecfg.set->list[i].account, addr));
        snprintf(num, sizeof num, "%" PRIu64, b->ecfg.set->list[i].power);
        cJSON_AddStringToObject(x, "power", num);
        bool self = (int32_t)i == b->ecfg.self;
        cJSON_AddBoolToObject(x, "online", self ? b->live
                                                : a->last_seen_ms && now - a->last_seen_ms <= window);
        cJSON_AddNumberToObject(x, "lastSignedHeight", (double)a->last_height);
        cJSON_AddNumberToObject(x, "missedRounds", (double)a->missed);
        cJSON_AddNumberToObject(x, "lateVotes", (double)a->late);
        cJSON_AddItemToArray(list, x);
    }
    return o;
}

void nm_bft_node_metrics(const struct nm_bft_node *b, struct nm_prom_text *t)
{
    const struct nm_bft_machine *m = &b->e.m;
    nm_prom_family(t, "neuromesh_bft_round", "gauge", "Round of the height being decided.");
    nm_prom_sample(t, "neuromesh_bft_round", NULL, m->round);
    nm_prom_family(t, "neuromesh_bft_heights_decided_total", "counter",
                   "Heights this authority's engine decided.");
    nm_prom_sample(t, "neuromesh_bft_heights_decided_total", NULL, (double)b->decided);
    nm_prom_family(t, "neuromesh_bft_rounds_total", "counter",
                   "Rounds those heights took (rounds per height: divide by heights decided).");
    nm_prom_sample(t, "neuromesh_bft_rounds_total", NULL,
                   (double)(b->decided + b->decided_round_sum));
    nm_prom_family(t, "neuromesh_bft_finality_seconds", "summary",
                   "From the start of a height to its block final and stored.");
    nm_prom_sample(t, "neuromesh_bft_finality_seconds_sum", NULL,
                   (double)b->finality_ms_sum / 1000.0);
    nm_prom_sample(t, "neuromesh_bft_finality_seconds_count", NULL, (double)b->decided);
    nm_prom_family(t, "neuromesh_bft_late_votes_total", "counter",
                   "Votes received for a height already decided here.");
    nm_prom_sample(t, "neuromesh_bft_late_votes_total", NULL, (double)b->late_votes);
    nm_prom_family(t, "neuromesh_bft_evidence_total", "counter",
                   "Equivocation evidence seen (two conflicting votes of one authority).");
    nm_prom_sample(t, "neuromesh_bft_evidence_total", NULL, (double)b->evidence_seen);
    nm_prom_family(t, "neuromesh_bft_missed_proposals_total", "counter",
                   "Rounds an authority was the proposer of that ended without a decision.");
    for (uint32_t i = 0; i < b->ecfg.set->count; i++) {
        char addr[NM_SS58_STRLEN], labels[96];
        snprintf(labels, sizeof labels, "authority=\"%s\"",
                 nm_ss58_encode(&b->ecfg.set->list[i].account, addr));
        nm_prom_sample(t, "neuromesh_bft_missed_proposals_total", labels,
                       (double)b->seen[i].missed);
    }
}
