/* new_cmd.c - `neuromesh new miner|validator NAME [--lang c|python|rust]
 * [--subnet N] [--dir PARENT]` (SDK-002): writes PARENT/NAME from the
 * compiled-in templates (new_cmd.h), replacing the cookiecutter variables
 * project_name and subnet, so a project made here and one made by
 * `cookiecutter sdk/templates/python-miner` are the same files. */
#include "console/cli/new_cmd.h"

#include "console/cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VAR_NAME "{{cookiecutter.project_name}}"
#define VAR_SUBNET "{{cookiecutter.subnet}}"
#define VAR_SDK_RUST "{{cookiecutter.sdk_rust}}"

struct new_opts {
    const char *lang;
    const char *dir;
    unsigned subnet;
};

static const struct nm_cli_option new_options[] = {
    NM_CLI_OPT_STRING(struct new_opts, "--lang", "c|python|rust", lang,
                      "the project's language (default python)"),
    NM_CLI_OPT_STRING(struct new_opts, "--dir", "PARENT", dir,
                      "where the project's folder is made (default .)"),
    {.name = "--subnet", .metavar = "N", .kind = NM_CLI_U32, .min = 1, .max = 65535,
     .offset = offsetof(struct new_opts, subnet), .help = "its subnet (default 1)"},
    {.name = NULL},
};

/* The template folders of each language, in the order they are written. */
static const struct {
    const char *lang;
    const char *dirs[2]; /* "%s" is the role */
} langs[] = {
    {.lang = "python", .dirs = {"python-%s"}},
    {.lang = "c", .dirs = {"c-common", "c-%s"}},
    {.lang = "rust", .dirs = {"rust-common", "rust-%s"}},
};

static void usage(FILE *out)
{
    fputs("usage: neuromesh new miner|validator NAME [--lang c|python|rust] [--subnet N] "
          "[--dir PARENT]\n",
          out);
}

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
            return false;
    return true;
}

/* The values of the template variables, in the order of vars. */
static const char *const vars[] = {VAR_NAME, VAR_SUBNET, VAR_SDK_RUST};
#define NVARS (sizeof vars / sizeof vars[0])

/* text with every variable replaced by its value, appended to f. */
static int write_subst(FILE *f, const char *text, const char *const values[NVARS])
{
    while (*text) {
        const char *at = NULL;
        size_t which = 0;
        for (size_t v = 0; v < NVARS; v++) {
            const char *p = strstr(text, vars[v]);
            if (p && (!at || p < at)) {
                at = p;
                which = v;
            }
        }
        size_t plain = at ? (size_t)(at - text) : strlen(text);
        if (fwrite(text, 1, plain, f) != plain)
            return -1;
        if (!at)
            break;
        fputs(values[which], f);
        text = at + strlen(vars[which]);
    }
    return ferror(f) ? -1 : 0;
}

/* Where the Rust SDK's crates are, for a Rust project's Cargo.toml:
 * $NEUROMESH_SDK_RUST, else beside this program (an installed tree's
 * share/neuromesh/sdk/rust, or the source tree's sdk/rust). */
static void find_sdk_rust(char *out, size_t cap)
{
    const char *env = getenv("NEUROMESH_SDK_RUST");
    char exe[4096], path[4200];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    snprintf(out, cap, "%s", env && *env ? env : "/usr/local/share/neuromesh/sdk/rust");
    if ((env && *env) || n <= 0)
        return;
    exe[n] = '\0';
    *strrchr(exe, '/') = '\0';
    static const char *const rel[] = {"../share/neuromesh/sdk/rust", "../sdk/rust"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(path, sizeof path, "%s/%s/neuromesh/Cargo.toml", exe, rel[i]);
        if (access(path, R_OK) == 0) {
            *strrchr(path, '/') = '\0';
            *strrchr(path, '/') = '\0';
            if (!realpath(path, exe))
                return;
            snprintf(out, cap, "%s", exe);
            return;
        }
    }
}

/* mkdir -p of path's parent folders (path is changed and restored). */
static int make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        int rc = mkdir(path, 0755);
        *s = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return 0;
}

static int write_file(const char *target, const struct nm_template_file *t,
                      const char *const values[NVARS])
{
    const char *rel = t->path;
    if (strncmp(rel, VAR_NAME "/", strlen(VAR_NAME) + 1) == 0)
        rel += strlen(VAR_NAME) + 1;
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", target, rel) >= (int)sizeof path ||
        make_parents(path) != 0) {
        fprintf(stderr, "error: new: cannot create the folders of %s: %s\n", path,
                strerror(errno));
        return 1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, t->mode);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = f ? write_subst(f, t->text, values) : -1;
    if (f ? fclose(f) != 0 : (fd >= 0 && close(fd) != 0))
        rc = -1;
    if (rc != 0) {
        fprintf(stderr, "error: new: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

int nm_new_main(int argc, char **argv)
{
    struct new_opts o = {.lang = "python", .dir = ".", .subnet = 1};
    char *words[2];
    struct nm_cli_group group = {.options = new_options, .dst = &o};
    struct nm_cli_args a = {.command = "new", .groups = &group, .ngroups = 1, .words = words,
                            .max_words = 2};
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        nm_cli_help(stdout, &group, 1);
        return 0;
    }
    if (nm_cli_parse(&a, argc, argv, 1) != 0)
        return 2;
    if (a.nwords != 2 || (strcmp(words[0], "miner") && strcmp(words[0], "validator"))) {
        usage(stderr);
        return 2;
    }
    const char *role = words[0], *name = words[1];
    if (!valid_name(name)) {
        fprintf(stderr, "error: new: \"%.64s\" is not a project name (letters, digits, '-', "
                        "'_', '.', at most 64, not starting with '.' or '-')\n", name);
        return 2;
    }
    size_t li = 0;
    while (li < sizeof langs / sizeof langs[0] && strcmp(langs[li].lang, o.lang))
        li++;
    if (li == sizeof langs / sizeof langs[0]) {
        fprintf(stderr, "error: new: no %.16s templates (there are: c, python, rust)\n", o.lang);
        return 2;
    }
    if (!strcmp(o.lang, "rust") && strchr(name, '.')) {
        fprintf(stderr, "error: new: a Rust package name has no '.': \"%.64s\"\n", name);
        return 2;
    }
    char target[4096], subnet[8], sdk_rust[4096];
    snprintf(subnet, sizeof subnet, "%u", o.subnet);
    find_sdk_rust(sdk_rust, sizeof sdk_rust);
    const char *values[NVARS] = {name, subnet, sdk_rust};
    if (snprintf(target, sizeof target, "%s/%s", o.dir, name) >= (int)sizeof target)
        return 2;
    if (mkdir(target, 0755) != 0) {
        fprintf(stderr, "error: new: cannot create %s: %s\n", target,
                errno == EEXIST ? "it already exists (nothing was changed)" : strerror(errno));
        return 1;
    }
    int files = 0;
    for (size_t d = 0; d < 2 && langs[li].dirs[d]; d++) {
        char dir[64];
        snprintf(dir, sizeof dir, langs[li].dirs[d], role);
        for (size_t i = 0; i < nm_template_file_count; i++) {
            if (strcmp(nm_template_files[i].dir, dir))
                continue;
            if (write_file(target, &nm_template_files[i], values))
                return 1;
            files++;
        }
    }
    printf("created %s: a %s %s project for subnet %s (%d files); see %s/README.md\n", target,
           o.lang, role, subnet, files, target);
    return 0;
}
