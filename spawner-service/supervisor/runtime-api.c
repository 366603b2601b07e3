/*
 * The AWS Lambda Runtime API (2018-06-01), as much of it as a runtime client uses, served to a
 * process-mode function on 127.0.0.1:9001 inside its container (network none still has lo).
 *
 *   GET  /2018-06-01/runtime/invocation/next           blocks until an invocation; 200, the
 *        event as the body, headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms,
 *        -Invoked-Function-Arn, -Trace-Id
 *   POST /2018-06-01/runtime/invocation/{id}/response  the result; 202
 *   POST /2018-06-01/runtime/invocation/{id}/error     the invocation failed; 202
 *   POST /2018-06-01/runtime/init/error                the process cannot start; 202
 *   an id other than the current invocation's: 400 InvalidRequestID; other paths: 404.
 *
 * HTTP/1.1 with keep-alive; bodies need a Content-Length (as every runtime client sends;
 * chunked bodies get 411). Every length is checked: headers fit in HEAD_CAP, a Content-Length is
 * digits and at most MAX_BODY, and only up to a body's cap is kept. Single-threaded: the
 * supervisor polls these sockets with the function's output pipes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime-api.h"

#define HEAD_CAP 16384
#define MAX_CONNS (RAPI_MAX_FDS - 1)
#define MAX_BODY (64ull << 20)
#define ERROR_BODY_CAP 65536u
#define PREFIX "/2018-06-01/runtime/"

enum route { R_NONE, R_NEXT, R_RESPONSE, R_ERROR, R_INIT_ERROR, R_STALE, R_NOT_FOUND };

struct conn {
  int fd;
  char head[HEAD_CAP];
  uint32_t head_len;
  enum route route;   /* R_NONE: reading a request's headers */
  uint64_t remaining; /* body bytes still to read */
  int parked, close_after;
  struct rapi_body body;
  char *out;
  uint32_t out_len, out_off;
};

static int listen_fd = -1;
static struct conn conns[MAX_CONNS];
static struct rapi_invocation current;
static int active, delivered;
static char arn[160];

int rapi_listen(void) {
  const char *name = getenv("AWS_LAMBDA_FUNCTION_NAME");
  size_t k = (size_t)snprintf(arn, sizeof arn, "arn:aws:lambda:local:000000000000:function:");
  /* A header value: only the characters of a function name, never CR or LF. */
  for (; name && *name && k + 1 < sizeof arn; name++)
    if ((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z') || (*name >= '0' && *name <= '9') || *name == '-' || *name == '_') arn[k++] = *name;
  arn[k] = 0;
  for (int i = 0; i < MAX_CONNS; i++) conns[i].fd = -1;
  listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) return -1;
  int one = 1;
  setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(RAPI_PORT) };
  inet_pton(AF_INET, RAPI_HOST, &a.sin_addr);
  if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(listen_fd, MAX_CONNS) < 0) return -1;
  return listen_fd;
}

static void drop(struct conn *c) {
  close(c->fd);
  free(c->body.data); free(c->out);
  memset(c, 0, sizeof *c);
  c->fd = -1;
}

/* Sends what is pending; 0 when the connection was dropped. */
static int flush(struct conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) return 1;
    if (w <= 0) { drop(c); return 0; }
    c->out_off += (uint32_t)w;
  }
  free(c->out); c->out = NULL; c->out_len = c->out_off = 0;
  if (c->close_after) { drop(c); return 0; }
  return 1;
}

static void queue(struct conn *c, const char *head, uint32_t head_len, const char *body, uint32_t body_len) {
  uint32_t pending = c->out_len - c->out_off;
  char *out = malloc((size_t)pending + head_len + body_len);
  if (!out) { drop(c); return; }
  if (pending) memcpy(out, c->out + c->out_off, pending);
  memcpy(out + pending, head, head_len);
  if (body_len) memcpy(out + pending + head_len, body, body_len);
  free(c->out);
  c->out = out; c->out_len = pending + head_len + body_len; c->out_off = 0;
  flush(c);
}

static void reply(struct conn *c, const char *status, const char *json) {
  char head[256];
  int n = snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
                   status, strlen(json), c->close_after ? "Connection: close\r\n" : "");
  queue(c, head, (uint32_t)n, json, (uint32_t)strlen(json));
}

static void deliver(struct conn *c) {
  char head[1024], trace[33];
  const char *id = current.id;
  size_t t = 0;
  for (const char *s = id; *s && t < 32; s++) if (*s != '-') trace[t++] = *s;
  trace[t] = 0;
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: %s\r\n"
                   "Lambda-Runtime-Deadline-Ms: %llu\r\nLambda-Runtime-Invoked-Function-Arn: %s\r\n"
                   "Lambda-Runtime-Trace-Id: Root=1-%.8s-%.24s;Sampled=0\r\nContent-Length: %u\r\n\r\n",
                   id, (unsigned long long)current.deadline_ms, arn, trace, t > 8 ? trace + 8 : "", current.event_len);
  c->parked = 0;
  delivered = 1;
  queue(c, head, (uint32_t)n, current.event, current.event_len);
}

static void hand_out(void) {
  if (!active || delivered) return;
  for (int i = 0; i < MAX_CONNS; i++)
    if (conns[i].fd >= 0 && conns[i].parked) { deliver(&conns[i]); return; }
}

void rapi_begin(const struct rapi_invocation *inv) {
  current = *inv;
  active = 1;
  delivered = 0;
  hand_out(); /* to a /next parked since the last invocation */
}

int rapi_delivered(void) {
  return delivered;
}

void rapi_end(void) {
  active = 0;
}

static int starts(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The route of "METHOD PATH": for an invocation's post, whether it names the current one. */
static enum route route_of(const char *line, uint32_t *cap) {
  *cap = 0;
  if (starts(line, "GET " PREFIX "invocation/next ")) return R_NEXT;
  if (starts(line, "POST " PREFIX "init/error ")) { *cap = ERROR_BODY_CAP; return R_INIT_ERROR; }
  if (!starts(line, "POST " PREFIX "invocation/")) return R_NOT_FOUND;
  const char *id = line + strlen("POST " PREFIX "invocation/");
  const char *slash = strchr(id, '/');
  if (!slash) return R_NOT_FOUND;
  enum route r;
  if (starts(slash, "/response ")) r = R_RESPONSE;
  else if (starts(slash, "/error ")) r = R_ERROR;
  else return R_NOT_FOUND;
  size_t id_len = (size_t)(slash - id);
  if (!active || !delivered || id_len != strlen(current.id) || strncmp(id, current.id, id_len) != 0) return R_STALE;
  *cap = r == R_RESPONSE ? current.result_cap : ERROR_BODY_CAP;
  return r;
}

/* Content-Length, Expect and Connection; 0 when the headers are not acceptable (replied). */
static int read_headers(struct conn *c, char *headers) {
  c->remaining = 0;
  for (char *h = headers; h && *h; ) {
    char *next = strstr(h, "\r\n");
    if (next) { *next = 0; next += 2; }
    if (strncasecmp(h, "content-length:", 15) == 0) {
      const char *v = h + 15;
      while (*v == ' ' || *v == '\t') v++;
      uint64_t n = 0;
      if (!*v) { c->close_after = 1; reply(c, "400 Bad Request", "{\"errorMessage\":\"bad Content-Length\",\"errorType\":\"InvalidRequest\"}"); return 0; }
      for (; *v >= '0' && *v <= '9' && n <= MAX_BODY; v++) n = n * 10 + (uint64_t)(*v - '0');
      while (*v == ' ' || *v == '\t') v++;
      if (*v || n > MAX_BODY) { c->close_after = 1; reply(c, "413 Payload Too Large", "{\"errorMessage\":\"bad or too large Content-Length\",\"errorType\":\"RequestEntityTooLarge\"}"); return 0; }
      c->remaining = n;
    } else if (strncasecmp(h, "transfer-encoding:", 18) == 0) {
      c->close_after = 1;
      reply(c, "411 Length Required", "{\"errorMessage\":\"send a Content-Length\",\"errorType\":\"LengthRequired\"}");
      return 0;
    } else if (strncasecmp(h, "expect:", 7) == 0 && strcasestr(h + 7, "100-continue")) {
      queue(c, "HTTP/1.1 100 Continue\r\n\r\n", 25, NULL, 0);
    } else if (strncasecmp(h, "connection:", 11) == 0 && strcasestr(h + 11, "close")) {
      c->close_after = 1;
    }
    h = next;
  }
  return 1;
}

/* Parses one request's head (request line and headers, ending in a blank line, `len` bytes). */
static int start_request(struct conn *c, char *req, uint32_t len) {
  req[len - 2] = 0; /* the blank line's CRLF: headers are now one string */
  char *eol = strstr(req, "\r\n");
  char *headers = eol ? eol + 2 : NULL;
  if (eol) *eol = 0;
  if (strstr(req, " HTTP/1.0")) c->close_after = 1;
  uint32_t cap;
  enum route r = route_of(req, &cap);
  if (!read_headers(c, headers)) return 0;
  c->route = r;
  uint64_t keep = c->remaining < cap ? c->remaining : cap;
  c->body.cap = (uint32_t)keep; /* what is allocated below: take_body never writes past it */
  c->body.len = 0;
  c->body.truncated = 0;
  c->body.data = keep ? malloc(keep) : NULL;
  if (keep && !c->body.data) { drop(c); return 0; }
  return 1;
}

static void take_body(struct conn *c, const char *p, uint32_t n) {
  uint32_t room = c->body.len < c->body.cap ? c->body.cap - c->body.len : 0;
  uint32_t keep = n < room ? n : room;
  if (keep && c->body.data) { memcpy(c->body.data + c->body.len, p, keep); c->body.len += keep; }
  if (keep < n) c->body.truncated = 1;
  c->remaining -= n;
}

/* A whole request is in: answer it; an event of the current invocation moves its body to *body. */
static enum rapi_event finish(struct conn *c, struct rapi_body *body) {
  enum route r = c->route;
  enum rapi_event ev = RAPI_NONE;
  c->route = R_NONE;
  if (r == R_NEXT) { c->parked = 1; hand_out(); }
  else if (r == R_STALE) reply(c, "400 Bad Request", "{\"errorMessage\":\"not the current invocation\",\"errorType\":\"InvalidRequestID\"}");
  else if (r == R_NOT_FOUND) reply(c, "404 Not Found", "{\"errorMessage\":\"not a Runtime API path\",\"errorType\":\"NotFound\"}");
  else {
    ev = r == R_RESPONSE ? RAPI_RESPONSE : r == R_ERROR ? RAPI_ERROR : RAPI_INIT_ERROR;
    *body = c->body;
    c->body = (struct rapi_body){ 0 };
    if (r != R_INIT_ERROR) active = 0; /* one answer per invocation */
    reply(c, "202 Accepted", "{\"status\":\"OK\"}");
  }
  free(c->body.data);
  c->body = (struct rapi_body){ 0 };
  return ev;
}

/* Consumes buffered bytes: headers, then the body; stops at an event or when more is needed. */
static enum rapi_event advance(struct conn *c, struct rapi_body *body) {
  static char request[HEAD_CAP + 1];
  while (c->fd >= 0) {
    if (c->route == R_NONE) {
      char *end = memmem(c->head, c->head_len, "\r\n\r\n", 4);
      if (!end) {
        if (c->head_len == HEAD_CAP) { c->close_after = 1; reply(c, "431 Request Header Fields Too Large", "{\"errorMessage\":\"headers too large\",\"errorType\":\"InvalidRequest\"}"); }
        return RAPI_NONE;
      }
      uint32_t used = (uint32_t)(end - c->head) + 4;
      memcpy(request, c->head, used);
      memmove(c->head, c->head + used, c->head_len - used);
      c->head_len -= used;
      if (!start_request(c, request, used)) return RAPI_NONE;
    }
    uint32_t n = c->head_len < c->remaining ? c->head_len : (uint32_t)c->remaining;
    take_body(c, c->head, n);
    memmove(c->head, c->head + n, c->head_len - n);
    c->head_len -= n;
    if (c->remaining > 0) return RAPI_NONE;
    enum rapi_event ev = finish(c, body);
    if (ev != RAPI_NONE) return ev;
  }
  return RAPI_NONE;
}

static void accept_all(void) {
  for (;;) {
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    int slot = -1;
    for (int i = 0; i < MAX_CONNS && slot < 0; i++) if (conns[i].fd < 0) slot = i;
    if (slot < 0) { close(fd); continue; }
    memset(&conns[slot], 0, sizeof conns[slot]);
    conns[slot].fd = fd;
  }
}

int rapi_pollfds(struct pollfd *p) {
  int n = 0;
  p[n++] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
  for (int i = 0; i < MAX_CONNS; i++) {
    struct conn *c = &conns[i];
    if (c->fd < 0) continue;
    short events = c->head_len < HEAD_CAP ? POLLIN : 0;
    if (c->out_len > c->out_off) events |= POLLOUT;
    p[n++] = (struct pollfd){ .fd = c->fd, .events = events };
  }
  return n;
}

static struct conn *conn_of(int fd) {
  for (int i = 0; i < MAX_CONNS; i++) if (conns[i].fd == fd) return &conns[i];
  return NULL;
}

/* Reads what the socket has into the buffer; 0 when the connection is gone. */
static int fill(struct conn *c) {
  ssize_t r = recv(c->fd, c->head + c->head_len, HEAD_CAP - c->head_len, MSG_DONTWAIT);
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (r <= 0) { drop(c); return 0; }
  c->head_len += (uint32_t)r;
  return 1;
}

enum rapi_event rapi_service(const struct pollfd *p, int n, struct rapi_body *body) {
  enum rapi_event found = RAPI_NONE;
  for (int i = 0; i < n; i++) {
    if (!p[i].revents) continue;
    if (p[i].fd == listen_fd) { accept_all(); continue; }
    struct conn *c = conn_of(p[i].fd);
    if (!c) continue;
    if ((p[i].revents & POLLOUT) && !flush(c)) continue;
    if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    if (!fill(c)) continue;
    /* One event per call: a second stays buffered for the next call. */
    if (found == RAPI_NONE) found = advance(c, body);
  }
  hand_out();
  return found;
}

void rapi_reset(void) {
  for (int i = 0; i < MAX_CONNS; i++) if (conns[i].fd >= 0) drop(&conns[i]);
  active = delivered = 0;
}
