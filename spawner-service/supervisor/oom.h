#ifndef FAAS_OOM_H
#define FAAS_OOM_H
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

/*
 * In a forked child, before exec: an out-of-memory kill takes the run (or the function's
 * process), never the supervisor. The fork inherited "not dumpable", which makes
 * /proc/self/oom_score_adj root's, so the write failed (EACCES) as long as it came first. Dumpable
 * again once nothing of the supervisor's is left open (exec would reset it anyway, and no other
 * process of the container is alive to open this one), the write is ours.
 */
static inline void prefer_oom_kill(void) {
  prctl(PR_SET_DUMPABLE, 1);
  int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (adj >= 0) { if (write(adj, "1000", 4) < 0) { /* the child keeps its score; the tests see it */ } close(adj); }
}

#endif
