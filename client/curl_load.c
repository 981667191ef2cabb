/* curl_load.c - the curl_* functions the program calls, forwarding to
 * libcurl.so.4 loaded on first use (see curl_load.h). */
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is defined here, not a macro */
#include "client/curl_load.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

/* The library's soname: Debian's libcurl4 (built against libcurl4-openssl-dev). */
#define CURL_SONAME "libcurl.so.4"

/* Each function forwarded; its pointer has the type curl.h declares. */
#define CURL_FUNCTIONS(X)                                                                      \
    X(curl_global_init)                                                                        \
    X(curl_easy_init)                                                                          \
    X(curl_easy_setopt)                                                                        \
    X(curl_easy_perform)                                                                       \
    X(curl_easy_getinfo)                                                                       \
    X(curl_easy_cleanup)                                                                       \
    X(curl_easy_strerror)                                                                      \
    X(curl_slist_append)                                                                       \
    X(curl_slist_free_all)

static struct {
#define FIELD(name) __typeof__(&name) name;
    CURL_FUNCTIONS(FIELD)
#undef FIELD
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool loaded;
static char why[256];

static void load(void)
{
    void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(why, sizeof why, "cannot load %s: %s", CURL_SONAME, dlerror());
        return;
    }
    /* dlsym on the library's handle finds libcurl's own definitions, not
     * the forwarders of this file. */
#define LOOKUP(name)                                                                     \
    if (!(*(void **)&real.name = dlsym(h, #name))) {                                           \
        snprintf(why, sizeof why, "%s lacks %s", CURL_SONAME, #name);                          \
        return;                                                                                \
    }
    CURL_FUNCTIONS(LOOKUP)
#undef LOOKUP
    loaded = true;
}

bool nm_curl_load(char *err, size_t cap)
{
    pthread_once(&once, load);
    if (!loaded && cap)
        snprintf(err, cap, "%s", why);
    return loaded;
}

static bool ready(void)
{
    pthread_once(&once, load);
    return loaded;
}

CURLcode curl_global_init(long flags)
{
    return ready() ? real.curl_global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
    return ready() ? real.curl_easy_init() : NULL;
}

/* The one argument after option is a long, an object or function pointer,
 * or a curl_off_t, by the option's number range (as libcurl reads it). */
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...)
{
    if (!ready())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT)
        rc = real.curl_easy_setopt(curl, option, va_arg(ap, long));
    else if (option < CURLOPTTYPE_FUNCTIONPOINT)
        rc = real.curl_easy_setopt(curl, option, va_arg(ap, void *));
    else if (option < CURLOPTTYPE_OFF_T)
        rc = real.curl_easy_setopt(curl, option, va_arg(ap, void (*)(void)));
    else if (option < CURLOPTTYPE_BLOB)
        rc = real.curl_easy_setopt(curl, option, va_arg(ap, curl_off_t));
    else
        rc = real.curl_easy_setopt(curl, option, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *curl)
{
    return ready() ? real.curl_easy_perform(curl) : CURLE_FAILED_INIT;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...)
{
    if (!ready())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    CURLcode rc = real.curl_easy_getinfo(curl, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

void curl_easy_cleanup(CURL *curl)
{
    if (ready())
        real.curl_easy_cleanup(curl);
}

const char *curl_easy_strerror(CURLcode code)
{
    return ready() ? real.curl_easy_strerror(code) : why;
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *text)
{
    return ready() ? real.curl_slist_append(list, text) : NULL;
}

void curl_slist_free_all(struct curl_slist *list)
{
    if (ready())
        real.curl_slist_free_all(list);
}
