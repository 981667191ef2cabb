/* role_chain.c - subnet and neuron look-ups for the miner and validator. */
#include "node/miner/role_chain.h"

#include "node/errors.h"
#include "node/call.h"
#include "node/p2p/announce.h"
#include "node/schema_json/schema_json.h"
#include "node/ss58.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nm_role_subnet_fini(struct nm_role_subnet *s)
{
    free(s->input_schema);
    free(s->output_schema);
    s->input_schema = s->output_schema = NULL;
}

static char *schema_or(const cJSON *v, const char *fallback)
{
    /* no schema on chain ("" or "{}"): the task's default, else any JSON */
    const char *text = cJSON_IsString(v) && *v->valuestring ? v->valuestring : "{}";
    if (fallback && strcmp(text, "{}") == 0)
        text = fallback;
    return strdup(text);
}

int nm_role_subnet_get(struct nm_session *s, unsigned id, struct nm_role_subnet *out,
                       char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(id));
    cJSON *res = NULL;
    int rc = nm_session_call(s, "subnet_get", params, &res, err, cap);
    if (rc)
        return rc;
    out->id = id;
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(res, "task");
    snprintf(out->task, sizeof out->task, "%s", cJSON_IsString(task) ? task->valuestring : "");
    bool codegen = strcmp(out->task, "CODE_GEN") == 0;
    out->input_schema = schema_or(cJSON_GetObjectItemCaseSensitive(res, "input_schema"),
                                  codegen ? nm_codegen_input_schema : NULL);
    out->output_schema = schema_or(cJSON_GetObjectItemCaseSensitive(res, "output_schema"),
                                   codegen ? nm_codegen_output_schema : NULL);
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(res, "status");
    bool retired = cJSON_IsString(status) && strcmp(status->valuestring, "active") != 0;
    cJSON_Delete(res);
    if (!out->input_schema || !out->output_schema) {
        nm_role_subnet_fini(out);
        snprintf(err, cap, "out of memory");
        return NM_E_NOMEM;
    }
    if (retired) {
        nm_role_subnet_fini(out);
        snprintf(err, cap, "subnet %u is retired", id);
        return NM_E_SUBNET_RETIRED;
    }
    return 0;
}

int nm_role_neuron_find(struct nm_session *s, unsigned subnet, struct nm_role_neuron *out,
                        char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    out->uid = -1;
    nm_account acct;
    int rc = nm_session_signer_account(s, NULL, &acct, err, cap);
    if (rc)
        return rc;
    nm_ss58_encode(&acct, out->address);
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateNumber(subnet));
    cJSON *res = NULL;
    if ((rc = nm_session_call_pages(s, "neuron_list", params, "neurons", NM_SESSION_PAGE, &res,
                                    err, cap)))
        return rc;
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(res, "neurons"))
    {
        const cJSON *hk = cJSON_GetObjectItemCaseSensitive(n, "hotkey");
        if (!cJSON_IsString(hk) || strcmp(hk->valuestring, out->address) != 0)
            continue;
        const cJSON *uid = cJSON_GetObjectItemCaseSensitive(n, "uid");
        const cJSON *role = cJSON_GetObjectItemCaseSensitive(n, "role");
        const cJSON *ep = cJSON_GetObjectItemCaseSensitive(n, "endpoint");
        out->uid = cJSON_IsNumber(uid) ? (long)uid->valuedouble : -1;
        snprintf(out->role, sizeof out->role, "%s",
                 cJSON_IsString(role) ? role->valuestring : "");
        snprintf(out->endpoint, sizeof out->endpoint, "%s",
                 cJSON_IsString(ep) ? ep->valuestring : "");
        break;
    }
    cJSON_Delete(res);
    return 0;
}

int nm_role_announce(struct nm_session *s, unsigned subnet, const char *role,
                     const char *endpoint, char *err, size_t cap)
{
    const struct nm_keypair *kp;
    cJSON *head = NULL;
    int rc;
    if ((rc = nm_session_signer_keypair(s, NULL, &kp, err, cap)) ||
        (rc = nm_session_call(s, "chain_getHeader", NULL, &head, err, cap)))
        return rc;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(head, "height");
    struct nm_announcement a = {
        .genesis = *nm_session_genesis(s),
        .subnet = (uint16_t)subnet,
        .role = (uint8_t)(nm_role_parse(role) < 0 ? 0 : nm_role_parse(role)),
        .at = cJSON_IsNumber(h) ? (uint64_t)h->valuedouble : 0,
    };
    cJSON_Delete(head);
    snprintf(a.endpoint, sizeof a.endpoint, "%s", endpoint);
    nm_announce_sign(&a, kp);
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    cJSON_AddItemToArray(params, nm_announce_to_object(&a));
    rc = nm_session_call(s, "neuron_announce", params, &res, err, cap);
    cJSON_Delete(res);
    return rc;
}

int nm_role_fill_announced(struct nm_session *s, unsigned subnet, cJSON *list)
{
    char err[256];
    cJSON *params = cJSON_CreateArray(), *heard = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateNumber(subnet));
    if (nm_session_call(s, "neuron_announcements", params, &heard, err, sizeof err))
        return 0; /* no p2p layer, or an older node */
    int filled = nm_announce_fill_endpoints(list, heard);
    cJSON_Delete(heard);
    return filled;
}
