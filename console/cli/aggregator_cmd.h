/* aggregator_cmd.h - `neuromesh aggregator` and `neuromesh aggregator key`
 * (issue 13, seed API-001..003; docs/aggregator.md): the entry point reads
 * the options, the server itself is api/ (api/aggregator.h). */
#ifndef NM_AGGREGATOR_CMD_H
#define NM_AGGREGATOR_CMD_H

/* argv[0] is "aggregator"; also `aggregator key new|list|revoke`. Exit
 * codes: 0 stopped cleanly, 1 a start-up failure, 2 a usage error. */
int nm_aggregator_main(int argc, char **argv);

#endif
