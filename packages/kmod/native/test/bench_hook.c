/* The hook-call benchmark: the cost of one trivial Lua hook call (reads two
 * header fields, accepts) against a bare C callback doing the same reads,
 * both on the same packets, and the whole sim inject path. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"

#ifndef ROUNDS
#define ROUNDS 2000000
#endif

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The same work in C: what the Lua hook costs on top of it is the overhead. */
static __attribute__((noinline)) uint32_t c_hook(const kc_packet *pkt) {
  const uint8_t *d = pkt->data;
  return d[9] == 17 && (d[22] << 8 | d[23]) != 0 ? KC_NF_ACCEPT : KC_NF_DROP;
}

int main(int argc, char **argv) {
  const char *scripts = argc > 1 ? argv[1] : "test/scripts";
  kc_sim *sim = harness_sim();
  kc_rule *rule = harness_rule(sim, scripts, "basics.lua", "read_two_fields", KC_NF_DROP);
  uint8_t packet[128];
  size_t len = harness_udp(packet, "0123456789abcdef0123456789abcdef", 32, 69);
  uint64_t accepted = 0;

  /* Warm up the allocator and Lua's GC. */
  for (int i = 0; i < ROUNDS / 10; i++) {
    kc_packet *pkt = kc_packet_wrap(&sim->engine->packets, packet, len, KC_HOOK_FORWARD);
    accepted += kc_rule_run(sim->engine, rule, pkt).verdict == KC_NF_ACCEPT;
    kc_packet_finish(&sim->engine->packets, pkt);
  }

  double t0 = now_ns();
  for (int i = 0; i < ROUNDS; i++) {
    kc_packet *pkt = kc_packet_wrap(&sim->engine->packets, packet, len, KC_HOOK_FORWARD);
    accepted += c_hook(pkt) == KC_NF_ACCEPT;
    kc_packet_finish(&sim->engine->packets, pkt);
  }
  double c_ns = (now_ns() - t0) / ROUNDS;

  t0 = now_ns();
  for (int i = 0; i < ROUNDS; i++) {
    kc_packet *pkt = kc_packet_wrap(&sim->engine->packets, packet, len, KC_HOOK_FORWARD);
    accepted += kc_rule_run(sim->engine, rule, pkt).verdict == KC_NF_ACCEPT;
    kc_packet_finish(&sim->engine->packets, pkt);
  }
  double lua_ns = (now_ns() - t0) / ROUNDS;

  t0 = now_ns();
  for (int i = 0; i < ROUNDS; i++) accepted += harness_inject(sim, packet, len) == KC_NF_ACCEPT;
  double sim_ns = (now_ns() - t0) / ROUNDS;

  printf("hook-call benchmark, %d calls each, one core (trivial hook: reads protocol and destination port, accepts)\n", ROUNDS);
  printf("  %-44s %8.1f ns/call  %10.0f calls/s\n", "bare C callback (same reads, same packets)", c_ns, 1e9 / c_ns);
  printf("  %-44s %8.1f ns/call  %10.0f calls/s\n", "Lua hook (kc_rule_run)", lua_ns, 1e9 / lua_ns);
  printf("  %-44s %8.1f ns/call  %10.0f calls/s\n", "sim backend inject (copy in, dispatch, copy out)", sim_ns, 1e9 / sim_ns);
  printf("  Lua overhead per hook call: %.1f ns (Lua / C = %.1fx); target <= 250 ns per Lua hook call: %s\n",
         lua_ns - c_ns, lua_ns / c_ns, lua_ns <= 250 ? "met" : "NOT met");
  if (accepted != (uint64_t)ROUNDS * 3 + ROUNDS / 10) {
    fprintf(stderr, "benchmark hooks did not accept every packet (%llu)\n", (unsigned long long)accepted);
    return 1;
  }
  kc_sim_free(sim);
  return 0;
}
