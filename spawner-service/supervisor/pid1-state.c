#define _GNU_SOURCE
#include "pid1-state.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

/*
 * A process of the supervisor's uid may lower PID 1's limits (prlimit), raise its nice value
 * (setpriority) and narrow its CPU affinity (sched_setaffinity), none of which it can undo, and
 * every later run is forked from PID 1 and inherits them. They are compared after every run:
 * a change makes the container dirty, and the spawner replaces it.
 */
struct pid1_state {
  struct rlimit limits[RLIM_NLIMITS];
  int nice;
  cpu_set_t cpus;
};

static struct pid1_state recorded;

static void read_state(struct pid1_state *s) {
  memset(s, 0, sizeof *s);
  for (int r = 0; r < RLIM_NLIMITS; r++) getrlimit(r, &s->limits[r]);
  errno = 0;
  s->nice = getpriority(PRIO_PROCESS, 0);
  if (errno != 0) s->nice = -100;
  if (sched_getaffinity(0, sizeof s->cpus, &s->cpus) != 0) CPU_ZERO(&s->cpus);
}

void pid1_state_record(void) { read_state(&recorded); }

int pid1_state_unchanged(void) {
  struct pid1_state now;
  read_state(&now);
  return memcmp(&now, &recorded, sizeof now) == 0;
}
