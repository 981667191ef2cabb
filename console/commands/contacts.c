/* contacts.c - the address book's commands, `contact add|list|remove`
 * (the book itself: client/contacts.h). */
#include "client/contacts.h"

#include "client/home.h"
#include "console/commands/cmd_api.h"
#include "node/errors.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the commands ---- */

static int with_book(struct nm_cmd_ctx *ctx, char *home, size_t cap, struct nm_contact_book **b)
{
    if (nm_home_dir(home, cap, 1) != 0)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_IO, "no home directory for the book");
    if (!(*b = malloc(sizeof **b)))
        return nm_cmd_oom(ctx);
    nm_contacts_load(home, *b);
    return 0;
}

static int h_add(struct nm_cmd_ctx *ctx)
{
    char home[4096], q[NM_CMD_QUOTE_CAP];
    const char *name = nm_cmd_arg(ctx, 0), *address = nm_cmd_arg(ctx, 1);
    nm_account acct;
    if (nm_keystore_check_name(name) != 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_KEY_NAME, "contact \"%s\": names are 1-32 "
                           "letters, digits, '-' or '_'", nm_cmd_quote(name, q));
    if (nm_ss58_decode(address, &acct) != 0)
        return nm_cmd_fail(ctx, NM_CMD_USAGE, NM_E_ADDRESS, "contact %s: \"%s\" is not an SS58 "
                           "address", name, nm_cmd_quote(address, q));
    /* A name that already means an account (a key, a dev account) would be
     * shadowed or shadow it: refuse it. */
    nm_account other;
    struct nm_contact_book *b;
    int rc = with_book(ctx, home, sizeof home, &b);
    if (rc)
        return rc;
    bool dev = false;
    for (int i = 0; nm_dev_names[i]; i++)
        dev |= strcmp(nm_dev_names[i], name) == 0;
    if (nm_keystore_address(home, name, &other) == 0 || dev ||
        nm_contacts_index(b, name) >= 0) {
        free(b);
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_KEY_EXISTS, "contact %s: the name is "
                           "taken (a key, a dev account or a contact)", name);
    }
    if (b->n == NM_CONTACTS_MAX) {
        free(b);
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_TOO_BIG, "the book is full (%d)",
                           NM_CONTACTS_MAX);
    }
    snprintf(b->name[b->n], sizeof b->name[0], "%s", name);
    nm_ss58_encode(&acct, b->addr[b->n]);
    b->n++;
    rc = nm_contacts_save(home, b);
    free(b);
    if (rc)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "cannot write %s/contacts.ini", home);
    struct nm_cmd_text t = {0};
    char addr[NM_SS58_STRLEN];
    nm_cmd_printf(&t, "contact %s = %s\n", name, nm_ss58_encode(&acct, addr));
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", name);
    cJSON_AddStringToObject(j, "address", addr);
    return nm_cmd_ok(ctx, j, &t);
}

static int h_remove(struct nm_cmd_ctx *ctx)
{
    char home[4096];
    const char *name = nm_cmd_arg(ctx, 0);
    struct nm_contact_book *b;
    int rc = with_book(ctx, home, sizeof home, &b);
    if (rc)
        return rc;
    int i = nm_contacts_index(b, name);
    if (i < 0) {
        free(b);
        return nm_cmd_fail(ctx, NM_CMD_FAILED, NM_E_UNKNOWN_ACCOUNT, "no contact %.40s", name);
    }
    memmove(b->name[i], b->name[i + 1], sizeof b->name[0] * (size_t)(b->n - i - 1));
    memmove(b->addr[i], b->addr[i + 1], sizeof b->addr[0] * (size_t)(b->n - i - 1));
    b->n--;
    rc = nm_contacts_save(home, b);
    free(b);
    if (rc)
        return nm_cmd_fail(ctx, NM_CMD_FAILED, rc, "cannot write %s/contacts.ini", home);
    struct nm_cmd_text t = {0};
    nm_cmd_printf(&t, "contact %s removed\n", name);
    return nm_cmd_ok(ctx, cJSON_CreateObject(), &t);
}

static int h_list(struct nm_cmd_ctx *ctx)
{
    char home[4096];
    struct nm_contact_book *b;
    int rc = with_book(ctx, home, sizeof home, &b);
    if (rc)
        return rc;
    struct nm_cmd_text t = {0};
    cJSON *j = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(j, "contacts");
    for (int i = 0; i < b->n; i++) {
        nm_cmd_printf(&t, "%-20s %s\n", b->name[i], b->addr[i]);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", b->name[i]);
        cJSON_AddStringToObject(o, "address", b->addr[i]);
        cJSON_AddItemToArray(list, o);
    }
    if (b->n == 0)
        nm_cmd_printf(&t, "no contacts yet (contact add NAME ADDRESS)\n");
    free(b);
    return nm_cmd_ok(ctx, j, &t);
}

static const struct nm_cmd_entry entries[] = {
    {.words = "contact add", .json = "name, address", .usage = "contact add NAME ADDRESS",
     .summary = "name an account in the address book (then usable wherever an ACCOUNT is)",
     .min_args = 2, .max_args = 2, .handler = h_add},
    {.words = "contact list", .usage = "contact list", .summary = "the address book",
     .json = "contacts (name, address)",
     .handler = h_list},
    {.words = "contact remove", .json = "name, address", .usage = "contact remove NAME",
     .summary = "drop a name from the address book", .min_args = 1, .max_args = 1,
     .handler = h_remove},
};

const struct nm_cmd_table nm_cmd_contacts_table = NM_CMD_TABLE(entries);
