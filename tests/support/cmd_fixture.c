/* cmd_fixture.c - a fake node behind a console session, for the command
 * tests (see cmd_fixture.h). */
#include "tests/support/cmd_fixture.h"

#include "console/commands/commands.h"
#include "node/errors.h"
#include "node/keystore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cmd_fx_answer(struct fake *f, const char *method, const char *result)
{
    f->answers[f->nanswers++] = (struct fake_answer){method, result, NULL, 0};
}

void cmd_fx_error(struct fake *f, const char *method, int code, const char *data)
{
    f->answers[f->nanswers++] = (struct fake_answer){method, NULL, data, code};
}

static int fake_call(void *ud, const char *method, cJSON *params, int timeout_ms, cJSON **result,
                     struct nm_rpc_error *err)
{
    struct fake *f = ud;
    (void)timeout_ms;
    cJSON_Delete(params);
    f->calls++;
    snprintf(f->last_method, sizeof f->last_method, "%s", method);
    for (int i = f->nanswers - 1; i >= 0; i--) {
        if (strcmp(f->answers[i].method, method) != 0)
            continue;
        if (f->answers[i].result) {
            *result = cJSON_Parse(f->answers[i].result);
            assert_non_null(*result);
            return 0;
        }
        err->code = f->answers[i].err_code;
        snprintf(err->message, sizeof err->message, "refused");
        err->data = cJSON_Parse(f->answers[i].err_data);
        return NM_E_RPC;
    }
    err->code = -32601;
    snprintf(err->message, sizeof err->message, "Method not found");
    return NM_E_RPC;
}

static int fake_subscribe(void *ud, const char *method, cJSON *params, nm_rpc_notify_fn fn,
                          void *fn_ud, char *sub_id, size_t cap, struct nm_rpc_error *err)
{
    struct fake *f = ud;
    assert_string_equal(method, "author_submitAndWatchExtrinsic");
    f->subscribes++;
    free(f->submitted);
    f->submitted = strdup(cJSON_GetArrayItem(params, 0)->valuestring);
    cJSON_Delete(params);
    if (f->reject_data) {
        err->code = 1010;
        snprintf(err->message, sizeof err->message, "Invalid Transaction");
        err->data = cJSON_Parse(f->reject_data);
        return NM_E_RPC;
    }
    snprintf(sub_id, cap, "sub1");
    for (int i = 0; i < 4 && f->notifications[i]; i++) {
        cJSON *r = cJSON_Parse(f->notifications[i]);
        assert_non_null(r);
        fn(fn_ud, r);
        cJSON_Delete(r);
    }
    return 0;
}

struct nm_session_transport cmd_fx_transport(struct fake *f)
{
    return (struct nm_session_transport){fake_call, fake_subscribe, NULL, f};
}

static int setup_session(void **state, bool dev)
{
    struct cmd_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    nm_crypto_init();
    snprintf(fx->fake.home, sizeof fx->fake.home, "/tmp/nm-test-commands-XXXXXX");
    assert_non_null(mkdtemp(fx->fake.home));
    cmd_fx_answer(&fx->fake, "chain_info", dev ? CHAIN_INFO("true") : CHAIN_INFO("false"));
    struct nm_session_transport t = cmd_fx_transport(&fx->fake);
    struct nm_session_config cfg = {
        .url = "ws://fake:1", .home = fx->fake.home, .submit_timeout_ms = 1000};
    assert_int_equal(nm_session_new(&cfg, &t, &fx->s), 0);
    struct nm_keypair kp;
    nm_keypair_dev("alice", &kp);
    nm_ss58_encode(&kp.pub, fx->alice);
    nm_keypair_dev("bob", &kp);
    nm_ss58_encode(&kp.pub, fx->bob);
    *state = fx;
    return 0;
}

int cmd_fx_setup_dev(void **state)
{
    return setup_session(state, true);
}

int cmd_fx_setup_live(void **state)
{
    return setup_session(state, false);
}

int cmd_fx_teardown(void **state)
{
    struct cmd_fixture *fx = *state;
    nm_session_free(fx->s);
    free(fx->fake.submitted);
    rmdir(fx->fake.home);
    free(fx);
    return 0;
}

void cmd_fx_expect_usage(const char *line, const char *msg)
{
    struct nm_cmd_result r;
    assert_int_equal(nm_cmd_run_line(NULL, line, false, &r), NM_CMD_USAGE);
    if (strcmp(r.message, msg) != 0)
        fail_msg("\"%s\":\n got  %s\n want %s", line, r.message, msg);
    assert_null(r.json);
    assert_null(r.text);
    nm_cmd_result_fini(&r);
}

void cmd_fx_build_ok(struct nm_session *s, const char *line, struct nm_call *c)
{
    char err[512] = "";
    int rc = nm_cmd_build_call(s, line, c, err, sizeof err);
    if (rc)
        fail_msg("\"%s\": %s", line, err);
}
