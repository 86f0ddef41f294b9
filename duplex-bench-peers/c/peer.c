/*
 * c-epoll-peer: a minimal WebSocket server in C, the "bare metal" peer for Duplex's side-by-side
 * load benchmarks.
 *
 *   c-epoll-peer [--port N] [--host H]
 *
 * --port 0 (the default) takes any free port; --host defaults to 127.0.0.1. Once listening it
 * prints exactly one stdout line, `LISTENING <port>`, and nothing else. It serves the same two
 * endpoints as `duplex serve` and the other peers:
 *   /echo       every data frame comes back unmasked with the same opcode and FIN bit (so a
 *               fragmented message is echoed as the same fragments);
 *   /broadcast  every message a /broadcast client sends (reassembled if fragmented) goes, as one
 *               frame, to every open /broadcast client, the sender included.
 * Any other path is answered 404 without an upgrade, a malformed request 400. SIGTERM / SIGINT
 * end it with exit status 0.
 *
 * Deliberately minimal, to show what a server costs when it does almost nothing: one thread, one
 * level-triggered epoll instance, libc only (its own SHA-1 and base64 for the handshake). It does
 * not validate UTF-8 in text messages or the close status code, negotiates no subprotocol and no
 * extension (a permessage-deflate offer is ignored), and has no timeouts. Messages up to 16 MiB.
 *
 * Why level-triggered: each ready connection gets one read per wakeup, so a busy connection cannot
 * starve the others (edge-triggered would oblige us to read until EAGAIN or keep our own list of
 * still-readable sockets), and no wakeup is ever lost. The only epoll_ctl calls after accept are
 * arming EPOLLOUT when a write would block and disarming it once the output has drained, which
 * edge-triggered mode would not save either.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define HEAD_MAX     8192u                 /* largest HTTP request head accepted */
#define MAX_PAYLOAD  (16u * 1024 * 1024)   /* largest message (and frame) accepted: 1009 beyond */
#define OUT_MAX      (64u * 1024 * 1024)   /* pending output beyond which a slow client is dropped */
#define MIN_BUF      4096u                 /* first size of a connection's buffers */
#define DIRECT_MIN   16384u                /* echo frames this big are sent without a copy */
#define MAX_EVENTS   512
#define NOT_LISTED   SIZE_MAX

enum { OP_CONT = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xA };

/*
 * One client connection. Idle, it holds only this struct: input is read into a shared scratch
 * buffer, and a connection gets buffers of its own only while it has a partial frame, unsent
 * output or a fragmented /broadcast message (each is freed as soon as it is empty again).
 */
struct conn {
    int fd;
    bool upgraded;              /* past the HTTP handshake */
    bool broadcast;             /* on /broadcast (else /echo) */
    bool closing;               /* final bytes queued: input is discarded, FIN once they are sent */
    bool shut;                  /* shutdown(SHUT_WR) done */
    bool doomed;                /* closed and freed at the end of this epoll batch */
    bool want_out;              /* EPOLLOUT is armed */
    unsigned char frag_op;      /* opcode of the fragmented message in progress, 0 if none */
    unsigned char *in;          /* a partial frame (or HTTP head) kept between reads */
    size_t in_len, in_cap;
    unsigned char *out;         /* unsent output is out[out_off, out_len) */
    size_t out_off, out_len, out_cap;
    unsigned char *msg;         /* /broadcast: the fragments of a message so far */
    size_t msg_len, msg_cap;
    size_t bc_index;            /* position in g_bc, or NOT_LISTED */
    struct conn *next_doomed;
    struct conn *prev, *next;   /* all connections, to close them on exit */
};

static int g_epoll = -1;
static int g_spare_fd = -1;                  /* kept open to shed a connection when out of fds */
static unsigned char g_scratch[256 * 1024];  /* every read lands here first */
static struct conn **g_bc;                   /* open /broadcast connections */
static size_t g_bc_len, g_bc_cap;
static struct conn *g_doomed;                /* to close after the current batch of events */
static struct conn *g_conns;                 /* every open connection */
static char g_listen_tag, g_signal_tag;      /* epoll data.ptr of the two non-connection fds */

/* ---- SHA-1 (FIPS 180-4) and base64, just enough for Sec-WebSocket-Accept ---- */

static uint32_t rol(uint32_t x, int n) { return x << n | x >> (32 - n); }

static void sha1_block(uint32_t h[5], const unsigned char *p) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20)      { f = (b & c) | (~b & d);          k = 0x5A827999; }
        else if (i < 40) { f = b ^ c ^ d;                   k = 0x6ED9EBA1; }
        else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
        else             { f = b ^ c ^ d;                   k = 0xCA62C1D6; }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d; d = c; c = rol(b, 30); b = a; a = t;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static void sha1(const unsigned char *data, size_t len, unsigned char digest[20]) {
    uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
    size_t left = len;
    for (; left >= 64; left -= 64, data += 64)
        sha1_block(h, data);
    /* Padding: 0x80, zeros, then the length in bits (big-endian), in one or two final blocks. */
    unsigned char tail[128] = {0};
    memcpy(tail, data, left);
    tail[left] = 0x80;
    size_t n = left + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[n - 1 - i] = (unsigned char)(bits >> (8 * i));
    for (size_t off = 0; off < n; off += 64)
        sha1_block(h, tail + off);
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            digest[4 * i + j] = (unsigned char)(h[i] >> (24 - 8 * j));
}

/* Writes 4 * ceil(n / 3) characters and a NUL to out. */
static void base64(const unsigned char *in, size_t n, char *out) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = abc[v >> 18]; *out++ = abc[v >> 12 & 63]; *out++ = abc[v >> 6 & 63]; *out++ = abc[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        *out++ = abc[v >> 18]; *out++ = abc[v >> 12 & 63];
        *out++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *out++ = '=';
    }
    *out = '\0';
}

/* ---- connection bookkeeping ---- */

/* Grows *buf to hold at least need bytes: at least doubling, so appends are amortised O(1). */
static bool reserve(unsigned char **buf, size_t *cap, size_t need) {
    if (need <= *cap)
        return true;
    size_t grown = *cap * 2 > MIN_BUF ? *cap * 2 : MIN_BUF;
    if (grown < need)
        grown = need;
    unsigned char *p = realloc(*buf, grown);
    if (p == NULL)
        return false;
    *buf = p;
    *cap = grown;
    return true;
}

/*
 * Marks c to be closed. The fd is closed and the memory freed only after the whole batch of epoll
 * events has been handled: a later event of the batch may still point at c, and a broadcast may be
 * walking g_bc (or sending from c's message buffer) when a write to c fails.
 */
static void doom(struct conn *c) {
    if (c->doomed)
        return;
    c->doomed = true;
    c->next_doomed = g_doomed;
    g_doomed = c;
}

static bool bc_add(struct conn *c) {
    if (g_bc_len == g_bc_cap) {
        size_t cap = g_bc_cap ? g_bc_cap * 2 : 64;
        struct conn **p = realloc(g_bc, cap * sizeof *p);
        if (p == NULL)
            return false;
        g_bc = p;
        g_bc_cap = cap;
    }
    c->bc_index = g_bc_len;
    g_bc[g_bc_len++] = c;
    return true;
}

/* Swap-remove: order does not matter, and it is O(1) with 20,000 subscribers. */
static void bc_remove(struct conn *c) {
    if (c->bc_index == NOT_LISTED)
        return;
    struct conn *last = g_bc[--g_bc_len];
    g_bc[c->bc_index] = last;
    last->bc_index = c->bc_index;
    c->bc_index = NOT_LISTED;
}

static void reap(void) {
    while (g_doomed != NULL) {
        struct conn *c = g_doomed;
        g_doomed = c->next_doomed;
        close(c->fd); /* also removes it from the epoll set: it is never dup'ed */
        bc_remove(c);
        if (c->prev != NULL)
            c->prev->next = c->next;
        else
            g_conns = c->next;
        if (c->next != NULL)
            c->next->prev = c->prev;
        free(c->in);
        free(c->out);
        free(c->msg);
        free(c);
    }
}

static void want_out(struct conn *c, bool on) {
    if (c->want_out == on || c->doomed)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(g_epoll, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        doom(c);
        return;
    }
    c->want_out = on;
}

/* ---- output ---- */

static void out_append(struct conn *c, const void *p, size_t n) {
    if (c->doomed || n == 0)
        return;
    size_t pending = c->out_len - c->out_off;
    if (pending + n > OUT_MAX) {
        /* A client that does not read (a stalled fan-out subscriber) would make us buffer without
           bound: drop it, the others must not suffer for it. */
        doom(c);
        return;
    }
    if (c->out_off > 0 && c->out_len + n > c->out_cap) {
        memmove(c->out, c->out + c->out_off, pending); /* reuse the sent part before growing */
        c->out_off = 0;
        c->out_len = pending;
    }
    if (!reserve(&c->out, &c->out_cap, c->out_len + n)) {
        doom(c);
        return;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
}

/* Sends what is pending; on EAGAIN arms EPOLLOUT. Once drained: frees the buffer, disarms, and
   if the last bytes (a close frame, an HTTP error) are out, half-closes. */
static void flush(struct conn *c) {
    while (c->out_off < c->out_len && !c->doomed) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n >= 0) {
            c->out_off += (size_t)n;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            want_out(c, true);
            return;
        } else if (errno != EINTR) {
            doom(c);
        }
    }
    if (c->doomed)
        return;
    free(c->out);
    c->out = NULL;
    c->out_off = c->out_len = c->out_cap = 0;
    want_out(c, false);
    if (c->closing && !c->shut) {
        /* FIN rather than close(): closing with unread input would send a RST that can destroy
           our close frame before the client reads it. We wait for the client's EOF instead. */
        c->shut = true;
        shutdown(c->fd, SHUT_WR);
    }
}

/*
 * Queues a (header, payload) pair. With direct set and nothing pending, writes it at once from the
 * caller's memory (no copy) and keeps only what the socket did not take; otherwise appends, and
 * the caller flushes (that batches the replies to all frames of one read into one send).
 */
static void send_parts(struct conn *c, const unsigned char *a, size_t an, const unsigned char *b, size_t bn,
                       bool direct) {
    if (c->doomed)
        return;
    if (direct && c->out_off == c->out_len) {
        struct iovec iov[2] = {{(void *)a, an}, {(void *)b, bn}};
        struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t n = sendmsg(c->fd, &mh, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                doom(c);
                return;
            }
            n = 0;
        }
        size_t sent = (size_t)n;
        if (sent >= an) {
            b += sent - an;
            bn -= sent - an;
            an = 0;
        } else {
            a += sent;
            an -= sent;
        }
        if (an + bn == 0)
            return;
        out_append(c, a, an);
        out_append(c, b, bn);
        want_out(c, true);
        return;
    }
    out_append(c, a, an);
    out_append(c, b, bn);
}

/* A server frame header (never masked) for a payload of len bytes; returns its length. */
static size_t frame_header(unsigned char h[10], unsigned b0, size_t len) {
    h[0] = (unsigned char)b0;
    if (len < 126) {
        h[1] = (unsigned char)len;
        return 2;
    }
    if (len <= 0xFFFF) {
        h[1] = 126;
        h[2] = (unsigned char)(len >> 8);
        h[3] = (unsigned char)len;
        return 4;
    }
    h[1] = 127;
    for (int i = 0; i < 8; i++)
        h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    return 10;
}

static void send_frame(struct conn *c, unsigned b0, const unsigned char *payload, size_t len, bool direct) {
    unsigned char h[10];
    size_t hl = frame_header(h, b0, len);
    send_parts(c, h, hl, payload, len, direct);
}

/* Queues a close frame (with code, unless code is 0) and stops reading the connection. */
static void send_close(struct conn *c, unsigned code) {
    unsigned char p[2] = {(unsigned char)(code >> 8), (unsigned char)code};
    send_frame(c, 0x80 | OP_CLOSE, p, code ? 2 : 0, false);
    c->closing = true;
}

static void http_error(struct conn *c, const char *status) {
    char resp[128];
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", status);
    out_append(c, resp, (size_t)n);
    c->closing = true;
}

/* One frame built once, written to (or queued for) every open /broadcast client. */
static void broadcast(unsigned op, const unsigned char *payload, size_t len) {
    unsigned char h[10];
    size_t hl = frame_header(h, 0x80 | op, len);
    for (size_t i = 0; i < g_bc_len; i++) {
        struct conn *r = g_bc[i];
        if (!r->closing) /* nothing may follow a close frame */
            send_parts(r, h, hl, payload, len, true);
    }
}

/* ---- HTTP upgrade ---- */

/* Whether a comma-separated header value contains token (case-insensitive), e.g. "keep-alive, Upgrade". */
static bool has_token(const char *v, size_t n, const char *token) {
    size_t tn = strlen(token);
    const char *end = v + n;
    while (v < end) {
        while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
            v++;
        const char *t = v;
        while (v < end && *v != ',')
            v++;
        const char *te = v;
        while (te > t && (te[-1] == ' ' || te[-1] == '\t'))
            te--;
        if ((size_t)(te - t) == tn && strncasecmp(t, token, tn) == 0)
            return true;
    }
    return false;
}

static bool header_is(const char *name, size_t n, const char *want) {
    return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/*
 * Handles the request head once it is complete: answers 101 (and the connection speaks WebSocket
 * from the next byte on), 404 or 400. Returns the bytes used: 0 while the head is incomplete.
 */
static size_t handshake(struct conn *c, const unsigned char *data, size_t len) {
    const char *p = (const char *)data;
    const char *end = memmem(p, len < HEAD_MAX ? len : HEAD_MAX, "\r\n\r\n", 4);
    if (end == NULL) {
        if (len >= HEAD_MAX)
            http_error(c, "400 Bad Request");
        return 0;
    }
    size_t used = (size_t)(end - p) + 4;

    /* Request line: GET <path> HTTP/1.1 */
    const char *eol = memmem(p, used, "\r\n", 2);
    const char *path = p + 4;
    const char *sp = eol - p > 4 ? memchr(path, ' ', (size_t)(eol - path)) : NULL;
    if (memcmp(p, "GET ", 4) != 0 || sp == NULL || eol - (sp + 1) != 8 || memcmp(sp + 1, "HTTP/1.1", 8) != 0) {
        http_error(c, "400 Bad Request");
        return used;
    }
    size_t path_len = (size_t)(sp - path);
    const char *query = memchr(path, '?', path_len);
    if (query != NULL)
        path_len = (size_t)(query - path);

    bool upgrade = false, connection = false, version = false;
    const char *key = NULL;
    size_t key_len = 0;
    for (const char *line = eol + 2; line < end + 2; ) {
        const char *next = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
        const char *colon = memchr(line, ':', (size_t)(next - line));
        if (colon == NULL || colon == line) {
            http_error(c, "400 Bad Request");
            return used;
        }
        size_t name_len = (size_t)(colon - line);
        const char *v = colon + 1, *ve = next;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        size_t vn = (size_t)(ve - v);
        if (header_is(line, name_len, "upgrade"))
            upgrade = has_token(v, vn, "websocket");
        else if (header_is(line, name_len, "connection"))
            connection = has_token(v, vn, "upgrade");
        else if (header_is(line, name_len, "sec-websocket-version"))
            version = vn == 2 && memcmp(v, "13", 2) == 0;
        else if (header_is(line, name_len, "sec-websocket-key")) {
            key = v;
            key_len = vn;
        }
        line = next + 2;
    }

    bool echo = path_len == 5 && memcmp(path, "/echo", 5) == 0;
    bool bcast = path_len == 10 && memcmp(path, "/broadcast", 10) == 0;
    if (!echo && !bcast) {
        http_error(c, "404 Not Found");
        return used;
    }
    /* The key is base64 of 16 bytes: always 24 characters. */
    if (!upgrade || !connection || !version || key_len != 24) {
        http_error(c, "400 Bad Request");
        return used;
    }

    /* RFC 6455 section 1.3: Sec-WebSocket-Accept = base64(SHA-1(key + this GUID)). */
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char input[24 + sizeof guid - 1], digest[20];
    memcpy(input, key, 24);
    memcpy(input + 24, guid, sizeof guid - 1);
    sha1(input, sizeof input, digest);
    char accept[29];
    base64(digest, sizeof digest, accept);
    char resp[160];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    out_append(c, resp, (size_t)n);
    c->upgraded = true;
    c->broadcast = bcast;
    if (bcast && !bc_add(c))
        doom(c);
    return used;
}

/* ---- frames ---- */

/* XORs the payload with the 4-byte mask, 8 bytes at a time (memcpy keeps unaligned access legal). */
static void unmask(unsigned char *p, size_t n, const unsigned char key[4]) {
    uint32_t k32;
    memcpy(&k32, key, 4);
    uint64_t k64 = (uint64_t)k32 << 32 | k32; /* both halves equal: byte order does not matter */
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        w ^= k64;
        memcpy(p + i, &w, 8);
    }
    for (; i < n; i++) /* i is a multiple of 8 here, so the key lines up with i & 3 */
        p[i] ^= key[i & 3];
}

/* Header length of a client (masked) frame from its second byte. */
static size_t header_length(unsigned b1) {
    unsigned n = b1 & 0x7F;
    return 2 + (n == 126 ? 2 : n == 127 ? 8 : 0) + 4;
}

static uint64_t payload_length(const unsigned char *f) {
    uint64_t n = f[1] & 0x7F;
    if (n == 126)
        return (uint64_t)f[2] << 8 | f[3];
    if (n == 127) {
        n = 0;
        for (int i = 0; i < 8; i++)
            n = n << 8 | f[2 + i];
    }
    return n;
}

static void on_data(struct conn *c, unsigned b0, unsigned char *p, size_t n) {
    unsigned op = b0 & 0x0F;
    bool fin = b0 & 0x80;
    /* A continuation needs a message in progress; a new message must not interrupt one. */
    if ((op == OP_CONT) != (c->frag_op != 0)) {
        send_close(c, 1002);
        return;
    }
    if (!c->broadcast) {
        /* /echo: frame for frame, so fragments need no reassembly. */
        send_frame(c, b0, p, n, n >= DIRECT_MIN);
        c->frag_op = fin ? 0 : (unsigned char)(op ? op : c->frag_op);
        return;
    }
    if (op != OP_CONT && fin) { /* the common case: a whole message, sent from where it lies */
        broadcast(op, p, n);
        return;
    }
    /* Fragments from different senders must not interleave on the receivers: reassemble per
       connection, then broadcast the whole message as one frame. */
    if (op != OP_CONT)
        c->frag_op = (unsigned char)op;
    if (c->msg_len + n > MAX_PAYLOAD) {
        send_close(c, 1009);
        return;
    }
    if (!reserve(&c->msg, &c->msg_cap, c->msg_len + n)) {
        doom(c);
        return;
    }
    memcpy(c->msg + c->msg_len, p, n);
    c->msg_len += n;
    if (fin) {
        broadcast(c->frag_op, c->msg, c->msg_len);
        free(c->msg);
        c->msg = NULL;
        c->msg_len = c->msg_cap = 0;
        c->frag_op = 0;
    }
}

static void on_control(struct conn *c, unsigned op, unsigned char *p, size_t n) {
    if (op == OP_PING) {
        send_frame(c, 0x80 | OP_PONG, p, n, false);
    } else if (op == OP_CLOSE) {
        if (n == 1)
            send_close(c, 1002); /* a close payload is empty or starts with a 2-byte code */
        else
            send_close(c, n >= 2 ? (unsigned)p[0] << 8 | p[1] : 0);
    }
    /* an unsolicited pong is ignored */
}

/* Handles every complete frame in data (and the HTTP head first); returns the bytes used. */
static size_t consume(struct conn *c, unsigned char *data, size_t len) {
    size_t pos = 0;
    if (!c->upgraded) {
        pos = handshake(c, data, len);
        if (!c->upgraded)
            return pos;
    }
    while (!c->closing && !c->doomed && len - pos >= 2) {
        unsigned char *f = data + pos;
        size_t avail = len - pos;
        unsigned b0 = f[0], b1 = f[1], op = b0 & 0x0F;
        /* Checked as soon as the first two bytes are in, so bad input is not buffered first. */
        bool control = op >= 8;
        if ((b0 & 0x70) != 0                                      /* RSV bits: no extension */
            || (b1 & 0x80) == 0                                   /* client frames are masked */
            || (control ? op > OP_PONG || !(b0 & 0x80) || (b1 & 0x7F) > 125
                        : op > OP_BINARY)) {
            send_close(c, 1002);
            break;
        }
        size_t hl = header_length(b1);
        if (avail < hl)
            break;
        uint64_t n = payload_length(f);
        if (n >> 63) {
            send_close(c, 1002); /* the most significant bit of a 64-bit length must be 0 */
            break;
        }
        if (n > MAX_PAYLOAD) {
            send_close(c, 1009);
            break;
        }
        if (avail - hl < n)
            break;
        unsigned char *payload = f + hl;
        unmask(payload, (size_t)n, f + hl - 4);
        pos += hl + (size_t)n;
        if (control)
            on_control(c, op, payload, (size_t)n);
        else
            on_data(c, b0, payload, (size_t)n);
    }
    return pos;
}

/* ---- events ---- */

static void on_readable(struct conn *c) {
    unsigned char *buf = g_scratch;
    size_t room = sizeof g_scratch;
    if (c->in_len > 0 && !c->closing) {
        /* A partial frame is waiting: read the rest after it, making room for the whole frame
           (known once its header is in) so that a big message is read straight into place. */
        size_t need = c->in_len + MIN_BUF;
        if (c->upgraded && c->in_len >= 2 && c->in_len >= header_length(c->in[1])) {
            uint64_t total = header_length(c->in[1]) + payload_length(c->in);
            if (total > need && total <= MAX_PAYLOAD + 14)
                need = (size_t)total;
        }
        if (!reserve(&c->in, &c->in_cap, need)) {
            doom(c);
            return;
        }
        buf = c->in + c->in_len;
        room = c->in_cap - c->in_len;
    }
    ssize_t n = recv(c->fd, buf, room, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        doom(c); /* EOF or error: there is nobody left to answer */
        return;
    }
    if (n < 0 || c->closing)
        return; /* nothing yet, or input after our final bytes: discarded */

    unsigned char *data = buf;
    size_t len = (size_t)n;
    if (buf != g_scratch) {
        c->in_len += len;
        data = c->in;
        len = c->in_len;
    }
    size_t used = consume(c, data, len);
    size_t rest = c->closing || c->doomed ? 0 : len - used;
    if (rest == 0) {
        free(c->in);
        c->in = NULL;
        c->in_len = c->in_cap = 0;
    } else if (data == g_scratch) {
        if (!reserve(&c->in, &c->in_cap, rest)) {
            doom(c);
            return;
        }
        memcpy(c->in, data + used, rest);
        c->in_len = rest;
    } else if (used > 0) {
        memmove(c->in, c->in + used, rest); /* at most one partial frame is moved */
        c->in_len = rest;
    }
    flush(c);
}

static void on_accept(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                /* Out of fds: take the connection with the spare fd and drop it, or the listener
                   would stay readable and level-triggered epoll would spin on it. */
                if (g_spare_fd >= 0) {
                    close(g_spare_fd);
                    int x = accept(lfd, NULL, NULL);
                    if (x >= 0)
                        close(x);
                    g_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                }
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            return; /* EAGAIN: all accepted (or a transient error: the listener fires again) */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->bc_index = NOT_LISTED;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(g_epoll, EPOLL_CTL_ADD, fd, &ev) < 0) {
            close(fd);
            free(c);
            continue;
        }
        c->next = g_conns;
        if (g_conns != NULL)
            g_conns->prev = c;
        g_conns = c;
    }
}

/* ---- startup ---- */

static void usage(const char *why) {
    fprintf(stderr, "c-epoll-peer: %s\nusage: c-epoll-peer [--port N] [--host H]\n", why);
    exit(2);
}

static int listen_on(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "c-epoll-peer: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0)
            continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        /* A large backlog so that a connection storm is queued, not refused (the kernel caps it
           at net.core.somaxconn). */
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 4096) < 0) {
            fprintf(stderr, "c-epoll-peer: cannot listen on %s:%s: %s\n", host, port, strerror(errno));
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1", *port = "0";
    for (int i = 1; i < argc; i++) {
        const char **target = strncmp(argv[i], "--port", 6) == 0 ? &port
                            : strncmp(argv[i], "--host", 6) == 0 ? &host : NULL;
        if (target == NULL || (argv[i][6] != '\0' && argv[i][6] != '='))
            usage("unknown argument");
        if (argv[i][6] == '=')
            *target = argv[i] + 7;
        else if (i + 1 < argc)
            *target = argv[++i];
        else
            usage("missing value");
    }
    char *endp;
    long port_num = strtol(port, &endp, 10);
    if (*port == '\0' || *endp != '\0' || port_num < 0 || port_num > 65535)
        usage("--port must be 0..65535");

    /* 20,000 connections need more fds than the usual soft limit of 1024: take the hard limit. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN); /* belt and braces: every send already passes MSG_NOSIGNAL */

    /* SIGTERM and SIGINT arrive through a signalfd in the epoll set: no handler, no race. Their
       dispositions are reset first because an ignored signal (a shell ignores SIGINT for
       background jobs) would never reach the signalfd; the other peers stop on both too. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    int sfd = signalfd(-1, &stop, SFD_NONBLOCK | SFD_CLOEXEC);

    int lfd = listen_on(host, port);
    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    if (sfd < 0 || lfd < 0 || g_epoll < 0) {
        if (sfd < 0 || g_epoll < 0)
            perror("c-epoll-peer");
        return 1;
    }
    g_spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &g_listen_tag};
    struct epoll_event sev = {.events = EPOLLIN, .data.ptr = &g_signal_tag};
    if (epoll_ctl(g_epoll, EPOLL_CTL_ADD, lfd, &ev) < 0 || epoll_ctl(g_epoll, EPOLL_CTL_ADD, sfd, &sev) < 0) {
        perror("c-epoll-peer: epoll_ctl");
        return 1;
    }

    struct sockaddr_storage addr;
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    unsigned bound = ntohs(addr.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&addr)->sin6_port
                                                       : ((struct sockaddr_in *)&addr)->sin_port);
    printf("LISTENING %u\n", bound);
    fflush(stdout);

    static struct epoll_event events[MAX_EVENTS];
    for (bool running = true; running; ) {
        int n = epoll_wait(g_epoll, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("c-epoll-peer: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            void *tag = events[i].data.ptr;
            uint32_t e = events[i].events;
            if (tag == &g_listen_tag) {
                on_accept(lfd);
            } else if (tag == &g_signal_tag) {
                running = false;
            } else {
                struct conn *c = tag;
                if (c->doomed)
                    continue;
                if (e & (EPOLLERR | EPOLLHUP))
                    doom(c); /* reset, or both directions shut: nothing more to do */
                if (e & EPOLLOUT)
                    flush(c);
                if ((e & EPOLLIN) && !c->doomed)
                    on_readable(c);
            }
        }
        reap();
    }
    for (struct conn *c = g_conns; c != NULL; c = c->next)
        doom(c);
    reap();
    free(g_bc);
    close(lfd);
    close(g_epoll);
    return 0;
}
