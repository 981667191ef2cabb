/* jsonscan.c - strict JSON checker with depth and value limits (see
 * jsonscan.h). One pass, no allocation: a bit per open container. */
#include "rpc/jsonscan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A number longer than this is refused as out of range (no real client
 * sends 400 digits). */
#define NUMBER_MAX_CHARS 400

struct scan {
    const unsigned char *p, *end, *start;
    unsigned depth, max_depth;
    size_t values, max_values;
    uint8_t is_object[NM_JSON_MAX_DEPTH_LIMIT / 8];
};

static void skip_ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* One UTF-8 sequence of 2-4 bytes starting at s->p (lead byte >= 0x80). */
static enum nm_json_scan_result utf8_seq(struct scan *s)
{
    const unsigned char *p = s->p;
    unsigned c = p[0], n, cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 1;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 2;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 3;
        cp = c & 0x07;
    } else {
        return NM_JSON_BAD_UTF8;
    }
    if ((size_t)(s->end - p) <= n)
        return NM_JSON_BAD_UTF8;
    for (unsigned i = 1; i <= n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return NM_JSON_BAD_UTF8;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    /* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
    if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return NM_JSON_BAD_UTF8;
    s->p += n + 1;
    return NM_JSON_OK;
}

static enum nm_json_scan_result string(struct scan *s)
{
    s->p++; /* the opening quote */
    while (s->p < s->end) {
        unsigned c = *s->p;
        if (c == '"') {
            s->p++;
            return NM_JSON_OK;
        }
        if (c < 0x20)
            return NM_JSON_SYNTAX;
        if (c >= 0x80) {
            enum nm_json_scan_result r = utf8_seq(s);
            if (r)
                return r;
            continue;
        }
        if (c != '\\') {
            s->p++;
            continue;
        }
        if (s->end - s->p < 2)
            return NM_JSON_SYNTAX;
        c = s->p[1];
        if (strchr("\"\\/bfnrt", (int)c) && c) {
            s->p += 2;
            continue;
        }
        unsigned u, lo;
        if (c != 'u' || s->end - s->p < 6 || hex4(s->p + 2, &u))
            return NM_JSON_SYNTAX;
        if (u == 0)
            return NM_JSON_NUL;
        if (u >= 0xdc00 && u <= 0xdfff)
            return NM_JSON_BAD_UTF8;
        if (u >= 0xd800 && u <= 0xdbff) {
            if (s->end - s->p < 12 || s->p[6] != '\\' || s->p[7] != 'u' ||
                hex4(s->p + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
                return NM_JSON_BAD_UTF8;
            s->p += 6;
        }
        s->p += 6;
    }
    return NM_JSON_SYNTAX;
}

static bool is_digit(const struct scan *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static enum nm_json_scan_result number(struct scan *s)
{
    const unsigned char *start = s->p;
    bool big = false;
    if (*s->p == '-')
        s->p++;
    if (!is_digit(s))
        return NM_JSON_SYNTAX;
    if (*s->p == '0')
        s->p++;
    else
        while (is_digit(s))
            s->p++;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!is_digit(s))
            return NM_JSON_SYNTAX;
        while (is_digit(s))
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        big = true;
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (!is_digit(s))
            return NM_JSON_SYNTAX;
        while (is_digit(s))
            s->p++;
    }
    size_t n = (size_t)(s->p - start);
    if (n > NUMBER_MAX_CHARS)
        return NM_JSON_NUMBER_RANGE;
    if (big || n > 300) {
        char copy[NUMBER_MAX_CHARS + 1];
        memcpy(copy, start, n);
        copy[n] = '\0';
        errno = 0;
        double v = strtod(copy, NULL);
        if (errno == ERANGE && (v > 1.0 || v < -1.0))
            return NM_JSON_NUMBER_RANGE;
    }
    return NM_JSON_OK;
}

static enum nm_json_scan_result literal(struct scan *s)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(s->end - s->p) >= n && !memcmp(s->p, words[i], n)) {
            s->p += n;
            return NM_JSON_OK;
        }
    }
    return NM_JSON_SYNTAX;
}

static bool top_is_object(const struct scan *s)
{
    unsigned i = s->depth - 1;
    return s->is_object[i / 8] & (1u << (i % 8));
}

static enum nm_json_scan_result open_container(struct scan *s, bool object)
{
    if (s->depth >= s->max_depth)
        return NM_JSON_TOO_DEEP;
    unsigned i = s->depth++;
    if (object)
        s->is_object[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        s->is_object[i / 8] &= (uint8_t)~(1u << (i % 8));
    s->p++;
    return NM_JSON_OK;
}

static enum nm_json_scan_result count_value(struct scan *s)
{
    return ++s->values > s->max_values ? NM_JSON_TOO_MANY : NM_JSON_OK;
}

/* An object key and its colon, at s->p (white space skipped). */
static enum nm_json_scan_result key(struct scan *s)
{
    if (s->p >= s->end || *s->p != '"')
        return NM_JSON_SYNTAX;
    enum nm_json_scan_result r = count_value(s);
    if (r || (r = string(s)))
        return r;
    skip_ws(s);
    if (s->p >= s->end || *s->p != ':')
        return NM_JSON_SYNTAX;
    s->p++;
    return NM_JSON_OK;
}

static enum nm_json_scan_result scan_all(struct scan *s)
{
    enum nm_json_scan_result r;
    for (;;) {
        /* a value is expected here */
        skip_ws(s);
        if (s->p >= s->end)
            return NM_JSON_SYNTAX;
        if ((r = count_value(s)))
            return r;
        unsigned c = *s->p;
        if (c == '{' || c == '[') {
            if ((r = open_container(s, c == '{')))
                return r;
            skip_ws(s);
            if (s->p < s->end && *s->p == (c == '{' ? '}' : ']')) {
                s->p++;
                s->depth--;
            } else {
                if (c == '{' && (r = key(s)))
                    return r;
                continue;
            }
        } else if (c == '"') {
            r = string(s);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            r = number(s);
        } else {
            r = literal(s);
        }
        if (r)
            return r;
        /* after a value: close containers, or a comma and the next one */
        for (;;) {
            skip_ws(s);
            if (s->depth == 0)
                return s->p == s->end ? NM_JSON_OK : NM_JSON_TRAILING;
            if (s->p >= s->end)
                return NM_JSON_SYNTAX;
            bool object = top_is_object(s);
            if (*s->p == ',') {
                s->p++;
                skip_ws(s);
                if (object && (r = key(s)))
                    return r;
                break;
            }
            if (*s->p != (object ? '}' : ']'))
                return NM_JSON_SYNTAX;
            s->p++;
            s->depth--;
        }
    }
}

enum nm_json_scan_result nm_json_scan(const char *text, size_t len,
                                      const struct nm_json_limits *lim, size_t *where)
{
    struct scan s;
    memset(&s, 0, sizeof s);
    s.start = s.p = (const unsigned char *)text;
    s.end = s.p + (text ? len : 0);
    s.max_depth = lim && lim->max_depth ? lim->max_depth : NM_JSON_DEFAULT_MAX_DEPTH;
    if (s.max_depth > NM_JSON_MAX_DEPTH_LIMIT)
        s.max_depth = NM_JSON_MAX_DEPTH_LIMIT;
    s.max_values = lim && lim->max_values ? lim->max_values : NM_JSON_DEFAULT_MAX_VALUES;
    enum nm_json_scan_result r = scan_all(&s);
    if (where)
        *where = (size_t)(s.p - s.start);
    return r;
}

const char *nm_json_scan_strerror(enum nm_json_scan_result r)
{
    switch (r) {
    case NM_JSON_OK: return "ok";
    case NM_JSON_SYNTAX: return "not valid JSON";
    case NM_JSON_TRAILING: return "text after the JSON value";
    case NM_JSON_BAD_UTF8: return "not valid UTF-8";
    case NM_JSON_NUL: return "\\u0000 inside a string";
    case NM_JSON_NUMBER_RANGE: return "a number out of range";
    case NM_JSON_TOO_DEEP: return "nested deeper than the limit";
    case NM_JSON_TOO_MANY: return "more values than the limit";
    }
    return "unknown";
}
