/* contacts.h - the operator's address book, $NEUROMESH_HOME/contacts.ini
 * (one `NAME = ADDRESS` a line, read with libinih): names for accounts
 * that are neither keys nor dev accounts, usable wherever an ACCOUNT is
 * (`transfer exchange 5`). The console's `contact add|list|remove`
 * (console/commands/contacts.c) keep it. */
#ifndef NM_CONTACTS_H
#define NM_CONTACTS_H

#include "node/crypto.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <stddef.h>

#define NM_CONTACTS_MAX 1000

/* The whole book in memory (large: allocate it). */
struct nm_contact_book {
    char name[NM_CONTACTS_MAX][NM_KEY_NAME_MAX + 1];
    char addr[NM_CONTACTS_MAX][NM_SS58_STRLEN];
    int n;
};

/* Reads home's book into b (a missing or unreadable file: an empty book;
 * lines too long or past NM_CONTACTS_MAX are skipped). */
void nm_contacts_load(const char *home, struct nm_contact_book *b);
/* The index of name in b, or -1. */
int nm_contacts_index(const struct nm_contact_book *b, const char *name);
/* Rewrites home's book with b (0600, atomically); 0 or NM_E_IO. */
int nm_contacts_save(const char *home, const struct nm_contact_book *b);

/* The address of contact name in home's book: 0, NM_E_UNKNOWN_ACCOUNT
 * when there is none (or no book). */
int nm_contacts_find(const char *home, const char *name, nm_account *out);

/* Calls fn for each contact in home's book, in file order (none when
 * there is no book). NM_E_NOMEM. */
typedef void (*nm_contact_fn)(void *ud, const char *name, const char *address);
int nm_contacts_each(const char *home, nm_contact_fn fn, void *ud);

#endif
