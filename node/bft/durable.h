/* durable.h - replacing a small file durably: write PATH.tmp, fsync it,
 * rename it over PATH, fsync the directory. After a crash at any instant
 * PATH holds the old contents or the new, whole. Used by the double-sign
 * record and the write-ahead log. */
#ifndef NM_BFT_DURABLE_H
#define NM_BFT_DURABLE_H

#include <stddef.h>

/* 0, NM_E_NOMEM or NM_E_IO (then PATH is unchanged). */
int nm_bft_durable_replace(const char *path, const void *data, size_t len);

#endif
