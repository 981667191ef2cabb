/* Unit tests for console/cli/cli: the one option parser and help printer
 * that every subcommand's option table goes through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "console/cli/cli.h"
#include "console/cli/rpc_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct opts {
    bool dev, help;
    const char *chain;
    int port;
    int level;
    int count;
    uint32_t rate;
};

static int parse_level(void *dst, const char *value)
{
    if (strcmp(value, "low") == 0)
        ((struct opts *)dst)->level = 1;
    else if (strcmp(value, "high") == 0)
        ((struct opts *)dst)->level = 2;
    else
        return -1;
    return 0;
}

static const struct nm_cli_option options[] = {
    {.name = "--dev", .kind = NM_CLI_FLAG, .offset = offsetof(struct opts, dev),
     .help = "a flag"},
    {.name = "--chain", .metavar = "FILE", .kind = NM_CLI_STRING,
     .offset = offsetof(struct opts, chain), .help = "a string\nover two lines"},
    {.name = "--port", .metavar = "PORT", .kind = NM_CLI_PORT,
     .offset = offsetof(struct opts, port), .want = "a port (0-65535)", .help = "a port"},
    {.name = "--level", .metavar = "low|high", .kind = NM_CLI_PARSE, .parse = parse_level,
     .want = "low or high", .help = "parsed"},
    {.name = "--help", .alias = "-h", .kind = NM_CLI_FLAG, .offset = offsetof(struct opts, help),
     .help = "help"},
    {.name = "--count", .metavar = "N", .kind = NM_CLI_INT, .offset = offsetof(struct opts, count),
     .min = 1, .max = 10, .want = "a count (1-10)", .help = "int"},
    {.name = "--rate", .metavar = "N", .kind = NM_CLI_U32, .offset = offsetof(struct opts, rate),
     .max = 4000000000u, .want = "a rate", .help = "u32"},
    {.name = NULL},
};

/* Parses the n words after it with group; the words it kept go to
 * words[0..2]; stderr (the message of a refusal) into err. */
static int parse_with(const struct nm_cli_group *group, char **words, int *nwords, char *err,
                      size_t cap, int n, va_list ap)
{
    char *argv[16] = {"test"};
    for (int i = 0; i < n; i++)
        argv[i + 1] = va_arg(ap, char *);
    struct nm_cli_args a = {.command = "test", .groups = group, .ngroups = 1, .words = words,
                            .max_words = words ? 2 : 0};
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    int rc = nm_cli_parse(&a, n + 1, argv, 1);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t got = fread(err, 1, cap - 1, tmp);
    err[got] = '\0';
    fclose(tmp);
    if (nwords)
        *nwords = a.nwords;
    return rc;
}

/* The same into o with this file's options. */
static int parse(struct opts *o, char **words, int *nwords, char *err, size_t cap, int n, ...)
{
    const struct nm_cli_group group = {.options = options, .dst = o};
    va_list ap;
    va_start(ap, n);
    int rc = parse_with(&group, words, nwords, err, cap, n, ap);
    va_end(ap);
    return rc;
}

/* The same into f with `neuromesh node`'s RPC or pool options. */
static int parse_rpc(const struct nm_cli_option *table, struct nm_rpc_flags *f, char *err,
                     size_t cap, int n, ...)
{
    const struct nm_cli_group group = {.options = table, .dst = f};
    va_list ap;
    va_start(ap, n);
    int rc = parse_with(&group, NULL, NULL, err, cap, n, ap);
    va_end(ap);
    return rc;
}

static void test_cli_fills_flags_strings_ports_and_parsed_values(void **state)
{
    (void)state;
    struct opts o = {.port = 9944};
    char err[512], *words[2];
    int n;
    assert_int_equal(parse(&o, words, &n, err, sizeof err, 6, "--dev", "x", "--chain=a.json",
                           "--port", "0", "--level=high"),
                     0);
    assert_true(o.dev);
    assert_string_equal(o.chain, "a.json");
    assert_int_equal(o.port, 0);
    assert_int_equal(o.level, 2);
    assert_int_equal(n, 1);
    assert_string_equal(words[0], "x");
    assert_string_equal(err, "");
    /* "--" ends the options; an alias works like the name. */
    struct opts p = {0};
    assert_int_equal(parse(&p, words, &n, err, sizeof err, 3, "-h", "--", "--dev"), 0);
    assert_true(p.help);
    assert_false(p.dev);
    assert_int_equal(n, 1);
    assert_string_equal(words[0], "--dev");
}

static void test_cli_refuses_bad_input_with_one_message(void **state)
{
    (void)state;
    struct opts o = {0};
    char err[512], *words[2];
    int n;
    assert_int_equal(parse(&o, NULL, NULL, err, sizeof err, 1, "--bogus"), 2);
    assert_string_equal(err,
                        "error: test: unknown option \"--bogus\" (try neuromesh test --help)\n");
    assert_int_equal(parse(&o, NULL, NULL, err, sizeof err, 1, "--chain"), 2);
    assert_string_equal(err, "error: test: option --chain needs a value\n");
    assert_int_equal(parse(&o, NULL, NULL, err, sizeof err, 1, "--chain="), 2);
    assert_string_equal(err, "error: test: option --chain needs a non-empty value\n");
    assert_int_equal(parse(&o, NULL, NULL, err, sizeof err, 2, "--chain=a", "--chain=b"), 2);
    assert_string_equal(err, "error: test: option --chain given twice\n");
    assert_int_equal(parse(&o, NULL, NULL, err, sizeof err, 1, "--dev=1"), 2);
    assert_string_equal(err, "error: test: option --dev takes no value\n");
    struct opts p = {0};
    assert_int_equal(parse(&p, NULL, NULL, err, sizeof err, 2, "--port", "65536"), 2);
    assert_string_equal(err, "error: --port: \"65536\" is not a port (0-65535)\n");
    assert_int_equal(parse(&p, NULL, NULL, err, sizeof err, 2, "--port", "-1"), 2);
    assert_int_equal(parse(&p, NULL, NULL, err, sizeof err, 1, "--level=medium"), 2);
    assert_string_equal(err, "error: --level: \"medium\" is not low or high\n");
    assert_int_equal(p.level, 0);
    assert_int_equal(parse(&p, NULL, NULL, err, sizeof err, 1, "stray"), 2);
    assert_string_equal(
        err, "error: test: unexpected argument \"stray\" (try neuromesh test --help)\n");
    assert_int_equal(parse(&p, words, &n, err, sizeof err, 3, "a", "b", "c"), 2);
    assert_int_equal(n, 2);
}

static int record_usage_error(void *ud, const char *what)
{
    snprintf(ud, 128, "%s", what);
    return 7;
}

static void test_cli_usage_errors_can_be_told_in_the_callers_words(void **state)
{
    (void)state;
    /* `neuromesh key` words its own usage errors; the parser only says what. */
    struct opts o = {0};
    char what[128] = "", *words[1];
    const struct nm_cli_group group = {.options = options, .dst = &o};
    struct nm_cli_args a = {.command = "key", .groups = &group, .ngroups = 1, .words = words,
                            .max_words = 1, .usage_error = record_usage_error,
                            .usage_ud = what};
    char *bad1[] = {"x", "--bogus=secret"};
    assert_int_equal(nm_cli_parse(&a, 2, bad1, 0), 7);
    assert_string_equal(what, "unknown option \"--bogus\"");
    char *bad2[] = {"one", "two\nlines"};
    assert_int_equal(nm_cli_parse(&a, 2, bad2, 0), 7);
    assert_string_equal(what, "unexpected argument \"two?lines\"");
    char *bad3[] = {"--chain"};
    assert_int_equal(nm_cli_parse(&a, 1, bad3, 0), 7);
    assert_string_equal(what, "option --chain needs a value");
    char *good[] = {"--dev", "name"};
    assert_int_equal(nm_cli_parse(&a, 2, good, 0), 0);
    assert_true(o.dev);
    assert_string_equal(words[0], "name");
}

static void test_cli_ranged_integers_take_digits_within_bounds(void **state)
{
    (void)state;
    struct opts o = {0};
    char err[512];
    assert_int_equal(parse(&o, NULL, NULL, err, sizeof err, 2, "--count=10", "--rate=3999999999"),
                     0);
    assert_int_equal(o.count, 10);
    assert_true(o.rate == 3999999999u);
    const char *bad[] = {"--count=0", "--count=11", "--count=+5", "--count= 5", "--count=5x",
                         "--rate=-1", "--rate=4000000001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct opts p = {0};
        assert_int_equal(parse(&p, NULL, NULL, err, sizeof err, 1, bad[i]), 2);
        assert_int_equal(p.count, 0);
        assert_true(p.rate == 0);
    }
    assert_string_equal(err, "error: --rate: \"4000000001\" is not a rate\n");
}

static void test_cli_sizes_and_counts_of_node_flags_fill_their_fields(void **state)
{
    (void)state;
    struct nm_rpc_flags f;
    nm_rpc_flags_init(&f);
    char err[512];
    assert_int_equal(parse_rpc(nm_rpc_flags_options, &f, err, sizeof err, 6,
                               "--rpc-max-request-size=512K", "--rpc-max-outbound", "2",
                               "--rpc-max-notify-queue=100B", "--rpc-max-json-values=9",
                               "--rpc-max-buffered=3MiB"),
                     0);
    assert_int_equal(f.max_request_bytes, 512 * 1024);
    assert_int_equal(f.max_outbound_bytes, 2 * 1024 * 1024);
    assert_int_equal(f.max_notify_bytes, 100);
    assert_int_equal(f.max_json_values, 9);
    assert_int_equal(f.max_buffered_bytes, 3 * 1024 * 1024);
    assert_int_equal(parse_rpc(nm_pool_flags_options, &f, err, sizeof err, 2,
                               "--pool-limit=100", "--pool-longevity=4000000"),
                     0);
    assert_int_equal(f.pool.max, 100);
    assert_true(f.pool.longevity_blocks == 4000000);
    /* one message shape for every refusal; the field keeps its value */
    const char *bad[] = {"--rpc-max-request-size=0", "--rpc-max-request-size=5000",
                         "--rpc-max-request-size=12Q", "--rpc-max-request-size=-1",
                         "--rpc-max-json-values=0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct nm_rpc_flags g;
        nm_rpc_flags_init(&g);
        assert_int_equal(parse_rpc(nm_rpc_flags_options, &g, err, sizeof err, 1, bad[i]), 2);
        assert_int_equal(g.max_request_bytes, 0);
    }
    assert_string_equal(err, "error: --rpc-max-json-values: \"0\" is not a count (1-100000000)\n");
    assert_int_equal(parse_rpc(nm_pool_flags_options, &f, err, sizeof err, 1, "--pool-limit=0"),
                     2);
    assert_string_equal(err, "error: --pool-limit: \"0\" is not a count (1-1000000)\n");
    assert_int_equal(f.pool.max, 100);
}

static void test_cli_help_aligns_options_and_continuation_lines(void **state)
{
    (void)state;
    const struct nm_cli_group group = {.title = "options:", .options = options};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    nm_cli_help(out, &group, 1);
    fclose(out);
    /* The widest name (16) sets the column; continuation lines line up. */
    assert_string_equal(buf, "options:\n"
                             "  --dev             a flag\n"
                             "  --chain FILE      a string\n"
                             "                    over two lines\n"
                             "  --port PORT       a port\n"
                             "  --level low|high  parsed\n"
                             "  -h, --help        help\n"
                             "  --count N         int\n"
                             "  --rate N          u32\n");
    free(buf);
    assert_non_null(nm_cli_find(&group, 1, "-h", 2, NULL));
    assert_null(nm_cli_find(&group, 1, "--he", 4, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_fills_flags_strings_ports_and_parsed_values),
        cmocka_unit_test(test_cli_refuses_bad_input_with_one_message),
        cmocka_unit_test(test_cli_usage_errors_can_be_told_in_the_callers_words),
        cmocka_unit_test(test_cli_ranged_integers_take_digits_within_bounds),
        cmocka_unit_test(test_cli_sizes_and_counts_of_node_flags_fill_their_fields),
        cmocka_unit_test(test_cli_help_aligns_options_and_continuation_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
