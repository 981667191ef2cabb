/* keys.c - API keys stored hashed in a text file (see keys.h). */
#include "api/keys.h"

#include "node/log.h"
#include "node/errors.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HASH_HEX 65

struct entry {
    struct nm_api_key_info info;
    unsigned char hash[32];
};

struct nm_api_keys {
    char *path;
    struct entry *e;
    size_t n;
    struct timespec mtime;
    time_t checked;
};

static void hash_key(const char *text, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)text, strlen(text), NULL, 0);
}

static bool good_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

/* Reads every line; a missing file is empty. */
static int load(const char *path, struct entry **out, size_t *n, char *err, size_t cap)
{
    *out = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, cap, "keys database %.200s: %s", path, strerror(errno));
        return NM_E_IO;
    }
    char line[512];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        struct entry e = {0};
        char hex[HASH_HEX], status[16];
        long long created;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%16s %64s %u %u %15s %lld %32s", e.info.id, hex, &e.info.per_minute,
                   &e.info.per_day, status, &created, e.info.name) != 7 ||
            sodium_hex2bin(e.hash, 32, hex, 64, NULL, NULL, NULL) != 0) {
            snprintf(err, cap, "keys database %.200s: line %d is malformed", path, lineno);
            rc = NM_E_IO;
            break;
        }
        e.info.revoked = strcmp(status, "active") != 0;
        e.info.created = created;
        struct entry *grown = realloc(*out, (*n + 1) * sizeof *grown);
        if (!grown) {
            rc = NM_E_NOMEM;
            break;
        }
        *out = grown;
        (*out)[(*n)++] = e;
    }
    fclose(f);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int save(const char *path, const struct entry *e, size_t n, char *err, size_t cap)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, cap, "keys database %.200s: %s", tmp, strerror(errno));
        return NM_E_IO;
    }
    fchmod(fileno(f), 0600);
    fprintf(f, "# neuromesh aggregator keys: id blake2b-256(key) per_minute per_day status "
               "created name\n");
    for (size_t i = 0; i < n; i++) {
        char hex[HASH_HEX];
        sodium_bin2hex(hex, sizeof hex, e[i].hash, 32);
        fprintf(f, "%s %s %u %u %s %lld %s\n", e[i].info.id, hex, e[i].info.per_minute,
                e[i].info.per_day, e[i].info.revoked ? "revoked" : "active",
                (long long)e[i].info.created, e[i].info.name);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, cap, "keys database %.200s: cannot write it", path);
        unlink(tmp);
        return NM_E_IO;
    }
    return 0;
}

static int reload(struct nm_api_keys *k, char *err, size_t cap)
{
    struct stat st;
    if (stat(k->path, &st) == 0 && st.st_mtim.tv_sec == k->mtime.tv_sec &&
        st.st_mtim.tv_nsec == k->mtime.tv_nsec && k->e)
        return 0;
    struct entry *e = NULL;
    size_t n = 0;
    int rc = load(k->path, &e, &n, err, cap);
    if (rc)
        return rc;
    free(k->e);
    k->e = e;
    k->n = n;
    if (stat(k->path, &st) == 0)
        k->mtime = st.st_mtim;
    return 0;
}

int nm_api_keys_open(const char *path, struct nm_api_keys **out, char *err, size_t cap)
{
    struct nm_api_keys *k = calloc(1, sizeof *k);
    if (!k || !(k->path = strdup(path))) {
        free(k);
        return NM_E_NOMEM;
    }
    int rc = reload(k, err, cap);
    if (rc) {
        nm_api_keys_free(k);
        return rc;
    }
    k->checked = time(NULL);
    *out = k;
    return 0;
}

void nm_api_keys_free(struct nm_api_keys *k)
{
    if (!k)
        return;
    sodium_memzero(k->e, k->n * sizeof *k->e);
    free(k->e);
    free(k->path);
    free(k);
}

enum nm_api_key_status nm_api_keys_check(struct nm_api_keys *k, const char *presented,
                                         struct nm_api_key_info *out)
{
    time_t now = time(NULL);
    char err[256];
    if (now != k->checked) { /* at most one stat a second; a bad file keeps the old keys */
        k->checked = now;
        if (reload(k, err, sizeof err))
            nm_log(NM_LOG_WARN, "aggregator", "%s (keeping the keys read before)", err);
    }
    unsigned char h[32];
    hash_key(presented, h);
    for (size_t i = 0; i < k->n; i++)
        if (sodium_memcmp(h, k->e[i].hash, 32) == 0) {
            *out = k->e[i].info;
            return k->e[i].info.revoked ? NM_API_KEY_REVOKED : NM_API_KEY_OK;
        }
    return NM_API_KEY_UNKNOWN;
}

int nm_api_keys_add(const char *path, const char *name, uint32_t per_minute, uint32_t per_day,
                    char key_out[NM_API_KEY_TEXT_LEN], char *err, size_t cap)
{
    if (!good_name(name)) {
        snprintf(err, cap, "key names are 1-32 letters, digits, '-' or '_'");
        return NM_E_INVAL;
    }
    if (!per_minute || !per_day) {
        snprintf(err, cap, "quotas must be at least 1 request");
        return NM_E_INVAL;
    }
    struct entry *e = NULL;
    size_t n = 0;
    int rc = load(path, &e, &n, err, cap);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(e[i].info.name, name) && !e[i].info.revoked) {
            snprintf(err, cap, "a key named %s already exists (revoke it first)", name);
            free(e);
            return NM_E_INVAL;
        }
    struct entry *grown = realloc(e, (n + 1) * sizeof *grown);
    if (!grown) {
        free(e);
        return NM_E_NOMEM;
    }
    e = grown;
    struct entry *x = &e[n++];
    memset(x, 0, sizeof *x);
    unsigned char idb[8], secret[24];
    randombytes_buf(idb, sizeof idb);
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(x->info.id, sizeof x->info.id, idb, sizeof idb);
    char shex[49];
    sodium_bin2hex(shex, sizeof shex, secret, sizeof secret);
    snprintf(key_out, NM_API_KEY_TEXT_LEN, "nmk_%s_%s", x->info.id, shex);
    hash_key(key_out, x->hash);
    snprintf(x->info.name, sizeof x->info.name, "%s", name);
    x->info.per_minute = per_minute;
    x->info.per_day = per_day;
    x->info.created = (int64_t)time(NULL);
    rc = save(path, e, n, err, cap);
    sodium_memzero(shex, sizeof shex);
    free(e);
    return rc;
}

int nm_api_keys_revoke(const char *path, const char *id_or_name, char *err, size_t cap)
{
    struct entry *e = NULL;
    size_t n = 0, hits = 0;
    int rc = load(path, &e, &n, err, cap);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!e[i].info.revoked &&
            (!strcmp(e[i].info.id, id_or_name) || !strcmp(e[i].info.name, id_or_name))) {
            e[i].info.revoked = true;
            hits++;
        }
    if (!hits) {
        snprintf(err, cap, "no active key with id or name \"%.40s\"", id_or_name);
        rc = NM_E_KEY_NOT_FOUND;
    } else {
        rc = save(path, e, n, err, cap);
    }
    free(e);
    return rc;
}

int nm_api_keys_list(const char *path, FILE *out, char *err, size_t cap)
{
    struct entry *e = NULL;
    size_t n = 0;
    int rc = load(path, &e, &n, err, cap);
    if (rc)
        return rc;
    fprintf(out, "%-16s  %-20s  %10s  %10s  %s\n", "ID", "NAME", "PER_MIN", "PER_DAY", "STATUS");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%-16s  %-20s  %10u  %10u  %s\n", e[i].info.id, e[i].info.name,
                e[i].info.per_minute, e[i].info.per_day,
                e[i].info.revoked ? "revoked" : "active");
    free(e);
    return 0;
}
