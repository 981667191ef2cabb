/* Unit tests for client/curl_load: libcurl is not in the process until a
 * curl_* function runs, and then every forwarded function works as
 * libcurl's own (options of each argument kind, info, lists, errors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/curl_load.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether a library whose file name contains name is mapped. */
static bool mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[512];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

struct sink {
    char data[64];
    size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t len = size * n;
    if (len > sizeof s->data - 1 - s->len)
        return 0;
    memcpy(s->data + s->len, p, len);
    s->len += len;
    s->data[s->len] = '\0';
    return len;
}

static void test_libcurl_is_loaded_on_first_use_only(void **state)
{
    (void)state;
    assert_false(mapped("libcurl"));
    char err[256] = "";
    assert_true(nm_curl_load(err, sizeof err));
    assert_string_equal(err, "");
    assert_true(mapped("libcurl.so.4"));
}

static void test_forwarded_calls_fetch_a_file_with_every_argument_kind(void **state)
{
    (void)state;
    char path[] = "/tmp/nm-test-curl-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "forwarded", 9), 9);
    close(fd);
    char url[64];
    snprintf(url, sizeof url, "file://%s", path);

    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    CURL *h = curl_easy_init();
    assert_non_null(h);
    struct sink s = {.len = 0};
    struct curl_slist *headers = curl_slist_append(NULL, "X-Test: 1");
    assert_non_null(headers);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, url), CURLE_OK);             /* object */
    assert_int_equal(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L), CURLE_OK);         /* long */
    assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data), CURLE_OK); /* function */
    assert_int_equal(curl_easy_setopt(h, CURLOPT_WRITEDATA, &s), CURLE_OK);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1000),
                     CURLE_OK); /* curl_off_t */
    assert_int_equal(curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers), CURLE_OK);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    assert_string_equal(s.data, "forwarded");
    curl_off_t got = 0;
    assert_int_equal(curl_easy_getinfo(h, CURLINFO_SIZE_DOWNLOAD_T, &got), CURLE_OK);
    assert_int_equal(got, 9);
    /* A curl_off_t through the forwarder arrives whole: resume at byte 4. */
    s.len = 0;
    assert_int_equal(curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)4), CURLE_OK);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    assert_string_equal(s.data, "arded");
    assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libcurl_is_loaded_on_first_use_only),
        cmocka_unit_test(test_forwarded_calls_fetch_a_file_with_every_argument_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
