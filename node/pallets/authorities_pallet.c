/* authorities_pallet.c - the BFT authorities pallet as data: its table and
 * its call's codec and JSON view (see pallet.h, authorities.h). */
#include "node/pallets/authorities.h"

#include "node/codec.h"

#include <stdlib.h>

static const char *const schema[] = {
    "CREATE TABLE bft_authorities(idx INTEGER PRIMARY KEY,"
    " account BLOB NOT NULL, power INTEGER NOT NULL)",
    NULL,
};

static void report_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_raw(w, c->u.bft_report.evidence, NM_BFT_EVIDENCE_LEN);
}

static int report_decode(struct nm_reader *r, struct nm_call *c)
{
    nm_get_raw(r, c->u.bft_report.evidence, NM_BFT_EVIDENCE_LEN);
    return 0;
}

static void report_json(const struct nm_call *c, cJSON *args)
{
    char hex[2 * NM_BFT_EVIDENCE_LEN + 3];
    cJSON_AddStringToObject(args, "evidence",
                            nm_hex_encode(c->u.bft_report.evidence, NM_BFT_EVIDENCE_LEN, hex,
                                          sizeof hex));
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_BFT_REPORT,
     .name = "authorities.report",
     .weight = 300, /* two vote signatures checked, a slash */
     .encode = report_encode,
     .decode = report_decode,
     .to_json = report_json,
     .apply = nm_authorities_report},
};

static const char *const events[] = {"authorities.Offence", "authorities.SetChanged", NULL};

const struct nm_pallet nm_pallet_authorities = {
    .name = "authorities",
    .index = 0x0b,
    .schema = schema,
    .events = events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .genesis = nm_authorities_genesis,
    .fold = nm_authorities_fold,
};
