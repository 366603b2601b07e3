/* Process mode: the function's process stays alive between invocations (Lambda's model). */
#ifndef FAAS_PROCESS_H
#define FAAS_PROCESS_H
#include <stdint.h>

#include "capture.h"
#include "runtime-api.h"

/* What the function's process wrote (stdout and stderr, in order), kept up to cap bytes. */

struct pm_invocation {
  const char *event;
  uint32_t event_len;
  uint32_t timeout_ms, result_cap, logs_cap;
  char **env; /* K=V added to the process's environment when this invocation starts it */
  uint32_t env_count;
};

/* kind and flags as in faas-supervisor.c's answer: 0 exited, 1 signaled, 2 timed out, 3 not started. */
struct pm_outcome {
  int kind;
  int32_t code;
  uint32_t flags; /* 4: out of memory, 8: something could not be killed or wiped */
  uint64_t duration_us;
  struct rapi_body result;
  struct capture logs;
};

/* 1 when FAAS_SUPERVISOR_MODE=process (then the Runtime API listens); exits if it cannot listen. */
int process_mode_init(char **argv, int argc, int sigfd, int devnull);
/* One invocation: starts the process if none is alive, hands it the event, waits for its answer. */
void process_invoke(const struct pm_invocation *in, struct pm_outcome *oc);

#endif
