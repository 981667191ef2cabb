/* contacts.c - the operator's address book (see contacts.h): the file is
 * read with libinih and rewritten whole (0600) on each change. */
#include "client/contacts.h"

#include "node/errors.h"
#include "node/ss58.h"

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int on_line(void *user, const char *section, const char *name, const char *value)
{
    struct nm_contact_book *b = user;
    (void)section;
    if (b->n == NM_CONTACTS_MAX || strlen(name) > NM_KEY_NAME_MAX || strlen(value) >= NM_SS58_STRLEN)
        return 1; /* skipped, not fatal: the rest of the book still works */
    memcpy(b->name[b->n], name, strlen(name) + 1);
    memcpy(b->addr[b->n], value, strlen(value) + 1);
    b->n++;
    return 1;
}

static void book_path(const char *home, char *out, size_t cap)
{
    snprintf(out, cap, "%s/contacts.ini", home);
}

void nm_contacts_load(const char *home, struct nm_contact_book *b)
{
    char path[4200];
    book_path(home, path, sizeof path);
    b->n = 0;
    ini_parse(path, on_line, b); /* a missing file is an empty book */
}

int nm_contacts_index(const struct nm_contact_book *b, const char *name)
{
    for (int i = 0; i < b->n; i++)
        if (strcmp(b->name[i], name) == 0)
            return i;
    return -1;
}

int nm_contacts_find(const char *home, const char *name, nm_account *out)
{
    struct nm_contact_book *b = malloc(sizeof *b);
    int rc = NM_E_UNKNOWN_ACCOUNT;
    if (!b)
        return NM_E_NOMEM;
    nm_contacts_load(home, b);
    int i = nm_contacts_index(b, name);
    if (i >= 0 && nm_ss58_decode(b->addr[i], out) == 0)
        rc = 0;
    free(b);
    return rc;
}

int nm_contacts_save(const char *home, const struct nm_contact_book *b)
{
    char path[4200], tmp[4300];
    book_path(home, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return NM_E_IO;
    chmod(tmp, 0600);
    fputs("; the operator's address book (neuromesh contact add|remove)\n", f);
    for (int i = 0; i < b->n; i++)
        fprintf(f, "%s = %s\n", b->name[i], b->addr[i]);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        remove(tmp);
        return NM_E_IO;
    }
    return 0;
}

int nm_contacts_each(const char *home, nm_contact_fn fn, void *ud)
{
    struct nm_contact_book *b = malloc(sizeof *b);
    if (!b)
        return NM_E_NOMEM;
    nm_contacts_load(home, b);
    for (int i = 0; i < b->n; i++)
        fn(ud, b->name[i], b->addr[i]);
    free(b);
    return 0;
}
