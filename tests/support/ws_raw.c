/* ws_raw.c - raw WebSocket and HTTP for tests (see ws_raw.h). */
#include "tests/support/ws_raw.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

int wsr_tcp(int port, int timeout_ms, int rcvbuf)
{
    return wsr_tcp_from(NULL, port, timeout_ms, rcvbuf);
}

int wsr_tcp_from(const char *source, int port, int timeout_ms, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in src = {.sin_family = AF_INET};
    if (source && (inet_pton(AF_INET, source, &src.sin_addr) != 1 ||
                   bind(fd, (struct sockaddr *)&src, sizeof src) != 0)) {
        close(fd);
        return -1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool wsr_send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool recv_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        ssize_t n = recv(fd, p, len, 0);
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
    }
    return true;
}

static bool recv_head(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        if (recv(fd, buf + n, 1, 0) != 1)
            return false;
        n++;
        buf[n] = '\0';
        if (n >= 4 && !memcmp(buf + n - 4, "\r\n\r\n", 4))
            return true;
    }
    return false;
}

int wsr_open(int port, const char *bearer, const char *origin, int timeout_ms, int rcvbuf)
{
    return wsr_open_from(NULL, port, bearer, origin, timeout_ms, rcvbuf);
}

int wsr_open_from(const char *source, int port, const char *bearer, const char *origin,
                  int timeout_ms, int rcvbuf)
{
    char req[1024], head[2048];
    int fd = wsr_tcp_from(source, port, timeout_ms, rcvbuf);
    if (fd < 0)
        return -1;
    snprintf(req, sizeof req,
             "GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Version: 13\r\n%s%s%s%s%s%s\r\n",
             port, bearer ? "Authorization: Bearer " : "", bearer ? bearer : "",
             bearer ? "\r\n" : "", origin ? "Origin: " : "", origin ? origin : "",
             origin ? "\r\n" : "");
    if (!wsr_send_all(fd, req, strlen(req)) || !recv_head(fd, head, sizeof head) ||
        strncmp(head, "HTTP/1.1 101", 12) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool wsr_send_frame(int fd, int opcode, bool fin, const void *payload, size_t len)
{
    unsigned char hdr[14];
    size_t h = 0;
    const unsigned char mask[4] = {0x5a, 0x17, 0xc3, 0x01};
    hdr[h++] = (unsigned char)((fin ? 0x80 : 0) | (opcode & 0x0f));
    if (len < 126) {
        hdr[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(len >> 8);
        hdr[h++] = (unsigned char)len;
    } else {
        hdr[h++] = 0x80 | 127;
        for (int i = 7; i >= 0; i--)
            hdr[h++] = (unsigned char)((uint64_t)len >> (8 * i));
    }
    memcpy(hdr + h, mask, 4);
    h += 4;
    if (!wsr_send_all(fd, hdr, h))
        return false;
    unsigned char chunk[8192];
    for (size_t off = 0; off < len;) {
        size_t n = len - off < sizeof chunk ? len - off : sizeof chunk;
        for (size_t i = 0; i < n; i++)
            chunk[i] = ((const unsigned char *)payload)[off + i] ^ mask[(off + i) % 4];
        if (!wsr_send_all(fd, chunk, n))
            return false;
        off += n;
    }
    return true;
}

bool wsr_send_text(int fd, const char *text)
{
    return wsr_send_frame(fd, 1, true, text, strlen(text));
}

char *wsr_recv_frame(int fd, int *opcode, size_t *len)
{
    unsigned char h[2], ext[8];
    if (!recv_all(fd, h, 2))
        return NULL;
    *opcode = h[0] & 0x0f;
    uint64_t n = h[1] & 0x7f;
    if (n == 126) {
        if (!recv_all(fd, ext, 2))
            return NULL;
        n = ((uint64_t)ext[0] << 8) | ext[1];
    } else if (n == 127) {
        if (!recv_all(fd, ext, 8))
            return NULL;
        n = 0;
        for (int i = 0; i < 8; i++)
            n = (n << 8) | ext[i];
    }
    if (n > ((uint64_t)64 << 20))
        return NULL;
    char *payload = malloc((size_t)n + 1);
    if (!payload)
        return NULL;
    if (!recv_all(fd, payload, (size_t)n)) {
        free(payload);
        return NULL;
    }
    payload[n] = '\0';
    *len = (size_t)n;
    return payload;
}

char *wsr_recv_text(int fd)
{
    for (;;) {
        int opcode = -1;
        size_t len = 0;
        char *p = wsr_recv_frame(fd, &opcode, &len);
        if (!p || opcode == 1)
            return p;
        free(p);
        if (opcode == 8)
            return NULL;
    }
}

bool wsr_send_batch(int fd, const char *method, int n)
{
    size_t cap = 64 + (size_t)n * (64 + strlen(method)), len = 0;
    char *batch = malloc(cap);
    if (!batch)
        return false;
    batch[len++] = '[';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(batch + len, cap - len,
                                "%s{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"%s\"}",
                                i ? "," : "", i, method);
    batch[len++] = ']';
    bool ok = wsr_send_frame(fd, 1, true, batch, len);
    free(batch);
    return ok;
}

char *wsr_call(int fd, const char *request)
{
    if (!wsr_send_text(fd, request))
        return NULL;
    for (;;) {
        char *reply = wsr_recv_text(fd);
        if (!reply || !strstr(reply, "\"subscription\""))
            return reply;
        free(reply);
    }
}

bool wsr_http_send(int fd, const char *method, const char *path, const char *headers,
                   const char *body)
{
    char head[4096];
    snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n%s\r\n",
             method, path, body ? strlen(body) : (size_t)0, headers ? headers : "");
    return wsr_send_all(fd, head, strlen(head)) && (!body || wsr_send_all(fd, body, strlen(body)));
}

int wsr_http_read(int fd, char *head, size_t cap, char **body_out, size_t *len_out)
{
    int status = -1;
    if (!recv_head(fd, head, cap) || sscanf(head, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    const char *cl = strcasestr(head, "content-length:");
    size_t n = cl ? strtoul(cl + 15, NULL, 10) : 0;
    char *b = malloc(n + 1);
    if (!b || !recv_all(fd, b, n)) {
        free(b);
        return -1;
    }
    b[n] = '\0';
    if (len_out)
        *len_out = n;
    if (body_out)
        *body_out = b;
    else
        free(b);
    return status;
}

int wsr_http(int port, const char *method, const char *path, const char *headers, const char *body,
             char **body_out)
{
    char head[4096], all[4096];
    int fd = wsr_tcp(port, 5000, 0);
    if (fd < 0)
        return -1;
    snprintf(all, sizeof all, "Connection: close\r\n%s", headers ? headers : "");
    int status = wsr_http_send(fd, method, path, all, body)
                     ? wsr_http_read(fd, head, sizeof head, body_out, NULL)
                     : -1;
    close(fd);
    return status;
}
