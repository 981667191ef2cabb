/* tendermint.c - Tendermint's Algorithm 1 as a pure state machine (see
 * tendermint.h). "2f+1" means more than 2/3 of the voting power and "f+1"
 * more than 1/3, as the paper does for weighted sets. */
#include "node/bft/tendermint.h"

#include <stdlib.h>
#include <string.h>

#include "node/errors.h"

enum { SLOT_PREVOTE = 0, SLOT_PRECOMMIT = 1 };
/* An equivocator's second vote is kept too: the paper counts every message
 * received, so it adds to the tally of each value it voted for. */
enum { FLAG_PRESENT = 1, FLAG_SECOND = 2 };
enum filter { ANY, NIL, BLOCK };

/* What one round of the current height has seen. */
struct bft_round {
    bool has_proposal;
    struct nm_bft_proposal proposal;
    int8_t proposal_valid; /* -1 not asked yet; valid() is asked once per round */
    bool prevote_timeout_set, precommit_timeout_set, l36_done;
    struct nm_bft_vote *votes[2];  /* by slot, then authority index */
    struct nm_bft_vote *second[2]; /* a conflicting vote, if any */
    uint8_t *flags[2];
};

void nm_bft_config_defaults(struct nm_bft_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->self = -1;
    cfg->timeout_base_ms[NM_BFT_PROPOSE] = 300;
    cfg->timeout_delta_ms[NM_BFT_PROPOSE] = 100;
    cfg->timeout_base_ms[NM_BFT_PREVOTE] = 100;
    cfg->timeout_delta_ms[NM_BFT_PREVOTE] = 50;
    cfg->timeout_base_ms[NM_BFT_PRECOMMIT] = 100;
    cfg->timeout_delta_ms[NM_BFT_PRECOMMIT] = 50;
    cfg->round_window = 64;
}

const char *nm_bft_step_name(uint8_t step)
{
    static const char *const names[] = {"propose", "prevote", "precommit"};
    return step < 3 ? names[step] : "unknown";
}

static void round_free(struct bft_round *r)
{
    if (!r)
        return;
    free(r->votes[0]);
    free(r->votes[1]);
    free(r->second[0]);
    free(r->second[1]);
    free(r->flags[0]);
    free(r->flags[1]);
    free(r);
}

static void rounds_clear(struct nm_bft_machine *m)
{
    for (uint32_t i = 0; i < m->n_rounds; i++)
        round_free(m->rounds[i]);
    free(m->rounds);
    m->rounds = NULL;
    m->n_rounds = 0;
}

static struct bft_round *round_get(const struct nm_bft_machine *m, uint32_t r)
{
    return r < m->n_rounds ? m->rounds[r] : NULL;
}

static struct bft_round *round_get_or_make(struct nm_bft_machine *m, uint32_t r)
{
    if (r >= m->n_rounds) {
        struct bft_round **grown = realloc(m->rounds, (r + 1) * sizeof *grown);
        if (!grown)
            return NULL;
        memset(grown + m->n_rounds, 0, (r + 1 - m->n_rounds) * sizeof *grown);
        m->rounds = grown;
        m->n_rounds = r + 1;
    }
    if (m->rounds[r])
        return m->rounds[r];
    uint32_t n = m->cfg.set->count;
    struct bft_round *rec = calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->proposal_valid = -1;
    for (int s = 0; s < 2; s++) {
        rec->votes[s] = calloc(n, sizeof *rec->votes[s]);
        rec->second[s] = calloc(n, sizeof *rec->second[s]);
        rec->flags[s] = calloc(n, 1);
        if (!rec->votes[s] || !rec->second[s] || !rec->flags[s]) {
            round_free(rec);
            return NULL;
        }
    }
    m->rounds[r] = rec;
    return rec;
}

static struct nm_bft_output *out_push(struct nm_bft_machine *m, enum nm_bft_output_kind kind)
{
    struct nm_bft_output *o = nm_bft_queue_push(&m->out);
    if (!o) {
        m->err = NM_E_NOMEM;
        return NULL;
    }
    o->kind = kind;
    return o;
}

bool nm_bft_poll(struct nm_bft_machine *m, struct nm_bft_output *out)
{
    return nm_bft_queue_take(&m->out, out);
}

static void schedule_timeout(struct nm_bft_machine *m, uint8_t step)
{
    struct nm_bft_output *o = out_push(m, NM_BFT_OUT_TIMEOUT);
    if (!o)
        return;
    uint64_t delay = m->cfg.timeout_base_ms[step] +
                     (uint64_t)m->round * m->cfg.timeout_delta_ms[step];
    o->timeout.step = step;
    o->timeout.height = m->height;
    o->timeout.round = m->round;
    o->timeout.delay_ms = delay > UINT32_MAX ? UINT32_MAX : (uint32_t)delay;
}

/* broadcast ⟨PREVOTE/PRECOMMIT, h_p, round_p, id(v) or nil⟩ */
static void broadcast_vote(struct nm_bft_machine *m, uint8_t step, const nm_hash *block)
{
    if (m->cfg.self < 0)
        return;
    struct nm_bft_output *o = out_push(m, NM_BFT_OUT_VOTE);
    if (!o)
        return;
    o->vote.genesis = m->cfg.genesis;
    o->vote.height = m->height;
    o->vote.round = m->round;
    o->vote.step = step;
    o->vote.has_block = block != NULL;
    if (block)
        o->vote.block = *block;
    o->vote.authority = (uint16_t)m->cfg.self;
}

/* StartRound(round) */
static void start_round(struct nm_bft_machine *m, uint32_t round)
{
    m->round = round;
    m->step = NM_BFT_PROPOSE;
    if (m->cfg.self >= 0 &&
        nm_bft_authorities_proposer(m->cfg.set, m->height, round) == (uint32_t)m->cfg.self) {
        struct nm_bft_output *o = out_push(m, NM_BFT_OUT_PROPOSAL);
        if (!o)
            return;
        o->proposal.genesis = m->cfg.genesis;
        o->proposal.height = m->height;
        o->proposal.round = round;
        o->proposal.valid_round = m->valid_round;
        if (m->valid_round >= 0)
            o->proposal.block = m->valid_value;
        else
            m->cb.get_value(m->cb.ctx, m->height, &o->proposal.block);
        o->proposal.authority = (uint16_t)m->cfg.self;
    } else {
        schedule_timeout(m, NM_BFT_PROPOSE);
    }
}

static bool vote_matches(const struct nm_bft_vote *v, enum filter f, const nm_hash *block)
{
    return f == ANY || (f == NIL && !v->has_block) ||
           (f == BLOCK && v->has_block && nm_hash_eq(&v->block, block));
}

/* The authority's vote in this slot that matches, or NULL. */
static const struct nm_bft_vote *matching_vote(const struct bft_round *rec, int slot, uint32_t i,
                                               enum filter f, const nm_hash *block)
{
    if (!(rec->flags[slot][i] & FLAG_PRESENT))
        return NULL;
    if (vote_matches(&rec->votes[slot][i], f, block))
        return &rec->votes[slot][i];
    if ((rec->flags[slot][i] & FLAG_SECOND) && vote_matches(&rec->second[slot][i], f, block))
        return &rec->second[slot][i];
    return NULL;
}

static uint64_t vote_power(const struct nm_bft_machine *m, const struct bft_round *rec, int slot,
                           enum filter f, const nm_hash *block)
{
    uint64_t power = 0;
    for (uint32_t i = 0; rec && i < m->cfg.set->count; i++)
        if (matching_vote(rec, slot, i, f, block))
            power += m->cfg.set->list[i].power;
    return power;
}

/* Power of the authorities with any message in the round (L55). */
static uint64_t message_power(const struct nm_bft_machine *m, const struct bft_round *rec)
{
    uint64_t power = 0;
    for (uint32_t i = 0; i < m->cfg.set->count; i++)
        if ((rec->flags[0][i] | rec->flags[1][i]) & FLAG_PRESENT ||
            (rec->has_proposal && rec->proposal.authority == i))
            power += m->cfg.set->list[i].power;
    return power;
}

static bool quorum_for(const struct nm_bft_machine *m, const struct bft_round *rec, int slot,
                       enum filter f, const nm_hash *block)
{
    return nm_bft_authorities_quorum(m->cfg.set, vote_power(m, rec, slot, f, block));
}

static bool proposal_valid(struct nm_bft_machine *m, struct bft_round *rec)
{
    if (rec->proposal_valid < 0)
        rec->proposal_valid = m->cb.valid(m->cb.ctx, m->height, &rec->proposal.block) ? 1 : 0;
    return rec->proposal_valid == 1;
}

/* decision_p[h_p] = v; the next height then starts at round 0 (L49-54),
 * once its NM_BFT_NEW_HEIGHT timeout fires. */
static void decide(struct nm_bft_machine *m, uint32_t round, const nm_hash *block,
                   const struct nm_bft_cert *from_sync)
{
    struct nm_bft_output *o = out_push(m, NM_BFT_OUT_DECIDE);
    if (o) {
        int err;
        if (from_sync) {
            err = nm_bft_cert_copy(&o->cert, from_sync);
        } else {
            const struct bft_round *rec = round_get(m, round);
            err = nm_bft_cert_init(&o->cert, m->height, round, block, m->cfg.set->count);
            for (uint32_t i = 0; !err && i < m->cfg.set->count; i++) {
                const struct nm_bft_vote *v = matching_vote(rec, SLOT_PRECOMMIT, i, BLOCK, block);
                if (v)
                    err = nm_bft_cert_add(&o->cert, v);
            }
        }
        if (err) {
            m->err = err;
            nm_bft_queue_unpush(&m->out);
        }
    }
    rounds_clear(m);
    m->height++;
    m->round = 0;
    m->step = NM_BFT_PROPOSE;
    m->locked_round = m->valid_round = -1;
    memset(&m->locked_value, 0, sizeof m->locked_value);
    memset(&m->valid_value, 0, sizeof m->valid_value);
    /* StartRound(0) once the caller says so: the next block's pace is its */
    m->waiting = true;
    schedule_timeout(m, NM_BFT_NEW_HEIGHT);
}

/* One rule of the paper that applies now, or false when none does. */
static bool apply_one_rule(struct nm_bft_machine *m)
{
    /* L49: a proposal and 2f+1 precommits for it, in any round */
    for (uint32_t r = 0; r < m->n_rounds; r++) {
        struct bft_round *rec = m->rounds[r];
        if (rec && rec->has_proposal &&
            quorum_for(m, rec, SLOT_PRECOMMIT, BLOCK, &rec->proposal.block) &&
            proposal_valid(m, rec)) {
            nm_hash block = rec->proposal.block;
            decide(m, r, &block, NULL);
            return true;
        }
    }
    if (m->waiting)
        return false; /* the height has not started: only others decide it */
    /* L55: f+1 authorities already in a later round: skip to it */
    for (uint32_t r = m->n_rounds; r-- > m->round + 1;) {
        struct bft_round *rec = m->rounds[r];
        if (rec && nm_bft_authorities_one_third(m->cfg.set, message_power(m, rec))) {
            start_round(m, r);
            return true;
        }
    }
    struct bft_round *cur = round_get(m, m->round);
    if (!cur)
        return false;
    const struct nm_bft_proposal *p = &cur->proposal;
    if (m->step == NM_BFT_PROPOSE && cur->has_proposal) {
        bool lock_ok;
        if (p->valid_round < 0) { /* L22 */
            lock_ok = m->locked_round < 0 || nm_hash_eq(&m->locked_value, &p->block);
        } else if (quorum_for(m, round_get(m, (uint32_t)p->valid_round), SLOT_PREVOTE, BLOCK,
                              &p->block)) { /* L28 */
            lock_ok = m->locked_round <= p->valid_round || nm_hash_eq(&m->locked_value, &p->block);
        } else {
            goto after_propose;
        }
        broadcast_vote(m, NM_BFT_PREVOTE, proposal_valid(m, cur) && lock_ok ? &p->block : NULL);
        m->step = NM_BFT_PREVOTE;
        return true;
    }
after_propose:
    /* L36 */
    if (m->step >= NM_BFT_PREVOTE && cur->has_proposal && !cur->l36_done &&
        quorum_for(m, cur, SLOT_PREVOTE, BLOCK, &p->block) && proposal_valid(m, cur)) {
        cur->l36_done = true;
        if (m->step == NM_BFT_PREVOTE) {
            m->locked_value = p->block;
            m->locked_round = (int32_t)m->round;
            broadcast_vote(m, NM_BFT_PRECOMMIT, &p->block);
            m->step = NM_BFT_PRECOMMIT;
        }
        m->valid_value = p->block;
        m->valid_round = (int32_t)m->round;
        return true;
    }
    /* L34 (after L36: rules enabled together may run in any order, and a
     * precommit made now needs no prevote timeout) */
    if (m->step == NM_BFT_PREVOTE && !cur->prevote_timeout_set &&
        quorum_for(m, cur, SLOT_PREVOTE, ANY, NULL)) {
        cur->prevote_timeout_set = true;
        schedule_timeout(m, NM_BFT_PREVOTE);
        return true;
    }
    /* L44 */
    if (m->step == NM_BFT_PREVOTE && quorum_for(m, cur, SLOT_PREVOTE, NIL, NULL)) {
        broadcast_vote(m, NM_BFT_PRECOMMIT, NULL);
        m->step = NM_BFT_PRECOMMIT;
        return true;
    }
    /* L47 */
    if (!cur->precommit_timeout_set && quorum_for(m, cur, SLOT_PRECOMMIT, ANY, NULL)) {
        cur->precommit_timeout_set = true;
        schedule_timeout(m, NM_BFT_PRECOMMIT);
        return true;
    }
    return false;
}

static int run(struct nm_bft_machine *m)
{
    while (!m->err && apply_one_rule(m)) {
    }
    return m->err;
}

int nm_bft_machine_init(struct nm_bft_machine *m, const struct nm_bft_config *cfg,
                        const struct nm_bft_callbacks *cb, uint64_t height,
                        const struct nm_bft_sign_record *resume)
{
    memset(m, 0, sizeof *m);
    if (!cfg->set || cfg->set->count == 0 || cfg->self >= (int32_t)cfg->set->count)
        return NM_E_INVAL;
    m->cfg = *cfg;
    m->cb = *cb;
    m->out.size = sizeof(struct nm_bft_output);
    m->height = height;
    m->locked_round = m->valid_round = -1;
    if (resume && resume->any && resume->height == height) {
        /* Back in the round and step last signed, with the lock: the
         * machine goes on from there and never signs that step again.
         * Its own messages come back from the caller's log like anyone's. */
        m->round = resume->round;
        m->step = resume->step;
        if (resume->lock_round >= 0) {
            m->locked_round = m->valid_round = resume->lock_round;
            m->locked_value = m->valid_value = resume->lock_value;
        }
        if (m->step == NM_BFT_PROPOSE)
            schedule_timeout(m, NM_BFT_PROPOSE);
    } else {
        start_round(m, 0);
    }
    return run(m);
}

void nm_bft_machine_fini(struct nm_bft_machine *m)
{
    rounds_clear(m);
    for (uint32_t i = 0; i < nm_bft_queue_count(&m->out); i++) {
        struct nm_bft_output *o = nm_bft_queue_at(&m->out, i);
        if (o->kind == NM_BFT_OUT_DECIDE)
            nm_bft_cert_fini(&o->cert);
    }
    nm_bft_queue_fini(&m->out);
    memset(m, 0, sizeof *m);
}

static int check_place(const struct nm_bft_machine *m, uint64_t height, uint32_t round,
                       uint16_t authority)
{
    if (height < m->height)
        return NM_E_BFT_OLD_HEIGHT;
    if (height > m->height)
        return NM_E_BFT_FUTURE_HEIGHT;
    if (authority >= m->cfg.set->count)
        return NM_E_BFT_UNKNOWN_AUTHORITY;
    if (round > m->round && round - m->round > m->cfg.round_window)
        return NM_E_BFT_FUTURE_ROUND;
    return 0;
}

int nm_bft_on_proposal(struct nm_bft_machine *m, const struct nm_bft_proposal *p)
{
    int err = check_place(m, p->height, p->round, p->authority);
    if (err)
        return err;
    if (nm_bft_authorities_proposer(m->cfg.set, p->height, p->round) != p->authority)
        return NM_E_BFT_NOT_PROPOSER;
    if (p->valid_round < -1 || (p->valid_round >= 0 && (uint32_t)p->valid_round >= p->round))
        return NM_E_INVAL;
    struct bft_round *rec = round_get_or_make(m, p->round);
    if (!rec)
        return NM_E_NOMEM;
    if (rec->has_proposal)
        return NM_BFT_REPEAT; /* the first one counts; a second is the proposer's fault */
    rec->has_proposal = true;
    rec->proposal = *p;
    return run(m);
}

int nm_bft_on_vote(struct nm_bft_machine *m, const struct nm_bft_vote *v)
{
    int err = check_place(m, v->height, v->round, v->authority);
    if (err)
        return err;
    if (v->step != NM_BFT_PREVOTE && v->step != NM_BFT_PRECOMMIT)
        return NM_E_INVAL;
    struct bft_round *rec = round_get_or_make(m, v->round);
    if (!rec)
        return NM_E_NOMEM;
    int slot = v->step == NM_BFT_PREVOTE ? SLOT_PREVOTE : SLOT_PRECOMMIT;
    uint8_t *flags = &rec->flags[slot][v->authority];
    struct nm_bft_vote *have = &rec->votes[slot][v->authority];
    if (*flags & FLAG_PRESENT) {
        /* a repeat, or a third vote of an equivocator: nothing new */
        if (nm_bft_vote_same_target(have, v) || (*flags & FLAG_SECOND))
            return NM_BFT_REPEAT;
        struct nm_bft_output *o = out_push(m, NM_BFT_OUT_EVIDENCE);
        if (!o)
            return m->err;
        if (nm_bft_evidence_make(have, v, &o->evidence) != 0) {
            nm_bft_queue_unpush(&m->out);
            return 0;
        }
        rec->second[slot][v->authority] = *v;
        *flags |= FLAG_SECOND;
        return run(m);
    }
    *have = *v;
    *flags |= FLAG_PRESENT;
    return run(m);
}

int nm_bft_on_timeout(struct nm_bft_machine *m, uint8_t step, uint64_t height, uint32_t round)
{
    if (height != m->height || round != m->round)
        return 0; /* stale: the paper's guards make it a no-op */
    if (m->waiting) {
        if (step == NM_BFT_NEW_HEIGHT) {
            m->waiting = false;
            start_round(m, 0);
        }
    } else if (step == NM_BFT_PROPOSE && m->step == NM_BFT_PROPOSE) {
        broadcast_vote(m, NM_BFT_PREVOTE, NULL);
        m->step = NM_BFT_PREVOTE;
    } else if (step == NM_BFT_PREVOTE && m->step == NM_BFT_PREVOTE) {
        broadcast_vote(m, NM_BFT_PRECOMMIT, NULL);
        m->step = NM_BFT_PRECOMMIT;
    } else if (step == NM_BFT_PRECOMMIT) {
        start_round(m, m->round + 1);
    }
    return run(m);
}

int nm_bft_on_commit(struct nm_bft_machine *m, const struct nm_bft_cert *c)
{
    if (c->height < m->height)
        return NM_E_BFT_OLD_HEIGHT;
    if (c->height > m->height)
        return NM_E_BFT_FUTURE_HEIGHT;
    int err = nm_bft_cert_verify(c, &m->cfg.genesis, m->cfg.set);
    if (err)
        return err;
    if (!m->cb.valid(m->cb.ctx, m->height, &c->block))
        return NM_E_INVAL;
    decide(m, c->round, &c->block, c);
    return run(m);
}

void nm_bft_machine_power(const struct nm_bft_machine *m, struct nm_bft_round_power *p)
{
    memset(p, 0, sizeof *p);
    const struct bft_round *cur = round_get(m, m->round);
    if (!cur)
        return;
    p->prevote_any = vote_power(m, cur, SLOT_PREVOTE, ANY, NULL);
    p->precommit_any = vote_power(m, cur, SLOT_PRECOMMIT, ANY, NULL);
    if (cur->has_proposal) {
        p->prevote_block = vote_power(m, cur, SLOT_PREVOTE, BLOCK, &cur->proposal.block);
        p->precommit_block = vote_power(m, cur, SLOT_PRECOMMIT, BLOCK, &cur->proposal.block);
    }
}
