/* Unit tests for node/miner/server (with client.c and the backends): a real
 * gRPC server on 127.0.0.1 and a real client in one process. Status codes
 * for every kind of bad call, deadlines, the concurrency cap, output
 * validation, exec workers that stall or die, and health probes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "node/errors.h"
#include "node/eval/tasks.h"
#include "node/miner/backend.h"
#include "node/miner/client.h"
#include "node/miner/server.h"
#include "node/schema_json/schema_json.h"
#include "tests/support/miner_fixture.h"

#include <cjson/cJSON.h>
#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* An exec worker in sh: answers each line after SLEEP seconds with OUTPUT. */
#define SH_WORKER(sleep, output)                                                            \
    "while IFS= read -r l; do id=$(echo \"$l\" | sed 's/^{\"id\":\\([0-9]*\\).*/\\1/'); "   \
    "sleep " sleep "; printf '{\"id\":%s,\"output\":" output "}\\n' \"$id\"; done"

struct fixture {
    struct nm_miner_backend *backend;
    struct tq_miner m;
};

static void start(struct fixture *f, const char *spec, int timeout_ms, int max_conc)
{
    char err[256] = "";
    struct nm_miner_backend_options opt = {.workers = 4};
    if (nm_miner_backend_new(spec, &opt, &f->backend, err, sizeof err))
        fail_msg("backend %s: %s", spec, err);
    tq_miner_start(&f->m, f->backend, timeout_ms, max_conc);
}

static void stop(struct fixture *f)
{
    tq_miner_stop(&f->m);
    nm_miner_backend_free(f->backend);
}

static int infer(struct fixture *f, const char *input, int timeout_ms,
                 struct nm_miner_result *r)
{
    assert_int_equal(nm_miner_client_infer(f->m.client, input, timeout_ms, r), 0);
    return r->status;
}

#define GOOD_INPUT "{\"prompt\":\"say hi\",\"language\":\"python\"}"

static void test_echo_infer_answers_and_reports_latency(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "echo", 5000, 8);
    struct nm_miner_result r;
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_OK);
    assert_string_equal(r.output, "{\"code\":\"say hi\",\"explanation\":\"echo\"}");
    assert_true(r.latency_ms >= 0 && r.latency_ms <= r.elapsed_ms);
    nm_miner_result_fini(&r);
    struct nm_miner_stats st;
    nm_miner_server_stats(f.m.server, &st);
    assert_int_equal(st.infer_ok, 1);
    stop(&f);
}

/* The echo backend writes its answer by hand: byte for byte what cJSON
 * prints for {"code": PROMPT, "explanation": "echo"}, whether it parses the
 * input itself or is handed the server's parse. */
static void test_echo_answer_is_what_cjson_prints(void **state)
{
    (void)state;
    static const char *const prompts[] = {
        "", "say \"hi\"", "back\\slash", "tab\tnl\ncr\rbs\bff\f", "\x01\x1f\x7f",
        "caf\xc3\xa9 \xe2\x82\xac", "</script>",
    };
    char err[200];
    struct nm_miner_backend *b;
    assert_int_equal(nm_miner_backend_new("echo", NULL, &b, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof prompts / sizeof *prompts; i++) {
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "prompt", prompts[i]);
        cJSON_AddStringToObject(in, "language", "c");
        char *input = cJSON_PrintUnformatted(in);
        cJSON *want_doc = cJSON_CreateObject();
        cJSON_AddStringToObject(want_doc, "code", prompts[i]);
        cJSON_AddStringToObject(want_doc, "explanation", "echo");
        char *want = cJSON_PrintUnformatted(want_doc);
        for (int parsed = 0; parsed < 2; parsed++) {
            char *out;
            size_t len;
            assert_int_equal(nm_miner_backend_infer_parsed(b, parsed ? in : NULL, input,
                                                           strlen(input), nm_miner_now_ms() + 5000,
                                                           &out, &len, err, sizeof err),
                             0);
            assert_string_equal(out, want);
            assert_int_equal(len, strlen(want));
            free(out);
        }
        free(want);
        cJSON_Delete(want_doc);
        free(input);
        cJSON_Delete(in);
    }
    /* not JSON: the input comes back verbatim as code */
    char *out;
    size_t len;
    assert_int_equal(nm_miner_backend_infer(b, "a\"b", 3, nm_miner_now_ms() + 5000, &out, &len,
                                            err, sizeof err),
                     0);
    assert_string_equal(out, "{\"code\":\"a\\\"b\",\"explanation\":\"echo\"}");
    free(out);
    nm_miner_backend_free(b);
}

static void test_schema_violations_are_invalid_argument_with_reason(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "echo", 5000, 8);
    struct nm_miner_result r;
    assert_int_equal(infer(&f, "{\"prompt\":\"x\",\"language\":\"cobol\"}", 5000, &r),
                     NM_GRPC_INVALID_ARGUMENT);
    assert_non_null(strstr(r.details, "$.language: \"cobol\" is not one of the enum values"));
    nm_miner_result_fini(&r);
    assert_int_equal(infer(&f, "not json", 5000, &r), NM_GRPC_INVALID_ARGUMENT);
    assert_non_null(strstr(r.details, "not valid JSON"));
    nm_miner_result_fini(&r);
    assert_int_equal(infer(&f, "{\"prompt\":\"x\"}", 5000, &r), NM_GRPC_INVALID_ARGUMENT);
    assert_non_null(strstr(r.details, "missing required property \"language\""));
    nm_miner_result_fini(&r);
    /* and it keeps serving */
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_OK);
    nm_miner_result_fini(&r);
    stop(&f);
}

static void test_malformed_protobuf_and_huge_input_keep_the_server_up(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "echo", 5000, 8);
    struct nm_miner_result r;
    uint8_t *resp;
    size_t len;
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01};
    assert_int_equal(nm_miner_client_call_raw(f.m.client, "/neuromesh.miner.v1.MinerService/Infer",
                                              junk, sizeof junk, 5000, &resp, &len, &r),
                     0);
    assert_int_equal(r.status, NM_GRPC_INVALID_ARGUMENT);
    assert_non_null(strstr(r.details, "malformed InferRequest"));
    free(resp);
    size_t big = 200 * 1024;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = '\0';
    assert_int_equal(infer(&f, huge, 5000, &r), NM_GRPC_RESOURCE_EXHAUSTED);
    free(huge);
    nm_miner_result_fini(&r);
    assert_int_equal(nm_miner_client_call_raw(f.m.client, "/neuromesh.miner.v1.MinerService/Nope",
                                              "", 0, 5000, &resp, &len, &r),
                     0);
    assert_int_equal(r.status, NM_GRPC_UNIMPLEMENTED);
    free(resp);
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_OK);
    nm_miner_result_fini(&r);
    stop(&f);
}

/* An Infer call that half-closes without a request message, on gRPC's
 * raw API (our client always sends one): INVALID_ARGUMENT. */
static grpc_status_code call_without_message(int port, char *details, size_t cap)
{
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    grpc_channel_credentials *creds = grpc_insecure_credentials_create();
    grpc_channel *ch = grpc_channel_create(target, creds, NULL);
    grpc_channel_credentials_release(creds);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_REALTIME),
                                         gpr_time_from_millis(5000, GPR_TIMESPAN));
    grpc_call *call = grpc_channel_create_call(
        ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
        grpc_slice_from_static_string("/neuromesh.miner.v1.MinerService/Infer"), NULL, deadline,
        NULL);
    grpc_metadata_array initial, trailing;
    grpc_metadata_array_init(&initial);
    grpc_metadata_array_init(&trailing);
    grpc_status_code status = GRPC_STATUS_UNKNOWN;
    grpc_slice det = grpc_empty_slice();
    grpc_op ops[4];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[2].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[2].data.recv_initial_metadata.recv_initial_metadata = &initial;
    ops[3].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[3].data.recv_status_on_client.trailing_metadata = &trailing;
    ops[3].data.recv_status_on_client.status = &status;
    ops[3].data.recv_status_on_client.status_details = &det;
    assert_int_equal(grpc_call_start_batch(call, ops, 4, ops, NULL), GRPC_CALL_OK);
    grpc_completion_queue_pluck(cq, ops, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    char *d = grpc_slice_to_c_string(det);
    snprintf(details, cap, "%s", d);
    gpr_free(d);
    grpc_slice_unref(det);
    grpc_metadata_array_destroy(&initial);
    grpc_metadata_array_destroy(&trailing);
    grpc_call_unref(call);
    grpc_channel_destroy(ch);
    grpc_completion_queue_shutdown(cq);
    grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    grpc_completion_queue_destroy(cq);
    return status;
}

static void test_infer_without_a_request_message_is_invalid_argument(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "echo", 5000, 8);
    char details[200];
    assert_int_equal(call_without_message(nm_miner_server_port(f.m.server), details, sizeof details),
                     GRPC_STATUS_INVALID_ARGUMENT);
    assert_string_equal(details, "no request message");
    struct nm_miner_result r;
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_OK);
    nm_miner_result_fini(&r);
    stop(&f);
}

#define BURST_THREADS 96 /* more than the server keeps requests pending for */
#define BURST_CALLS 5

static void *burst_caller(void *arg)
{
    struct fixture *f = arg;
    long ok = 0;
    for (int i = 0; i < BURST_CALLS; i++) {
        struct nm_miner_result r;
        if (nm_miner_client_infer(f->m.client, GOOD_INPUT, 10000, &r) == 0 &&
            r.status == NM_GRPC_OK && strcmp(r.output, "{\"code\":\"say hi\",\"explanation\":\"echo\"}") == 0)
            ok++;
        nm_miner_result_fini(&r);
    }
    return (void *)ok;
}

/* Calls answered on the queue thread re-arm their method's request: a
 * burst of more concurrent calls than pending requests is all answered. */
static void test_a_burst_past_the_pending_requests_is_all_answered(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "echo", 10000, 1000);
    pthread_t th[BURST_THREADS];
    for (int i = 0; i < BURST_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, burst_caller, &f), 0);
    long ok = 0;
    for (int i = 0; i < BURST_THREADS; i++) {
        void *n;
        pthread_join(th[i], &n);
        ok += (long)n;
    }
    assert_int_equal(ok, BURST_THREADS * BURST_CALLS);
    /* a call leaves in_flight when the server's send completes, which may
     * come just after the client has its answer: wait for it (bounded) */
    struct nm_miner_stats st;
    for (int tries = 0; tries < 200; tries++) {
        nm_miner_server_stats(f.m.server, &st);
        if (!st.in_flight)
            break;
        usleep(10 * 1000);
    }
    assert_int_equal(st.infer_ok, BURST_THREADS * BURST_CALLS);
    assert_int_equal(st.in_flight, 0);
    stop(&f);
}

static void test_health_check_and_standard_health_service(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "echo", 5000, 8);
    struct nm_miner_result r;
    assert_int_equal(nm_miner_client_health(f.m.client, 5000, &r), 0);
    assert_int_equal(r.status, NM_GRPC_OK);
    assert_string_equal(r.output, "SERVING");
    nm_miner_result_fini(&r);
    uint8_t *resp;
    size_t len;
    assert_int_equal(nm_miner_client_call_raw(f.m.client, "/grpc.health.v1.Health/Check", "", 0,
                                              5000, &resp, &len, &r),
                     0);
    assert_int_equal(r.status, NM_GRPC_OK);
    assert_int_equal(len, 2); /* status = SERVING (field 1, varint 1) */
    assert_int_equal(resp[0], 0x08);
    assert_int_equal(resp[1], 0x01);
    free(resp);
    static const uint8_t other[] = {0x0a, 0x03, 'f', 'o', 'o'};
    assert_int_equal(nm_miner_client_call_raw(f.m.client, "/grpc.health.v1.Health/Check", other,
                                              sizeof other, 5000, &resp, &len, &r),
                     0);
    assert_int_equal(r.status, NM_GRPC_NOT_FOUND);
    free(resp);
    stop(&f);
}

static void test_configured_timeout_and_client_deadline_give_deadline_exceeded(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "exec:" SH_WORKER("1", "{\"code\":\"x\",\"explanation\":\"y\"}"), 300, 8);
    struct nm_miner_result r;
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_DEADLINE_EXCEEDED);
    assert_true(r.elapsed_ms < 900);
    nm_miner_result_fini(&r);
    nm_miner_server_stop(f.m.server);
    nm_miner_client_free(f.m.client);
    nm_miner_backend_free(f.backend);
    /* a client deadline shorter than the miner's timeout wins */
    start(&f, "exec:" SH_WORKER("0.3", "{\"code\":\"x\",\"explanation\":\"y\"}"), 5000, 8);
    assert_int_equal(infer(&f, GOOD_INPUT, 100, &r), NM_GRPC_DEADLINE_EXCEEDED);
    nm_miner_result_fini(&r);
    /* the stalled worker was replaced: the next call answers */
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_OK);
    assert_string_equal(r.output, "{\"code\":\"x\",\"explanation\":\"y\"}");
    nm_miner_result_fini(&r);
    stop(&f);
}

static void test_output_breaking_the_schema_never_reaches_the_client(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "exec:" SH_WORKER("0", "{\"code\":1,\"explanation\":\"y\"}"), 5000, 8);
    struct nm_miner_result r;
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_INTERNAL);
    assert_non_null(strstr(r.details, "breaks the output schema: $.code: expected string"));
    assert_null(r.output);
    stop(&f);
}

static void test_exec_worker_that_dies_is_restarted(void **state)
{
    (void)state;
    struct fixture f;
    /* answers once with its pid, then exits */
    start(&f,
          "exec:IFS= read -r l; id=$(echo \"$l\" | sed 's/^{\"id\":\\([0-9]*\\).*/\\1/'); "
          "printf '{\"id\":%s,\"output\":{\"code\":\"%s\",\"explanation\":\"pid\"}}\\n' "
          "\"$id\" $$",
          5000, 8);
    struct nm_miner_result r1, r2;
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r1), NM_GRPC_OK);
    usleep(300 * 1000); /* the worker has exited by now */
    /* the same slot again: the write finds it dead, a new worker answers */
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r2), NM_GRPC_OK);
    assert_string_not_equal(r1.output, r2.output); /* another pid */
    nm_miner_result_fini(&r1);
    nm_miner_result_fini(&r2);
    stop(&f);
}

struct flood {
    struct fixture *f;
    int status;
};

static void *flood_one(void *arg)
{
    struct flood *fl = arg;
    struct nm_miner_result r;
    nm_miner_client_infer(fl->f->m.client, GOOD_INPUT, 5000, &r);
    fl->status = r.status;
    nm_miner_result_fini(&r);
    return NULL;
}

static void test_calls_past_max_concurrency_are_resource_exhausted(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "exec:" SH_WORKER("0.6", "{\"code\":\"x\",\"explanation\":\"y\"}"), 5000, 2);
    enum { N = 8 };
    pthread_t th[N];
    struct flood fl[N];
    for (int i = 0; i < N; i++) {
        fl[i] = (struct flood){&f, -1};
        pthread_create(&th[i], NULL, flood_one, &fl[i]);
    }
    int ok = 0, exhausted = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(th[i], NULL);
        ok += fl[i].status == NM_GRPC_OK;
        exhausted += fl[i].status == NM_GRPC_RESOURCE_EXHAUSTED;
    }
    assert_true(ok >= 2);
    assert_true(exhausted >= 1);
    assert_int_equal(ok + exhausted, N);
    struct nm_miner_result r;
    assert_int_equal(infer(&f, GOOD_INPUT, 5000, &r), NM_GRPC_OK); /* still serving */
    nm_miner_result_fini(&r);
    stop(&f);
}

static void test_builtin_solves_a_public_task_with_its_reference(void **state)
{
    (void)state;
    struct fixture f;
    start(&f, "builtin", 5000, 8);
    struct nm_task_variant v;
    assert_int_equal(nm_task_variant_make(&nm_tasks_public[0], 42, &v), 0);
    struct nm_miner_result r;
    assert_int_equal(infer(&f, v.input_json, 5000, &r), NM_GRPC_OK);
    cJSON *doc = cJSON_Parse(r.output);
    assert_string_equal(cJSON_GetObjectItem(doc, "code")->valuestring, v.reference);
    cJSON_Delete(doc);
    nm_miner_result_fini(&r);
    /* a task it gets wrong: index 2 (every third) answers with P + 1 */
    assert_int_equal(nm_task_variant_make(&nm_tasks_public[2], 42, &v), 0);
    assert_int_equal(infer(&f, v.input_json, 5000, &r), NM_GRPC_OK);
    doc = cJSON_Parse(r.output);
    assert_string_not_equal(cJSON_GetObjectItem(doc, "code")->valuestring, v.reference);
    cJSON_Delete(doc);
    nm_miner_result_fini(&r);
    stop(&f);
}

static void test_bad_backend_specs_and_listen_addresses_are_refused(void **state)
{
    (void)state;
    struct nm_miner_backend *b = NULL;
    char err[256];
    assert_int_equal(nm_miner_backend_new("gpt", NULL, &b, err, sizeof err), NM_E_INVAL);
    assert_non_null(strstr(err, "unknown backend \"gpt\""));
    assert_int_equal(nm_miner_backend_new("exec:", NULL, &b, err, sizeof err), NM_E_INVAL);
    assert_int_equal(nm_miner_backend_new("openai:ftp://x", NULL, &b, err, sizeof err),
                     NM_E_INVAL);
    assert_null(b);
    assert_int_equal(nm_miner_backend_new("echo", NULL, &b, err, sizeof err), 0);
    struct nm_miner_server *s = NULL;
    struct nm_miner_server_config cfg = {.listen = "256.1.1.1:99999", .backend = b, .quiet = 1};
    assert_int_equal(nm_miner_server_start(&cfg, &s, err, sizeof err), NM_E_IO);
    assert_non_null(strstr(err, "cannot listen on 256.1.1.1:99999"));
    cfg.listen = "127.0.0.1:0";
    cfg.input_schema = "{\"type\":\"strin\"}";
    assert_int_equal(nm_miner_server_start(&cfg, &s, err, sizeof err), NM_E_BAD_SCHEMA);
    assert_null(s);
    nm_miner_backend_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_infer_answers_and_reports_latency),
        cmocka_unit_test(test_echo_answer_is_what_cjson_prints),
        cmocka_unit_test(test_schema_violations_are_invalid_argument_with_reason),
        cmocka_unit_test(test_malformed_protobuf_and_huge_input_keep_the_server_up),
        cmocka_unit_test(test_infer_without_a_request_message_is_invalid_argument),
        cmocka_unit_test(test_a_burst_past_the_pending_requests_is_all_answered),
        cmocka_unit_test(test_health_check_and_standard_health_service),
        cmocka_unit_test(test_configured_timeout_and_client_deadline_give_deadline_exceeded),
        cmocka_unit_test(test_output_breaking_the_schema_never_reaches_the_client),
        cmocka_unit_test(test_exec_worker_that_dies_is_restarted),
        cmocka_unit_test(test_calls_past_max_concurrency_are_resource_exhausted),
        cmocka_unit_test(test_builtin_solves_a_public_task_with_its_reference),
        cmocka_unit_test(test_bad_backend_specs_and_listen_addresses_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
