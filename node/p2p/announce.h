/* announce.h - miners' and validators' endpoint announcements on the
 * subnet topics /neuromesh/1.0.0/subnet/{id}/miners and .../validators
 * (issue 10 "what travels", issue 12 "p2p announce and discovery"). An
 * announcement is JSON {genesis, subnet, role, hotkey, endpoint, at, sig}:
 * the neuron's hotkey signs "neuromesh-announce:" || genesis || subnet (u16
 * LE) || role (u8) || at (u64 LE, the best height the announcer saw) ||
 * endpoint, so nodes relay it but cannot forge it. A node checks it
 * against the registry before it counts: the hotkey must hold a neuron of
 * that role on that subnet (else it is rejected and the relaying peer
 * scored down), and `at` must be recent (older than NM_ANNOUNCE_STALE
 * blocks: rejected; ahead of us: ignored, we may be behind). The book keeps
 * the last accepted announcement per (subnet, hotkey) for
 * neuron_announcements, from which validators and the aggregator discover
 * miners. Parsing, signing and the book are I/O-free; the check reads the
 * chain (node thread). */
#ifndef NM_P2P_ANNOUNCE_H
#define NM_P2P_ANNOUNCE_H

#include "node/chain.h"
#include "node/crypto.h"
#include "node/p2p/peerid.h"

#include <cjson/cJSON.h>
#include <stdint.h>

#define NM_ANNOUNCE_ENDPOINT_MAX 256
#define NM_ANNOUNCE_STALE 100 /* blocks */
#define NM_ANNOUNCE_BOOK 256
#define NM_ANNOUNCE_TOPIC_PREFIX "/neuromesh/1.0.0/subnet/"

struct nm_announcement {
    nm_hash genesis;
    uint16_t subnet;
    uint8_t role; /* as the registry's: nm_role_name */
    nm_account hotkey;
    char endpoint[NM_ANNOUNCE_ENDPOINT_MAX + 1];
    uint64_t at;
    uint8_t sig[NM_SIG_LEN];
};

/* "/neuromesh/1.0.0/subnet/3/miners" into out (at least 64 bytes). */
char *nm_announce_topic(uint16_t subnet, uint8_t role, char *out, size_t cap);
/* Signs a (genesis, subnet, role, endpoint and at filled in). */
void nm_announce_sign(struct nm_announcement *a, const struct nm_keypair *hotkey);
/* The JSON text (malloc'd) / object (new) of a signed announcement. */
char *nm_announce_to_json(const struct nm_announcement *a);
cJSON *nm_announce_to_object(const struct nm_announcement *a);
/* Reads one from JSON text or an object: NM_E_DECODE for a wrong shape,
 * NM_E_ADDRESS, NM_E_HEX, NM_E_BAD_ENDPOINT; the signature is not checked
 * here. */
int nm_announce_parse(const char *json, size_t len, struct nm_announcement *a);
int nm_announce_from_object(const cJSON *o, struct nm_announcement *a);
/* Checks it against a chain (its genesis, best height and database):
 * NM_E_WRONG_CHAIN, NM_E_BAD_SIGNATURE, NM_E_NOT_REGISTERED,
 * NM_E_ANNOUNCE_ROLE (registered in the other role), NM_E_ANNOUNCE_STALE
 * (too old), NM_E_ANNOUNCE_EARLY (ahead of our best); 0 with the neuron's
 * uid. */
int nm_announce_check(struct nm_db *db, const nm_hash *genesis, uint64_t best,
                      const struct nm_announcement *a, uint16_t *uid);

struct nm_announce_entry {
    bool used;
    struct nm_announcement a;
    uint16_t uid;
    uint64_t received_ms;
    struct nm_peer_id via; /* who gave it to us (ours: our own id) */
};
struct nm_announce_book {
    struct nm_announce_entry e[NM_ANNOUNCE_BOOK];
};
/* Keeps a checked announcement (the newer `at` wins per subnet and hotkey;
 * a full book forgets the oldest). */
void nm_announce_book_put(struct nm_announce_book *b, const struct nm_announcement *a,
                          uint16_t uid, uint64_t now_ms, const struct nm_peer_id *via);
/* [{subnet, uid, role, hotkey, endpoint, at, ageMs, via}] of subnet (or
 * every subnet when subnet < 0), by uid. */
cJSON *nm_announce_book_json(const struct nm_announce_book *b, int subnet, uint64_t now_ms);

/* Takes, from heard (neuron_announcements' answer), the announced endpoint
 * of each miner of neurons (neuron_list objects with hotkey and endpoint)
 * where it differs from the chain's or the chain has none: an announcement
 * is signed by the miner's hotkey and at most NM_ANNOUNCE_STALE blocks old,
 * so it is the miner's latest word (a miner that moved is found before it
 * pays for an endpoint update). How many endpoints changed. */
int nm_announce_fill_endpoints(cJSON *neurons, const cJSON *heard);

#endif
