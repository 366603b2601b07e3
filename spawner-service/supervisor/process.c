/*
 * Process mode: the image's command (entrypoint and CMD, no argument) starts once and then asks
 * for invocations over the Lambda Runtime API (runtime-api.c), whose address it finds in
 * AWS_LAMBDA_RUNTIME_API. Each request from the spawner is one invocation: the event is the
 * request's argument, the result is the body the process posts back, and what the process
 * writes to stdout and stderr meanwhile (one pipe, so in order) is the invocation's logs.
 * Output written between invocations belongs to none and is dropped.
 *
 * The process is replaced (every process of the container killed, /tmp, /dev/shm, /dev/mqueue
 * and SysV IPC wiped, the Runtime API's connections closed) when it times out, exits, crashes
 * or reports an init error; the next invocation starts a fresh one. It starts with the
 * container's environment plus the starting invocation's per-run variables (secrets): the
 * spawner keys a process-mode container by those values, so they are the same for every
 * invocation it serves.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oom.h"
#include "process.h"
#include "scratch.h"

#define REAP_GRACE_MS 2000
#define DRAIN_MS 200 /* after the kill, for the pipe to reach end of file */
#define FLAG_OOM 4u
#define FLAG_DIRTY 8u

enum { EXITED = 0, SIGNALED = 1, TIMED_OUT = 2, NOT_STARTED = 3 };
enum end { E_NONE, E_ANSWERED, E_FAILED, E_INIT_FAILED, E_DIED, E_TIMED_OUT };

static char **cmd_argv;
static int cmd_argc;
static int sigfd = -1, devnull = -1;
static pid_t pid;      /* the function's process; 0: none alive */
static int logs = -1;  /* read end of its stdout+stderr pipe, non-blocking */
static int status;     /* its wait status once reaped */

extern char **environ;

static uint64_t clock_us(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int process_mode_init(char **argv, int argc, int sfd, int dn) {
  const char *mode = getenv("FAAS_SUPERVISOR_MODE");
  int on = mode && strcmp(mode, "process") == 0;
  unsetenv("FAAS_SUPERVISOR_MODE");
  if (!on) return 0;
  cmd_argv = argv; cmd_argc = argc; sigfd = sfd; devnull = dn;
  if (rapi_listen() < 0) { fprintf(stderr, "faas-supervisor: runtime API on %s: %s\n", RAPI_ADDRESS, strerror(errno)); exit(71); }
  setenv("AWS_LAMBDA_RUNTIME_API", RAPI_ADDRESS, 1);
  return 1;
}

/* What could not be kept (out of memory) is marked truncated: the invocation still answers. */
static void append(struct capture *c, const char *p, size_t n) {
  (void)capture_append(c, p, n);
}

static void note(struct capture *c, const char *fmt, long a) {
  char line[200];
  int n = snprintf(line, sizeof line, fmt, a);
  if (c && n > 0) append(c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Reads what the pipe holds now; with c NULL, drops it. 0 at end of file (then closed, so a
 * process that closed its stdout and stderr is not polled in a loop). */
static int read_logs(struct capture *c) {
  char buf[65536];
  while (logs >= 0) {
    ssize_t r = read(logs, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 1;
    if (r == 0) { close(logs); logs = -1; return 0; }
    if (c) append(c, buf, (size_t)r);
  }
  return 0;
}

/* Reaps every exited child; 1 once the function's process is among them. */
static int reaped(void) {
  int st, found = 0;
  pid_t p;
  while ((p = waitpid(-1, &st, WNOHANG)) > 0) if (p == pid) { status = st; found = 1; }
  return found;
}

/* Kills every process but PID 1, reaps them, wipes the scratch places; 0 if something stayed. */
static int replace_process(void) {
  uint64_t deadline = clock_us(CLOCK_MONOTONIC) + REAP_GRACE_MS * 1000u;
  int gone = 0;
  while (!gone && clock_us(CLOCK_MONOTONIC) < deadline) {
    kill(-1, SIGKILL);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    gone = waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
    if (!gone) { struct pollfd p = { .fd = sigfd, .events = POLLIN }; poll(&p, 1, 10); }
  }
  struct signalfd_siginfo si;
  while (read(sigfd, &si, sizeof si) > 0) {}
  if (logs >= 0) close(logs);
  logs = -1;
  pid = 0;
  rapi_reset();
  return clean_scratch() && gone;
}

static void child(const struct pm_invocation *in, int out, int report) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) _exit(127);
  if (report != 3) { if (dup3(report, 3, O_CLOEXEC) < 0) _exit(127); report = 3; }
  if (close_range(4, ~0u, 0) != 0) for (int fd = 4; fd < 1024; fd++) close(fd);
  prefer_oom_kill(); /* as exec mode's runs: after the fds are the process's own */
  size_t n = 0;
  while (environ[n]) n++;
  char **envp = calloc(n + in->env_count + 1, sizeof(char *));
  char **argv = calloc((size_t)cmd_argc + 1, sizeof(char *));
  if (!envp || !argv) _exit(127);
  memcpy(envp, environ, n * sizeof(char *));
  for (uint32_t i = 0; i < in->env_count; i++) envp[n + i] = in->env[i];
  for (int i = 0; i < cmd_argc; i++) argv[i] = cmd_argv[i];
  int e = ENOENT; /* no command at all */
  if (cmd_argc > 0) { execvpe(argv[0], argv, envp); e = errno; }
  if (write(report, &e, sizeof e) < 0) { /* the parent sees EOF and a 127 */ }
  _exit(127);
}

/* Starts the function's process; 0 with oc filled when it could not be started. */
static int start_process(const struct pm_invocation *in, struct pm_outcome *oc) {
  int pl[2], pr[2];
  if (pipe2(pl, O_CLOEXEC)) { oc->kind = NOT_STARTED; oc->code = errno; return 0; }
  if (pipe2(pr, O_CLOEXEC)) { oc->kind = NOT_STARTED; oc->code = errno; close(pl[0]); close(pl[1]); return 0; }
  pid_t p = fork();
  if (p == 0) child(in, pl[1], pr[1]);
  close(pl[1]); close(pr[1]);
  int e = 0;
  if (p < 0) e = errno;
  else if (read(pr[0], &e, sizeof e) != (ssize_t)sizeof e) e = 0;
  close(pr[0]);
  if (p > 0) pid = p;
  logs = pl[0];
  fcntl(logs, F_SETFL, O_NONBLOCK);
  if (e == 0) return 1;
  oc->kind = NOT_STARTED; oc->code = e;
  if (!replace_process()) oc->flags |= FLAG_DIRTY;
  return 0;
}

static void new_id(char id[37]) {
  unsigned char r[16];
  if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) for (size_t i = 0; i < sizeof r; i++) r[i] = (unsigned char)rand();
  r[6] = (r[6] & 0x0f) | 0x40; r[8] = (r[8] & 0x3f) | 0x80;
  static const char hex[] = "0123456789abcdef";
  size_t k = 0;
  for (size_t i = 0; i < sizeof r; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id[k++] = '-';
    id[k++] = hex[r[i] >> 4]; id[k++] = hex[r[i] & 15];
  }
  id[k] = 0;
}

/* Serves the Runtime API and collects logs until the invocation ends one way or another. */
static enum end wait_for_answer(uint64_t deadline, struct pm_outcome *oc) {
  for (;;) {
    struct pollfd p[RAPI_MAX_FDS + 2];
    int n = rapi_pollfds(p);
    p[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
    p[n++] = (struct pollfd){ .fd = logs, .events = POLLIN };
    uint64_t now = clock_us(CLOCK_MONOTONIC);
    if (now >= deadline) return E_TIMED_OUT;
    if (poll(p, (nfds_t)n, (int)((deadline - now + 999) / 1000)) < 0 && errno != EINTR) return E_TIMED_OUT;
    if (p[n - 1].revents) read_logs(&oc->logs);
    if (p[n - 2].revents) {
      struct signalfd_siginfo si;
      while (read(sigfd, &si, sizeof si) > 0) {}
      if (reaped()) return E_DIED;
    }
    switch (rapi_service(p, n - 2, &oc->result)) {
      case RAPI_RESPONSE: return E_ANSWERED;
      case RAPI_ERROR: return E_FAILED;
      case RAPI_INIT_ERROR: return E_INIT_FAILED;
      case RAPI_NONE: break;
    }
  }
}

static void ended_between(struct pm_outcome *oc) {
  note(&oc->logs, "faas-supervisor: the function's process had ended since the last invocation (wait status %ld); starting a new one\n", status);
  if (!replace_process()) oc->flags |= FLAG_DIRTY;
}

/* A live process from an earlier invocation, or a new one; 0 with oc filled when none could start. */
static int ensure_process(const struct pm_invocation *in, struct pm_outcome *oc, int *started) {
  *started = 0;
  if (pid && reaped()) ended_between(oc);
  if (pid) { read_logs(NULL); return 1; } /* output between invocations belongs to none */
  *started = 1;
  return start_process(in, oc);
}

static void finish(enum end how, const struct pm_invocation *in, struct pm_outcome *oc) {
  if (how != E_DIED && how != E_TIMED_OUT) read_logs(&oc->logs); /* what it wrote before answering */
  if (how == E_ANSWERED) { oc->kind = EXITED; oc->code = 0; return; }
  if (how == E_FAILED || how == E_INIT_FAILED) {
    append(&oc->logs, oc->result.data ? oc->result.data : "", oc->result.len);
    append(&oc->logs, "\n", 1);
    free(oc->result.data);
    oc->result = (struct rapi_body){ 0 };
    oc->kind = EXITED; oc->code = 1;
    if (how == E_FAILED) return;
    const char *msg = "faas-supervisor: init error: the function's process is replaced\n";
    append(&oc->logs, msg, strlen(msg));
  } else if (how == E_TIMED_OUT) {
    oc->kind = TIMED_OUT; oc->code = 0;
    note(&oc->logs, "faas-supervisor: no answer within %ld ms: the function's process is replaced\n", (long)in->timeout_ms);
  } else {
    /* As when a container's main process exits: what it left running goes with it, at once. */
    kill(-1, SIGKILL);
    uint64_t until = clock_us(CLOCK_MONOTONIC) + DRAIN_MS * 1000u;
    while (read_logs(&oc->logs) && clock_us(CLOCK_MONOTONIC) < until) {
      struct pollfd p = { .fd = logs, .events = POLLIN };
      poll(&p, 1, DRAIN_MS);
    }
    if (WIFSIGNALED(status)) { oc->kind = SIGNALED; oc->code = WTERMSIG(status); }
    else { oc->kind = EXITED; oc->code = WEXITSTATUS(status) ? WEXITSTATUS(status) : 1; }
    note(&oc->logs, "faas-supervisor: the function's process ended before answering (wait status %ld); it is replaced\n", status);
  }
  if (!replace_process()) oc->flags |= FLAG_DIRTY;
}

void process_invoke(const struct pm_invocation *in, struct pm_outcome *oc) {
  oc->logs.cap = in->logs_cap;
  uint64_t oom_before = oom_kills();
  uint64_t t0 = clock_us(CLOCK_MONOTONIC);
  uint64_t deadline = t0 + (uint64_t)in->timeout_ms * 1000u;
  char id[37];
  new_id(id);
  struct rapi_invocation inv = {
    .id = id, .event = in->event, .event_len = in->event_len, .result_cap = in->result_cap,
    .deadline_ms = clock_us(CLOCK_REALTIME) / 1000u + in->timeout_ms,
  };
  enum end how;
  int started;
  do {
    if (!ensure_process(in, oc, &started)) { oc->duration_us = clock_us(CLOCK_MONOTONIC) - t0; return; }
    rapi_begin(&inv);
    how = wait_for_answer(deadline, oc);
    rapi_end();
    /* An earlier process that ends before it takes the event (it exited right after its last
     * answer) ended between invocations: the event goes to a new one, never lost nor doubled. */
  } while (how == E_DIED && !started && !rapi_delivered() && (ended_between(oc), 1));
  oc->duration_us = clock_us(CLOCK_MONOTONIC) - t0;
  finish(how, in, oc);
  if (oom_kills() > oom_before) oc->flags |= FLAG_OOM;
}
