/* completion.h - `neuromesh completion bash|zsh`: shell completion scripts
 * written from the command tables (the program's subcommands, the
 * commands of `neuromesh exec` with their second words and options, the
 * `key` commands), so they never drift from what the program accepts. */
#ifndef NM_COMPLETION_H
#define NM_COMPLETION_H

#include <stdio.h>

/* argv[0] is "completion", argv[1] the shell; subcommands is the
 * program's NULL-terminated list of subcommand names. Writes the script
 * to standard output; 2 with a message for a missing or unknown shell. */
int nm_completion_main(int argc, char **argv, const char *const *subcommands);
/* The script for shell ("bash" or "zsh") to out; -1 for another shell. */
int nm_completion_write(FILE *out, const char *shell, const char *const *subcommands);

#endif
