/* http_json.h - one blocking HTTP GET of a JSON answer through libcurl,
 * for the console's views of an aggregator (`api status`, the dashboard's
 * Miners screen). Any thread. */
#ifndef NM_HTTP_JSON_H
#define NM_HTTP_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* GET base_url (http:// or https://, trailing slashes ignored) + path;
 * 0 with *out the parsed JSON object (caller's), or NM_E_INVAL (not an
 * HTTP URL), NM_E_CONNECT (no answer, not 200, not a JSON object) with the
 * reason in err. Answers over 1 MiB are refused. */
int nm_http_get_json(const char *base_url, const char *path, int timeout_ms, cJSON **out,
                     char *err, size_t cap);

#endif
