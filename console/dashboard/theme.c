/* theme.c - console colour themes (see theme.h): parsing theme files,
 * finding them, degrading colours to what the terminal has, and defining
 * the curses colour pairs. */
#include "console/dashboard/theme.h"

#include "client/home.h"
#include "node/errors.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THEME_FILE_MAX (64 * 1024)

static const char *const role_names[WR_COUNT] = {
    [WR_NORMAL] = "normal",         [WR_DIM] = "dim",
    [WR_TITLE] = "title",           [WR_HEADER] = "header",
    [WR_SELECTED] = "selected",     [WR_BORDER] = "border",
    [WR_LABEL] = "label",           [WR_VALUE] = "value",
    [WR_ACCENT] = "accent",         [WR_GOOD] = "good",
    [WR_WARN] = "warn",             [WR_BAD] = "bad",
    [WR_SPARK] = "spark",           [WR_GAUGE_FILL] = "gauge.fill",
    [WR_GAUGE_EMPTY] = "gauge.empty", [WR_TAB] = "tab",
    [WR_TAB_ACTIVE] = "tab.active", [WR_STATUS] = "status",
    [WR_INPUT] = "input",           [WR_PROMPT] = "prompt",
};

static const char *const color_names[16] = {
    "black",        "red",        "green",        "yellow",
    "blue",         "magenta",    "cyan",         "white",
    "bright-black", "bright-red", "bright-green", "bright-yellow",
    "bright-blue",  "bright-magenta", "bright-cyan", "bright-white",
};

/* The built-in copies of themes/default.theme and themes/mono.theme, so an
 * installed binary works without its data files (a unit test checks they
 * match the files). */
static const char builtin_default[] =
    "name = default\n"
    "normal      = default\n"
    "dim         = 245/bright-black\n"
    "title       = 81/bright-cyan bold\n"
    "header      = 255/bright-white on 238/blue bold\n"
    "selected    = 16/black on 75/cyan\n"
    "border      = 240/bright-black\n"
    "label       = 110/cyan\n"
    "value       = 255/bright-white bold\n"
    "accent      = 213/bright-magenta\n"
    "good        = 114/bright-green\n"
    "warn        = 221/bright-yellow\n"
    "bad         = 203/bright-red bold\n"
    "spark       = 79/green\n"
    "gauge.fill  = 75/cyan\n"
    "gauge.empty = 238/bright-black\n"
    "tab         = 250/white on 236/black\n"
    "tab.active  = 16/black on 81/bright-cyan bold\n"
    "status      = 252/white on 24/blue\n"
    "input       = default\n"
    "prompt      = 81/bright-cyan bold\n";

static const char builtin_mono[] =
    "name = mono\n"
    "normal      = default\n"
    "dim         = default dim\n"
    "title       = default bold\n"
    "header      = default bold underline\n"
    "selected    = default reverse\n"
    "border      = default dim\n"
    "label       = default\n"
    "value       = default bold\n"
    "accent      = default bold\n"
    "good        = default\n"
    "warn        = default bold\n"
    "bad         = default bold reverse\n"
    "spark       = default\n"
    "gauge.fill  = default bold\n"
    "gauge.empty = default dim\n"
    "tab         = default\n"
    "tab.active  = default reverse bold\n"
    "status      = default reverse\n"
    "input       = default\n"
    "prompt      = default bold\n";

const char *nm_theme_role_name(enum widget_role role)
{
    return (int)role >= 0 && role < WR_COUNT ? role_names[role] : NULL;
}

int nm_theme_check_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= NM_THEME_NAME_MAX)
        return NM_E_INVAL;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(islower((unsigned char)c) || isdigit((unsigned char)c) || c == '-' || c == '_'))
            return NM_E_INVAL;
    }
    return 0;
}

/* "red" -> 1, "bright-red" -> 9, "default" -> -1, "42" -> 42; -2 if bad. */
static int parse_color_word(const char *w, bool allow_index)
{
    if (strcmp(w, "default") == 0)
        return NM_THEME_DEFAULT_COLOR;
    for (int i = 0; i < 16; i++)
        if (strcmp(w, color_names[i]) == 0)
            return i;
    if (!allow_index || !isdigit((unsigned char)w[0]))
        return -2;
    char *end;
    long v = strtol(w, &end, 10);
    if (*end || v < 0 || v > 255)
        return -2;
    return (int)v;
}

/* "75/cyan", "bright-white", "default". */
static int parse_color(char *w, struct nm_theme_color *c)
{
    char *slash = strchr(w, '/');
    if (slash)
        *slash = '\0';
    int v = parse_color_word(w, true);
    if (v == -2)
        return -1;
    c->value = (short)v;
    c->fallback = -2;
    if (slash) {
        int f = parse_color_word(slash + 1, false);
        if (f == -2)
            return -1;
        c->fallback = (short)f;
    }
    return 0;
}

static int parse_role_line(char *rhs, struct nm_theme_role *r, char *why, size_t cap)
{
    char *save = NULL;
    char *w = strtok_r(rhs, " \t", &save);
    struct nm_theme_role out = {
        .fg = {NM_THEME_DEFAULT_COLOR, -2}, .bg = {NM_THEME_DEFAULT_COLOR, -2}, .set = true};
    if (!w) {
        snprintf(why, cap, "a colour is missing");
        return -1;
    }
    if (parse_color(w, &out.fg) != 0) {
        snprintf(why, cap, "\"%.32s\" is not a colour", w);
        return -1;
    }
    while ((w = strtok_r(NULL, " \t", &save))) {
        if (strcmp(w, "on") == 0) {
            char *bg = strtok_r(NULL, " \t", &save);
            if (!bg || parse_color(bg, &out.bg) != 0) {
                snprintf(why, cap, "\"on\" needs a background colour");
                return -1;
            }
        } else if (strcmp(w, "bold") == 0) {
            out.attrs |= NM_THEME_BOLD;
        } else if (strcmp(w, "dim") == 0) {
            out.attrs |= NM_THEME_DIM;
        } else if (strcmp(w, "reverse") == 0) {
            out.attrs |= NM_THEME_REVERSE;
        } else if (strcmp(w, "underline") == 0) {
            out.attrs |= NM_THEME_UNDERLINE;
        } else {
            snprintf(why, cap, "unknown word \"%.32s\" (bold, dim, reverse, underline, on)", w);
            return -1;
        }
    }
    *r = out;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int nm_theme_parse(const char *text, struct nm_theme *out, char *err, size_t cap)
{
    struct nm_theme t;
    memset(&t, 0, sizeof t);
    for (int r = 0; r < WR_COUNT; r++)
        t.role[r] = (struct nm_theme_role){
            .fg = {NM_THEME_DEFAULT_COLOR, -2}, .bg = {NM_THEME_DEFAULT_COLOR, -2}};
    int lineno = 0;
    const char *p = text;
    while (*p) {
        lineno++;
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char line[512];
        if (n >= sizeof line) {
            snprintf(err, cap, "line %d: too long", lineno);
            return NM_E_INVAL;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p = nl ? nl + 1 : p + n;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, cap, "line %d: expected ROLE = COLOURS", lineno);
            return NM_E_INVAL;
        }
        *eq = '\0';
        char *key = trim(s), *rhs = trim(eq + 1);
        if (strcmp(key, "name") == 0) {
            if (nm_theme_check_name(rhs) != 0) {
                snprintf(err, cap, "line %d: bad theme name \"%.32s\"", lineno, rhs);
                return NM_E_INVAL;
            }
            snprintf(t.name, sizeof t.name, "%s", rhs);
            continue;
        }
        int role = -1;
        for (int r = 0; r < WR_COUNT; r++)
            if (strcmp(key, role_names[r]) == 0)
                role = r;
        if (role < 0) {
            snprintf(err, cap, "line %d: unknown role \"%.32s\"", lineno, key);
            return NM_E_INVAL;
        }
        char why[128];
        if (parse_role_line(rhs, &t.role[role], why, sizeof why) != 0) {
            snprintf(err, cap, "line %d: %s: %s", lineno, key, why);
            return NM_E_INVAL;
        }
    }
    /* Roles left out look like "normal". */
    for (int r = 0; r < WR_COUNT; r++)
        if (!t.role[r].set && r != WR_NORMAL)
            t.role[r] = t.role[WR_NORMAL];
    *out = t;
    return 0;
}

static int read_small_file(const char *path, char **text_out)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NM_E_IO;
    char *buf = malloc(THEME_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        return NM_E_NOMEM;
    }
    size_t n = fread(buf, 1, THEME_FILE_MAX, f);
    bool too_big = n == THEME_FILE_MAX && fgetc(f) != EOF;
    bool failed = ferror(f);
    fclose(f);
    if (failed || too_big) {
        free(buf);
        return failed ? NM_E_IO : NM_E_TOO_BIG;
    }
    buf[n] = '\0';
    *text_out = buf;
    return 0;
}

/* The directories searched, in order; returns how many were filled. */
static int search_dirs(char dirs[][PATH_MAX], int max)
{
    int n = 0;
    const char *env = getenv("NEUROMESH_THEMES");
    if (env && *env && n < max)
        snprintf(dirs[n++], PATH_MAX, "%s", env);
    char home[PATH_MAX];
    if (nm_home_dir(home, sizeof home, 0) == 0 && n < max) {
        int k = snprintf(dirs[n], PATH_MAX, "%s/themes", home);
        if (k > 0 && k < PATH_MAX)
            n++;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        static const char *const rel[] = {"themes", "../themes", "../../themes",
                                          "../share/neuromesh/themes"};
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        for (size_t i = 0; i < sizeof rel / sizeof rel[0] && n < max; i++) {
            int k = snprintf(dirs[n], PATH_MAX, "%s/%s", exe, rel[i]);
            if (k > 0 && k < PATH_MAX)
                n++;
        }
    }
    if (n < max)
        snprintf(dirs[n++], PATH_MAX, "/usr/share/neuromesh/themes");
    return n;
}

int nm_theme_load(const char *name, struct nm_theme *out, char *from, size_t from_cap,
                  char *err, size_t cap)
{
    if (nm_theme_check_name(name) != 0) {
        snprintf(err, cap, "bad theme name \"%.40s\": use letters, digits, - and _", name);
        return NM_E_INVAL;
    }
    char dirs[8][PATH_MAX];
    int ndirs = search_dirs(dirs, 8);
    for (int i = 0; i < ndirs; i++) {
        char path[PATH_MAX + NM_THEME_NAME_MAX + 8];
        snprintf(path, sizeof path, "%.4000s/%s.theme", dirs[i], name);
        char *text = NULL;
        int rc = read_small_file(path, &text);
        if (rc == NM_E_IO && errno == ENOENT)
            continue;
        if (rc) {
            snprintf(err, cap, "theme %s: %s: %s", name, path, nm_strerror(rc));
            return rc;
        }
        char why[256];
        rc = nm_theme_parse(text, out, why, sizeof why);
        free(text);
        if (rc) {
            snprintf(err, cap, "theme %s: %s: %s", name, path, why);
            return rc;
        }
        if (!out->name[0])
            snprintf(out->name, sizeof out->name, "%s", name);
        snprintf(from, from_cap, "%s", path);
        return 0;
    }
    const char *builtin = strcmp(name, "default") == 0 ? builtin_default
                          : strcmp(name, "mono") == 0  ? builtin_mono
                                                       : NULL;
    if (!builtin) {
        /* Name the choices here: the error is also what --theme prints,
         * before any console exists to ask. */
        char names[32][NM_THEME_NAME_MAX];
        int k = nm_theme_list(names, 32);
        int len = snprintf(err, cap, "no theme \"%.40s\"; themes:", name);
        for (int i = 0; i < k && len > 0 && (size_t)len < cap; i++)
            len += snprintf(err + len, cap - (size_t)len, "%s %s", i ? "," : "", names[i]);
        return NM_E_INVAL;
    }
    char why[256];
    int rc = nm_theme_parse(builtin, out, why, sizeof why);
    if (rc) {
        snprintf(err, cap, "built-in theme %s: %s", name, why);
        return rc;
    }
    snprintf(from, from_cap, "built-in");
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int add_name(char names[][NM_THEME_NAME_MAX], int n, int max, const char *name)
{
    if (n >= max || nm_theme_check_name(name) != 0)
        return n;
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return n;
    snprintf(names[n], NM_THEME_NAME_MAX, "%s", name);
    return n + 1;
}

int nm_theme_list(char names[][NM_THEME_NAME_MAX], int max)
{
    int n = 0;
    n = add_name(names, n, max, "default");
    n = add_name(names, n, max, "mono");
    char dirs[8][PATH_MAX];
    int ndirs = search_dirs(dirs, 8);
    for (int i = 0; i < ndirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len <= 6 || len - 6 >= NM_THEME_NAME_MAX ||
                strcmp(e->d_name + len - 6, ".theme") != 0)
                continue;
            char name[NM_THEME_NAME_MAX];
            snprintf(name, sizeof name, "%.*s", (int)(len - 6), e->d_name);
            n = add_name(names, n, max, name);
        }
        closedir(d);
    }
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    return n;
}

/* --- colour degradation --- */

static void rgb_of(int index, int *r, int *g, int *b)
{
    static const unsigned char basic[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    static const int level[6] = {0, 95, 135, 175, 215, 255};
    if (index < 16) {
        *r = basic[index][0];
        *g = basic[index][1];
        *b = basic[index][2];
    } else if (index < 232) {
        int i = index - 16;
        *r = level[i / 36];
        *g = level[(i / 6) % 6];
        *b = level[i % 6];
    } else {
        *r = *g = *b = 8 + 10 * (index - 232);
    }
}

/* The basic colour (0 .. limit-1) nearest to a 256-colour index. */
static int nearest_basic(int index, int limit)
{
    int r, g, b, best = 0;
    long best_d = -1;
    rgb_of(index, &r, &g, &b);
    for (int i = 0; i < limit; i++) {
        int cr, cg, cb;
        rgb_of(i, &cr, &cg, &cb);
        long d = (long)(r - cr) * (r - cr) + (long)(g - cg) * (g - cg) +
                 (long)(b - cb) * (b - cb);
        if (best_d < 0 || d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

/* Resolves one colour; *bright_lost is set when an 8-colour terminal
 * could not show a bright colour (callers make a foreground bold). */
static short resolve_color(struct nm_theme_color c, int colors, bool *bright_lost)
{
    int v = c.value;
    *bright_lost = false;
    if (v < 0)
        return -1;
    if (colors >= 256)
        return (short)v;
    if (v >= 16 || (colors < 16 && v >= 8)) {
        if (c.fallback >= -1)
            v = c.fallback;
        else if (v >= 16)
            v = nearest_basic(v, 16);
    }
    if (v < 0)
        return -1;
    if (colors < 16 && v >= 8) {
        v -= 8;
        *bright_lost = true;
    }
    return (short)v;
}

void nm_theme_resolve(const struct nm_theme *t, int colors, struct nm_theme_resolved *out)
{
    for (int r = 0; r < WR_COUNT; r++) {
        const struct nm_theme_role *role = &t->role[r];
        attr_t a = A_NORMAL;
        if (role->attrs & NM_THEME_BOLD)
            a |= A_BOLD;
        if (role->attrs & NM_THEME_DIM)
            a |= A_DIM;
        if (role->attrs & NM_THEME_REVERSE)
            a |= A_REVERSE;
        if (role->attrs & NM_THEME_UNDERLINE)
            a |= A_UNDERLINE;
        out->fg[r] = out->bg[r] = -1;
        if (colors >= 8) {
            bool lost_fg, lost_bg;
            out->fg[r] = resolve_color(role->fg, colors, &lost_fg);
            out->bg[r] = resolve_color(role->bg, colors, &lost_bg);
            if (lost_fg)
                a |= A_BOLD;
        }
        out->attrs[r] = a;
    }
}

void nm_theme_apply(const struct nm_theme *t, int colors, struct widget_look *look)
{
    struct nm_theme_resolved res;
    nm_theme_resolve(t, colors, &res);
    short pairs_fg[WR_COUNT], pairs_bg[WR_COUNT];
    int npairs = 0;
    for (int r = 0; r < WR_COUNT; r++) {
        attr_t a = res.attrs[r];
        if (colors >= 8 && (res.fg[r] >= 0 || res.bg[r] >= 0)) {
            int pair = 0;
            for (int i = 0; i < npairs; i++)
                if (pairs_fg[i] == res.fg[r] && pairs_bg[i] == res.bg[r])
                    pair = i + 1;
            if (!pair && npairs + 1 < COLOR_PAIRS) {
                pairs_fg[npairs] = res.fg[r];
                pairs_bg[npairs] = res.bg[r];
                npairs++;
                pair = npairs;
                init_pair((short)pair, res.fg[r], res.bg[r]);
            }
            a |= COLOR_PAIR(pair);
        }
        look->attr[r] = a;
    }
}
