/* password.h - getting a key password from a script or a person: a file, the
 * environment, or a no-echo prompt on the terminal. */
#ifndef NM_PASSWORD_H
#define NM_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/* Max password length nm_password_get is asked to hold, NUL included. */
#define NM_PASSWORD_MAX 1024

/* Puts a password into out (cap bytes, caller's memory; wipe it with
 * sodium_memzero when done). Tries, in order:
 *   1. password_file (if not NULL): its first line, "\n" or "\r\n" removed;
 *   2. $NEUROMESH_PASSWORD, if set and not empty;
 *   3. a prompt on /dev/tty with echo off (restored on return and on
 *      SIGINT, SIGTERM, SIGHUP, SIGQUIT); with confirm, asked twice.
 * Returns 0, or NM_E_NO_PASSWORD (empty, or no terminal to ask on),
 * NM_E_IO (password file unreadable, errno kept), NM_E_TOO_BIG (longer
 * than cap - 1), NM_E_INVAL (the two typed passwords differ). On error out
 * is wiped and nm_password_strerror() says what happened in one lowercase
 * line naming the source. */
int nm_password_get(const char *prompt, const char *password_file, bool confirm, char *out,
                    size_t cap);

/* Detail of the last nm_password_get failure in this thread, e.g.
 * "password file \"pw.txt\": No such file or directory"; "" if none. */
const char *nm_password_strerror(void);

#endif
