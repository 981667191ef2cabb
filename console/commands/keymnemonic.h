/* keymnemonic.h - the key store's BIP-39 side (node/mnemonic.h): fresh
 * words for `key new`, words read for `key import --mnemonic` (from the
 * terminal, without echo, or a file, never from the argument list), and
 * the first-line reader both key files and word files use. */
#ifndef NM_KEYMNEMONIC_H
#define NM_KEYMNEMONIC_H

#include "node/mnemonic.h"

#include <stddef.h>
#include <stdint.h>

/* The first line of fd, trimmed of surrounding whitespace, into buf.
 * 0, or -1 with errno. */
int nm_key_read_line(int fd, char *buf, size_t cap);

/* words 12 or 24: fresh random words into phrase and their key seed.
 * NM_E_IO / NM_E_INVAL with err saying what (no word list, ...). */
int nm_key_mnemonic_new(int words, char phrase[NM_MNEMONIC_MAX], uint8_t seed[32], char *err,
                        size_t cap);
/* Words from file ("-": standard input; NULL: asked on the terminal
 * without echo) to their key seed. NM_E_* with err saying why. */
int nm_key_mnemonic_read(const char *file, uint8_t seed[32], char *err, size_t cap);

#endif
