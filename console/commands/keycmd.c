/* keycmd.c - the `neuromesh key` commands: one row per subcommand in the
 * command table (words "key new" ..., run from the shell through the row's
 * shell handler), one argument parser over the rows' options and one place
 * that turns errors into messages. */
#include "console/commands/keycmd.h"

#include "console/cli/cli.h"
#include "console/commands/cmd_api.h"
#include "client/home.h"
#include "client/password.h"
#include "console/commands/keymnemonic.h"
#include "node/crypto.h"
#include "node/errors.h"
#include "node/keystore.h"
#include "node/ss58.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

#define KEY_OPTIONS_MAX 8

/* What the command line said, after parsing: per option of the row (same
 * index as cmd->options), its value or whether the flag was given. */
struct key_args {
    const struct nm_cmd_entry *cmd;
    const char *name; /* the NAME operand, when the command takes one */
    const char *value[KEY_OPTIONS_MAX];
    bool flag[KEY_OPTIONS_MAX];
    bool help;
};

/* A new key's password is at least this long (--insecure-password: any). */
#define KEY_PASSWORD_MIN 8

/* The value of option name ("--seed"), or NULL when not given. */
static const char *key_opt(const struct key_args *args, const char *name)
{
    for (int i = 0; i < KEY_OPTIONS_MAX && args->cmd->options[i].name; i++)
        if (strcmp(args->cmd->options[i].name, name) == 0)
            return args->flag[i] ? "" : args->value[i];
    return NULL;
}

/* What follows "neuromesh key ": the command word ("new") of a row. */
static const char *sub_name(const struct nm_cmd_entry *cmd)
{
    return cmd->words + 4;
}

/* ---- messages ---------------------------------------------------------- */

/* A bounded, printable copy of user input, so a message stays one line. */
static const char *shown(const char *text, char *buf, size_t cap)
{
    size_t n = 0;
    for (; text[n] && n + 4 < cap && n < 40; n++) {
        unsigned char c = (unsigned char)text[n];
        buf[n] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (text[n] && n + 4 <= cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

static int usage_error(const struct nm_cmd_entry *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "error: key new: <what>; usage: neuromesh key new NAME ...", exit 2. */
static int usage_error(const struct nm_cmd_entry *cmd, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "error: key %s: %s; usage: neuromesh %s\n", sub_name(cmd), what,
                cmd->usage);
    else
        fprintf(stderr, "error: key: %s; see neuromesh key --help\n", what);
    return EXIT_USAGE;
}

/* "error: key "NAME": <nm_strerror or detail>", exit 1 (2 for a bad name). */
static int key_error(const char *name, int rc, const char *detail)
{
    char buf[64];
    const char *why = detail && *detail ? detail : nm_strerror(rc);
    if (rc == NM_E_IO && (!detail || !*detail) && errno != 0)
        why = strerror(errno);
    fprintf(stderr, "error: key \"%s\": %s\n", shown(name, buf, sizeof buf), why);
    return rc == NM_E_KEY_NAME ? EXIT_USAGE : EXIT_RUNTIME;
}

static int home_error(int rc)
{
    if (rc == NM_E_IO && errno != 0)
        fprintf(stderr, "error: home directory: %s\n", strerror(errno));
    else
        fprintf(stderr, "error: home directory: %s (set NEUROMESH_HOME or HOME)\n",
                nm_strerror(rc));
    return EXIT_RUNTIME;
}

/* ---- shared steps ------------------------------------------------------ */

static int get_home(char *home, size_t cap, int create)
{
    errno = 0;
    int rc = nm_home_dir(home, cap, create);
    return rc < 0 ? home_error(rc) : EXIT_OK;
}

/* Looks the key up before asking for a password, so nobody types one for
 * nothing. want_present: the key must exist (export), else must not (new). */
static int check_presence(const char *home, const char *name, bool want_present,
                          nm_account *pub)
{
    nm_account unused;
    errno = 0;
    int rc = nm_keystore_address(home, name, pub ? pub : &unused);
    bool present = rc == 0 || rc == NM_E_BAD_PASSWORD; /* a damaged file is still there */
    if (want_present) {
        if (rc == NM_E_BAD_PASSWORD)
            return key_error(name, rc, "damaged key file: cannot read it");
        return rc < 0 ? key_error(name, rc, NULL) : EXIT_OK;
    }
    if (present)
        return key_error(name, NM_E_KEY_EXISTS, NULL);
    if (rc != NM_E_KEY_NOT_FOUND)
        return key_error(name, rc, NULL);
    return EXIT_OK;
}

static int ask_password(const struct key_args *args, const char *verb, bool confirm,
                        char *out, size_t cap)
{
    char prompt[128], buf[64];
    snprintf(prompt, sizeof prompt, "Password for %skey \"%s\": ", verb,
             shown(args->name, buf, sizeof buf));
    int rc = nm_password_get(prompt, key_opt(args, "--password-file"), confirm, out, cap);
    return rc < 0 ? key_error(args->name, rc, nm_password_strerror()) : EXIT_OK;
}

static void print_address(const nm_account *pub)
{
    char addr[NM_SS58_STRLEN];
    printf("%s\n", nm_ss58_encode(pub, addr));
}

/* Prints obj on one line and frees it. */
static int print_json(cJSON *obj)
{
    char *text = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!text) {
        fprintf(stderr, "error: json output: %s\n", nm_strerror(NM_E_NOMEM));
        return EXIT_RUNTIME;
    }
    printf("%s\n", text);
    free(text);
    return EXIT_OK;
}

/* First line of a seed file ("-" = standard input), trimmed, as 32 bytes. */
static int read_seed_file(const char *path, const char *name, uint8_t seed[NM_SEED_LEN])
{
    char text[256], shown_path[64], detail[160];
    int rc = EXIT_RUNTIME;
    bool stdin_file = strcmp(path, "-") == 0;
    int fd = stdin_file ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    shown(path, shown_path, sizeof shown_path);
    if (fd < 0) {
        snprintf(detail, sizeof detail, "seed file \"%s\": %s", shown_path, strerror(errno));
        return key_error(name, NM_E_IO, detail);
    }
    if (nm_key_read_line(fd, text, sizeof text) != 0) {
        snprintf(detail, sizeof detail, "seed file \"%s\": %s", shown_path, strerror(errno));
        rc = key_error(name, NM_E_IO, detail);
        goto out;
    }
    const char *start = text;
    if (nm_hex_decode(start, seed, NM_SEED_LEN, NM_SEED_LEN, NULL) != 0) {
        snprintf(detail, sizeof detail,
                 "seed file \"%s\": first line is not a 32-byte seed (64 hex digits)",
                 shown_path);
        rc = key_error(name, NM_E_HEX, detail);
        goto out;
    }
    rc = EXIT_OK;
out:
    sodium_memzero(text, sizeof text);
    if (!stdin_file)
        close(fd);
    return rc;
}

/* ---- the commands ------------------------------------------------------ */

static int create_key(const struct key_args *args, const uint8_t *seed)
{
    char home[PATH_MAX];
    char password[NM_PASSWORD_MAX];
    nm_account pub;
    int rc = get_home(home, sizeof home, 1);
    if (rc != EXIT_OK)
        return rc;
    rc = check_presence(home, args->name, false, NULL);
    if (rc != EXIT_OK)
        return rc;
    rc = ask_password(args, "new ", true, password, sizeof password);
    if (rc != EXIT_OK)
        goto out;
    if (strlen(password) < KEY_PASSWORD_MIN && !key_opt(args, "--insecure-password")) {
        char buf[64];
        fprintf(stderr,
                "error: key \"%s\": password too short: at least %d characters protect a "
                "key (--insecure-password allows a shorter one, for tests)\n",
                shown(args->name, buf, sizeof buf), KEY_PASSWORD_MIN);
        rc = EXIT_RUNTIME;
        goto out;
    }
    errno = 0;
    int err = nm_keystore_create(home, args->name, password, seed, &pub);
    if (err < 0) {
        rc = key_error(args->name, err, NULL);
        goto out;
    }
    print_address(&pub);
out:
    sodium_memzero(password, sizeof password);
    return rc;
}

static int cmd_new(const struct nm_cmd_entry *cmd, const struct key_args *args)
{
    const char *words = key_opt(args, "--words");
    char phrase[NM_MNEMONIC_MAX], err[320];
    uint8_t seed[NM_SEED_LEN];
    if (words && strcmp(words, "12") != 0 && strcmp(words, "24") != 0)
        return usage_error(cmd, "--words: 12 or 24");
    int err_code = nm_key_mnemonic_new(words ? atoi(words) : 12, phrase, seed, err, sizeof err);
    if (err_code)
        return key_error(args->name, err_code, err);
    int rc = create_key(args, seed);
    if (rc == EXIT_OK)
        /* Once, on standard error: standard output stays the address. */
        fprintf(stderr,
                "mnemonic (shown once; write it down, keep it offline: these words are the "
                "key, also in polkadot.js and subkey --scheme ed25519):\n\n  %s\n\n",
                phrase);
    sodium_memzero(phrase, sizeof phrase);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

static int cmd_import(const struct nm_cmd_entry *cmd, const struct key_args *args)
{
    uint8_t seed[NM_SEED_LEN];
    int rc;
    const char *seed_hex = key_opt(args, "--seed"), *seed_file = key_opt(args, "--seed-file");
    const char *words = key_opt(args, "--mnemonic"), *words_file = key_opt(args, "--mnemonic-file");
    if (!!seed_hex + !!seed_file + !!words + !!words_file != 1)
        return usage_error(cmd, "give exactly one of --seed HEX, --seed-file F, --mnemonic and "
                                "--mnemonic-file F");
    if (words || words_file) {
        char err[320];
        int err_code = nm_key_mnemonic_read(words_file, seed, err, sizeof err);
        if (err_code) {
            sodium_memzero(seed, sizeof seed);
            return err_code == NM_E_USAGE ? usage_error(cmd, err)
                                          : key_error(args->name, err_code, err);
        }
    } else if (seed_hex) {
        if (nm_hex_decode(seed_hex, seed, sizeof seed, sizeof seed, NULL) != 0) {
            sodium_memzero(seed, sizeof seed);
            return usage_error(cmd, "--seed: expected a 32-byte seed as 64 hex digits");
        }
    } else {
        rc = read_seed_file(seed_file, args->name, seed);
        if (rc != EXIT_OK)
            return rc;
    }
    rc = create_key(args, seed);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

static int cmd_export(const struct nm_cmd_entry *cmd, const struct key_args *args)
{
    char home[PATH_MAX], password[NM_PASSWORD_MAX], buf[64];
    char hex[2 * NM_SEED_LEN + 3];
    struct nm_keypair kp;
    (void)cmd;
    memset(&kp, 0, sizeof kp);
    int rc = get_home(home, sizeof home, 0);
    if (rc != EXIT_OK)
        return rc;
    rc = check_presence(home, args->name, true, NULL);
    if (rc != EXIT_OK)
        return rc;
    rc = ask_password(args, "", false, password, sizeof password);
    if (rc != EXIT_OK)
        goto out;
    errno = 0;
    int err = nm_keystore_load(home, args->name, password, &kp);
    if (err < 0) {
        rc = key_error(args->name, err, NULL);
        goto out;
    }
    /* libsodium's secret key is seed || public key */
    nm_hex_encode(kp.secret, NM_SEED_LEN, hex, sizeof hex);
    fprintf(stderr,
            "warning: below is the secret seed of key \"%s\": anyone who sees it controls "
            "the account\n",
            shown(args->name, buf, sizeof buf));
    printf("%s\n", hex);
out:
    sodium_memzero(hex, sizeof hex);
    sodium_memzero(&kp, sizeof kp);
    sodium_memzero(password, sizeof password);
    return rc;
}

static int cmd_list(const struct nm_cmd_entry *cmd, const struct key_args *args)
{
    char home[PATH_MAX], addr[NM_SS58_STRLEN];
    struct nm_key_entry *keys = NULL;
    size_t count = 0, width = 4;
    cJSON *root = NULL, *array = NULL;
    (void)cmd;
    int rc = get_home(home, sizeof home, 0);
    if (rc != EXIT_OK)
        return rc;
    errno = 0;
    int err = nm_keystore_names(home, &keys, &count);
    if (err < 0) {
        if (err == NM_E_IO && errno != 0)
            fprintf(stderr, "error: listing keys in %s/keys: %s\n", home, strerror(errno));
        else
            fprintf(stderr, "error: listing keys in %s/keys: %s\n", home, nm_strerror(err));
        return EXIT_RUNTIME;
    }
    /* Damaged files are reported, not hidden; the rest still list. */
    bool *bad = calloc(count ? count : 1, sizeof *bad);
    if (!bad) {
        fprintf(stderr, "error: listing keys: %s\n", nm_strerror(NM_E_NOMEM));
        rc = EXIT_RUNTIME;
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        errno = 0;
        err = nm_keystore_address(home, keys[i].name, &keys[i].pub);
        if (err < 0) {
            bad[i] = true;
            rc = key_error(keys[i].name, err,
                           err == NM_E_BAD_PASSWORD ? "damaged key file: cannot read it" : NULL);
        } else if (strlen(keys[i].name) > width) {
            width = strlen(keys[i].name);
        }
    }
    if (key_opt(args, "--json")) {
        root = cJSON_CreateObject();
        array = root ? cJSON_AddArrayToObject(root, "keys") : NULL;
        for (size_t i = 0; array && i < count; i++) {
            if (bad[i])
                continue;
            cJSON *item = cJSON_CreateObject();
            if (!item || !cJSON_AddItemToArray(array, item) ||
                !cJSON_AddStringToObject(item, "name", keys[i].name) ||
                !cJSON_AddStringToObject(item, "address", nm_ss58_encode(&keys[i].pub, addr)))
                array = NULL;
        }
        if (!array) {
            cJSON_Delete(root);
            root = NULL;
        }
        int jrc = print_json(root);
        if (jrc != EXIT_OK)
            rc = jrc;
    } else {
        for (size_t i = 0; i < count; i++)
            if (!bad[i])
                printf("%-*s  %s\n", (int)width, keys[i].name,
                       nm_ss58_encode(&keys[i].pub, addr));
        if (count == 0 && isatty(STDOUT_FILENO))
            fprintf(stderr, "no keys in %s/keys (create one: neuromesh key new NAME)\n", home);
    }
out:
    free(bad);
    free(keys);
    return rc;
}

static int cmd_show(const struct nm_cmd_entry *cmd, const struct key_args *args)
{
    char home[PATH_MAX], addr[NM_SS58_STRLEN], hex[2 * NM_PUBKEY_LEN + 3];
    nm_account pub;
    (void)cmd;
    int rc = get_home(home, sizeof home, 0);
    if (rc != EXIT_OK)
        return rc;
    rc = check_presence(home, args->name, true, &pub);
    if (rc != EXIT_OK)
        return rc;
    nm_ss58_encode(&pub, addr);
    nm_hex_encode(pub.b, NM_PUBKEY_LEN, hex, sizeof hex);
    if (!key_opt(args, "--json")) {
        printf("name:       %s\naddress:    %s\npublic key: %s\n", args->name, addr, hex);
        return EXIT_OK;
    }
    cJSON *obj = cJSON_CreateObject();
    if (obj && (!cJSON_AddStringToObject(obj, "name", args->name) ||
                !cJSON_AddStringToObject(obj, "address", addr) ||
                !cJSON_AddStringToObject(obj, "public_key", hex))) {
        cJSON_Delete(obj);
        obj = NULL;
    }
    return print_json(obj);
}

/* Asks "Remove ...? [y/N]" on the terminal. 1 yes, 0 no, -1 no terminal. */
static int confirm_on_tty(const char *question)
{
    char answer[16];
    size_t len = 0;
    FILE *tty = fopen("/dev/tty", "r+e");
    if (!tty)
        return -1;
    fputs(question, tty);
    fflush(tty);
    int c;
    while ((c = fgetc(tty)) != EOF && c != '\n')
        if (len + 1 < sizeof answer)
            answer[len++] = (char)c;
    answer[len] = '\0';
    fclose(tty);
    return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

static int cmd_remove(const struct nm_cmd_entry *cmd, const struct key_args *args)
{
    char home[PATH_MAX], addr[NM_SS58_STRLEN] = "damaged key file", question[256];
    char buf[64];
    nm_account pub;
    (void)cmd;
    int rc = get_home(home, sizeof home, 0);
    if (rc != EXIT_OK)
        return rc;
    errno = 0;
    int err = nm_keystore_address(home, args->name, &pub);
    if (err == 0)
        nm_ss58_encode(&pub, addr);
    else if (err != NM_E_BAD_PASSWORD) /* a damaged file may still be removed */
        return key_error(args->name, err, NULL);
    if (!key_opt(args, "--yes")) {
        snprintf(question, sizeof question, "Remove key \"%s\" (%s) for good? [y/N] ",
                 shown(args->name, buf, sizeof buf), addr);
        int answer = confirm_on_tty(question);
        if (answer < 0)
            return key_error(args->name, NM_E_USAGE,
                             "not removed: no terminal to confirm on (add --yes)");
        if (answer == 0)
            return key_error(args->name, NM_E_USAGE, "not removed: not confirmed");
    }
    errno = 0;
    err = nm_keystore_remove(home, args->name);
    if (err < 0)
        return key_error(args->name, err, NULL);
    printf("removed key \"%s\" (%s)\n", args->name, addr);
    return EXIT_OK;
}

/* ---- help and parsing -------------------------------------------------- */

#define HELP_COLUMN 32

static bool is_key_row(const struct nm_cmd_entry *e)
{
    return e->shell && strncmp(e->words, "key ", 4) == 0;
}

static const struct nm_cmd_entry *find_command(const char *name)
{
    const struct nm_cmd_entry *e;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++)
        if (is_key_row(e) && strcmp(sub_name(e), name) == 0)
            return e;
    return NULL;
}

static const struct nm_cmd_option *find_option(const struct nm_cmd_entry *cmd, const char *arg,
                                               size_t len)
{
    for (const struct nm_cmd_option *o = cmd->options; o && o->name; o++)
        if ((strlen(o->name) == len && strncmp(arg, o->name, len) == 0) ||
            (o->alias && strcmp(arg, o->alias) == 0))
            return o;
    return NULL;
}

static void print_help(FILE *out)
{
    fputs("usage: neuromesh key COMMAND [ARGS]\n\ncommands:\n", out);
    const struct nm_cmd_entry *e;
    for (size_t i = 0; (e = nm_cmd_entry_at(i)); i++) {
        if (!is_key_row(e))
            continue;
        const char *usage = e->usage + 4; /* after "key " */
        if (strlen(usage) > HELP_COLUMN)
            fprintf(out, "  %s\n  %-*s %s\n", usage, HELP_COLUMN, "", e->summary);
        else
            fprintf(out, "  %-*s %s\n", HELP_COLUMN, usage, e->summary);
    }
    fprintf(out, "  %-*s %s\n", HELP_COLUMN, "help [COMMAND]", "this text, or one command's");
    fputs("\n"
          "Keys live in $NEUROMESH_HOME/keys (default ~/.neuromesh/keys), one file each,\n"
          "the seed encrypted with a password (Argon2id + XSalsa20-Poly1305). Names are\n"
          "1-32 letters, digits, '-' or '_'. The password is the first line of\n"
          "--password-file F, else $NEUROMESH_PASSWORD, else asked on the terminal.\n"
          "--seed HEX shows the seed to other users (ps, shell history): prefer\n"
          "--seed-file F (\"-\" reads standard input). --json prints one JSON object.\n"
          "Exit status: 0 ok, 1 failed (exists, not found, wrong password...),\n"
          "2 usage error.\n",
          out);
}

static void print_command_help(const struct nm_cmd_entry *cmd)
{
    printf("usage: neuromesh %s\n\n%s.\n", cmd->usage, cmd->summary);
    if (find_option(cmd, "--password-file", 15))
        printf("The password is the first line of --password-file F, else "
               "$NEUROMESH_PASSWORD,\nelse asked on the terminal.\n");
    if (find_option(cmd, "--seed", 6))
        printf("The seed is 64 hex digits (0x optional); --seed-file F reads it from the\n"
               "first line of F (\"-\" for standard input) and keeps it out of ps.\n");
}

static bool is_help_flag(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static int cli_usage_error(void *ud, const char *what)
{
    return usage_error(ud, "%s", what);
}

/* Parses argv[0..argc-1] against cmd's options with the one option parser
 * (console/cli/cli.h), its errors in key's words. Returns EXIT_OK,
 * EXIT_USAGE (message printed) or -1 when help was asked for. */
static int parse_args(const struct nm_cmd_entry *cmd, int argc, char **argv,
                      struct key_args *args)
{
    struct nm_cli_option opts[KEY_OPTIONS_MAX + 2];
    size_t n = 0;
    memset(args, 0, sizeof *args);
    args->cmd = cmd;
    for (const struct nm_cmd_option *o = cmd->options; o && o->name; o++, n++) {
        if (n == KEY_OPTIONS_MAX)
            return usage_error(cmd, "too many options in the table");
        opts[n] = (struct nm_cli_option){
            .name = o->name, .alias = o->alias, .metavar = o->metavar,
            .kind = o->metavar ? NM_CLI_STRING : NM_CLI_FLAG,
            .offset = o->metavar ? offsetof(struct key_args, value) + n * sizeof(const char *)
                                 : offsetof(struct key_args, flag) + n * sizeof(bool)};
    }
    opts[n++] = (struct nm_cli_option){.name = "--help", .alias = "-h", .kind = NM_CLI_FLAG,
                                       .offset = offsetof(struct key_args, help)};
    opts[n] = (struct nm_cli_option){.name = NULL};
    const struct nm_cli_group group = {.options = opts, .dst = args};
    char *words[1];
    struct nm_cli_args a = {.command = "key", .groups = &group, .ngroups = 1, .words = words,
                            .max_words = cmd->max_args ? 1 : 0,
                            .usage_error = cli_usage_error, .usage_ud = (void *)cmd};
    int rc = nm_cli_parse(&a, argc, argv, 0);
    if (args->help)
        return -1;
    if (rc)
        return EXIT_USAGE;
    args->name = a.nwords ? words[0] : NULL;
    if (cmd->min_args > 0 && !args->name)
        return usage_error(cmd, "missing key NAME");
    if (args->name && nm_keystore_check_name(args->name) != 0)
        return key_error(args->name, NM_E_KEY_NAME, NULL);
    return EXIT_OK;
}

static int finish(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "error: writing output: %s\n", strerror(errno));
        return rc == EXIT_OK ? EXIT_RUNTIME : rc;
    }
    return rc;
}

/* One key command: its arguments, then exec. */
static int run(const struct nm_cmd_entry *cmd, int argc, char **argv,
               int (*exec)(const struct nm_cmd_entry *cmd, const struct key_args *args))
{
    struct key_args args;
    int rc = parse_args(cmd, argc, argv, &args);
    if (rc < 0) {
        print_command_help(cmd);
        return finish(EXIT_OK);
    }
    if (rc != EXIT_OK)
        return rc;
    return finish(exec(cmd, &args));
}

#define SHELL(exec_fn)                                                                        \
    static int shell_##exec_fn(const struct nm_cmd_entry *cmd, int argc, char **argv)         \
    {                                                                                         \
        return run(cmd, argc, argv, exec_fn);                                                 \
    }
SHELL(cmd_new)
SHELL(cmd_list)
SHELL(cmd_show)
SHELL(cmd_import)
SHELL(cmd_export)
SHELL(cmd_remove)

#define OPT_PASSWORD_FILE                                                                     \
    {.name = "--password-file", .metavar = "F",                                               \
     .help = "the password: the first line of F (else $NEUROMESH_PASSWORD, else asked)"}
#define OPT_JSON {.name = "--json", .help = "print one JSON object"}

#define OPT_INSECURE                                                                          \
    {.name = "--insecure-password",                                                           \
     .help = "accept a password shorter than 8 characters (tests only)"}

static const struct nm_cmd_option opts_password[] = {OPT_PASSWORD_FILE, {.name = NULL}};
static const struct nm_cmd_option opts_new[] = {
    {.name = "--words", .metavar = "N", .help = "12 (default) or 24 mnemonic words"},
    OPT_PASSWORD_FILE,
    OPT_INSECURE,
    {.name = NULL},
};
static const struct nm_cmd_option opts_json[] = {OPT_JSON, {.name = NULL}};
static const struct nm_cmd_option opts_import[] = {
    {.name = "--seed", .metavar = "HEX", .help = "the 32-byte seed as 64 hex digits"},
    {.name = "--seed-file", .metavar = "F",
     .help = "read the seed from the first line of F (\"-\": standard input)"},
    {.name = "--mnemonic", .help = "ask for the BIP-39 words on the terminal (no echo)"},
    {.name = "--mnemonic-file", .metavar = "F",
     .help = "read the BIP-39 words from the first line of F (\"-\": standard input)"},
    OPT_PASSWORD_FILE,
    OPT_INSECURE,
    {.name = NULL},
};
static const struct nm_cmd_option opts_remove[] = {
    {.name = "--yes", .alias = "-y", .help = "do not ask first"},
    {.name = NULL},
};

static const struct nm_cmd_entry entries[] = {
    {.words = "key new",
     .usage = "key new NAME [--words 12|24] [--password-file F] [--insecure-password]",
     .summary = "create a key from fresh BIP-39 words (shown once)", .min_args = 1, .max_args = 1,
     .options = opts_new, .shell = shell_cmd_new},
    {.words = "key list", .json = "keys (name, address)", .usage = "key list [--json]",
     .summary = "names and addresses of all keys",
     .options = opts_json, .shell = shell_cmd_list},
    {.words = "key show", .json = "name, address, public_key", .usage = "key show NAME [--json]",
     .summary = "name, address and public key of a key", .min_args = 1, .max_args = 1,
     .options = opts_json, .shell = shell_cmd_show},
    {.words = "key import",
     .usage = "key import NAME --seed HEX|--seed-file F|--mnemonic|--mnemonic-file F "
              "[--password-file F] [--insecure-password]",
     .summary = "store an existing seed or BIP-39 words as a key", .min_args = 1, .max_args = 1,
     .options = opts_import, .shell = shell_cmd_import},
    {.words = "key export", .usage = "key export NAME [--password-file F]",
     .summary = "print the secret seed of a key", .min_args = 1, .max_args = 1,
     .options = opts_password, .shell = shell_cmd_export},
    {.words = "key remove", .usage = "key remove NAME [--yes]",
     .summary = "delete a key file (asks first unless --yes)", .min_args = 1, .max_args = 1,
     .options = opts_remove, .shell = shell_cmd_remove},
};

const struct nm_cmd_table nm_cmd_key_table = NM_CMD_TABLE(entries);

int nm_key_main(int argc, char **argv)
{
    char buf[64];
    if (nm_crypto_init() < 0) {
        fprintf(stderr, "error: libsodium: %s\n", nm_strerror(NM_E_INTERNAL));
        return EXIT_RUNTIME;
    }
    if (argc < 2) {
        print_help(stderr);
        return EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (is_help_flag(sub) || strcmp(sub, "help") == 0) {
        if (strcmp(sub, "help") == 0 && argc > 2) {
            const struct nm_cmd_entry *cmd = find_command(argv[2]);
            if (!cmd)
                return usage_error(NULL, "unknown command \"%s\"",
                                   shown(argv[2], buf, sizeof buf));
            print_command_help(cmd);
        } else {
            print_help(stdout);
        }
        return finish(EXIT_OK);
    }
    const struct nm_cmd_entry *cmd = find_command(sub);
    if (!cmd)
        return usage_error(NULL, "unknown command \"%s\"", shown(sub, buf, sizeof buf));
    return cmd->shell(cmd, argc - 2, argv + 2);
}
