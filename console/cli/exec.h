/* exec.h - `neuromesh exec`: runs console commands (console/commands/commands.h)
 * from the command line, a script file or standard input against a node,
 * for shell scripts and one-liners. */
#ifndef NM_EXEC_H
#define NM_EXEC_H

/* Runs `neuromesh exec [OPTIONS] 'COMMAND' ...`; argv[0] is "exec".
 * Without command arguments the commands come from --file SCRIPT, or from
 * standard input when it is not a terminal: one per line, blank lines and
 * '#' comments skipped. Results go to stdout (text, or one JSON object per
 * command with --json), errors to stderr as one line "error: ...".
 * Stops at the first failing command unless --keep-going. Returns the
 * exit code: 0 all succeeded, 1 a command failed, 2 a usage error (bad
 * exec option, unknown command or option, malformed argument). */
int nm_exec_main(int argc, char **argv);

#endif
