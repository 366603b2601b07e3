/* The AWS Lambda Runtime API, served by the supervisor to a process-mode function on loopback. */
#ifndef FAAS_RUNTIME_API_H
#define FAAS_RUNTIME_API_H
#include <poll.h>
#include <stdint.h>

#define RAPI_HOST "127.0.0.1"
#define RAPI_PORT 9001
#define RAPI_ADDRESS "127.0.0.1:9001"
#define RAPI_MAX_FDS 17 /* the listening socket and up to 16 connections */

enum rapi_event { RAPI_NONE = 0, RAPI_RESPONSE, RAPI_ERROR, RAPI_INIT_ERROR };

/* A request body kept up to cap bytes; the rest is read and dropped (truncated = 1). */
struct rapi_body {
  char *data;
  uint32_t len, cap;
  int truncated;
};

struct rapi_invocation {
  const char *id;        /* Lambda-Runtime-Aws-Request-Id, NUL-terminated */
  const char *event;
  uint32_t event_len;
  uint64_t deadline_ms;  /* wall clock, ms since the epoch */
  uint32_t result_cap;   /* a response body is kept up to this */
};

/* Listens on RAPI_HOST:RAPI_PORT (close-on-exec); -1 with errno on failure. */
int rapi_listen(void);
/* The invocation /next hands out (a parked /next gets it at the next rapi_service). */
void rapi_begin(const struct rapi_invocation *inv);
/* Whether a /next has taken the current invocation. */
int rapi_delivered(void);
/* The invocation is over: later posts for its id are refused. */
void rapi_end(void);
/* Fills pollfds for the listening socket and every connection; returns how many. */
int rapi_pollfds(struct pollfd *p);
/* Serves what is ready; returns the first event of the current invocation, its body in *body. */
enum rapi_event rapi_service(const struct pollfd *p, int n, struct rapi_body *body);
/* Closes every connection (the process is being replaced). */
void rapi_reset(void);

#endif
