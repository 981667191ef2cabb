/* watchrule.c - parsing and judging `watch` rules (see watchrule.h).
 * Integer arithmetic only: a drop is compared in parts per million. */
#include "console/commands/watchrule.h"

#include "console/commands/jget.h"
#include "client/numfmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] = "expected watch incentive SUBNET UID drops PERCENT [--bell] "
                            "[--run 'COMMAND'] [--post URL], or watch proposals [ACTIONS]";

bool nm_watch_rule_words(char *const *args, int n)
{
    return n > 0 && (strcmp(args[0], "incentive") == 0 || strcmp(args[0], "proposals") == 0);
}

static bool parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
        return false;
    *out = strtoull(s, &end, 10);
    return *out <= max;
}

/* "50%", "50", "12.5%" (at most 4 decimals), 0 < p <= 100, in ppm. */
static bool parse_percent(const char *s, uint32_t *ppm)
{
    char buf[32];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n + 1);
    if (buf[n - 1] == '%')
        buf[--n] = '\0';
    char *dot = strchr(buf, '.');
    const char *frac = dot ? dot + 1 : "";
    if (dot)
        *dot = '\0';
    uint64_t whole, f = 0;
    size_t fl = strlen(frac);
    if (!parse_uint(buf, 100, &whole) || fl > 4 || (dot && fl == 0) ||
        (fl && !parse_uint(frac, 9999, &f)))
        return false;
    for (size_t i = fl; i < 4; i++)
        f *= 10;
    uint64_t v = whole * 10000 + f; /* ppm */
    if (v == 0 || v > 1000000)
        return false;
    *ppm = (uint32_t)v;
    return true;
}

static int fail(char *err, size_t cap, const char *why)
{
    snprintf(err, cap, "watch: %s", why);
    return -1;
}

static int copy_text(char *dst, const char *src, char *err, size_t cap, const char *what)
{
    if (!src || !*src || strlen(src) >= NM_WATCH_TEXT_MAX || strpbrk(src, "\r\n")) {
        snprintf(err, cap, "watch: %s wants one line of 1-255 bytes", what);
        return -1;
    }
    snprintf(dst, NM_WATCH_TEXT_MAX, "%s", src);
    return 0;
}

int nm_watch_rule_parse(char *const *args, int n, struct nm_watch_rule *out, char *err,
                        size_t cap)
{
    memset(out, 0, sizeof *out);
    int i;
    if (n > 0 && strcmp(args[0], "proposals") == 0) {
        out->kind = NM_WATCH_PROPOSALS;
        i = 1;
    } else if (n > 0 && strcmp(args[0], "incentive") == 0) {
        uint64_t subnet, uid;
        out->kind = NM_WATCH_INCENTIVE;
        if (n < 5 || strcmp(args[3], "drops") != 0)
            return fail(err, cap, usage);
        if (!parse_uint(args[1], 65535, &subnet))
            return fail(err, cap, "SUBNET is a number 0-65535");
        if (!parse_uint(args[2], 65535, &uid))
            return fail(err, cap, "UID is a number 0-65535");
        if (!parse_percent(args[4], &out->drop_ppm))
            return fail(err, cap, "PERCENT is more than 0 and at most 100, like 50%");
        out->subnet = (uint16_t)subnet;
        out->uid = (uint16_t)uid;
        i = 5;
    } else {
        return fail(err, cap, usage);
    }
    for (; i < n; i++) {
        if (strcmp(args[i], "--bell") == 0) {
            out->bell = true;
        } else if (strcmp(args[i], "--run") == 0 && i + 1 < n) {
            if (copy_text(out->run, args[++i], err, cap, "--run"))
                return -1;
        } else if (strcmp(args[i], "--post") == 0 && i + 1 < n) {
            const char *url = args[++i];
            if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
                return fail(err, cap, "--post wants an http:// or https:// URL");
            if (copy_text(out->post, url, err, cap, "--post"))
                return -1;
        } else {
            return fail(err, cap, usage);
        }
    }
    if (!out->run[0] && !out->post[0])
        out->bell = true; /* a rule that does nothing is no rule */
    return 0;
}

char *nm_watch_rule_describe(const struct nm_watch_rule *r, char *buf, size_t cap)
{
    char what[96], pct[24];
    if (r->kind == NM_WATCH_INCENTIVE)
        snprintf(what, sizeof what, "incentive of uid %u on subnet %u drops %s", r->uid,
                 r->subnet, nm_fmt_percent(r->drop_ppm, 1000000, pct, sizeof pct));
    else
        snprintf(what, sizeof what, "new proposals");
    snprintf(buf, cap, "%d: %s:%s%s%s%s%s%s", r->id, what, r->bell ? " bell" : "",
             r->run[0] ? " run '" : "", r->run, r->run[0] ? "'" : "", r->post[0] ? " post " : "",
             r->post);
    return buf;
}

bool nm_watch_rule_incentive(struct nm_watch_rule *r, uint64_t epoch, int64_t incentive_ppb,
                             char *msg, size_t cap)
{
    bool fire = false;
    if (r->primed && epoch > r->last_epoch && r->last_ppb > 0 && incentive_ppb < r->last_ppb) {
        /* fall / last >= drop: in ppm, integers only */
        unsigned __int128 fall = (unsigned __int128)(r->last_ppb - incentive_ppb) * 1000000;
        fire = fall >= (unsigned __int128)r->drop_ppm * (uint64_t)r->last_ppb;
        if (fire) {
            char before[24], now[24], pct[24];
            uint64_t dropped = (uint64_t)(fall / (uint64_t)r->last_ppb);
            snprintf(msg, cap,
                     "watch %d: incentive of uid %u on subnet %u fell %s in epoch %" PRIu64
                     ": %s -> %s",
                     r->id, r->uid, r->subnet, nm_fmt_percent(dropped, 1000000, pct, sizeof pct),
                     epoch, nm_fmt_fraction_ppb(r->last_ppb, before, sizeof before),
                     nm_fmt_fraction_ppb(incentive_ppb, now, sizeof now));
        }
    }
    if (!r->primed || epoch > r->last_epoch) {
        r->primed = true;
        r->last_epoch = epoch;
        r->last_ppb = incentive_ppb;
    }
    return fire;
}

bool nm_watch_rule_proposals(struct nm_watch_rule *r, const cJSON *proposals, char *msg,
                             size_t cap)
{
    const cJSON *p, *newest = NULL;
    uint64_t top = r->last_proposal;
    int fresh = 0;
    cJSON_ArrayForEach(p, proposals)
    {
        uint64_t id;
        if (!nm_jget_u64_parse(nm_jget(p, "id"), &id))
            continue;
        if (id > r->last_proposal) {
            fresh++;
            if (id >= top) {
                top = id;
                newest = p;
            }
        }
    }
    bool fire = r->primed && fresh > 0 && newest;
    if (fire)
        snprintf(msg, cap, "watch %d: new proposal %" PRIu64 " (%s): %s%s", r->id, top,
                 nm_jget_str(newest, "kind"), nm_jget_str(newest, "summary"),
                 fresh > 1 ? " (and more)" : "");
    r->primed = true;
    r->last_proposal = top;
    return fire;
}
