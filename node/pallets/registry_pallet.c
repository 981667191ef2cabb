/* registry_pallet.c - the registry pallet as data: its table and its
 * calls' codec and JSON view (see pallet.h). */
#include "node/pallets/pallet.h"
#include "node/pallets/registry.h"

static const char *const schema[] = {
    "CREATE TABLE neurons(subnet INTEGER NOT NULL, uid INTEGER NOT NULL,"
    " account BLOB NOT NULL, role INTEGER NOT NULL, endpoint TEXT NOT NULL,"
    " registered_at INTEGER NOT NULL, PRIMARY KEY(subnet, uid)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX neurons_by_account ON neurons(subnet, account)",
    NULL,
};

static void register_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.reg.subnet);
    nm_put_u8(w, c->u.reg.role);
    nm_put_u64(w, c->u.reg.stake);
    nm_put_str(w, c->u.reg.endpoint);
}

static int register_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.reg.subnet = nm_get_u16(r);
    c->u.reg.role = nm_get_u8(r);
    c->u.reg.stake = nm_get_u64(r);
    nm_get_str(r, c->u.reg.endpoint, sizeof c->u.reg.endpoint);
    return 0;
}

static void register_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.reg.subnet);
    cJSON_AddStringToObject(args, "role",
                            nm_role_name(c->u.reg.role) ? nm_role_name(c->u.reg.role) : "unknown");
    nm_json_add_amount(args, "stake", c->u.reg.stake);
    cJSON_AddStringToObject(args, "endpoint", c->u.reg.endpoint);
}

static void deregister_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.deregister.subnet);
}

static int deregister_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.deregister.subnet = nm_get_u16(r);
    return 0;
}

static void deregister_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.deregister.subnet);
}

static void endpoint_encode(const struct nm_call *c, struct nm_writer *w)
{
    nm_put_u16(w, c->u.set_endpoint.subnet);
    nm_put_str(w, c->u.set_endpoint.endpoint);
}

static int endpoint_decode(struct nm_reader *r, struct nm_call *c)
{
    c->u.set_endpoint.subnet = nm_get_u16(r);
    nm_get_str(r, c->u.set_endpoint.endpoint, sizeof c->u.set_endpoint.endpoint);
    return 0;
}

static void endpoint_json(const struct nm_call *c, cJSON *args)
{
    cJSON_AddNumberToObject(args, "subnet", c->u.set_endpoint.subnet);
    cJSON_AddStringToObject(args, "endpoint", c->u.set_endpoint.endpoint);
}

static const struct nm_call_info calls[] = {
    {.kind = NM_CALL_REGISTER,
     .name = "registry.register", .weight = 250,
     .encode = register_encode,
     .decode = register_decode,
     .to_json = register_json,
     .apply = nm_registry_register},
    {.kind = NM_CALL_DEREGISTER,
     .name = "registry.deregister", .weight = 200,
     .encode = deregister_encode,
     .decode = deregister_decode,
     .to_json = deregister_json,
     .apply = nm_registry_deregister},
    {.kind = NM_CALL_SET_ENDPOINT,
     .name = "registry.set_endpoint", .weight = 60,
     .encode = endpoint_encode,
     .decode = endpoint_decode,
     .to_json = endpoint_json,
     .apply = nm_registry_set_endpoint},
};

static const char *const registry_events[] = {
    "registry.Registered",
    "registry.Deregistered",
    "registry.EndpointSet",
    "registry.Pruned",
    NULL,
};

const struct nm_pallet nm_pallet_registry = {
    .name = "registry",
    .index = 4,
    .schema = schema,
    .events = registry_events,
    .calls = calls,
    .call_count = sizeof calls / sizeof calls[0],
    .fold = nm_registry_fold,
};
