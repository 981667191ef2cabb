/* errors.h - every NeuroMesh error: one X-macro gives the enum, its names,
 * its human messages and its JSON-RPC codes, so they never drift apart.
 * Functions return 0 on success or a negative NM_E_* value. */
#ifndef NM_ERRORS_H
#define NM_ERRORS_H

#include <stdbool.h>

/* X(name, json-rpc code, message). Chain errors have codes of their own,
 * each used once and documented in docs/rpc.md's chain error table:
 *   -32010..-32099  round one (full: add no more here)
 *     2000..2999    round two, by area:
 *       2000..2099  architecture and hardening
 *       2100..2199  operator experience
 *       2200..2299  registration and weights incentives
 *       2300..2399  fees, Yuma and governance incentives
 *       2400..2499  BFT finality
 *       2500..2599  p2p
 *       2600..2699  aggregator and miners
 *       2700..2799  SDKs
 *       2800..2999  free
 * Errors about the shape of an input share -32602 (invalid params) and the
 * node's own failures -32603. The RPC_* entries are the JSON-RPC
 * transport's (the standard codes, -32004..-32009 and Substrate's 1010 and
 * 1013). tests/test_errors.c checks every code is in one of these ranges
 * and no chain code is used twice. */
#define NM_ERRNO_MAP(X)                                                              \
    X(NOMEM, -32603, "out of memory")                                                \
    X(IO, -32603, "input/output error")                                              \
    X(DB, -32603, "database error")                                                  \
    X(INTERNAL, -32603, "internal error")                                            \
    X(INVAL, -32602, "invalid argument")                                             \
    X(HEX, -32602, "invalid hex string")                                             \
    X(DECODE, -32602, "malformed or truncated encoding")                             \
    X(TRAILING, -32602, "unexpected bytes after the end of the encoding")            \
    X(TOO_BIG, -32602, "input too large")                                            \
    X(ADDRESS, -32602, "invalid SS58 address")                                       \
    X(CHECKSUM, -32602, "SS58 address checksum mismatch")                            \
    X(AMOUNT, -32602, "invalid amount")                                              \
    X(DECIMALS, -32602, "amount has more than 9 decimals")                           \
    X(OVERFLOW, -32014, "amount overflow")                                           \
    X(BAD_SIGNATURE, -32010, "bad signature")                                        \
    X(STALE_NONCE, -32011, "stale nonce: transaction already used")                  \
    X(FUTURE_NONCE, -32013, "future nonce: an earlier transaction is missing")       \
    X(INSUFFICIENT_BALANCE, -32012, "insufficient balance")                          \
    X(INSUFFICIENT_STAKE, -32015, "insufficient stake")                              \
    X(BELOW_MINIMUM, -32016, "stake below the subnet minimum")                       \
    X(WRONG_CHAIN, -32017, "transaction signed for another chain")                   \
    X(UNKNOWN_CALL, -32018, "unknown call")                                          \
    X(NOT_DEV_CHAIN, -32019, "only available on a dev chain")                        \
    X(UNKNOWN_SUBNET, -32020, "unknown subnet")                                      \
    X(SUBNET_RETIRED, -32021, "subnet is retired")                                   \
    X(NOT_OWNER, -32022, "only the subnet owner may do this")                        \
    X(BAD_NAME, -32023, "invalid subnet name")                                       \
    X(NAME_TAKEN, -32024, "subnet name already taken")                               \
    X(BAD_TASK, -32025, "unknown task type")                                         \
    X(BAD_PERCENT, -32026, "percentage must be between 0 and 100")                   \
    X(BAD_SCHEMA, -32027, "schema must be a JSON object of at most 4096 bytes")      \
    X(BAD_URI, -32028, "invalid evaluation spec URI")                                \
    X(EMISSION_WEIGHT, -32029, "emission weights of active subnets would exceed 100%") \
    X(TOO_MANY_SUBNETS, -32030, "subnet limit reached")                              \
    X(ALREADY_REGISTERED, -32031, "account already registered on this subnet")       \
    X(NOT_REGISTERED, -32032, "account not registered on this subnet")               \
    X(SUBNET_FULL, -32033, "subnet is full: no free UID")                            \
    X(BAD_ENDPOINT, -32034, "malformed endpoint")                                    \
    X(BAD_ROLE, -32035, "role must be miner or validator")                           \
    X(NOTHING_TO_WITHDRAW, -32036, "nothing unlocked to withdraw")                   \
    X(TOO_MANY_UNLOCKS, -32037, "too many pending unlocks: withdraw first")          \
    X(EXISTENTIAL, -32038, "transfer would leave an account below the existential deposit") \
    X(ZERO_AMOUNT, -32039, "amount must be greater than zero")                       \
    X(SELF_TRANSFER, -32040, "cannot transfer to yourself")                          \
    X(POOL_FULL, -32041, "transaction pool is full")                                 \
    X(DUPLICATE_TX, -32042, "transaction already in the pool")                       \
    X(UNKNOWN_ACCOUNT, -32043, "unknown account")                                    \
    X(UNKNOWN_BLOCK, -32044, "unknown block")                                        \
    X(BAD_MAX_NEURONS, -32045, "max neurons out of range")                           \
    X(NO_CHANGE, -32046, "update changes nothing")                                   \
    X(STAKE_LOCKED, -32047, "stake locked by a registration: deregister first")      \
    X(UID_IN_USE, -32048, "max neurons below a UID in use: deregister neurons first") \
    X(EMISSION_BY_GOVERNANCE, -32098,                                                \
      "a subnet's emission weight is set by governance (parameter subnet.ID.emission_weight)") \
    X(KEY_EXISTS, -32050, "a key with that name already exists")                     \
    X(KEY_NOT_FOUND, -32051, "no key with that name")                                \
    X(KEY_NAME, -32052, "key names are 1-32 letters, digits, '-' or '_'")            \
    X(BAD_PASSWORD, -32053, "wrong password or damaged key file")                    \
    X(NO_PASSWORD, -32054, "no password given")                                      \
    X(CHAIN_SPEC, -32055, "invalid chain spec")                                      \
    X(STATE_MISMATCH, -32056, "state root mismatch")                                 \
    X(TIMEOUT, -32057, "timed out")                                                  \
    X(CONNECT, -32058, "cannot connect to the node")                                 \
    X(RPC, -32059, "node returned an error")                                         \
    /* weights/consensus errors: -32060..-32079 */                                  \
    X(NOT_VALIDATOR, -32060, "only a validator registered on this subnet may do this") \
    X(NOT_MINER, -32061, "weights may only name registered miners of the subnet")     \
    X(DUPLICATE_UID, -32062, "a UID appears twice in the weights")                   \
    X(TOO_MANY_WEIGHTS, -32063, "more weights than the subnet has neuron slots")      \
    X(ZERO_WEIGHTS, -32064, "at least one weight must be greater than zero")         \
    X(BAD_WEIGHT, -32065, "weights must be non-negative numbers")                    \
    X(RATE_LIMITED, -32066, "weights set too soon: the subnet's rate limit has not passed") \
    X(USE_COMMIT_REVEAL, -32067, "this subnet uses commit-reveal: commit, then reveal") \
    X(NO_COMMIT_REVEAL, -32068, "this subnet does not use commit-reveal: submit weights") \
    X(NO_COMMIT, -32069, "no weight commit to reveal")                               \
    X(REVEAL_TOO_EARLY, -32070, "too early to reveal: the reveal delay has not passed") \
    X(COMMIT_EXPIRED, -32071, "the weight commit expired: its reveal window has passed") \
    X(REVEAL_MISMATCH, -32072, "revealed weights and salt do not match the commit")  \
    X(BAD_OPTION, -32073, "weights option out of range")                             \
    X(UNKNOWN_EPOCH, -32074, "no epoch summary for that subnet and epoch")           \
    X(NO_VALIDATOR_PERMIT, -32079,                                                   \
      "validator has no permit: only the subnet's top max_validators validators by stake" \
      " (at least its minimum validator stake) set weights; bond more stake")        \
    /* governance errors: -32080..-32099 */                                          \
    X(UNKNOWN_PROPOSAL, -32080, "unknown proposal")                                  \
    X(BOND_TOO_SMALL, -32081, "bond below the chain's minimum proposal bond")        \
    X(UNKNOWN_PARAM, -32082, "unknown parameter, or one governance cannot change")   \
    X(PARAM_BOUNDS, -32083, "parameter value outside its bounds")                    \
    X(VOTING_CLOSED, -32084, "voting on this proposal has closed")                   \
    X(NO_STAKE, -32085, "voting needs bonded stake: stake first")                    \
    X(SAME_VOTE, -32086, "this vote is already cast that way: a vote counts once")   \
    X(NOT_COUNCIL, -32087, "only a member of the chain's council may do this")       \
    X(ALREADY_SIGNED, -32088, "this council member already signed that action")      \
    X(PROPOSAL_FINISHED, -32089, "proposal already finished")                        \
    X(TREASURY_OVERDRAFT, -32090, "spend exceeds the treasury balance")              \
    X(UPGRADE_HEIGHT, -32091,                                                        \
      "upgrade height is past or too soon: it must come after review and timelock") \
    X(UPGRADE_VERSION, -32092,                                                       \
      "upgrade version must be above the current and any scheduled spec version")   \
    X(UPGRADE_PENDING, -32093, "another runtime upgrade is already scheduled")       \
    X(TOO_MANY_PROPOSALS, -32094, "too many proposals in progress: wait for some to finish") \
    X(TOO_MANY_OPEN_PROPOSALS, -32097,                                               \
      "this account has too many proposals in progress: wait for one to finish")     \
    /* 2300..2399: incentive integrity (issue 16, fees and governance) */          \
    X(BOND_BELOW_REQUIRED, 2300,                                                     \
      "bond below what this account's next proposal needs: it grows with each one it has open") \
    X(EXTRINSIC_OVERWEIGHT, 2301,                                                    \
      "extrinsic weighs more than the chain's max_block_weight: no block can hold it") \
    X(BLOCK_OVERWEIGHT, 2302, "block weighs more than the chain's max_block_weight") \
    X(RUNTIME_UNSUPPORTED, -32095,                                                   \
      "the chain now runs a runtime spec version this node does not support: upgrade neuromesh") \
    /* BFT finality (node/bft/): consensus input from peers, never sent as \
     * chain errors, so they share the generic codes */                         \
    X(BFT_AUTHORITIES, -32602, "invalid authority set")                          \
    X(BFT_UNKNOWN_AUTHORITY, -32602, "signer is not in the authority set")       \
    X(BFT_WRONG_CHAIN, -32602,                                                   \
      "consensus message is for another chain: genesis hash differs")            \
    X(BFT_OLD_HEIGHT, -32602, "consensus message is for a height already decided") \
    X(BFT_FUTURE_HEIGHT, -32602, "consensus message is for a height not reached yet") \
    X(BFT_FUTURE_ROUND, -32602, "consensus message is for a round too far ahead") \
    X(BFT_WRONG_ROUND, -32602,                                                   \
      "vote is for a different height, round, step or block than the certificate") \
    X(BFT_NOT_PROPOSER, -32602, "proposal signed by an authority that is not the round's proposer") \
    X(BFT_NO_QUORUM, -32602, "signers hold no more than 2/3 of the voting power") \
    X(BFT_NOT_EVIDENCE, -32602, "the two votes do not conflict: not evidence")   \
    X(BFT_DOUBLE_SIGN, -32603,                                                   \
      "refused to sign: it would conflict with a vote already signed")           \
    X(BFT_RECORD_DAMAGED, -32603,                                                \
      "double-sign record damaged: refusing to sign (check the file, never just delete it)") \
    /* BFT chain errors (issue 11), codes 2400..2499 (docs/rpc.md)         */\
    X(BFT_NO_CERTIFICATE, 2400,                                                  \
      "block has no commit certificate: this chain accepts only final blocks")   \
    X(BFT_CERT_MISMATCH, 2401, "commit certificate is for another block or height") \
    X(BFT_PROPOSAL_TOO_LARGE, 2470,                                              \
      "proposed block larger than 120 kB, the most a proposal may carry")       \
    /* issue 11: evidence reported twice, and the governed authority set   */\
    X(BFT_ALREADY_OUT, 2480,                                                     \
      "evidence names an authority with no power left (already reported or removed)") \
    X(BFT_SET_FIXED, 2481,                                                       \
      "authority change: this chain has one authority and instant finality, fixed by its chain spec") \
    X(BFT_IS_AUTHORITY, 2482, "authority change: the account is already an authority") \
    X(BFT_NOT_AUTHORITY, 2483, "authority change: the account is not an authority") \
    X(BFT_POWER_BOUNDS, 2484,                                                    \
      "authority change: power must be from 1 to 2^53 (remove the authority to take it all)") \
    X(BFT_LAST_AUTHORITY, 2485,                                                  \
      "authority change: the set would be left without any authority")          \
    X(BFT_SET_FULL, 2486, "authority change: the set already holds 128 accounts") \
    X(BFT_CHANGE_PENDING, 2487,                                                  \
      "authority change: an open or approved proposal already changes this account") \
    /* p2p errors (node/p2p): input from peers or operators */                      \
    X(MULTIADDR, -32602, "invalid multiaddr")                                        \
    X(PEER_ID, -32602, "invalid peer id")                                            \
    X(NODE_KEY, -32602, "invalid node key file")                                     \
    X(PROTOCOL, -32603, "peer broke the protocol")                                   \
    X(HANDSHAKE, -32603, "peer failed the secure handshake")                         \
    X(FLOODED, -32603, "peer exceeded its limits")                                   \
    X(UNSUPPORTED, -32603, "protocol not supported by the peer")                     \
    /* p2p announcements (node/p2p/announce.h): codes 2500..2599 */                  \
    X(ANNOUNCE_STALE, 2500, "announcement too old: sign a new one at the current height") \
    X(ANNOUNCE_EARLY, 2501, "announcement from a height this node has not reached yet") \
    X(ANNOUNCE_ROLE, 2502, "announced role differs from the neuron's registered role") \
    /* hardening (issue 17) */                                                       \
    X(FUTURE_LIMIT, -32075,                                                          \
      "too many future transactions from this account or in all: submit the missing nonce first") \
    X(EXTRINSIC_TOO_LARGE, -32076, "extrinsic larger than the chain's max_extrinsic_bytes") \
    X(BLOCK_TOO_LARGE, -32077, "block larger than the chain's max_block_bytes")     \
    X(CALL_OUT_OF_BOUNDS, -32078,                                                    \
      "call argument beyond the chain's limits: more weights than the subnet has neurons") \
    X(DB_INTEGRITY, -32049, "the database failed its integrity check at start")     \
    X(KEY_PERMS, -32096,                                                             \
      "key file or keys directory open to other users: chmod 600 the file, 700 the directory") \
    /* issue 16, registration and locks (sub-range 2200..2299 of 2000..2999) */    \
    X(NO_LOCK, 2200, "the subnet holds no lock to burn")                             \
    X(USAGE, -32602, "usage error")                                                  \
    /* round two chain errors, 2000..2999: each area adds its rows under its \
     * own sub-range (see the comment above NM_ERRNO_MAP) */                    \
    /* 2000..2099 architecture and hardening */                                 \
    /* 2100..2199 operator experience */                                        \
    /* 2200..2299 registration and weights incentives */                        \
    /* 2300..2399 fees, Yuma and governance incentives */                       \
    /* 2400..2499 BFT finality */                                               \
    /* 2500..2599 p2p */                                                        \
    /* 2600..2699 aggregator and miners */                                      \
    /* 2700..2799 SDKs */                                                       \
    /* JSON-RPC transport errors (rpc/, docs/rpc.md "Errors") */                      \
    X(RPC_PARSE, -32700, "parse error")                                              \
    X(RPC_INVALID_REQUEST, -32600, "invalid request")                                \
    X(RPC_NO_METHOD, -32601, "method not found")                                     \
    X(RPC_INVALID_PARAMS, -32602, "invalid params")                                  \
    X(RPC_TOO_MANY_SUBSCRIPTIONS, -32004, "too many subscriptions on this connection") \
    X(RPC_RATE_LIMITED, -32005, "rate limit exceeded")                               \
    X(RPC_REQUEST_TOO_LARGE, -32006, "request too large")                            \
    X(RPC_RESPONSE_TOO_LARGE, -32007, "response too large")                          \
    X(RPC_TOO_MANY_CONNECTIONS, -32008, "too many connections")                      \
    X(RPC_ORIGIN_NOT_ALLOWED, -32009, "origin not allowed (see --rpc-cors)")         \
    X(RPC_INVALID_TX, 1010, "Invalid Transaction")                                   \
    X(RPC_TX_ALREADY_IMPORTED, 1013, "Transaction Already Imported")

enum nm_error {
    NM_OK = 0,
#define NM_X_ENUM(name, code, msg) NM_E_##name,
    NM__E_FIRST = -1000,
    NM_ERRNO_MAP(NM_X_ENUM)
#undef NM_X_ENUM
    NM__E_LAST
};

/* Each error's JSON-RPC code as a constant (case labels, tables):
 * NM_CODE_<name>, e.g. NM_CODE_RPC_INVALID_PARAMS = -32602. */
enum nm_error_code {
#define NM_X_CODE(name, code, msg) NM_CODE_##name = (code),
    NM_ERRNO_MAP(NM_X_CODE)
#undef NM_X_CODE
};

/* Human sentence for an error (never NULL). */
const char *nm_strerror(int err);
/* Short name, e.g. "INSUFFICIENT_BALANCE". */
const char *nm_errname(int err);
/* JSON-RPC error code for an error. */
int nm_rpc_code(int err);
/* Whether err is the node's own failure (out of memory, I/O, database,
 * internal) rather than a verdict on its input: such an error inside a
 * call must abort the block, never be recorded as the call's outcome. */
bool nm_error_is_fatal(int err);
/* Reverse of nm_errname; 0 if unknown. */
int nm_error_from_name(const char *name);

#endif
