/* The engine's C tests: the core behaviours and a fuzz run, meant to be run
 * also under AddressSanitizer and UBSan (make test-asan). The TypeScript
 * tests (vitest) cover the same behaviours through the N-API glue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "harness.h"

static const char *scripts;

static void test_verdicts(void) {
  kc_sim *sim = harness_sim();
  harness_rule(sim, scripts, "basics.lua", "verdict_from_payload", KC_NF_DROP);
  uint8_t pkt[64];
  for (char v = 0; v <= 4; v++) {
    size_t len = harness_udp(pkt, &v, 1, 69);
    EXPECT(harness_inject(sim, pkt, len) == (uint32_t)v);
  }
  kc_sim_free(sim);
}

static void test_errors_give_fail_verdict(void) {
  kc_sim *sim = harness_sim();
  kc_rule *oob = harness_rule(sim, scripts, "basics.lua", "out_of_range", KC_NF_ACCEPT);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "x", 1, 69);
  int logs = harness_log_lines;
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  EXPECT(oob->stats.errors == 1);
  EXPECT(harness_log_lines == logs + 1);
  kc_engine_delete_rule(sim->engine, oob->id);

  kc_rule *raise = harness_rule(sim, scripts, "basics.lua", "raise", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(raise->stats.errors == 1);
  kc_engine_delete_rule(sim->engine, raise->id);

  kc_engine_set_budgets(sim->engine, 0, 10000, 0, 0);
  kc_rule *spin = harness_rule(sim, scripts, "basics.lua", "spin", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(spin->stats.instruction_aborts == 1);
  kc_engine_delete_rule(sim->engine, spin->id);

  kc_engine_set_budgets(sim->engine, 0, 0, 4u << 20, 10000000);
  kc_rule *hog = harness_rule(sim, scripts, "basics.lua", "hog", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(hog->stats.memory_aborts == 1);
  /* The state recovers its memory and keeps working. */
  kc_rule *accept = harness_rule(sim, scripts, "basics.lua", "accept", KC_NF_DROP);
  kc_engine_delete_rule(sim->engine, hog->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  EXPECT(accept->stats.errors == 0);
  kc_sim_free(sim);
}

static void test_time_budget(void) {
  kc_sim *sim = harness_sim();
  kc_engine_set_budgets(sim->engine, 0, 0, 0, 20000);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "x", 1, 69);
  kc_rule *spin = harness_rule(sim, scripts, "basics.lua", "spin", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(spin->stats.time_aborts == 1);
  kc_engine_delete_rule(sim->engine, spin->id);
  /* Catching the error with pcall does not escape the budget. */
  kc_rule *catching = harness_rule(sim, scripts, "basics.lua", "spin_catching", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(catching->stats.time_aborts == 1);
  kc_rule *accept = harness_rule(sim, scripts, "basics.lua", "accept", KC_NF_DROP);
  kc_engine_delete_rule(sim->engine, catching->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  EXPECT(accept->stats.errors == 0);
  /* The same with an instruction budget. */
  kc_engine_set_budgets(sim->engine, 0, 100000, 0, 0);
  kc_rule *counted = harness_rule(sim, scripts, "basics.lua", "spin_catching", KC_NF_DROP);
  kc_engine_delete_rule(sim->engine, accept->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(counted->stats.instruction_aborts == 1);
  kc_sim_free(sim);
}

static void test_view_after_release(void) {
  kc_sim *sim = harness_sim();
  kc_rule *keep = harness_rule(sim, scripts, "basics.lua", "keep", KC_NF_DROP);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "abc", 3, 69);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  kc_rule *use = harness_rule(sim, scripts, "basics.lua", "use_kept", KC_NF_QUEUE);
  kc_engine_delete_rule(sim->engine, keep->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_QUEUE);
  EXPECT(use->stats.errors == 1);
  kc_sim_free(sim);
}

static void test_hold_release_send_schedule(void) {
  kc_sim *sim = harness_sim();
  harness_rule(sim, scripts, "basics.lua", "hold", KC_NF_DROP);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "held", 4, 69);
  kc_sim_verdict v;
  EXPECT(kc_sim_inject(sim, KC_HOOK_FORWARD, pkt, len, NULL, &v));
  EXPECT(v.verdict == KC_NF_STOLEN && v.held);
  free(v.data);
  kc_sim_advance_us(sim, 29000);
  kc_sim_packet *released = kc_sim_take_released(sim);
  EXPECT(released == NULL);
  kc_sim_advance_us(sim, 1000);
  released = kc_sim_take_released(sim);
  EXPECT(released && released->verdict == KC_NF_ACCEPT && released->len == len && memcmp(released->data, pkt, len) == 0);
  kc_sim_free_list(released);
  kc_engine_delete_rule(sim->engine, 1);

  harness_rule(sim, scripts, "basics.lua", "send_back", KC_NF_ACCEPT);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  kc_sim_packet *sent = kc_sim_take_sent(sim);
  EXPECT(sent && sent->len == len && memcmp(sent->data, pkt, len) == 0);
  kc_sim_free_list(sent);
  kc_sim_free(sim);
}

static void test_store(void) {
  kc_store *s = kc_store_new(1000, 600);
  const char *err = NULL;
  uint8_t block[100];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < 20; i++) {
    char key[16];
    snprintf(key, sizeof key, "key%d", i);
    kc_entry *e = kc_store_begin(s, key, strlen(key), 0, i, &err);
    EXPECT(e != NULL);
    for (int k = 0; e && k < 3; k++) EXPECT(kc_store_append(s, e, block, sizeof block, i, &err));
    if (e) kc_store_commit(s, e, i % 2 ? 1000 : 0, i);
    EXPECT(s->bytes <= s->budget);
  }
  EXPECT(s->entries == 3 && s->stats.evictions == 17);
  EXPECT(kc_store_lookup(s, "key19", 5, 20, true) != NULL);
  EXPECT(kc_store_lookup(s, "key0", 4, 20, true) == NULL);
  EXPECT(kc_store_lookup(s, "key19", 5, 5000, true) == NULL); /* expired */
  kc_entry *big = kc_store_begin(s, "big", 3, 0, 30, &err);
  int appended = 0;
  for (int k = 0; big && k < 10; k++) appended += kc_store_append(s, big, block, sizeof block, 30, &err);
  EXPECT(big && appended == 6 && big->len == 600); /* the maximum entry size stops it */
  if (big) kc_store_abort(s, big);
  kc_store_free(s);
}

/* Random and truncated packets through a header-reading script: errors are
 * fine, crashes and out-of-bounds reads (ASan) are not. */
static void test_fuzz(int count) {
  kc_sim *sim = harness_sim();
  kc_rule *rule = harness_rule(sim, scripts, "read_headers.lua", "process_packet", KC_NF_DROP);
  uint64_t seed = 0x12345678;
  uint8_t pkt[1600], valid[1600];
  static const char rrq[] = "\x00\x01name\x00octet";
  size_t valid_len = harness_udp(valid, rrq, sizeof rrq, 69);
  for (int i = 0; i < count; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t len;
    switch ((seed >> 33) % 3) {
      case 0: /* a valid packet cut short */
        len = (seed >> 40) % (valid_len + 1);
        memcpy(pkt, valid, len);
        break;
      case 1: /* a valid packet with random bytes changed */
        len = valid_len;
        memcpy(pkt, valid, len);
        for (int k = 0; k < 4; k++) {
          seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
          pkt[(seed >> 35) % len] = (uint8_t)(seed >> 50);
        }
        break;
      default: /* random bytes of a random length */
        len = (seed >> 38) % sizeof pkt;
        for (size_t k = 0; k < len; k++) {
          seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
          pkt[k] = (uint8_t)(seed >> 56);
        }
    }
    uint32_t verdict = harness_inject(sim, pkt, len);
    EXPECT(kc_verdict_valid(verdict));
  }
  EXPECT(rule->stats.packets == (uint64_t)count);
  printf("  fuzz: %d packets, %llu script errors, %llu accepted, %llu dropped\n", count,
         (unsigned long long)rule->stats.errors, (unsigned long long)rule->stats.verdicts[KC_NF_ACCEPT],
         (unsigned long long)rule->stats.verdicts[KC_NF_DROP]);
  kc_sim_free(sim);
}

/* The word-at-a-time sum against RFC 1071's definition, at every length and alignment. */
static void test_checksum_sum(void) {
  uint8_t data[600];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 131 + 7);
  for (size_t offset = 0; offset < 4; offset++) {
    for (size_t len = 0; len + offset <= sizeof data; len++) {
      uint64_t reference = 5;
      for (size_t i = 0; i < len; i += 2)
        reference += (uint32_t)data[offset + i] << 8 | (i + 1 < len ? data[offset + i + 1] : 0);
      EXPECT(kc_fold16(kc_sum16(data + offset, len, 5)) == kc_fold16(reference));
    }
  }
}

/* A CHECKSUM_PARTIAL packet (pseudo-header sum in the field) completed to the checksum a receiver verifies. */
static void test_checksum_complete(void) {
  uint8_t pkt[128];
  size_t len = harness_udp(pkt, "partial checksum", 16, 69);
  uint8_t pseudo[12] = {0};
  memcpy(pseudo, pkt + 12, 8);
  pseudo[9] = 17;
  pseudo[11] = (uint8_t)(len - 20);
  uint16_t partial = (uint16_t)~kc_fold16(kc_sum16(pseudo, sizeof pseudo, 0));
  uint16_t expected = kc_fold16(kc_sum16(pkt + 20, len - 20, kc_sum16(pseudo, sizeof pseudo, 0)));
  pkt[26] = (uint8_t)(partial >> 8);
  pkt[27] = (uint8_t)partial;
  EXPECT(kc_l4_checksum_complete(pkt, len));
  EXPECT((uint16_t)(pkt[26] << 8 | pkt[27]) == expected);
  EXPECT(kc_fold16(kc_sum16(pkt + 20, len - 20, kc_sum16(pseudo, sizeof pseudo, 0))) == 0);
  EXPECT(!kc_l4_checksum_complete(pkt, 25)); /* truncated */
  pkt[9] = 1;                                 /* ICMP: not offloaded this way */
  EXPECT(!kc_l4_checksum_complete(pkt, len));
}

int main(int argc, char **argv) {
  scripts = argc > 1 ? argv[1] : "test/scripts";
  struct {
    const char *name;
    void (*run)(void);
  } tests[] = {
      {"verdicts", test_verdicts},
      {"errors give the fail verdict", test_errors_give_fail_verdict},
      {"time budget", test_time_budget},
      {"view after release", test_view_after_release},
      {"hold, release, send, schedule", test_hold_release_send_schedule},
      {"content store", test_store},
      {"checksum: sum at every length and alignment", test_checksum_sum},
      {"checksum: partial checksums completed", test_checksum_complete},
  };
  int passed = 0, failed = 0;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    int before = harness_checks_failed;
    tests[i].run();
    bool ok = harness_checks_failed == before;
    printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
    ok ? passed++ : failed++;
  }
  int before = harness_checks_failed;
  test_fuzz(100000);
  bool ok = harness_checks_failed == before;
  printf("%s fuzz (100000 random and truncated packets)\n", ok ? "ok  " : "FAIL");
  ok ? passed++ : failed++;
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
