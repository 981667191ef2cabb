/* config.h - the operator's defaults in $NEUROMESH_HOME/config.ini, parsed
 * by Debian's libinih (never by hand): url, signer, theme and log_level,
 * in a [defaults] section (or before any section). Command-line flags and
 * environment variables win over them. */
#ifndef NM_CONFIG_H
#define NM_CONFIG_H

#include <stddef.h>

struct nm_config {
    char url[256];      /* exec's --url, attach's address */
    char signer[64];    /* exec's --as, the console's first `use` */
    char theme[64];     /* the console's --theme */
    char log_level[16]; /* error, warn, info, debug */
};

/* Reads home/config.ini into cfg (zeroed first; a missing file is not an
 * error). -1 with a message naming the file and line in err for a bad
 * line, an unknown section or key, or a bad log level. */
int nm_config_load(const char *home, struct nm_config *cfg, char *err, size_t cap);

#endif
