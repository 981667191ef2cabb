/* contacts.h - the operator's address book, $NEUROMESH_HOME/contacts.ini
 * (one `NAME = ADDRESS` a line, read with libinih): names for accounts
 * that are neither keys nor dev accounts, usable wherever an ACCOUNT is
 * (`transfer exchange 5`). `contact add|list|remove` keep it. */
#ifndef NM_CONTACTS_H
#define NM_CONTACTS_H

#include "node/crypto.h"

#include <stddef.h>

/* The address of contact name in home's book: 0, NM_E_UNKNOWN_ACCOUNT
 * when there is none (or no book). */
int nm_contacts_find(const char *home, const char *name, nm_account *out);

/* Calls fn for each contact in home's book, in file order (none when
 * there is no book). NM_E_NOMEM. */
typedef void (*nm_contact_fn)(void *ud, const char *name, const char *address);
int nm_contacts_each(const char *home, nm_contact_fn fn, void *ud);

#endif
