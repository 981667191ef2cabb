/* schema_json.c - JSON Schema subset (type, required, properties, enum,
 * maxLength, additionalProperties): compile-time shape checks, then
 * validation with a path to the first violation. */
#include "node/schema_json/schema_json.h"

#include "node/errors.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NM_SCHEMA_MAX_DEPTH 32
#define NM_SCHEMA_MAX_TEXT 4096

const char nm_codegen_input_schema[] =
    "{\"type\":\"object\",\"required\":[\"prompt\",\"language\"],"
    "\"properties\":{\"prompt\":{\"type\":\"string\",\"maxLength\":8192},"
    "\"language\":{\"type\":\"string\",\"enum\":[\"python\",\"c\"]}},"
    "\"additionalProperties\":false}";
const char nm_codegen_output_schema[] =
    "{\"type\":\"object\",\"required\":[\"code\",\"explanation\"],"
    "\"properties\":{\"code\":{\"type\":\"string\",\"maxLength\":65536},"
    "\"explanation\":{\"type\":\"string\",\"maxLength\":8192}},"
    "\"additionalProperties\":false}";

struct nm_json_schema {
    cJSON *root;
};

static const char *const type_names[] = {"string", "number",  "integer", "boolean",
                                         "object", "array",   "null",    NULL};

static bool type_name_known(const char *name)
{
    for (int i = 0; type_names[i]; i++)
        if (strcmp(type_names[i], name) == 0)
            return true;
    return false;
}

/* Shape check of one schema node; path names it in messages. */
static int compile_node(const cJSON *node, const char *path, int depth, char *err, size_t cap)
{
    if (depth > NM_SCHEMA_MAX_DEPTH) {
        snprintf(err, cap, "schema %s: nested deeper than %d", path, NM_SCHEMA_MAX_DEPTH);
        return NM_E_BAD_SCHEMA;
    }
    if (!cJSON_IsObject(node)) {
        snprintf(err, cap, "schema %s: must be a JSON object", path);
        return NM_E_BAD_SCHEMA;
    }
    const cJSON *kw;
    cJSON_ArrayForEach(kw, node)
    {
        const char *k = kw->string;
        char sub[256];
        if (strcmp(k, "type") == 0) {
            if (cJSON_IsString(kw)) {
                if (!type_name_known(kw->valuestring))
                    goto bad_type;
                continue;
            }
            if (!cJSON_IsArray(kw) || cJSON_GetArraySize(kw) == 0)
                goto bad_type;
            const cJSON *t;
            cJSON_ArrayForEach(t, kw)
            {
                if (!cJSON_IsString(t) || !type_name_known(t->valuestring))
                    goto bad_type;
            }
        } else if (strcmp(k, "required") == 0) {
            if (!cJSON_IsArray(kw))
                goto bad_required;
            const cJSON *r;
            cJSON_ArrayForEach(r, kw)
            {
                if (!cJSON_IsString(r))
                    goto bad_required;
            }
        } else if (strcmp(k, "properties") == 0) {
            if (!cJSON_IsObject(kw)) {
                snprintf(err, cap, "schema %s.properties: must be an object", path);
                return NM_E_BAD_SCHEMA;
            }
            const cJSON *p;
            cJSON_ArrayForEach(p, kw)
            {
                snprintf(sub, sizeof sub, "%s.properties.%.40s", path, p->string);
                int rc = compile_node(p, sub, depth + 1, err, cap);
                if (rc)
                    return rc;
            }
        } else if (strcmp(k, "additionalProperties") == 0) {
            if (cJSON_IsBool(kw))
                continue;
            snprintf(sub, sizeof sub, "%s.additionalProperties", path);
            int rc = compile_node(kw, sub, depth + 1, err, cap);
            if (rc)
                return rc;
        } else if (strcmp(k, "enum") == 0) {
            if (!cJSON_IsArray(kw) || cJSON_GetArraySize(kw) == 0) {
                snprintf(err, cap, "schema %s.enum: must be a non-empty array", path);
                return NM_E_BAD_SCHEMA;
            }
        } else if (strcmp(k, "maxLength") == 0) {
            if (!cJSON_IsNumber(kw) || kw->valuedouble < 0 || kw->valuedouble > 1e9 ||
                kw->valuedouble != floor(kw->valuedouble)) {
                snprintf(err, cap, "schema %s.maxLength: must be a non-negative integer", path);
                return NM_E_BAD_SCHEMA;
            }
        } else if (strcmp(k, "$schema") == 0 || strcmp(k, "title") == 0 ||
                   strcmp(k, "description") == 0) {
            continue; /* annotations */
        } else {
            snprintf(err, cap,
                     "schema %s: unsupported keyword \"%.40s\" (the subset is type, required, "
                     "properties, enum, maxLength, additionalProperties)",
                     path, k);
            return NM_E_BAD_SCHEMA;
        }
    }
    return 0;
bad_type:
    snprintf(err, cap,
             "schema %s.type: must be one of string, number, integer, boolean, object, array, "
             "null (or an array of them)",
             path);
    return NM_E_BAD_SCHEMA;
bad_required:
    snprintf(err, cap, "schema %s.required: must be an array of strings", path);
    return NM_E_BAD_SCHEMA;
}

int nm_json_schema_compile(const char *text, struct nm_json_schema **out, char *err, size_t cap)
{
    *out = NULL;
    if (!text || strlen(text) > NM_SCHEMA_MAX_TEXT) {
        snprintf(err, cap, "schema: missing or longer than %d bytes", NM_SCHEMA_MAX_TEXT);
        return NM_E_BAD_SCHEMA;
    }
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        snprintf(err, cap, "schema: not valid JSON");
        return NM_E_BAD_SCHEMA;
    }
    int rc = compile_node(root, "$", 0, err, cap);
    if (rc) {
        cJSON_Delete(root);
        return rc;
    }
    struct nm_json_schema *s = malloc(sizeof *s);
    if (!s) {
        cJSON_Delete(root);
        snprintf(err, cap, "schema: out of memory");
        return NM_E_NOMEM;
    }
    s->root = root;
    *out = s;
    return 0;
}

void nm_json_schema_free(struct nm_json_schema *s)
{
    if (!s)
        return;
    cJSON_Delete(s->root);
    free(s);
}

static bool is_type(const cJSON *v, const char *t)
{
    if (strcmp(t, "string") == 0)
        return cJSON_IsString(v);
    if (strcmp(t, "number") == 0)
        return cJSON_IsNumber(v);
    if (strcmp(t, "integer") == 0)
        return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
               fabs(v->valuedouble) < 9.007199254740992e15;
    if (strcmp(t, "boolean") == 0)
        return cJSON_IsBool(v);
    if (strcmp(t, "object") == 0)
        return cJSON_IsObject(v);
    if (strcmp(t, "array") == 0)
        return cJSON_IsArray(v);
    return cJSON_IsNull(v);
}

static const char *type_of(const cJSON *v)
{
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsNumber(v))
        return "number";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsObject(v))
        return "object";
    if (cJSON_IsArray(v))
        return "array";
    return "null";
}

/* Code points of well-formed UTF-8 (callers check validity first). */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

#define SCHEMA_PATH_CAP 256

/* Appends ".NAME" (NAME cut at 40 bytes) to the path in buf[0..len), as
 * snprintf("%s.%.40s") into SCHEMA_PATH_CAP bytes would; returns the new
 * length. The path is only read when an error is reported, so it is built
 * in place rather than formatted for every member. */
static size_t path_push(char *buf, size_t len, const char *name)
{
    size_t n = strnlen(name, 40);
    if (len + 1 < SCHEMA_PATH_CAP)
        buf[len++] = '.';
    if (n > SCHEMA_PATH_CAP - 1 - len)
        n = SCHEMA_PATH_CAP - 1 - len;
    memcpy(buf + len, name, n);
    buf[len + n] = '\0';
    return len + n;
}

/* path: a SCHEMA_PATH_CAP buffer holding the path of v (length plen); it
 * is extended for members and restored before returning 0. */
static int check_node(const cJSON *schema, const cJSON *v, char *path, size_t plen, int depth,
                      char *err, size_t cap)
{
    if (depth > NM_SCHEMA_MAX_DEPTH) {
        snprintf(err, cap, "%s: nested deeper than %d", path, NM_SCHEMA_MAX_DEPTH);
        return NM_E_INVAL;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
    if (type) {
        bool ok = false;
        if (cJSON_IsString(type)) {
            ok = is_type(v, type->valuestring);
        } else {
            const cJSON *t;
            cJSON_ArrayForEach(t, type) ok = ok || is_type(v, t->valuestring);
        }
        if (!ok) {
            snprintf(err, cap, "%s: expected %s, got %s", path,
                     cJSON_IsString(type) ? type->valuestring : "another type", type_of(v));
            return NM_E_INVAL;
        }
    }
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
    if (en) {
        bool found = false;
        const cJSON *e;
        cJSON_ArrayForEach(e, en) found = found || cJSON_Compare(e, v, true);
        if (!found) {
            if (cJSON_IsString(v))
                snprintf(err, cap, "%s: \"%.40s\" is not one of the enum values", path,
                         v->valuestring);
            else
                snprintf(err, cap, "%s: not one of the enum values", path);
            return NM_E_INVAL;
        }
    }
    const cJSON *ml = cJSON_GetObjectItemCaseSensitive(schema, "maxLength");
    if (ml && cJSON_IsString(v)) {
        size_t n = utf8_length(v->valuestring);
        if ((double)n > ml->valuedouble) {
            snprintf(err, cap, "%s: string of %zu characters, longer than maxLength %.0f", path,
                     n, ml->valuedouble);
            return NM_E_INVAL;
        }
    }
    if (!cJSON_IsObject(v))
        return 0;
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
    const cJSON *r;
    cJSON_ArrayForEach(r, req)
    {
        if (!cJSON_GetObjectItemCaseSensitive(v, r->valuestring)) {
            snprintf(err, cap, "%s: missing required property \"%.40s\"", path, r->valuestring);
            return NM_E_INVAL;
        }
    }
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
    const cJSON *member;
    cJSON_ArrayForEach(member, v)
    {
        const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, member->string) : NULL;
        if (!ps && cJSON_IsFalse(extra)) {
            snprintf(err, cap, "%s: additional property \"%.40s\" not allowed", path,
                     member->string);
            return NM_E_INVAL;
        }
        if (!ps && cJSON_IsObject(extra))
            ps = extra;
        if (ps) {
            size_t sub = path_push(path, plen, member->string);
            int rc = check_node(ps, member, path, sub, depth + 1, err, cap);
            if (rc)
                return rc;
            path[plen] = '\0';
        }
    }
    return 0;
}

int nm_json_schema_check(const struct nm_json_schema *s, const cJSON *doc, char *err,
                         size_t cap)
{
    char path[SCHEMA_PATH_CAP] = "$";
    return check_node(s->root, doc, path, 1, 0, err, cap);
}

bool nm_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3, cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        p += n + 1;
    }
    return true;
}

int nm_json_schema_check_text(const struct nm_json_schema *s, const char *text, size_t len,
                              cJSON **doc_out, char *err, size_t cap)
{
    if (doc_out)
        *doc_out = NULL;
    if (!nm_utf8_valid(text, len)) {
        snprintf(err, cap, "$: not valid UTF-8");
        return NM_E_INVAL;
    }
    if (memchr(text, '\0', len)) {
        snprintf(err, cap, "$: contains a NUL byte");
        return NM_E_INVAL;
    }
    cJSON *doc = cJSON_ParseWithLength(text, len);
    if (!doc) {
        snprintf(err, cap, "$: not valid JSON");
        return NM_E_INVAL;
    }
    int rc = nm_json_schema_check(s, doc, err, cap);
    if (rc || !doc_out)
        cJSON_Delete(doc);
    else
        *doc_out = doc;
    return rc;
}
