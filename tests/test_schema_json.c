/* Unit tests for node/schema_json: the JSON Schema subset (type, required,
 * properties, enum, maxLength, additionalProperties) and UTF-8 checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/miner/jsonl.h"
#include "node/schema_json/schema_json.h"

#include <dirent.h>
#include <stdio.h>

#include <stdlib.h>
#include <string.h>

static struct nm_json_schema *compile_ok(const char *text)
{
    struct nm_json_schema *s = NULL;
    char err[256] = "";
    int rc = nm_json_schema_compile(text, &s, err, sizeof err);
    if (rc)
        fail_msg("compile %s: %s", text, err);
    return s;
}

static void expect_valid(struct nm_json_schema *s, const char *doc)
{
    char err[256] = "";
    int rc = nm_json_schema_check_text(s, doc, strlen(doc), NULL, err, sizeof err);
    if (rc)
        fail_msg("%s rejected: %s", doc, err);
}

static void expect_invalid(struct nm_json_schema *s, const char *doc, const char *reason)
{
    char err[256] = "";
    assert_int_equal(nm_json_schema_check_text(s, doc, strlen(doc), NULL, err, sizeof err),
                     NM_E_INVAL);
    if (!strstr(err, reason))
        fail_msg("%s: reason \"%s\" lacks \"%s\"", doc, err, reason);
}

static void test_codegen_input_schema_accepts_good_requests(void **state)
{
    (void)state;
    struct nm_json_schema *s = compile_ok(nm_codegen_input_schema);
    expect_valid(s, "{\"prompt\":\"add two ints\",\"language\":\"c\"}");
    expect_valid(s, "{\"language\":\"python\",\"prompt\":\"\"}");
    nm_json_schema_free(s);
}

static void test_codegen_input_schema_names_each_violation(void **state)
{
    (void)state;
    struct nm_json_schema *s = compile_ok(nm_codegen_input_schema);
    expect_invalid(s, "{\"prompt\":\"x\"}", "missing required property \"language\"");
    expect_invalid(s, "{\"prompt\":1,\"language\":\"c\"}", "$.prompt: expected string");
    expect_invalid(s, "{\"prompt\":\"x\",\"language\":\"cobol\"}",
                   "\"cobol\" is not one of the enum values");
    expect_invalid(s, "{\"prompt\":\"x\",\"language\":\"c\",\"extra\":1}",
                   "additional property \"extra\" not allowed");
    expect_invalid(s, "[1,2]", "$: expected object, got array");
    expect_invalid(s, "{\"prompt\":", "not valid JSON");
    expect_invalid(s, "", "not valid JSON");
    nm_json_schema_free(s);
}

static void test_max_length_counts_characters_not_bytes(void **state)
{
    (void)state;
    struct nm_json_schema *s = compile_ok("{\"type\":\"string\",\"maxLength\":3}");
    expect_valid(s, "\"\xc3\xa9\xc3\xa9\xc3\xa9\""); /* 3 characters, 6 bytes */
    expect_invalid(s, "\"abcd\"", "longer than maxLength 3");
    nm_json_schema_free(s);
}

static void test_non_utf8_and_nul_are_refused(void **state)
{
    (void)state;
    struct nm_json_schema *s = compile_ok("{}");
    expect_invalid(s, "\"\xff\"", "not valid UTF-8");
    expect_invalid(s, "\"\xc0\xaf\"", "not valid UTF-8");       /* overlong '/' */
    expect_invalid(s, "\"\xed\xa0\x80\"", "not valid UTF-8");   /* surrogate */
    expect_invalid(s, "\"\xe2\x82\"", "not valid UTF-8");       /* truncated */
    char err[128];
    assert_int_equal(nm_json_schema_check_text(s, "\"a\0b\"", 5, NULL, err, sizeof err),
                     NM_E_INVAL);
    assert_non_null(strstr(err, "NUL"));
    expect_valid(s, "\"\xf0\x9f\x98\x80 ok\"");
    nm_json_schema_free(s);
}

static void test_nested_properties_and_additional_schema(void **state)
{
    (void)state;
    struct nm_json_schema *s = compile_ok(
        "{\"type\":\"object\",\"properties\":{\"meta\":{\"type\":\"object\","
        "\"required\":[\"n\"],\"properties\":{\"n\":{\"type\":\"integer\"}}}},"
        "\"additionalProperties\":{\"type\":[\"string\",\"null\"]}}");
    expect_valid(s, "{\"meta\":{\"n\":3},\"other\":\"x\",\"z\":null}");
    expect_invalid(s, "{\"meta\":{\"n\":3.5}}", "$.meta.n: expected integer");
    expect_invalid(s, "{\"meta\":{}}", "$.meta: missing required property \"n\"");
    expect_invalid(s, "{\"other\":7}", "$.other: expected another type");
    nm_json_schema_free(s);
}

static void test_bad_schemas_are_refused_with_a_reason(void **state)
{
    (void)state;
    static const struct {
        const char *text, *reason;
    } cases[] = {
        {"[]", "must be a JSON object"},
        {"{\"type\":\"str\"}", "$.type: must be one of"},
        {"{\"type\":[]}", "$.type: must be one of"},
        {"{\"required\":[1]}", "required: must be an array of strings"},
        {"{\"maxLength\":-1}", "maxLength: must be a non-negative integer"},
        {"{\"maxLength\":1.5}", "maxLength: must be a non-negative integer"},
        {"{\"enum\":[]}", "enum: must be a non-empty array"},
        {"{\"pattern\":\"a*\"}", "unsupported keyword \"pattern\""},
        {"{\"properties\":{\"a\":{\"type\":7}}}", "$.properties.a.type"},
        {"{\"additionalProperties\":3}", "additionalProperties: must be a JSON object"},
        {"{", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct nm_json_schema *s = (void *)1;
        char err[256] = "";
        assert_int_equal(nm_json_schema_compile(cases[i].text, &s, err, sizeof err),
                         NM_E_BAD_SCHEMA);
        assert_null(s);
        if (!strstr(err, cases[i].reason))
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].text, err, cases[i].reason);
    }
}

static void test_empty_schema_accepts_any_json(void **state)
{
    (void)state;
    struct nm_json_schema *s = compile_ok("{}");
    expect_valid(s, "{\"a\":[1,{\"b\":null}]}");
    expect_valid(s, "3");
    expect_valid(s, "\"text\"");
    expect_invalid(s, "{\"a\":}", "not valid JSON");
    nm_json_schema_free(s);
}

/* The fuzz target's corpus (tests/fuzz/corpus/schema_json), with its
 * invariants: accepted documents re-check, framed lines hold no newline. */
static void test_fuzz_corpus_replays_cleanly(void **state)
{
    (void)state;
    struct nm_json_schema *in = compile_ok(nm_codegen_input_schema);
    struct nm_json_schema *out = compile_ok(nm_codegen_output_schema);
    DIR *d = opendir("tests/fuzz/corpus/schema_json");
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[512], buf[65536], err[256];
        snprintf(path, sizeof path, "tests/fuzz/corpus/schema_json/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        files++;
        struct nm_json_schema *s = NULL;
        if (nm_json_schema_compile(buf, &s, err, sizeof err) == 0)
            nm_json_schema_free(s);
        for (int k = 0; k < 2; k++) {
            cJSON *doc = NULL;
            if (nm_json_schema_check_text(k ? out : in, buf, n, &doc, err, sizeof err) == 0) {
                assert_non_null(doc);
                assert_int_equal(nm_json_schema_check(k ? out : in, doc, err, sizeof err), 0);
            }
            cJSON_Delete(doc);
        }
        struct nm_jsonl j;
        nm_jsonl_init(&j, 64);
        if (nm_jsonl_feed(&j, buf, n) == 0) {
            size_t len;
            char *line;
            while ((line = nm_jsonl_next(&j, &len)))
                assert_null(memchr(line, '\n', len));
        }
        nm_jsonl_fini(&j);
    }
    closedir(d);
    assert_true(files >= 5);
    nm_json_schema_free(in);
    nm_json_schema_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codegen_input_schema_accepts_good_requests),
        cmocka_unit_test(test_codegen_input_schema_names_each_violation),
        cmocka_unit_test(test_max_length_counts_characters_not_bytes),
        cmocka_unit_test(test_non_utf8_and_nul_are_refused),
        cmocka_unit_test(test_nested_properties_and_additional_schema),
        cmocka_unit_test(test_bad_schemas_are_refused_with_a_reason),
        cmocka_unit_test(test_empty_schema_accepts_any_json),
        cmocka_unit_test(test_fuzz_corpus_replays_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
