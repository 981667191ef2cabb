/* names.c - names for known accounts (see names.h): a small list,
 * searched linearly (an operator knows tens of accounts, not thousands). */
#include "console/commands/names.h"

#include "client/contacts.h"
#include "client/numfmt.h"
#include "node/crypto.h"
#include "node/errors.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nm_names_entry {
    char name[NM_KEY_NAME_MAX + 1];
    char address[NM_SS58_STRLEN];
};

struct loader {
    struct nm_names *names;
    int err;
};

static void add(void *ud, const char *name, const char *address)
{
    struct loader *l = ud;
    struct nm_names *n = l->names;
    if (l->err || strlen(name) > NM_KEY_NAME_MAX || strlen(address) >= NM_SS58_STRLEN ||
        nm_names_find(n, address))
        return; /* the first name of an address stays */
    struct nm_names_entry *grown = realloc(n->e, (n->n + 1) * sizeof *grown);
    if (!grown) {
        l->err = NM_E_NOMEM;
        return;
    }
    n->e = grown;
    snprintf(grown[n->n].name, sizeof grown[n->n].name, "%s", name);
    snprintf(grown[n->n].address, sizeof grown[n->n].address, "%s", address);
    n->n++;
}

static void add_account(struct loader *l, const char *name, const nm_account *acct)
{
    char address[NM_SS58_STRLEN];
    add(l, name, nm_ss58_encode(acct, address));
}

int nm_names_load(struct nm_names *names, const char *home, bool dev)
{
    struct loader l = {.names = names};
    struct nm_key_entry *keys = NULL;
    size_t count = 0;
    if (home && nm_keystore_list(home, &keys, &count) == 0)
        for (size_t i = 0; i < count; i++)
            add_account(&l, keys[i].name, &keys[i].pub);
    free(keys);
    for (int i = 0; dev && nm_dev_names[i]; i++) {
        struct nm_keypair kp;
        if (nm_keypair_dev(nm_dev_names[i], &kp) == 0)
            add_account(&l, nm_dev_names[i], &kp.pub);
    }
    if (home && !l.err)
        l.err = nm_contacts_each(home, add, &l);
    return l.err;
}

void nm_names_fini(struct nm_names *names)
{
    free(names->e);
    names->e = NULL;
    names->n = 0;
}

const char *nm_names_find(const struct nm_names *names, const char *address)
{
    for (size_t i = 0; names && address && i < names->n; i++)
        if (strcmp(names->e[i].address, address) == 0)
            return names->e[i].name;
    return NULL;
}

const char *nm_names_show(const struct nm_names *names, const char *address, int width,
                          bool utf8, char *buf, size_t cap)
{
    const char *name = nm_names_find(names, address);
    if (name)
        snprintf(buf, cap, "%s", name);
    else if (width > 0)
        nm_fmt_address(address ? address : "", width, utf8, buf, cap);
    else
        snprintf(buf, cap, "%s", address ? address : "");
    return buf;
}
