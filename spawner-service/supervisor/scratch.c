#define _GNU_SOURCE
#include "scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t counter_in(const char *path, const char *name) {
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  char key[64];
  unsigned long long v;
  uint64_t found = 0;
  while (fscanf(f, "%63s %llu", key, &v) == 2) if (strcmp(key, name) == 0) found = v;
  fclose(f);
  return found;
}

uint64_t oom_kills(void) {
  return counter_in("/sys/fs/cgroup/memory.events", "oom_kill") + counter_in("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill");
}

/* Removes everything below dirfd (not dirfd itself); never follows links or crosses into other files. */
static int empty_dir(int dirfd, int depth) {
  if (depth > 256) return 0;
  int dup_fd = dup(dirfd);
  DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
  if (!d) return 0;
  int ok = 1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    struct stat st;
    if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) { ok = 0; continue; }
    if (S_ISDIR(st.st_mode)) {
      /* A run may have taken its own permissions away from a directory: give them back. */
      fchmodat(dirfd, e->d_name, 0700, 0);
      int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) { ok = 0; continue; }
      ok &= empty_dir(sub, depth + 1);
      close(sub);
      if (unlinkat(dirfd, e->d_name, AT_REMOVEDIR) != 0) ok = 0;
    } else if (unlinkat(dirfd, e->d_name, 0) != 0) {
      ok = 0;
    }
  }
  closedir(d);
  return ok;
}

static int empty_path(const char *path) {
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT || errno == EACCES; /* absent, or not ours to write either */
  int ok = empty_dir(fd, 0);
  close(fd);
  return ok;
}

/* /proc/sysvipc/{shm,sem,msg}: the second column is the id. */
static int remove_ipc(const char *path, int which) {
  FILE *f = fopen(path, "re");
  if (!f) return 1;
  char line[512];
  int ok = 1;
  if (!fgets(line, sizeof line, f)) { fclose(f); return 1; }
  while (fgets(line, sizeof line, f)) {
    long key, id;
    if (sscanf(line, "%ld %ld", &key, &id) != 2) continue;
    int r = which == 0 ? shmctl((int)id, IPC_RMID, NULL) : which == 1 ? semctl((int)id, 0, IPC_RMID) : msgctl((int)id, IPC_RMID, NULL);
    if (r != 0) ok = 0;
  }
  fclose(f);
  return ok;
}

/* The image's VOLUME paths, masked by tmpfs mounts as writable as /tmp: emptied like it. */
static char *volume_paths;

void scratch_volumes_from_env(const char *name) {
  const char *list = getenv(name);
  if (list && *list) volume_paths = strdup(list);
  unsetenv(name);
}

/* Paths are separated by newlines (a Docker VOLUME path cannot name a tmpfs mount with one). */
static int empty_volumes(void) {
  int ok = 1;
  for (char *p = volume_paths; p && *p;) {
    char *nl = strchr(p, '\n');
    if (nl) *nl = 0;
    if (*p == '/') ok &= empty_path(p);
    if (!nl) break;
    *nl = '\n';
    p = nl + 1;
  }
  return ok;
}

int clean_scratch(void) {
  int ok = empty_path("/tmp");
  ok &= empty_volumes();
  ok &= empty_path("/dev/shm");
  ok &= empty_path("/dev/mqueue");
  ok &= remove_ipc("/proc/sysvipc/shm", 0);
  ok &= remove_ipc("/proc/sysvipc/sem", 1);
  ok &= remove_ipc("/proc/sysvipc/msg", 2);
  return ok;
}
