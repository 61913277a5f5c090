/* A small test harness for the engine's C tests and benchmark. */
#ifndef KCACHE_TEST_HARNESS_H
#define KCACHE_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"

extern int harness_checks_failed;

#define EXPECT(cond)                                                                   \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      harness_checks_failed++;                                                         \
      fprintf(stderr, "  %s:%d: expected %s\n", __FILE__, __LINE__, #cond);            \
    }                                                                                  \
  } while (0)

/* Builds an IPv4/UDP packet into buf (>= 28 + payload_len bytes); returns its length. */
size_t harness_udp(uint8_t *buf, const char *payload, size_t payload_len, uint16_t dport);
/* A sim engine whose log lines are counted (and printed when verbose). */
kc_sim *harness_sim(void);
extern int harness_log_lines;
/* Inserts a FORWARD rule for `function` of scripts_dir/script; aborts the test program on failure. */
kc_rule *harness_rule(kc_sim *sim, const char *scripts_dir, const char *script, const char *function, uint32_t fail);
/* Injects and returns the verdict (frees the result). */
uint32_t harness_inject(kc_sim *sim, const uint8_t *packet, size_t len);

#endif
