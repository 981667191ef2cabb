/* theme.h - console colour themes as data: themes/NAME.theme text files
 * map each widget role (widgets/widget.h) to a foreground, a background and
 * attributes. This module parses them, finds them on disk (or uses the
 * built-in copies of "default" and "mono"), and turns a theme into the
 * attributes of a widget_look for the terminal at hand: 256 colours as
 * written, 16 or 8 through each colour's fallback (or the nearest basic
 * colour), none at all through attributes only.
 *
 * File format (see themes/default.theme):
 *     # comment
 *     name = default
 *     ROLE = FG [on BG] [bold] [dim] [reverse] [underline]
 * with colours as names (default, black .. white, bright-black ..
 * bright-white) or 0-255, each optionally "/NAME" for 16/8-colour
 * terminals. Roles left out look like "normal". */
#ifndef NM_THEME_H
#define NM_THEME_H

#include "widgets/widget.h"

#include <stdbool.h>
#include <stddef.h>

#define NM_THEME_NAME_MAX 32
/* A colour value: -1 the terminal's default, 0-255 an index. */
#define NM_THEME_DEFAULT_COLOR (-1)

struct nm_theme_color {
    short value;    /* -1 default, 0-255 */
    short fallback; /* -1 default, 0-15; used below 256 colours; -2: none given */
};

struct nm_theme_role {
    struct nm_theme_color fg, bg;
    unsigned attrs; /* NM_THEME_BOLD | ... */
    bool set;       /* the file named this role */
};

#define NM_THEME_BOLD 0x1u
#define NM_THEME_DIM 0x2u
#define NM_THEME_REVERSE 0x4u
#define NM_THEME_UNDERLINE 0x8u

struct nm_theme {
    char name[NM_THEME_NAME_MAX];
    struct nm_theme_role role[WR_COUNT];
};

/* The name of a role in theme files ("gauge.fill"), or NULL. */
const char *nm_theme_role_name(enum widget_role role);

/* Parses theme text. On error returns NM_E_INVAL with "line N: ..." in err.
 * Unknown roles and words are errors, so typos do not pass unseen. */
int nm_theme_parse(const char *text, struct nm_theme *out, char *err, size_t cap);

/* 0 when name is a valid theme name: 1-31 of [a-z0-9_-]. */
int nm_theme_check_name(const char *name);

/* Finds and parses theme NAME: NAME.theme in $NEUROMESH_THEMES, then
 * $NEUROMESH_HOME/themes, then themes/ beside the executable (or up to two
 * levels above it, for a build tree), then /usr/share/neuromesh/themes;
 * the built-in "default" and "mono" when no file is found. Writes where it
 * came from into from ("built-in" or the path). NM_E_INVAL (bad name),
 * NM_E_NOT_FOUND-like NM_E_INVAL with "no theme ..." message, or a parse
 * error; err says which in one line. */
int nm_theme_load(const char *name, struct nm_theme *out, char *from, size_t from_cap,
                  char *err, size_t cap);

/* Names of the themes that can be loaded (files in the search path and
 * the built-ins), sorted, without duplicates; at most max. Returns how
 * many. */
int nm_theme_list(char names[][NM_THEME_NAME_MAX], int max);

/* One role resolved for a terminal: colours to give init_pair (-1 default)
 * and curses attributes. */
struct nm_theme_resolved {
    short fg[WR_COUNT], bg[WR_COUNT];
    attr_t attrs[WR_COUNT];
};

/* Resolves every role for a terminal with colors colours (>= 256, >= 16,
 * >= 8, or 0 for none): indexes above the terminal's range use their
 * fallback or the nearest basic colour; on 8-colour terminals bright
 * foregrounds become the plain colour plus bold. Pure: no curses calls. */
void nm_theme_resolve(const struct nm_theme *t, int colors, struct nm_theme_resolved *out);

/* Applies a theme on the curses thread (after start_color when colors >
 * 0): defines colour pairs from pair 1 up and fills look->attr. */
void nm_theme_apply(const struct nm_theme *t, int colors, struct widget_look *look);

#endif
