/* What a run can leave behind in a container besides processes, and how it is wiped. */
#ifndef FAAS_SCRATCH_H
#define FAAS_SCRATCH_H
#include <stdint.h>

/* The container's cgroup OOM-kill counter (cgroup v2 or v1); 0 when unreadable. */
uint64_t oom_kills(void);

/* Takes the image's VOLUME paths (newline-separated) from this environment variable and unsets it. */
void scratch_volumes_from_env(const char *name);

/* Empties /tmp, /dev/shm, /dev/mqueue and the VOLUME paths and removes SysV IPC objects; 0 if something stayed. */
int clean_scratch(void);

#endif
