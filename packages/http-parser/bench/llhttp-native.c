/* Native llhttp on the same bytes: parses a file `iterations` times with one
 * parser, every callback a function that returns 0 (as llhttp's benchmark).
 * Prints: nanoseconds messages error. Built by bench.ts with the llhttp
 * sources of Debian's node-llhttp package. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "llhttp.h"

static long messages;
static int on_span(llhttp_t *p, const char *at, size_t len) { (void)p; (void)at; (void)len; return 0; }
static int on_event(llhttp_t *p) { (void)p; return 0; }
static int on_complete(llhttp_t *p) { (void)p; messages++; return 0; }

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s request|response FILE ITERATIONS\n", argv[0]); return 2; }
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 2; }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)len);
  if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) { perror("read"); return 2; }
  fclose(f);
  long iterations = atol(argv[3]);
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_message_begin = on_event;
  settings.on_url = on_span;
  settings.on_status = on_span;
  settings.on_header_field = on_span;
  settings.on_header_value = on_span;
  settings.on_headers_complete = on_event;
  settings.on_body = on_span;
  settings.on_chunk_header = on_event;
  settings.on_chunk_complete = on_event;
  settings.on_message_complete = on_complete;
  llhttp_t parser;
  llhttp_init(&parser, argv[1][2] == 'q' ? HTTP_REQUEST : HTTP_RESPONSE, &settings);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int err = 0;
  for (long i = 0; i < iterations && !err; i++) err = llhttp_execute(&parser, buf, (size_t)len);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  printf("%lld %ld %d\n", ns, messages, err);
  return 0;
}
