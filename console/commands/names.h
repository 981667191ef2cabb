/* names.h - names for the accounts an operator knows, for tables: key-store
 * keys, the dev accounts (on a dev chain only) and the address book
 * (contacts.h). Tables show "bob" where they would show bob's address;
 * `--json` keeps addresses, and the dashboard shows the address again on
 * a key. Built once from files (no node), then pure lookups. */
#ifndef NM_NAMES_H
#define NM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct nm_names_entry;
struct nm_names {
    struct nm_names_entry *e;
    size_t n;
};

/* Fills names from home's key store and address book (home NULL: none)
 * and, when dev, the dev accounts alice..ferdie. A key wins over a dev
 * name, a dev name over a contact, for the same address. Starts from
 * {0}; NM_E_NOMEM (names stays usable, with what was read). */
int nm_names_load(struct nm_names *names, const char *home, bool dev);
void nm_names_fini(struct nm_names *names);
/* The name of SS58 address, or NULL. */
const char *nm_names_find(const struct nm_names *names, const char *address);
/* What a table shows for address: its name, else the address shortened
 * in the middle to width columns (width <= 0: the whole address). */
const char *nm_names_show(const struct nm_names *names, const char *address, int width,
                          bool utf8, char *buf, size_t cap);

#endif
