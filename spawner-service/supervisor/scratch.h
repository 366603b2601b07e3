/* What a run can leave behind in a container besides processes, and how it is wiped. */
#ifndef FAAS_SCRATCH_H
#define FAAS_SCRATCH_H
#include <stdint.h>

/* The container's cgroup OOM-kill counter (cgroup v2 or v1); 0 when unreadable. */
uint64_t oom_kills(void);

/* Empties /tmp, /dev/shm and /dev/mqueue and removes SysV IPC objects; 0 if something stayed. */
int clean_scratch(void);

#endif
