/* authorities_calls.h - the BFT authorities pallet's calls as node/call.h
 * sees them: kinds (pallet byte 0x0b, issue 11) and arguments. */
#ifndef NM_AUTHORITIES_CALLS_H
#define NM_AUTHORITIES_CALLS_H

#include "node/bft/evidence.h"

#include <stdint.h>

#define NM_AUTHORITIES_CALL_KINDS NM_CALL_BFT_REPORT = 0x0b00,

/* report: equivocation evidence, two conflicting wire votes (evidence.h) */
#define NM_AUTHORITIES_CALL_ARGS struct { uint8_t evidence[NM_BFT_EVIDENCE_LEN]; } bft_report;

#endif
