/* curl_load.h - libcurl loaded when first used, not at program start.
 *
 * Only the roles' HTTP clients (the miner's openai: backend, the console's
 * `watch --post` and its aggregator commands) use libcurl, yet linking it
 * made every neuromesh process, an idle node too, map it and the ~20
 * libraries it needs (LDAP, Kerberos, GnuTLS, SSH, RTMP ...): about 4.5 MB
 * of resident memory (docs/rpc.md, "Memory of an idle node"). So the
 * program does not link libcurl: client/curl_load.c defines the few
 * curl_* functions the program calls, and the first of them to run loads
 * Debian's libcurl.so.4 with dlopen and forwards to it. Callers include
 * <curl/curl.h> and call libcurl as usual; when the library cannot be
 * loaded, curl_easy_init and curl_slist_append answer NULL and the others
 * CURLE_FAILED_INIT, as libcurl itself does when it cannot start. */
#ifndef NM_CURL_LOAD_H
#define NM_CURL_LOAD_H

#include <stdbool.h>
#include <stddef.h>

/* Loads libcurl now if it is not yet (thread-safe): true when it is
 * usable; else false with dlopen's reason in err. */
bool nm_curl_load(char *err, size_t cap);

#endif
