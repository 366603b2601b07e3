#ifndef FAAS_CAPTURE_H
#define FAAS_CAPTURE_H
/* A run's or an invocation's output, kept up to its cap (then `truncated`); grown as it comes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct capture {
  char *data;
  uint32_t len, cap, size;
  int truncated;
};

/* Appends what fits under the cap; -1 when memory ran out (then marked truncated, nothing kept). */
static inline int capture_append(struct capture *c, const char *p, size_t n) {
  size_t keep = n;
  if (c->len + keep > c->cap) { keep = c->cap - c->len; c->truncated = 1; }
  if (keep == 0) return 0;
  if (c->len + keep > c->size) {
    uint32_t size = c->size ? c->size : 65536;
    while (size < c->len + keep) size *= 2;
    if (size > c->cap) size = c->cap;
    char *d = realloc(c->data, size);
    if (!d) { c->truncated = 1; return -1; }
    c->data = d; c->size = size;
  }
  memcpy(c->data + c->len, p, keep);
  c->len += (uint32_t)keep;
  return 0;
}

#endif
