/* The hook-call benchmark: the cost of one trivial Lua hook call (reads two
 * header fields, accepts) against a bare C callback doing the same reads,
 * both on the same packets, and the whole sim inject path. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"

#ifndef ROUNDS
#define ROUNDS 1000000
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

#define REPEATS 5

typedef struct {
  double best, median;
} timing;

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static timing summarize(double *ns) {
  qsort(ns, REPEATS, sizeof *ns, compare);
  return (timing){ns[0], ns[REPEATS / 2]};
}

int main(int argc, char **argv) {
  const char *scripts = argc > 1 ? argv[1] : "test/scripts";
  kc_sim *sim = harness_sim();
  kc_rule *rule = harness_rule(sim, scripts, "basics.lua", "read_two_fields", KC_NF_DROP);
  uint8_t packet[128];
  size_t len = harness_udp(packet, "0123456789abcdef0123456789abcdef", 32, 69);
  uint64_t accepted = 0, expected = 0;
  double c_ns[REPEATS], lua_ns[REPEATS], sim_ns[REPEATS];

  /* Warm up the allocator and Lua's GC. */
  for (int i = 0; i < ROUNDS / 10; i++, expected++) {
    kc_packet *pkt = kc_packet_wrap(&sim->engine->packets, packet, len, KC_HOOK_FORWARD);
    accepted += kc_rule_run(sim->engine, rule, pkt).verdict == KC_NF_ACCEPT;
    kc_packet_finish(&sim->engine->packets, pkt);
  }
  for (int r = 0; r < REPEATS; r++) {
    double t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
      kc_packet *pkt = kc_packet_wrap(&sim->engine->packets, packet, len, KC_HOOK_FORWARD);
      accepted += c_hook(pkt) == KC_NF_ACCEPT;
      kc_packet_finish(&sim->engine->packets, pkt);
    }
    c_ns[r] = (now_ns() - t0) / ROUNDS;
    t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) {
      kc_packet *pkt = kc_packet_wrap(&sim->engine->packets, packet, len, KC_HOOK_FORWARD);
      accepted += kc_rule_run(sim->engine, rule, pkt).verdict == KC_NF_ACCEPT;
      kc_packet_finish(&sim->engine->packets, pkt);
    }
    lua_ns[r] = (now_ns() - t0) / ROUNDS;
    t0 = now_ns();
    for (int i = 0; i < ROUNDS; i++) accepted += harness_inject(sim, packet, len) == KC_NF_ACCEPT;
    sim_ns[r] = (now_ns() - t0) / ROUNDS;
    expected += 3 * ROUNDS;
  }
  timing c = summarize(c_ns), lua = summarize(lua_ns), in_sim = summarize(sim_ns);
  printf("hook-call benchmark: %d calls x %d repeats each, one core; trivial hook reads protocol and destination port, accepts\n",
         ROUNDS, REPEATS);
  printf("  %-48s %9s %9s %12s\n", "", "best ns", "median ns", "calls/s best");
  printf("  %-48s %9.1f %9.1f %12.0f\n", "bare C callback (same reads, same packets)", c.best, c.median, 1e9 / c.best);
  printf("  %-48s %9.1f %9.1f %12.0f\n", "Lua hook (kc_rule_run)", lua.best, lua.median, 1e9 / lua.best);
  printf("  %-48s %9.1f %9.1f %12.0f\n", "sim backend inject (copy in, dispatch, copy out)", in_sim.best, in_sim.median,
         1e9 / in_sim.best);
  printf("  Lua / C = %.1fx (best); Lua overhead per call %.1f ns; target <= 250 ns per Lua hook call: %s (best %.1f ns)\n",
         lua.best / c.best, lua.best - c.best, lua.best <= 250 ? "met" : "NOT met", lua.best);
  if (accepted != expected) {
    fprintf(stderr, "benchmark hooks did not accept every packet (%llu of %llu)\n", (unsigned long long)accepted,
            (unsigned long long)expected);
    return 1;
  }
  kc_sim_free(sim);
  return 0;
}
