/* miner_cmd.h - `neuromesh miner`: serves a model over gRPC for a subnet
 * (issue 12, seed NODE-002; docs/miner.md). */
#ifndef NM_MINER_CMD_H
#define NM_MINER_CMD_H

/* argv[0] is "miner". Runs until SIGINT/SIGTERM. Exit codes: 0 stopped
 * cleanly, 1 a start-up check failed (not registered, cannot bind, node
 * unreachable), 2 a usage error. */
int nm_miner_main(int argc, char **argv);

#endif
