/* home.h - where NeuroMesh keeps an operator's files: $NEUROMESH_HOME, or
 * ~/.neuromesh. */
#ifndef NM_HOME_H
#define NM_HOME_H

#include <stddef.h>

/* Writes the home directory path into out; creates it (0700) if missing
 * when create is set. NM_E_* on failure. */
int nm_home_dir(char *out, size_t cap, int create);

#endif
