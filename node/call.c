/* call.c - encoding, decoding and JSON view of runtime calls (see call.h):
 * the kind bytes here, the arguments by the call's row in its pallet's
 * descriptor (node/pallets/pallet.h). */
#include "node/call.h"
#include "node/json.h"

#include "node/errors.h"
#include "node/pallets/pallet.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const char *const task_names[NM_TASK__COUNT] = {"CODE_GEN", "IMAGE_GEN",
                                                       "PROTEIN_FOLDING", "CUSTOM"};
static const char *const role_names[NM_ROLE__COUNT] = {"miner", "validator"};

const char *nm_task_name(uint8_t task)
{
    return task < NM_TASK__COUNT ? task_names[task] : NULL;
}

int nm_task_parse(const char *text)
{
    for (int i = 0; i < NM_TASK__COUNT; i++)
        if (strcasecmp(text, task_names[i]) == 0)
            return i;
    return -1;
}

const char *nm_role_name(uint8_t role)
{
    return role < NM_ROLE__COUNT ? role_names[role] : NULL;
}

int nm_role_parse(const char *text)
{
    for (int i = 0; i < NM_ROLE__COUNT; i++)
        if (strcasecmp(text, role_names[i]) == 0)
            return i;
    return -1;
}

const char *nm_call_name(uint16_t kind)
{
    const struct nm_call_info *info = nm_pallet_call_find(kind);
    return info ? info->name : NULL;
}

void nm_call_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u8(w, (uint8_t)(c->kind >> 8));
    nm_put_u8(w, (uint8_t)(c->kind & 0xff));
    const struct nm_call_info *info = nm_pallet_call_find(c->kind);
    if (info && info->encode)
        info->encode(c, w);
}

int nm_call_decode(const uint8_t *data, size_t len, struct nm_call *c)
{
    struct nm_reader r;
    nm_reader_init(&r, data, len);
    uint8_t pallet = nm_get_u8(&r), index = nm_get_u8(&r);
    uint16_t kind = (uint16_t)(pallet << 8 | index);
    const struct nm_call_info *info = r.err ? NULL : nm_pallet_call_find(kind);
    /* issue 11 (speed): a transfer's decode clears its 40 bytes, not the
     * whole 8.5 KB union; what the call's member holds is the same */
    size_t used =
        info && info->args_size ? offsetof(struct nm_call, u) + info->args_size : sizeof *c;
    memset(c, 0, used);
    if (r.err)
        return NM_E_DECODE;
    c->kind = kind;
    if (!info)
        return NM_E_UNKNOWN_CALL;
    int err = info->decode ? info->decode(&r, c) : 0;
    if (err)
        return err;
    return nm_reader_finish(&r) == 0 ? 0 : (r.err ? NM_E_DECODE : NM_E_TRAILING);
}

cJSON *nm_call_to_json(const struct nm_call *c)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON *args = cJSON_CreateObject();
    const struct nm_call_info *info = nm_pallet_call_find(c->kind);
    cJSON_AddStringToObject(obj, "call", info ? info->name : "unknown");
    nm_json_add(obj, "args", args);
    if (info && info->to_json)
        info->to_json(c, args);
    return obj;
}
