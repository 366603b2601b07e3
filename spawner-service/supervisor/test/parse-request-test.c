/*
 * C-level test of the supervisor's request parser: every length in a frame is checked against
 * what remains, including lengths near 2^32 whose sum with 4 wraps. Built with AddressSanitizer
 * by spawner-service/test/supervisor-parser.test.ts; prints one line per case and exits 1 on any
 * wrong verdict (an out-of-bounds read aborts under ASan).
 *   cc -fsanitize=address -g -o parse-request-test test/parse-request-test.c scratch.c pid1-state.c
 */
#define main faas_supervisor_main
#include "../faas-supervisor.c"
#undef main

static int failures;

/* A request payload: nonce, three u32s, then arg_len as given and `tail` bytes after it. */
static unsigned char *payload(uint32_t arg_len, const void *tail, uint32_t tail_len, uint32_t *len) {
  *len = NONCE_LEN + 16 + tail_len;
  unsigned char *p = calloc(1, *len + 1);
  if (!p) abort();
  put_u32(p + NONCE_LEN, 1000);
  put_u32(p + NONCE_LEN + 4, 64);
  put_u32(p + NONCE_LEN + 8, 64);
  put_u32(p + NONCE_LEN + 12, arg_len);
  memcpy(p + NONCE_LEN + 16, tail, tail_len);
  return p;
}

static void expect(const char *name, uint32_t arg_len, const void *tail, uint32_t tail_len, int want) {
  uint32_t len;
  unsigned char *p = payload(arg_len, tail, tail_len, &len);
  struct request rq = { 0 };
  int got = parse_request(p, len, &rq);
  printf("%s %s: parsed=%d\n", got == want ? "ok" : "FAIL", name, got);
  if (got != want) failures++;
  free(rq.env);
  free(p);
}

int main(void) {
  const unsigned char valid[] = { 'h', 'i', 1, 0, 0, 0, 3, 0, 0, 0, 'A', '=', 'B' };
  expect("a well-formed request", 2, valid, sizeof valid, 1);
  expect("arg_len 2^32-4 (arg_len + 4 wraps to 0)", 0xfffffffcu, "\0\0\0\0", 4, 0);
  expect("arg_len 2^32-1 (arg_len + 4 wraps to 3)", 0xffffffffu, "\0\0\0\0", 4, 0);
  expect("arg_len 2^32-2 with nothing after it", 0xfffffffeu, "", 0, 0);
  expect("arg_len one past what remains", 3, "abc", 3, 0);
  expect("an empty argument and no env", 0, "\0\0\0\0", 4, 1);
  return failures ? 1 : 0;
}
