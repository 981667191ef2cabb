/* validator_cmd.h - `neuromesh validator` (issue 12, seed NODE-003). */
#ifndef NM_VALIDATOR_CMD_H
#define NM_VALIDATOR_CMD_H

/* argv[0] is "validator". Runs rounds until SIGINT/SIGTERM (or --rounds).
 * Exit codes: 0 stopped cleanly, 1 a start-up check failed, 2 usage. */
int nm_validator_main(int argc, char **argv);

#endif
