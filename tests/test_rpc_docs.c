/* Unit test for docs/rpc.md against the method registry: every registered
 * JSON-RPC method has its own "### `name`" section (params, result,
 * errors, an example), every unsafe method is said to be unsafe, and every
 * round-two chain error (2000..2999) has its row in the chain error table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first */
#include <cmocka.h>

#include "node/errors.h"
#include "rpc/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCS_PATH "docs/rpc.md"

static char *read_docs(void)
{
    FILE *f = fopen(DOCS_PATH, "rb");
    if (!f)
        fail_msg("cannot open %s (run the tests from the repository root)", DOCS_PATH);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* The section of name: from its heading to the next "### " or "## ". */
static const char *section_of(const char *docs, const char *name, size_t *len)
{
    char heading[160];
    snprintf(heading, sizeof heading, "\n### `%s`\n", name);
    const char *start = strstr(docs, heading);
    if (!start)
        return NULL;
    start += 1;
    const char *end = strstr(start + 4, "\n### ");
    const char *chapter = strstr(start + 4, "\n## ");
    if (!end || (chapter && chapter < end))
        end = chapter;
    *len = end ? (size_t)(end - start) : strlen(start);
    return start;
}

static void test_every_registered_method_has_a_section(void **state)
{
    (void)state;
    char *docs = read_docs();
    size_t missing = 0;
    for (size_t i = 0; i < nm_rpc_method_count(); i++) {
        const char *name = nm_rpc_method_at(i)->name;
        size_t len;
        if (!section_of(docs, name, &len)) {
            print_error("docs/rpc.md has no section \"### `%s`\"\n", name);
            missing++;
        }
    }
    free(docs);
    assert_int_equal(missing, 0);
}

static bool contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(s + i, needle, n))
            return true;
    return false;
}

static void test_unsafe_methods_are_documented_as_unsafe(void **state)
{
    (void)state;
    char *docs = read_docs();
    size_t wrong = 0;
    for (size_t i = 0; i < nm_rpc_method_count(); i++) {
        const struct nm_rpc_method_info *info = nm_rpc_method_at(i);
        size_t len;
        const char *sec = section_of(docs, info->name, &len);
        if (info->unsafe && sec && !contains(sec, len, "Unsafe")) {
            print_error("docs/rpc.md: `%s` is unsafe but its section does not say \"Unsafe\"\n",
                        info->name);
            wrong++;
        }
    }
    free(docs);
    assert_int_equal(wrong, 0);
}

static void test_every_round_two_chain_error_has_a_row(void **state)
{
    (void)state;
    char *docs = read_docs();
    size_t missing = 0;
    for (int e = NM__E_FIRST + 1; e < NM__E_LAST; e++) {
        int code = nm_rpc_code(e);
        if (code < 2000 || code > 2999)
            continue;
        char row[160];
        snprintf(row, sizeof row, "\n| %d | %s | %s |", code, nm_errname(e), nm_strerror(e));
        if (!strstr(docs, row)) {
            print_error("docs/rpc.md has no chain error row \"%s\"\n", row + 1);
            missing++;
        }
    }
    free(docs);
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_registered_method_has_a_section),
        cmocka_unit_test(test_unsafe_methods_are_documented_as_unsafe),
        cmocka_unit_test(test_every_round_two_chain_error_has_a_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
