/* config.c - $NEUROMESH_HOME/config.ini through libinih (see config.h). */
#include "console/cli/config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

struct load {
    struct nm_config *cfg;
    char *err; /* the first bad line's reason */
    size_t cap;
};

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    struct load *l = user;
    struct {
        const char *key;
        char *dst;
        size_t size;
    } keys[] = {
        {"url", l->cfg->url, sizeof l->cfg->url},
        {"signer", l->cfg->signer, sizeof l->cfg->signer},
        {"theme", l->cfg->theme, sizeof l->cfg->theme},
        {"log_level", l->cfg->log_level, sizeof l->cfg->log_level},
    };
    if (section[0] && strcmp(section, "defaults") != 0) {
        if (!l->err[0])
            snprintf(l->err, l->cap, "unknown section [%.40s] (expected [defaults])", section);
        return 0;
    }
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strcmp(name, keys[i].key) != 0)
            continue;
        if (strlen(value) >= keys[i].size) {
            if (!l->err[0])
                snprintf(l->err, l->cap, "%s is too long", name);
            return 0;
        }
        memcpy(keys[i].dst, value, strlen(value) + 1);
        return 1;
    }
    if (!l->err[0])
        snprintf(l->err, l->cap, "unknown key \"%.40s\" (url, signer, theme, log_level)", name);
    return 0;
}

int nm_config_load(const char *home, struct nm_config *cfg, char *err, size_t cap)
{
    char path[4200];
    memset(cfg, 0, sizeof *cfg);
    err[0] = '\0';
    snprintf(path, sizeof path, "%s/config.ini", home);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0 : (snprintf(err, cap, "%s: %s", path, strerror(errno)), -1);
    struct load l = {cfg, err, cap};
    int line = ini_parse_file(f, on_value, &l);
    fclose(f);
    if (line != 0) {
        char why[300];
        snprintf(why, sizeof why, "%s", err[0] ? err : "not NAME = VALUE");
        snprintf(err, cap, "%s line %d: %s", path, line, why);
        memset(cfg, 0, sizeof *cfg);
        return -1;
    }
    static const char *const levels[] = {"", "error", "warn", "info", "debug"};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (strcmp(cfg->log_level, levels[i]) == 0)
            return 0;
    snprintf(err, cap, "%s: log_level \"%s\": expected error, warn, info or debug", path,
             cfg->log_level);
    memset(cfg, 0, sizeof *cfg);
    return -1;
}
