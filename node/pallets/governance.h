/* governance.h - the governance pallet (GOV-001/002): proposals with a
 * bond (table proposals), stake-weighted votes over a review period (table
 * votes), quorum and approval, a timelock before execution, the treasury
 * and the scheduled runtime version (table gov_state), and the emergency
 * council with its signatures (tables council, council_signatures).
 *
 * Rules (each call checks all of its own before writing anything):
 * - Proposal kinds: a new subnet (a full subnet spec, the rules of
 *   subnets.create), a parameter change (a name from the whitelist
 *   nm_governance_param_allowed, a value inside the parameter's bounds in
 *   node/params.h, different from the current value; or a subnet's
 *   emission weight, "subnet.ID.emission_weight", by the subnets rules), a treasury spend
 *   (amount > 0, at most the treasury now) and a runtime upgrade (version
 *   above the current spec version and any scheduled one, taking effect at
 *   a height after the proposal's earliest execution), and (issue 11) a
 *   change of the BFT authority set: add an account with a power, remove
 *   an authority, or change its power (the rules of nm_authorities_change
 *   in authorities.h, checked when proposed and again when executed; when
 *   proposed, also none open or approved for the same account:
 *   NM_E_BFT_CHANGE_PENDING).
 * - propose: bond >= gov_min_bond (NM_E_BOND_TOO_SMALL), the signer has it
 *   free; it is reserved in the proposal (taken from the free balance). At
 *   most NM_GOV_MAX_ACTIVE proposals are open or approved at once
 *   (NM_E_TOO_MANY_PROPOSALS), at most params.gov_max_open_per_account of
 *   one proposer (NM_E_TOO_MANY_OPEN_PROPOSALS, checked first). Ids count up from 1 and are never reused.
 *   The review runs from the block of the proposal to vote_end = height +
 *   gov_review_period_blocks.
 * - vote: aye or nay while the proposal is open (blocks up to and including
 *   vote_end; NM_E_VOTING_CLOSED after), by an account with bonded stake
 *   (NM_E_NO_STAKE). One vote per account per proposal: voting again
 *   replaces the vote (a change of side), and the same vote twice is
 *   refused (NM_E_SAME_VOTE).
 * - Voting power is the voter's bonded stake over all subnets (table
 *   stakes) when the tally is taken; free balance, bonds reserved in
 *   proposals and stake waiting to unlock do not count. Because every vote
 *   is weighed at tally time, stake counts once however it moves between
 *   accounts during the review: moving it away takes its weight along.
 * - Tally (end of block vote_end): turnout = ayes + nays; total = all bonded
 *   stake. Quorum: turnout * 10^6 >= gov_quorum_ppm * total. Approved:
 *   quorum and ayes * 10^6 > gov_approval_ppm * turnout. Otherwise rejected,
 *   and the bond is slashed to the treasury only when quorum is reached and
 *   ayes * 10^6 < gov_slash_ppm * turnout; else (a timeout without quorum,
 *   nobody voting included) the bond goes back. Thresholds are those in force at the tally.
 * - Approved: the bond goes back; execution at the end of block execute_at
 *   = vote_end + gov_timelock_blocks. A subnet is created (owner: the
 *   proposer), a parameter set, a spend paid (NM_E_TREASURY_OVERDRAFT if
 *   the treasury fell short meanwhile), an upgrade scheduled
 *   (NM_E_UPGRADE_PENDING if another is). An authority change waits for
 *   an epoch boundary: it executes at the end of the last block of the
 *   epoch that holds its execution height (execute_at is rounded up to
 *   it at approval and again, should the tempo change, when it is due), so
 *   the new set certifies blocks from the first block of the next epoch. An execution that fails leaves
 *   nothing behind but status "failed" with the error's name.
 * - Runtime upgrade: when the end of block at-1 is reached the state's
 *   spec_version becomes the new version, so block `at` is the first under
 *   it. A node whose NM_RUNTIME_SPEC_VERSION is lower stops there: produce
 *   and import answer NM_E_RUNTIME_UNSUPPORTED (nm_governance_runtime_check)
 *   instead of forking silently.
 * - Council (chain spec "council", M of N): a member signs cancel or
 *   fast-track of an open or approved proposal (NM_E_NOT_COUNCIL,
 *   NM_E_PROPOSAL_FINISHED, NM_E_ALREADY_SIGNED); the signatures are kept
 *   on chain and the M-th one acts. Cancel: status cancelled, a bond still
 *   reserved goes back. Fast-track: approved at once, votes aside, the bond
 *   goes back, executed at the end of that same block. Signatures of a
 *   proposal are dropped when one of its actions happens or it finishes.
 * - Treasury: slashed bonds (and what nm_governance_treasury_deposit is
 *   given, e.g. a share of emissions); it pays approved spends only.
 * Events (governance.*): Proposed {id,kind,proposer,bond,vote_end}, Voted
 * {id,who,vote,stake,changed}, Approved {id,ayes,nays,total_stake,
 * execute_at}, Rejected {id,ayes,nays,total_stake,reason,slashed},
 * BondReturned {id,who,amount}, BondSlashed {id,who,amount,treasury},
 * Executed {id,kind[,subnet]}, ExecutionFailed {id,error,message},
 * ParamChanged {id,name,old,new}, TreasurySpent {id,to,amount,treasury},
 * TreasuryDeposit {amount,source,treasury}, UpgradeScheduled
 * {id,version,at}, SpecVersionChanged {from,to}, CouncilSigned {id,action,
 * who,signatures,threshold}, Cancelled {id}, FastTracked {id,execute_at}. */
#ifndef NM_GOVERNANCE_H
#define NM_GOVERNANCE_H

#include "node/chainspec.h"
#include "node/extrinsic.h"
#include "node/runtime.h"

/* State entry tags of the governance tables (node/runtime.h lists the
 * others; these stay clear of them). */
enum {
    NM_TAG_PROPOSAL = 0x60,
    NM_TAG_VOTE = 0x61,
    NM_TAG_GOV_STATE = 0x62,
    NM_TAG_COUNCIL = 0x63,
    NM_TAG_COUNCIL_SIG = 0x64,
};

#define NM_GOV_PPM 1000000u
/* Most proposals open or approved at once; bounds the end-of-block work. */
#define NM_GOV_MAX_ACTIVE 64

enum nm_proposal_kind {
    NM_PROPOSAL_SUBNET,
    NM_PROPOSAL_PARAM,
    NM_PROPOSAL_SPEND,
    NM_PROPOSAL_UPGRADE,
    NM_PROPOSAL_AUTHORITY, /* issue 11: a change of the BFT authority set */
    NM_PROPOSAL__KIND_COUNT
};

enum nm_proposal_status {
    NM_PROPOSAL_OPEN,     /* under review: votes accepted */
    NM_PROPOSAL_APPROVED, /* waiting out the timelock */
    NM_PROPOSAL_EXECUTED,
    NM_PROPOSAL_FAILED,    /* approved, but its execution failed */
    NM_PROPOSAL_REJECTED,  /* bond returned */
    NM_PROPOSAL_SLASHED,   /* rejected, bond slashed to the treasury */
    NM_PROPOSAL_CANCELLED, /* by the council */
    NM_PROPOSAL__STATUS_COUNT
};

enum nm_council_action { NM_COUNCIL_CANCEL, NM_COUNCIL_FAST_TRACK, NM_COUNCIL__ACTION_COUNT };

struct nm_proposal {
    uint32_t id;
    uint8_t kind;
    uint8_t status;
    nm_account proposer;
    uint64_t bond;
    uint64_t created_at;
    uint64_t vote_end;                /* last block that accepts votes */
    uint64_t execute_at;              /* 0 until approved */
    uint64_t closed_at;               /* block of the verdict or cancellation; 0 while open */
    uint64_t ayes, nays, total_stake; /* the tally at closed_at */
    char error[40];                   /* NM_E_* name of a failed execution, else "" */
    size_t call_len;
    uint8_t call[NM_EXTRINSIC_MAX]; /* the propose call as signed */
};

struct nm_gov_tally {
    uint64_t ayes, nays, turnout, total_stake;
    uint32_t voters;
    bool quorum, approved, slash;
};

/* Names, or NULL when out of range. */
const char *nm_proposal_kind_name(uint8_t kind);     /* "subnet", "param", ... */
const char *nm_proposal_status_name(uint8_t status); /* "open", "approved", ... */
/* Kind of a propose call, or -1 for another call. */
int nm_proposal_kind_of_call(uint16_t call_kind);
/* Whether governance may change the parameter called name: a whitelisted
 * chain parameter, or "subnet.ID.emission_weight" (issue 16: a subnet's
 * emission weight, 0..100, by the subnets pallet's rules). */
bool nm_governance_param_allowed(const char *name);
/* *out: who may set a subnet's emission weight directly, i.e. the chain is
 * a dev chain and who is a member of its council (issue 16's dev shortcut). */
int nm_governance_dev_council(struct nm_runtime *rt, const nm_account *who, bool *out);

/* Genesis: the chain spec's spec version (written when above 1) and its
 * council (members and threshold, when it has one). */
int nm_governance_genesis(struct nm_runtime *rt, const struct nm_chain_spec *spec);
/* Before a block is made or imported on db: NM_E_RUNTIME_UNSUPPORTED when
 * the chain's spec version is above NM_RUNTIME_SPEC_VERSION. */
int nm_governance_runtime_check(struct nm_db *db);

/* Reads. A gov_state key that was never written reads as its default
 * ("spec_version" 1, others 0). */
int nm_governance_state_get(struct nm_db *db, const char *key, uint64_t *out);
int nm_governance_get(struct nm_db *db, uint32_t id, struct nm_proposal *out);
/* The tally of proposal id with the current stakes and params. */
int nm_governance_tally(struct nm_db *db, const struct nm_params *params, uint32_t id,
                        struct nm_gov_tally *out);
/* Sum of all bonded stake. */
int nm_governance_total_stake(struct nm_db *db, uint64_t *out);
/* Decodes a proposal's stored call (into out, which the caller owns). */
int nm_governance_call(const struct nm_proposal *p, struct nm_call *out);

/* Adds amount to the treasury (for other pallets, e.g. an emissions share);
 * emits governance.TreasuryDeposit {amount, source, treasury}. */
int nm_governance_treasury_deposit(struct nm_runtime *rt, uint64_t amount, const char *source);

/* Calls. */
int nm_governance_propose(struct nm_runtime *rt, const nm_account *signer,
                          const struct nm_call *c);
int nm_governance_vote(struct nm_runtime *rt, const nm_account *signer, const struct nm_call *c);
int nm_governance_council(struct nm_runtime *rt, const nm_account *signer,
                          const struct nm_call *c);

/* End-of-block hook: tallies proposals whose review ended, executes those
 * whose timelock ended, switches the spec version when an upgrade is due.
 * Fails only for NM_E_DB / NM_E_NOMEM / NM_E_INTERNAL (the block fails). */
int nm_governance_end_block(struct nm_runtime *rt);

/* JSON views (node/pallets/governance_json.c), for RPC. height and params
 * are the best block's; me (may be NULL) adds "my_vote". New objects owned
 * by the caller; NULL with *err_out set on error. */
/* {height, block_time_ms, treasury, total_stake, spec_version,
 *  supported_spec_version, upgrade, params, council, proposals: [...]}:
 * open and approved proposals, or the latest NM_GOV_LIST_MAX of all. */
#define NM_GOV_LIST_MAX 200
cJSON *nm_governance_overview_json(struct nm_db *db, const struct nm_params *params,
                                   uint64_t height, bool all, const nm_account *me, int *err_out);
/* One proposal with its call and its votes. */
cJSON *nm_governance_proposal_json(struct nm_db *db, const struct nm_params *params,
                                   uint64_t height, uint32_t id, const nm_account *me,
                                   int *err_out);

/* Adds every governance row's entry to acc. */
int nm_governance_fold(struct nm_db *db, struct nm_lthash *acc);

/* Its descriptor (node/pallets/pallet.h). */
extern const struct nm_pallet nm_pallet_governance;

#endif
