/* Unit tests for console/theme: parsing theme text (and its errors with
 * line numbers), the shipped theme files, the built-in copies, finding
 * themes on disk, and resolving colours for 256, 16, 8 and no colours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/dashboard/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_theme_parses_roles_colours_and_attributes(void **state)
{
    (void)state;
    struct nm_theme t;
    char err[256];
    const char *text = "# comment\n"
                       "name = demo\n"
                       "normal = default\n"
                       "header = 255/bright-white on 238/blue bold underline\n"
                       "bad = red bold   # trailing comment\n";
    assert_int_equal(nm_theme_parse(text, &t, err, sizeof err), 0);
    assert_string_equal(t.name, "demo");
    assert_int_equal(t.role[WR_HEADER].fg.value, 255);
    assert_int_equal(t.role[WR_HEADER].fg.fallback, 15);
    assert_int_equal(t.role[WR_HEADER].bg.value, 238);
    assert_int_equal(t.role[WR_HEADER].bg.fallback, 4);
    assert_int_equal(t.role[WR_HEADER].attrs, NM_THEME_BOLD | NM_THEME_UNDERLINE);
    assert_int_equal(t.role[WR_BAD].fg.value, 1);
    assert_int_equal(t.role[WR_BAD].bg.value, NM_THEME_DEFAULT_COLOR);
    /* A role left out looks like normal. */
    assert_int_equal(t.role[WR_TITLE].fg.value, NM_THEME_DEFAULT_COLOR);
    assert_int_equal(t.role[WR_TITLE].attrs, 0);
}

static void test_theme_errors_name_the_line(void **state)
{
    (void)state;
    struct nm_theme t;
    char err[256];
    assert_int_not_equal(nm_theme_parse("normal = default\nheadr = red\n", &t, err, sizeof err),
                         0);
    assert_string_equal(err, "line 2: unknown role \"headr\"");
    assert_int_not_equal(nm_theme_parse("bad = crimson\n", &t, err, sizeof err), 0);
    assert_string_equal(err, "line 1: bad: \"crimson\" is not a colour");
    assert_int_not_equal(nm_theme_parse("bad = red on\n", &t, err, sizeof err), 0);
    assert_non_null(strstr(err, "needs a background"));
    assert_int_not_equal(nm_theme_parse("bad = 256\n", &t, err, sizeof err), 0);
    assert_int_not_equal(nm_theme_parse("bad = red blink\n", &t, err, sizeof err), 0);
    assert_non_null(strstr(err, "unknown word \"blink\""));
    assert_int_not_equal(nm_theme_parse("just words\n", &t, err, sizeof err), 0);
    assert_int_not_equal(nm_theme_parse("name = ../etc\n", &t, err, sizeof err), 0);
}

static void test_theme_shipped_files_parse_and_name_every_role(void **state)
{
    (void)state;
    static const char *const files[] = {"default", "light", "high-contrast", "mono"};
    for (size_t i = 0; i < 4; i++) {
        char path[128], err[256];
        snprintf(path, sizeof path, "themes/%s.theme", files[i]);
        struct nm_theme t;
        assert_int_equal(nm_theme_parse(read_file(path), &t, err, sizeof err), 0);
        assert_string_equal(t.name, files[i]);
        for (int r = 0; r < WR_COUNT; r++)
            assert_true(t.role[r].set);
    }
}

static void test_theme_builtin_copies_match_the_files(void **state)
{
    (void)state;
    setenv("NEUROMESH_THEMES", "/nonexistent", 1);
    setenv("NEUROMESH_HOME", "/nonexistent", 1);
    static const char *const names[] = {"default", "mono"};
    for (size_t i = 0; i < 2; i++) {
        struct nm_theme builtin, file;
        char from[256], err[256], path[128];
        /* The search path also looks beside the test binary: only compare
         * when the built-in copy is what was found. */
        assert_int_equal(nm_theme_load(names[i], &builtin, from, sizeof from, err, sizeof err), 0);
        snprintf(path, sizeof path, "themes/%s.theme", names[i]);
        assert_int_equal(nm_theme_parse(read_file(path), &file, err, sizeof err), 0);
        assert_string_equal(builtin.name, file.name);
        for (int r = 0; r < WR_COUNT; r++) {
            assert_int_equal(builtin.role[r].fg.value, file.role[r].fg.value);
            assert_int_equal(builtin.role[r].fg.fallback, file.role[r].fg.fallback);
            assert_int_equal(builtin.role[r].bg.value, file.role[r].bg.value);
            assert_int_equal(builtin.role[r].bg.fallback, file.role[r].bg.fallback);
            assert_int_equal(builtin.role[r].attrs, file.role[r].attrs);
        }
    }
}

static void test_theme_load_finds_files_and_refuses_bad_names(void **state)
{
    (void)state;
    setenv("NEUROMESH_THEMES", "themes", 1);
    struct nm_theme t;
    char from[256], err[256];
    assert_int_equal(nm_theme_load("high-contrast", &t, from, sizeof from, err, sizeof err), 0);
    assert_string_equal(from, "themes/high-contrast.theme");
    assert_int_not_equal(nm_theme_load("../x", &t, from, sizeof from, err, sizeof err), 0);
    assert_non_null(strstr(err, "bad theme name"));
    assert_int_not_equal(nm_theme_load("nosuch", &t, from, sizeof from, err, sizeof err), 0);
    assert_string_equal(err, "no theme \"nosuch\"; themes: default, high-contrast, light, mono");
    char names[16][NM_THEME_NAME_MAX];
    int n = nm_theme_list(names, 16);
    assert_true(n >= 4);
    bool light = false;
    for (int i = 0; i < n; i++)
        light |= strcmp(names[i], "light") == 0;
    assert_true(light);
    assert_string_equal(names[0], "default"); /* sorted */
}

static void test_theme_resolves_for_256_16_8_and_no_colours(void **state)
{
    (void)state;
    struct nm_theme t;
    char err[256];
    assert_int_equal(nm_theme_parse("normal = default\n"
                                    "title = 81/bright-cyan bold\n"
                                    "accent = 196\n"
                                    "header = bright-white on 24/blue\n",
                                    &t, err, sizeof err),
                     0);
    struct nm_theme_resolved r;
    nm_theme_resolve(&t, 256, &r);
    assert_int_equal(r.fg[WR_TITLE], 81);
    assert_int_equal(r.attrs[WR_TITLE], A_BOLD);
    assert_int_equal(r.fg[WR_ACCENT], 196);
    nm_theme_resolve(&t, 16, &r);
    assert_int_equal(r.fg[WR_TITLE], 14); /* the fallback */
    assert_int_equal(r.fg[WR_ACCENT], 9); /* no fallback: nearest, bright red */
    assert_int_equal(r.bg[WR_HEADER], 4);
    nm_theme_resolve(&t, 8, &r);
    assert_int_equal(r.fg[WR_TITLE], 6); /* bright cyan -> cyan + bold */
    assert_true(r.attrs[WR_TITLE] & A_BOLD);
    assert_int_equal(r.fg[WR_HEADER], 7);
    assert_true(r.attrs[WR_HEADER] & A_BOLD);
    assert_int_equal(r.fg[WR_ACCENT], 1);
    nm_theme_resolve(&t, 0, &r);
    assert_int_equal(r.fg[WR_TITLE], -1);
    assert_int_equal(r.bg[WR_HEADER], -1);
    assert_int_equal(r.attrs[WR_TITLE], A_BOLD);
    assert_string_equal(nm_theme_role_name(WR_GAUGE_FILL), "gauge.fill");
    assert_null(nm_theme_role_name(WR_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theme_parses_roles_colours_and_attributes),
        cmocka_unit_test(test_theme_errors_name_the_line),
        cmocka_unit_test(test_theme_shipped_files_parse_and_name_every_role),
        cmocka_unit_test(test_theme_builtin_copies_match_the_files),
        cmocka_unit_test(test_theme_load_finds_files_and_refuses_bad_names),
        cmocka_unit_test(test_theme_resolves_for_256_16_8_and_no_colours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
