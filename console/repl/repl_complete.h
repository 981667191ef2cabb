/* repl_complete.h - Tab completion for the console's command line, from the
 * command table (console/commands/commands.h), the console's own commands
 * included: command words, the second word of two-word commands,
 * options (each command's and the common ones), and values: account
 * names (dev accounts, keystore keys) where a command takes an account or
 * --as, subnet ids where it takes a subnet, theme and screen names, sort
 * columns, watch kinds. Pure: the caller passes the lists it knows. */
#ifndef NM_REPL_COMPLETE_H
#define NM_REPL_COMPLETE_H

#include <stddef.h>

struct nm_complete_src {
    const char *const *accounts; /* NULL-terminated, or NULL */
    const char *const *subnets;  /* ids as text */
    const char *const *themes;
    const char *const *columns; /* the current screen's sort columns */
    unsigned mode;              /* NM_CMD_IN_TUI, NM_CMD_IN_PLAIN ... (commands.h) */
};

/* Completes the word that ends at byte offset point of line. *start is
 * where that word begins. *matches is a sorted, duplicate-free malloc'd
 * array of malloc'd strings (free with nm_complete_free). Returns how
 * many (0: none), or -1 when out of memory. */
int nm_complete(const char *line, size_t point, const struct nm_complete_src *src, char ***matches,
                size_t *start);
void nm_complete_free(char **matches, int n);

/* The longest common prefix of matches, malloc'd ("" when none). */
char *nm_complete_common_prefix(char *const *matches, int n);

#endif
