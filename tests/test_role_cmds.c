/* Unit tests for the entry points of the roles (console/cli/miner_cmd.c,
 * validator_cmd.c, aggregator_cmd.c): their options go through the one
 * parser (console/cli/cli.h), so a usage error is one line on stderr and
 * exit 2 before anything starts, and --help lists every option. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "console/cli/aggregator_cmd.h"
#include "console/cli/miner_cmd.h"
#include "console/cli/validator_cmd.h"
#include "tests/support/capture.h"

#include <stdlib.h>
#include <string.h>

typedef int (*entry_fn)(int argc, char **argv);

/* fn on words exits 2 with exactly the line want on stderr and nothing on
 * stdout. */
static void refused(entry_fn fn, const char *const *words, const char *want)
{
    char out[4096], err[1024];
    int rc = cap_run(fn, words, out, sizeof out, err, sizeof err);
    if (rc != 2 || strcmp(err, want) != 0 || out[0])
        fail_msg("%s %s: exit %d, stderr \"%s\" (want \"%s\"), stdout \"%.80s\"", words[0],
                 words[1] ? words[1] : "", rc, err, want, out);
}

/* fn --help exits 0 with every name of names in its help on stdout. */
static void helps(entry_fn fn, const char *const *words, const char *const *names)
{
    char out[8192], err[256];
    assert_int_equal(cap_run(fn, words, out, sizeof out, err, sizeof err), 0);
    assert_string_equal(err, "");
    assert_non_null(strstr(out, "usage: neuromesh "));
    for (; *names; names++)
        if (!strstr(out, *names))
            fail_msg("%s --help lacks \"%s\":\n%s", words[0], *names, out);
}

#define W(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_miner_usage_errors_are_one_line_and_exit_2(void **state)
{
    (void)state;
    refused(nm_miner_main, W("miner", "--bogus"),
            "error: miner: unknown option \"--bogus\" (try neuromesh miner --help)\n");
    refused(nm_miner_main, W("miner", "--backend", "echo", "--subnet", "x"),
            "error: --subnet: \"x\" is not a subnet id (1-65535)\n");
    refused(nm_miner_main, W("miner", "--backend", "echo", "--workers", "0"),
            "error: --workers: \"0\" is not a count (1-256)\n");
    refused(nm_miner_main, W("miner", "--backend"),
            "error: miner: option --backend needs a value\n");
    refused(nm_miner_main, W("miner", "--backend", "echo", "--backend", "builtin"),
            "error: miner: option --backend given twice\n");
    refused(nm_miner_main, W("miner", "--no-chain", "--backend", "echo", "stray"),
            "error: miner: unexpected argument \"stray\" (try neuromesh miner --help)\n");
    refused(nm_miner_main, W("miner", "--no-chain"),
            "error: missing --backend (builtin, echo, exec:CMD or openai:URL)\n");
    refused(nm_miner_main, W("miner", "--backend", "echo", "--as", "bob"),
            "error: missing --subnet ID and --as NAME (or --no-chain)\n");
}

static void test_validator_usage_errors_are_one_line_and_exit_2(void **state)
{
    (void)state;
    refused(nm_validator_main, W("validator", "--sample=0"),
            "error: --sample: \"0\" is not a count (1-4096)\n");
    refused(nm_validator_main, W("validator", "--subnet", "1", "--as", "eve", "--nope"),
            "error: validator: unknown option \"--nope\" (try neuromesh validator --help)\n");
    refused(nm_validator_main, W("validator", "--rpc-port", "70000"),
            "error: --rpc-port: \"70000\" is not a port (0-65535)\n");
    refused(nm_validator_main, W("validator", "--quiet=yes"),
            "error: validator: option --quiet takes no value\n");
    refused(nm_validator_main, W("validator", "--subnet", "1"),
            "error: missing --subnet ID and --as NAME (see --help)\n");
}

static void test_aggregator_usage_errors_are_one_line_and_exit_2(void **state)
{
    (void)state;
    refused(nm_aggregator_main, W("aggregator", "--listen", "nonsense"),
            "error: --listen: \"nonsense\" is not HOST:PORT (port 0-65535)\n");
    refused(nm_aggregator_main, W("aggregator", "--listen", "127.0.0.1:99999"),
            "error: --listen: \"127.0.0.1:99999\" is not HOST:PORT (port 0-65535)\n");
    refused(nm_aggregator_main, W("aggregator", "--auth", "maybe"),
            "error: --auth: \"maybe\" is not none or keys\n");
    refused(nm_aggregator_main, W("aggregator", "--redis", "http://127.0.0.1:1/0"),
            "error: --redis: \"http://127.0.0.1:1/0\" is not a URL redis://HOST[:PORT][/DB]\n");
    refused(nm_aggregator_main, W("aggregator", "--k", "65"),
            "error: --k: \"65\" is not a count (1-64)\n");
    refused(nm_aggregator_main, W("aggregator", "--k", "9"),
            "error: --k must not pass --k-max, nor --timeout-ms --timeout-max-ms\n");
    refused(nm_aggregator_main, W("aggregator", "--bogus"),
            "error: aggregator: unknown option \"--bogus\" (try neuromesh aggregator --help)\n");
    refused(nm_aggregator_main, W("aggregator", "key", "new", "k1", "--per-minute", "0"),
            "error: --per-minute: \"0\" is not a count (1-100000000)\n");
    refused(nm_aggregator_main, W("aggregator", "key", "list", "--bogus"),
            "error: aggregator key: unknown option \"--bogus\" (try neuromesh aggregator key "
            "--help)\n");
    refused(nm_aggregator_main, W("aggregator", "key", "new"),
            "error: use aggregator key new NAME | list | revoke ID|NAME\n");
}

static void test_help_lists_every_option_of_each_role(void **state)
{
    (void)state;
    helps(nm_miner_main, W("miner", "--help"),
          W("--subnet ID", "--as NAME", "--listen HOST:PORT", "--backend SPEC", "--timeout-ms T",
            "--max-concurrency N", "--url ws://NODE", "--workers N", "--model NAME",
            "--api-key-file F", "--password-file F", "--port-file F", "--prometheus-port P",
            "--no-chain", "--quiet", "--log-level LEVEL"));
    helps(nm_validator_main, W("validator", "-h"),
          W("--subnet ID", "--as NAME", "--url ws://NODE", "--sample N", "--concurrency C",
            "--timeout-ms T", "--scorer SPEC", "--db FILE", "--held-out FILE", "--round-ms MS",
            "--rounds N", "--rpc-port P", "--prometheus-port P", "--port-file F",
            "--password-file F", "--quiet", "--log-level LEVEL"));
    helps(nm_aggregator_main, W("aggregator", "--help"),
          W("--node URL", "--listen HOST:PORT", "--auth none|keys", "--keys-db F", "--k-max N",
            "--k N", "--timeout-ms T", "--timeout-max-ms T", "--rate N", "--burst B",
            "--cache-entries N", "--cache-ttl-ms T", "--health-ms T", "--max-body BYTES",
            "--port-file F", "--redis URL", "--redis-down open|closed", "--redis-timeout-ms T",
            "--quiet", "--log-level LEVEL"));
    helps(nm_aggregator_main, W("aggregator", "key", "--help"),
          W("--per-minute N", "--per-day N", "--keys-db F"));
}

int main(void)
{
    /* The aggregator's key store defaults under NEUROMESH_HOME: nothing is
     * written by these refusals, but keep it out of the user's home. */
    setenv("NEUROMESH_HOME", "/nonexistent-nm-test-home", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_miner_usage_errors_are_one_line_and_exit_2),
        cmocka_unit_test(test_validator_usage_errors_are_one_line_and_exit_2),
        cmocka_unit_test(test_aggregator_usage_errors_are_one_line_and_exit_2),
        cmocka_unit_test(test_help_lists_every_option_of_each_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
