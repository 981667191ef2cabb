/* multiaddr.c - multiaddr text and binary forms for TCP libp2p peers. */
#include "node/p2p/multiaddr.h"

#include "node/errors.h"
#include "node/p2p/varint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    P_IP4 = 4,
    P_TCP = 6,
    P_IP6 = 41,
    P_DNS = 53,
    P_DNS4 = 54,
    P_DNS6 = 55,
    P_P2P = 421,
};

/* value size: > 0 fixed, 0 length-prefixed */
static const struct proto {
    unsigned code;
    const char *name;
    int size;
} PROTOS[] = {
    {P_IP4, "ip4", 4},  {P_TCP, "tcp", 2},  {P_IP6, "ip6", 16}, {P_DNS, "dns", 0},
    {P_DNS4, "dns4", 0}, {P_DNS6, "dns6", 0}, {P_P2P, "p2p", 0},
};

static const struct proto *proto_by_code(uint64_t code)
{
    for (size_t i = 0; i < sizeof PROTOS / sizeof PROTOS[0]; i++)
        if (PROTOS[i].code == code)
            return &PROTOS[i];
    return NULL;
}

static const struct proto *proto_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof PROTOS / sizeof PROTOS[0]; i++)
        if (strlen(PROTOS[i].name) == len && memcmp(PROTOS[i].name, name, len) == 0)
            return &PROTOS[i];
    if (len == 4 && memcmp(name, "ipfs", 4) == 0) /* old name of /p2p */
        return proto_by_code(P_P2P);
    return NULL;
}

static int put(struct nm_multiaddr *ma, const void *p, size_t n)
{
    if (ma->len + n > NM_MULTIADDR_MAX)
        return NM_E_MULTIADDR;
    memcpy(ma->b + ma->len, p, n);
    ma->len += n;
    return 0;
}

static int put_varint(struct nm_multiaddr *ma, uint64_t v)
{
    uint8_t tmp[NM_VARINT_MAX];
    return put(ma, tmp, nm_varint_encode(v, tmp, sizeof tmp));
}

static bool dns_name_ok(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == '-' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
              (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

/* One value in text form -> binary. */
static int parse_value(const struct proto *p, const char *v, size_t n, struct nm_multiaddr *ma)
{
    char buf[NM_MULTIADDR_STRLEN];
    if (n == 0 || n >= sizeof buf)
        return NM_E_MULTIADDR;
    memcpy(buf, v, n);
    buf[n] = 0;
    uint8_t bin[NM_PEER_ID_BYTES_LEN];
    switch (p->code) {
    case P_IP4:
        return inet_pton(AF_INET, buf, bin) == 1 ? put(ma, bin, 4) : NM_E_MULTIADDR;
    case P_IP6:
        return inet_pton(AF_INET6, buf, bin) == 1 ? put(ma, bin, 16) : NM_E_MULTIADDR;
    case P_TCP: {
        char *end;
        if (buf[0] < '0' || buf[0] > '9')
            return NM_E_MULTIADDR;
        unsigned long port = strtoul(buf, &end, 10);
        if (*end || port > 65535)
            return NM_E_MULTIADDR;
        uint8_t be[2] = {(uint8_t)(port >> 8), (uint8_t)port};
        return put(ma, be, 2);
    }
    case P_P2P: {
        struct nm_peer_id id;
        if (nm_peer_id_from_string(buf, &id))
            return NM_E_MULTIADDR;
        nm_peer_id_to_bytes(&id, bin);
        int rc = put_varint(ma, sizeof bin);
        return rc ? rc : put(ma, bin, sizeof bin);
    }
    default: /* dns names */
        if (!dns_name_ok(buf, n))
            return NM_E_MULTIADDR;
        int rc = put_varint(ma, n);
        return rc ? rc : put(ma, buf, n);
    }
}

int nm_multiaddr_parse(const char *text, struct nm_multiaddr *out)
{
    struct nm_multiaddr ma = {.len = 0};
    const char *s = text;
    if (*s != '/')
        return NM_E_MULTIADDR;
    while (*s) {
        if (*s != '/')
            return NM_E_MULTIADDR;
        const char *name = ++s;
        while (*s && *s != '/')
            s++;
        const struct proto *p = proto_by_name(name, (size_t)(s - name));
        if (!p || *s != '/')
            return NM_E_MULTIADDR;
        const char *val = ++s;
        while (*s && *s != '/')
            s++;
        int rc = put_varint(&ma, p->code);
        if (!rc)
            rc = parse_value(p, val, (size_t)(s - val), &ma);
        if (rc)
            return rc;
        if (*s == '/' && s[1] == 0)
            s++; /* one trailing slash is fine */
    }
    *out = ma;
    return 0;
}

/* Walks the binary form: calls fn for each (proto, value) part. */
typedef int (*part_fn)(const struct proto *p, const uint8_t *v, size_t n, void *ud);

static int walk(const uint8_t *in, size_t len, part_fn fn, void *ud)
{
    size_t off = 0;
    if (len == 0 || len > NM_MULTIADDR_MAX)
        return NM_E_MULTIADDR;
    while (off < len) {
        uint64_t code, vlen;
        int k = nm_varint_decode(in + off, len - off, &code);
        if (k <= 0)
            return NM_E_MULTIADDR;
        off += (size_t)k;
        const struct proto *p = proto_by_code(code);
        if (!p)
            return NM_E_UNSUPPORTED;
        if (p->size > 0) {
            vlen = (uint64_t)p->size;
        } else {
            k = nm_varint_decode(in + off, len - off, &vlen);
            if (k <= 0)
                return NM_E_MULTIADDR;
            off += (size_t)k;
        }
        if (vlen > len - off)
            return NM_E_MULTIADDR;
        int rc = fn(p, in + off, (size_t)vlen, ud);
        if (rc)
            return rc;
        off += (size_t)vlen;
    }
    return 0;
}

static int check_part(const struct proto *p, const uint8_t *v, size_t n, void *ud)
{
    (void)ud;
    struct nm_peer_id id;
    if (p->code == P_P2P)
        return nm_peer_id_from_bytes(v, n, &id) ? NM_E_MULTIADDR : 0;
    if (p->size == 0)
        return dns_name_ok((const char *)v, n) ? 0 : NM_E_MULTIADDR;
    return 0;
}

int nm_multiaddr_from_bytes(const uint8_t *in, size_t len, struct nm_multiaddr *out)
{
    int rc = walk(in, len, check_part, NULL);
    if (rc)
        return rc;
    memcpy(out->b, in, len);
    out->len = len;
    return 0;
}

struct text_buf {
    char *out;
    size_t cap, len;
};

static int text_part(const struct proto *p, const uint8_t *v, size_t n, void *ud)
{
    struct text_buf *t = ud;
    char val[NM_MULTIADDR_STRLEN];
    struct nm_peer_id id;
    switch (p->code) {
    case P_IP4:
        inet_ntop(AF_INET, v, val, sizeof val);
        break;
    case P_IP6:
        inet_ntop(AF_INET6, v, val, sizeof val);
        break;
    case P_TCP:
        snprintf(val, sizeof val, "%u", (unsigned)v[0] << 8 | v[1]);
        break;
    case P_P2P:
        if (nm_peer_id_from_bytes(v, n, &id))
            return NM_E_MULTIADDR;
        nm_peer_id_to_string(&id, val);
        break;
    default:
        snprintf(val, sizeof val, "%.*s", (int)n, (const char *)v);
    }
    int w = snprintf(t->out + t->len, t->cap - t->len, "/%s/%s", p->name, val);
    if (w < 0 || (size_t)w >= t->cap - t->len)
        return NM_E_MULTIADDR;
    t->len += (size_t)w;
    return 0;
}

char *nm_multiaddr_to_string(const struct nm_multiaddr *ma, char *out, size_t cap)
{
    struct text_buf t = {out, cap, 0};
    if (cap)
        out[0] = 0;
    if (walk(ma->b, ma->len, text_part, &t) && cap)
        snprintf(out, cap, "(invalid multiaddr)");
    return out;
}

struct tcp_parts {
    struct nm_multiaddr_tcp *t;
    int addr_parts, tcp_parts, peer_parts;
};

static int tcp_part(const struct proto *p, const uint8_t *v, size_t n, void *ud)
{
    struct tcp_parts *tp = ud;
    struct nm_multiaddr_tcp *t = tp->t;
    switch (p->code) {
    case P_IP4:
    case P_IP6:
        t->family = p->code == P_IP4 ? AF_INET : AF_INET6;
        inet_ntop(t->family, v, t->host, sizeof t->host);
        tp->addr_parts++;
        break;
    case P_TCP:
        t->port = (uint16_t)(v[0] << 8 | v[1]);
        tp->tcp_parts++;
        break;
    case P_P2P:
        if (nm_peer_id_from_bytes(v, n, &t->peer))
            return NM_E_MULTIADDR;
        t->has_peer = true;
        tp->peer_parts++;
        break;
    default:
        t->family = p->code == P_DNS4 ? AF_INET : p->code == P_DNS6 ? AF_INET6 : AF_UNSPEC;
        t->is_dns = true;
        snprintf(t->host, sizeof t->host, "%.*s", (int)n, (const char *)v);
        tp->addr_parts++;
    }
    /* order: address, tcp, then optional p2p */
    if (tp->tcp_parts && !tp->addr_parts)
        return NM_E_MULTIADDR;
    if (tp->peer_parts && !tp->tcp_parts)
        return NM_E_MULTIADDR;
    return 0;
}

int nm_multiaddr_to_tcp(const struct nm_multiaddr *ma, struct nm_multiaddr_tcp *out)
{
    memset(out, 0, sizeof *out);
    struct tcp_parts tp = {out, 0, 0, 0};
    int rc = walk(ma->b, ma->len, tcp_part, &tp);
    if (rc)
        return rc == NM_E_UNSUPPORTED ? NM_E_MULTIADDR : rc;
    if (tp.addr_parts != 1 || tp.tcp_parts != 1 || tp.peer_parts > 1)
        return NM_E_MULTIADDR;
    return 0;
}

int nm_multiaddr_from_sockaddr(const struct sockaddr *sa, const struct nm_peer_id *peer,
                               struct nm_multiaddr *out)
{
    struct nm_multiaddr ma = {.len = 0};
    uint16_t port;
    int rc;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        rc = put_varint(&ma, P_IP4);
        if (!rc)
            rc = put(&ma, &in->sin_addr, 4);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        rc = put_varint(&ma, P_IP6);
        if (!rc)
            rc = put(&ma, &in6->sin6_addr, 16);
        port = ntohs(in6->sin6_port);
    } else {
        return NM_E_MULTIADDR;
    }
    uint8_t be[2] = {(uint8_t)(port >> 8), (uint8_t)port};
    if (!rc)
        rc = put_varint(&ma, P_TCP);
    if (!rc)
        rc = put(&ma, be, 2);
    if (!rc && peer)
        rc = nm_multiaddr_add_peer(&ma, peer);
    if (rc)
        return rc;
    *out = ma;
    return 0;
}

static int find_peer(const struct proto *p, const uint8_t *v, size_t n, void *ud)
{
    (void)v;
    (void)n;
    if (p->code == P_P2P)
        *(bool *)ud = true;
    return 0;
}

int nm_multiaddr_add_peer(struct nm_multiaddr *ma, const struct nm_peer_id *peer)
{
    bool has = false;
    if (walk(ma->b, ma->len, find_peer, &has) || has)
        return NM_E_MULTIADDR;
    struct nm_multiaddr tmp = *ma;
    uint8_t bin[NM_PEER_ID_BYTES_LEN];
    nm_peer_id_to_bytes(peer, bin);
    int rc = put_varint(&tmp, P_P2P);
    if (!rc)
        rc = put_varint(&tmp, sizeof bin);
    if (!rc)
        rc = put(&tmp, bin, sizeof bin);
    if (!rc)
        *ma = tmp;
    return rc;
}
