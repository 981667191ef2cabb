/* mss.c - multistream-select 1.0, dialer and listener, without I/O. */
#include "node/p2p/mss.h"

#include "node/errors.h"
#include "node/p2p/varint.h"

#include <string.h>

static const char HEADER[] = "/multistream/1.0.0";

static int queue_line(struct nm_mss *m, const char *line)
{
    size_t n = strlen(line);
    uint8_t pre[NM_VARINT_MAX];
    size_t k = nm_varint_encode(n + 1, pre, sizeof pre);
    if (m->out_len + k + n + 1 > sizeof m->out)
        return NM_E_FLOODED; /* the caller never drained: its bug or a flood */
    memcpy(m->out + m->out_len, pre, k);
    memcpy(m->out + m->out_len + k, line, n);
    m->out[m->out_len + k + n] = '\n';
    m->out_len += k + n + 1;
    return 0;
}

int nm_mss_init(struct nm_mss *m, bool dialer, const char *const *protocols)
{
    memset(m, 0, sizeof *m);
    m->dialer = dialer;
    m->chosen = -1;
    while (protocols && protocols[m->n_protocols]) {
        if (m->n_protocols == NM_MSS_MAX_PROTOCOLS ||
            strlen(protocols[m->n_protocols]) > NM_MSS_PROTO_MAX)
            return NM_E_INVAL;
        m->protocols[m->n_protocols] = protocols[m->n_protocols];
        m->n_protocols++;
    }
    if (m->n_protocols == 0)
        return NM_E_INVAL;
    int rc = queue_line(m, HEADER);
    if (!rc && dialer)
        rc = queue_line(m, m->protocols[0]);
    return rc;
}

/* One complete message "text\n" arrived (text NUL-terminated, no '\n'). */
static int on_message(struct nm_mss *m, const char *text)
{
    if (!m->header_seen) {
        if (strcmp(text, HEADER) != 0)
            return NM_E_PROTOCOL;
        m->header_seen = true;
        return NM_MSS_MORE;
    }
    if (m->dialer) {
        if (strcmp(text, m->protocols[m->next]) == 0) {
            m->chosen = (int)m->next;
            m->done = true;
            return NM_MSS_DONE;
        }
        if (strcmp(text, "na") != 0)
            return NM_E_PROTOCOL;
        if (++m->next == m->n_protocols)
            return NM_E_UNSUPPORTED;
        int rc = queue_line(m, m->protocols[m->next]);
        return rc ? rc : NM_MSS_MORE;
    }
    if (++m->attempts > NM_MSS_MAX_ATTEMPTS)
        return NM_E_FLOODED;
    for (size_t i = 0; i < m->n_protocols; i++) {
        if (strcmp(text, m->protocols[i]) == 0) {
            int rc = queue_line(m, text);
            if (rc)
                return rc;
            m->chosen = (int)i;
            m->done = true;
            return NM_MSS_DONE;
        }
    }
    int rc = queue_line(m, "na"); /* also the answer to "ls" */
    return rc ? rc : NM_MSS_MORE;
}

int nm_mss_feed(struct nm_mss *m, const uint8_t *in, size_t len, size_t *consumed)
{
    size_t used = 0;
    int rc = m->done ? NM_MSS_DONE : NM_MSS_MORE;
    while (!m->done && used < len) {
        /* Gather one message: at most a varint and NM_MSS_PROTO_MAX + 1. */
        size_t take = sizeof m->in - m->in_len;
        if (take > len - used)
            take = len - used;
        memcpy(m->in + m->in_len, in + used, take);
        size_t have = m->in_len + take;
        uint64_t mlen;
        int k = nm_varint_decode(m->in, have, &mlen);
        if (k < 0 || (k == 0 && have == sizeof m->in))
            return NM_E_PROTOCOL;
        if (k > 0 && (mlen == 0 || mlen > NM_MSS_PROTO_MAX + 1))
            return NM_E_PROTOCOL;
        if (k == 0 || have < (size_t)k + mlen) {
            m->in_len = have;
            used += take;
            break;
        }
        size_t msg_end = (size_t)k + (size_t)mlen;
        /* bytes of this input that belonged to the message */
        used += msg_end - m->in_len;
        m->in_len = 0;
        char text[NM_MSS_PROTO_MAX + 2];
        if (m->in[msg_end - 1] != '\n')
            return NM_E_PROTOCOL;
        memcpy(text, m->in + k, (size_t)mlen - 1);
        text[mlen - 1] = 0;
        if (memchr(text, 0, (size_t)mlen - 1) || memchr(text, '\n', (size_t)mlen - 1))
            return NM_E_PROTOCOL;
        rc = on_message(m, text);
        if (rc < 0)
            break;
    }
    if (consumed)
        *consumed = used;
    return rc;
}

const uint8_t *nm_mss_output(const struct nm_mss *m, size_t *len)
{
    *len = m->out_len;
    return m->out;
}

void nm_mss_output_clear(struct nm_mss *m)
{
    m->out_len = 0;
}

const char *nm_mss_protocol(const struct nm_mss *m)
{
    return m->chosen >= 0 ? m->protocols[m->chosen] : NULL;
}
