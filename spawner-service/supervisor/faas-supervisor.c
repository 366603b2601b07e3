/*
 * faas-supervisor: PID 1 of a warm function container.
 *
 * The spawner starts the container with this program as its entrypoint and the image's own
 * entrypoint as its arguments, then talks to it over the container's attached stdin/stdout.
 * For each request it runs the image's command once, with the argument as the last argv
 * element, /dev/null as stdin and pipes of its own as stdout and stderr; when the command
 * exits (or its time is up) it kills every other process in the container, empties the
 * writable scratch places (/tmp, the image's VOLUME paths, /dev/shm, /dev/mqueue, SysV IPC),
 * checks that its own rlimits, nice value and CPU affinity are as they were at start (a run of
 * the same uid can lower them, and later runs would inherit them) and answers with one frame;
 * anything it could not restore marks the answer dirty, and the spawner replaces the container.
 *
 * Frames are length-prefixed, so any bytes survive; every answer carries the request's
 * nonce. A run cannot reach this process's streams: they are never inherited, and the
 * process is not dumpable, so /proc/1/fd is closed to the run's uid.
 *
 * Request  "FQ01" u32 len | nonce[16] u32 timeoutMs u32 outCap u32 errCap
 *                          | u32 argLen arg | u32 envCount (u32 len "K=V")*
 * Answer   "FR01" u32 len | nonce[16] u8 kind u8 flags u16 0 i32 code u32 durationUs
 *                          | u32 outLen out | u32 errLen err
 * kind: 0 exited (code = status), 1 killed by a signal (code = signal), 2 timed out,
 *       3 could not start (code = errno). flags: see FLAG_*.
 * All integers are little-endian. With FAAS_SUPERVISOR_MODE=process the same frames drive
 * process.c instead: the argument is the event, out the result, err the process's output.
 * Build: cc -static -O2 -o faas-supervisor faas-supervisor.c scratch.c pid1-state.c process.c runtime-api.c
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture.h"
#include "oom.h"
#include "pid1-state.h"
#include "process.h"
#include "scratch.h"

#define MAX_REQUEST (16u << 20)
#define NONCE_LEN 16
#define REAP_GRACE_MS 2000
#define FLAG_OUT_TRUNCATED 1u
#define FLAG_ERR_TRUNCATED 2u
#define FLAG_OOM 4u
#define FLAG_DIRTY 8u

enum kind { EXITED = 0, SIGNALED = 1, TIMED_OUT = 2, NOT_STARTED = 3 };

struct request {
  unsigned char nonce[NONCE_LEN];
  uint32_t timeout_ms, out_cap, err_cap;
  char *arg;
  char **env; /* extra K=V for this run only */
  uint32_t env_count;
};

struct outcome {
  enum kind kind;
  int32_t code;
  uint32_t flags;
  uint64_t duration_us;
};

static char **base_argv;  /* the image's entrypoint, maybe empty */
static int base_argc;
static int devnull = -1;
static int sigfd = -1;
static long idle_ms = -1;

static void die(const char *what) {
  fprintf(stderr, "faas-supervisor: %s: %s\n", what, strerror(errno));
  exit(70);
}

static uint64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v) {
  p[0] = v & 0xff; p[1] = (v >> 8) & 0xff; p[2] = (v >> 16) & 0xff; p[3] = (v >> 24) & 0xff;
}

/* 1: all read; 0: clean EOF before the first byte; exits on a torn frame. */
static int read_full(int fd, void *buf, size_t n, int first) {
  size_t got = 0;
  while (got < n) {
    if (first && got == 0 && idle_ms > 0) {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      int r = poll(&p, 1, (int)idle_ms);
      if (r == 0) exit(0); /* idle past the backstop: the spawner forgot us */
      if (r < 0 && errno == EINTR) continue;
    }
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r == 0) {
      if (got == 0 && first) return 0;
      exit(0); /* the spawner went away mid-frame */
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      die("read request");
    }
    got += (size_t)r;
  }
  return 1;
}

static void write_full(int fd, const void *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, (const char *)buf + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(0); /* nobody listens any more */
    }
    done += (size_t)w;
  }
}

/* Parses the payload in place; 0 when malformed. */
static int parse_request(unsigned char *p, uint32_t len, struct request *rq) {
  unsigned char *end = p + len;
  if (len < NONCE_LEN + 20) return 0;
  memcpy(rq->nonce, p, NONCE_LEN); p += NONCE_LEN;
  rq->timeout_ms = get_u32(p); rq->out_cap = get_u32(p + 4); rq->err_cap = get_u32(p + 8); p += 12;
  uint32_t arg_len = get_u32(p); p += 4;
  if ((uint32_t)(end - p) < 4u || (uint32_t)(end - p) - 4u < arg_len) return 0; /* arg_len + 4 would wrap */
  rq->arg = (char *)p; p += arg_len;
  rq->env_count = get_u32(p);
  *p = 0; p += 4; /* terminates arg: its length field is no longer needed */
  if (rq->env_count > 4096) return 0;
  rq->env = calloc(rq->env_count + 1, sizeof(char *));
  if (!rq->env) die("calloc");
  for (uint32_t i = 0; i < rq->env_count; i++) {
    if (end - p < 4) return 0;
    uint32_t l = get_u32(p);
    if ((uint32_t)(end - p - 4) < l) return 0;
    memmove(p, p + 4, l); /* shift left over the length so the string can be terminated */
    p[l] = 0;
    rq->env[i] = (char *)p;
    p += l + 4;
  }
  return memchr(rq->arg, 0, arg_len) == NULL;
}

extern char **environ;

/* 1 when a per-run entry ("K=V") sets the same name as `entry`. */
static int set_for_this_run(const struct request *rq, const char *entry) {
  size_t name_len = strcspn(entry, "=");
  for (uint32_t i = 0; i < rq->env_count; i++) {
    if (strncmp(rq->env[i], entry, name_len) == 0 && rq->env[i][name_len] == '=') return 1;
  }
  return 0;
}

/* The container's environment, where a per-run entry (a secret) replaces one of the same name, as in a cold run. */
static char **run_environment(const struct request *rq) {
  size_t n = 0;
  while (environ[n]) n++;
  char **envp = calloc(n + rq->env_count + 1, sizeof(char *));
  if (!envp) die("calloc");
  size_t k = 0;
  for (size_t i = 0; i < n; i++) if (!set_for_this_run(rq, environ[i])) envp[k++] = environ[i];
  for (uint32_t i = 0; i < rq->env_count; i++) envp[k++] = rq->env[i];
  return envp;
}

static void child(const struct request *rq, int out, int err, int report) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
  /* Nothing of the supervisor's reaches the run: the report pipe moves to fd 3 (close-on-exec). */
  if (report != 3) { if (dup3(report, 3, O_CLOEXEC) < 0) _exit(127); report = 3; }
  if (close_range(4, ~0u, 0) != 0) for (int fd = 4; fd < 1024; fd++) close(fd);
  prefer_oom_kill();
  char **argv = calloc((size_t)base_argc + 2, sizeof(char *));
  if (!argv) _exit(127);
  for (int i = 0; i < base_argc; i++) argv[i] = base_argv[i];
  argv[base_argc] = rq->arg;
  execvpe(argv[0], argv, run_environment(rq));
  int e = errno;
  if (write(report, &e, sizeof e) < 0) { /* the parent sees EOF and a 127 */ }
  _exit(127);
}

static void capture_read(int *fd, struct capture *c) {
  char buf[65536];
  ssize_t r = read(*fd, buf, sizeof buf);
  if (r < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (r <= 0) { close(*fd); *fd = -1; return; }
  if (capture_append(c, buf, (size_t)r) < 0) die("realloc");
}

/* Reaps every child that has exited; returns 1 once `pid` is among them, filling *status. */
static int reap(pid_t pid, int *status) {
  int found = 0, st;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) if (p == pid) { *status = st; found = 1; }
  return found;
}

static void drain_sigfd(void) {
  struct signalfd_siginfo si;
  while (read(sigfd, &si, sizeof si) > 0) {}
}

static int other_processes_left(void) {
  DIR *d = opendir("/proc");
  if (!d) return 0;
  struct dirent *e;
  int left = 0;
  while ((e = readdir(d))) {
    char *endp;
    long pid = strtol(e->d_name, &endp, 10);
    if (*endp == 0 && pid > 1 && pid != getpid()) { left = 1; break; }
  }
  closedir(d);
  return left;
}

/* Kills everything but us, then reaps until nothing is left or the grace is over. */
static int kill_the_rest(void) {
  uint64_t deadline = now_us() + REAP_GRACE_MS * 1000u;
  int st;
  do {
    kill(-1, SIGKILL);
    reap(0, &st);
    if (!other_processes_left()) return 1;
    struct pollfd p = { .fd = sigfd, .events = POLLIN };
    poll(&p, 1, 10);
    drain_sigfd();
  } while (now_us() < deadline);
  return 0;
}

static void run(const struct request *rq, struct outcome *oc, struct capture *out, struct capture *err) {
  int po[2], pe[2], pr[2];
  if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || pipe2(pr, O_CLOEXEC)) die("pipe");
  uint64_t oom_before = oom_kills();
  uint64_t t0 = now_us();
  pid_t pid = fork();
  if (pid < 0) { oc->kind = NOT_STARTED; oc->code = errno; close(po[0]); close(po[1]); close(pe[0]); close(pe[1]); close(pr[0]); close(pr[1]); return; }
  if (pid == 0) child(rq, po[1], pe[1], pr[1]);
  close(po[1]); close(pe[1]); close(pr[1]);
  int e = 0, status = 0;
  if (read(pr[0], &e, sizeof e) == (ssize_t)sizeof e) {
    close(pr[0]); close(po[0]); close(pe[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    oc->kind = NOT_STARTED; oc->code = e; oc->duration_us = now_us() - t0;
    return;
  }
  close(pr[0]);
  int fds[2] = { po[0], pe[0] };
  uint64_t deadline = t0 + (uint64_t)rq->timeout_ms * 1000u;
  int exited = 0, timed_out = 0;
  uint64_t t_end = 0;
  while (!exited || fds[0] >= 0 || fds[1] >= 0) {
    struct pollfd p[3] = { { .fd = sigfd, .events = POLLIN }, { .fd = fds[0], .events = POLLIN }, { .fd = fds[1], .events = POLLIN } };
    int wait_ms = -1;
    if (!exited) {
      uint64_t n = now_us();
      if (n >= deadline) {
        timed_out = 1; t_end = n;
        kill(-1, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        exited = 1;
        continue;
      }
      wait_ms = (int)((deadline - n + 999) / 1000);
    }
    if (poll(p, 3, wait_ms) < 0 && errno != EINTR) die("poll");
    if (p[0].revents) drain_sigfd();
    if (!exited && reap(pid, &status)) {
      exited = 1; t_end = now_us();
      kill(-1, SIGKILL); /* as when a container's main process exits: the rest go with it */
    }
    if (fds[0] >= 0 && p[1].revents) capture_read(&fds[0], out);
    if (fds[1] >= 0 && p[2].revents) capture_read(&fds[1], err);
  }
  oc->duration_us = t_end - t0;
  if (!kill_the_rest()) oc->flags |= FLAG_DIRTY;
  if (oom_kills() > oom_before) oc->flags |= FLAG_OOM;
  if (!clean_scratch()) oc->flags |= FLAG_DIRTY;
  if (!pid1_state_unchanged()) oc->flags |= FLAG_DIRTY;
  if (timed_out) { oc->kind = TIMED_OUT; oc->code = 0; }
  else if (WIFSIGNALED(status)) { oc->kind = SIGNALED; oc->code = WTERMSIG(status); }
  else { oc->kind = EXITED; oc->code = WEXITSTATUS(status); }
}

static void invoke(const struct request *rq, struct outcome *oc, struct capture *out, struct capture *err) {
  struct pm_invocation in = { .event = rq->arg, .event_len = (uint32_t)strlen(rq->arg), .timeout_ms = rq->timeout_ms,
                              .result_cap = rq->out_cap, .logs_cap = rq->err_cap, .env = rq->env, .env_count = rq->env_count };
  struct pm_outcome po = { 0 };
  process_invoke(&in, &po);
  *oc = (struct outcome){ .kind = (enum kind)po.kind, .code = po.code, .flags = po.flags, .duration_us = po.duration_us };
  *out = (struct capture){ .data = po.result.data, .len = po.result.len, .truncated = po.result.truncated };
  *err = (struct capture){ .data = po.logs.data, .len = po.logs.len, .truncated = po.logs.truncated };
}

static void answer(const struct request *rq, const struct outcome *oc, const struct capture *out, const struct capture *err) {
  unsigned char head[8 + NONCE_LEN + 16 + 4];
  uint32_t len = NONCE_LEN + 16 + out->len + 4 + err->len; /* the 16 include outLen */
  memcpy(head, "FR01", 4);
  put_u32(head + 4, len);
  memcpy(head + 8, rq->nonce, NONCE_LEN);
  unsigned char *p = head + 8 + NONCE_LEN;
  uint32_t flags = oc->flags | (out->truncated ? FLAG_OUT_TRUNCATED : 0) | (err->truncated ? FLAG_ERR_TRUNCATED : 0);
  p[0] = (unsigned char)oc->kind; p[1] = (unsigned char)flags; p[2] = 0; p[3] = 0;
  put_u32(p + 4, (uint32_t)oc->code);
  put_u32(p + 8, oc->duration_us > 0xffffffffu ? 0xffffffffu : (uint32_t)oc->duration_us);
  put_u32(p + 12, out->len);
  write_full(1, head, sizeof head - 4);
  write_full(1, out->data ? out->data : "", out->len);
  unsigned char l[4];
  put_u32(l, err->len);
  write_full(1, l, 4);
  write_full(1, err->data ? err->data : "", err->len);
}

int main(int argc, char **argv) {
  /* kill(-1) below means "every process in this container": only ever run as its PID 1. */
  if (getpid() != 1) { fprintf(stderr, "faas-supervisor: must run as PID 1 of a container\n"); return 64; }
  base_argv = argv + 1;
  base_argc = argc - 1;
  /* Not dumpable: a run of the same uid cannot open /proc/1/fd or /proc/1/mem. */
  prctl(PR_SET_DUMPABLE, 0);
  const char *idle = getenv("FAAS_SUPERVISOR_IDLE_MS");
  if (idle) { idle_ms = strtol(idle, NULL, 10); unsetenv("FAAS_SUPERVISOR_IDLE_MS"); }
  scratch_volumes_from_env("FAAS_SUPERVISOR_VOLUMES");
  pid1_state_record();
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (sigfd < 0 || devnull < 0) die("setup");
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  fcntl(2, F_SETFD, FD_CLOEXEC);
  int process_mode = process_mode_init(base_argv, base_argc, sigfd, devnull);
  for (;;) {
    unsigned char head[8];
    if (!read_full(0, head, 8, 1)) return 0;
    uint32_t len = get_u32(head + 4);
    if (memcmp(head, "FQ01", 4) != 0 || len > MAX_REQUEST) { fprintf(stderr, "faas-supervisor: bad frame\n"); return 65; }
    unsigned char *payload = malloc(len + 1);
    if (!payload) die("malloc");
    read_full(0, payload, len, 0);
    struct request rq = { 0 };
    if (!parse_request(payload, len, &rq)) { fprintf(stderr, "faas-supervisor: malformed request\n"); return 65; }
    struct capture out = { .cap = rq.out_cap }, err = { .cap = rq.err_cap };
    struct outcome oc = { 0 };
    if (process_mode) invoke(&rq, &oc, &out, &err);
    else run(&rq, &oc, &out, &err);
    answer(&rq, &oc, &out, &err);
    free(out.data); free(err.data); free(rq.env); free(payload);
  }
}
