/* cmd_ctx.h - the layout of struct nm_cmd_ctx, private to the dispatcher
 * (commands.c, which fills it) and cmd_api.c (which reads it for the
 * modules). Command modules use the accessors of cmd_api.h instead. */
#ifndef NM_CMD_CTX_H
#define NM_CMD_CTX_H

#include "console/commands/commands.h"
#include "console/commands/names.h"
#include "node/call.h"

struct nm_cmd_opt_value {
    const struct nm_cmd_option *opt;
    const char *value; /* NULL for a flag */
};

struct nm_cmd_ctx {
    const struct nm_cmd_entry *entry;
    struct nm_session *session;
    const char *args[NM_CMD_MAX_ARGS];
    int nargs;
    struct nm_cmd_opt_value opts[NM_CMD_MAX_OPTS];
    int nopts;
    const char *as;      /* --as NAME of this line, else NULL */
    struct nm_call call; /* signing commands: what build made */
    struct nm_cmd_result *res;
    char msg[NM_CMD_MSG_MAX - 64]; /* error message, before the command prefix */
    struct nm_names names;         /* loaded on first nm_cmd_account_text */
    bool names_loaded;
};

#endif
