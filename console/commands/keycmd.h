/* keycmd.h - `neuromesh key new|list|show|import|export|remove`: managing the
 * password-encrypted keys of the keystore (node/keystore.h) from a shell.
 * The subcommands are rows of the command table (words "key new" ...,
 * nm_cmd_key_table in cmd_api.h) with a shell handler, so help, `neuromesh
 * exec help` and docs/commands.md list them with the others. */
#ifndef NM_KEYCMD_H
#define NM_KEYCMD_H

/* Runs `neuromesh key ...`; argv[0] is "key". Output goes to stdout,
 * errors to stderr as one line "error: ...". Returns the process exit
 * code: 0 success, 1 runtime error (exists, not found, wrong password,
 * I/O), 2 usage error (unknown command or option, missing or malformed
 * argument such as a bad key name or seed). Nothing is written to the
 * keystore when it fails. */
int nm_key_main(int argc, char **argv);

#endif
