/* wal.h - the BFT write-ahead log of the current height: every proposal
 * and vote an authority signed or accepted at this height, as wire bytes,
 * so that after a crash it can replay them into a fresh machine (resumed
 * from the double-sign record, guard.h) and re-send its own. Without it a
 * restarted authority can stall a set that needs its vote (the simulator
 * shows this). Every record reaches the operating system before the
 * message is sent or counted, so a killed process loses nothing; the node
 * does not fsync it: safety rests on the double-sign record alone (one
 * fsync per signature, guard.h), and what a power loss takes from the log
 * costs at most a round (the others time out to the next). A torn last
 * record is dropped on open, a torn or missing header reads as an empty
 * log. */
#ifndef NM_BFT_WAL_H
#define NM_BFT_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum nm_bft_wal_kind { NM_BFT_WAL_PROPOSAL = 1, NM_BFT_WAL_VOTE = 2 };

#define NM_BFT_WAL_MAX_RECORD 1024

struct nm_bft_wal {
    char *path; /* owned */
    FILE *f;    /* open for appending */
    uint64_t height;
    uint32_t records;
};

/* Opens (or creates, at height 0) the log at path. NM_E_BFT_RECORD_DAMAGED
 * if the file is not a log; a torn tail is cut off. */
int nm_bft_wal_open(struct nm_bft_wal *w, const char *path);
void nm_bft_wal_close(struct nm_bft_wal *w);
/* Calls fn for each whole record in order (stops early if fn returns
 * non-zero, and returns that). */
int nm_bft_wal_replay(struct nm_bft_wal *w,
                      int (*fn)(void *ctx, uint8_t kind, const uint8_t *bytes, size_t len),
                      void *ctx);
/* Appends a record; with sync, it is on disk when this returns. */
int nm_bft_wal_append(struct nm_bft_wal *w, uint8_t kind, const uint8_t *bytes, size_t len,
                      bool sync);
/* Empties the log for a new height (in place: truncated, the new header
 * written; not synced, see above). */
int nm_bft_wal_start_height(struct nm_bft_wal *w, uint64_t height);

#endif
