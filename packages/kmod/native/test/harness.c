#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"

int harness_checks_failed;
int harness_log_lines;

size_t harness_udp(uint8_t *buf, const char *payload, size_t payload_len, uint16_t dport) {
  size_t len = 28 + payload_len;
  memset(buf, 0, 28);
  buf[0] = 0x45;
  buf[2] = (uint8_t)(len >> 8);
  buf[3] = (uint8_t)len;
  buf[8] = 64;
  buf[9] = 17;
  const uint8_t src[4] = {198, 18, 1, 2}, dst[4] = {198, 18, 2, 2};
  memcpy(buf + 12, src, 4);
  memcpy(buf + 16, dst, 4);
  uint16_t check = kc_fold16(kc_sum16(buf, 20, 0));
  buf[10] = (uint8_t)(check >> 8);
  buf[11] = (uint8_t)check;
  buf[20] = 0x9c;
  buf[21] = 0x40;
  buf[22] = (uint8_t)(dport >> 8);
  buf[23] = (uint8_t)dport;
  buf[24] = (uint8_t)((8 + payload_len) >> 8);
  buf[25] = (uint8_t)(8 + payload_len);
  memcpy(buf + 28, payload, payload_len);
  return len;
}

static void count_log(void *ud, const char *line) {
  (void)ud;
  harness_log_lines++;
  if (getenv("KCACHE_TEST_VERBOSE")) fprintf(stderr, "    log: %s\n", line);
}

kc_sim *harness_sim(void) {
  kc_sim *sim = kc_sim_new(42, count_log, NULL);
  if (!sim) {
    fprintf(stderr, "cannot create the sim engine\n");
    exit(2);
  }
  return sim;
}

kc_rule *harness_rule(kc_sim *sim, const char *scripts_dir, const char *script, const char *function, uint32_t fail) {
  char path[1024], err[4096];
  snprintf(path, sizeof path, "%s/%s", scripts_dir, script);
  kc_rule_spec spec = {
      .hook = KC_HOOK_FORWARD, .script = path, .function = function, .fail_verdict = fail, .queue = -1,
      .match = {.protocol = -1, .sport_min = -1, .sport_max = -1, .dport_min = -1, .dport_max = -1},
  };
  kc_rule *rule = kc_engine_insert_rule(sim->engine, &spec, err, sizeof err);
  if (!rule) {
    fprintf(stderr, "cannot insert a rule for %s: %s\n", path, err);
    exit(2);
  }
  return rule;
}

uint32_t harness_inject(kc_sim *sim, const uint8_t *packet, size_t len) {
  kc_sim_verdict v;
  if (!kc_sim_inject(sim, KC_HOOK_FORWARD, packet, len, NULL, &v)) {
    fprintf(stderr, "inject: out of memory\n");
    exit(2);
  }
  free(v.data);
  return v.verdict;
}
