#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Beyond this many untaken packets the wire drops (a script sending in a loop). */
#define SIM_QUEUE_LIMIT 1000000

static int64_t sim_now_us(void *ctx) { return ((kc_sim *)ctx)->now_us; }

static uint32_t sim_random32(void *ctx) {
  /* xorshift64*: deterministic per seed, so tests repeat. */
  kc_sim *sim = ctx;
  uint64_t x = sim->random_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  sim->random_state = x;
  return (uint32_t)((x * 0x2545F4914F6CDD1DULL) >> 32);
}

static bool enqueue(kc_sim *sim, kc_sim_packet ***tail, uint32_t verdict, const struct iovec *parts, int count) {
  if (sim->queued >= SIM_QUEUE_LIMIT) return false;
  size_t len = 0;
  for (int i = 0; i < count; i++) len += parts[i].iov_len;
  kc_sim_packet *p = calloc(1, sizeof *p);
  if (!p || !(p->data = malloc(len ? len : 1))) {
    free(p);
    return false;
  }
  size_t at = 0;
  for (int i = 0; i < count; i++) {
    memcpy(p->data + at, parts[i].iov_base, parts[i].iov_len);
    at += parts[i].iov_len;
  }
  p->len = len;
  p->verdict = verdict;
  **tail = p;
  *tail = &p->next;
  sim->queued++;
  return true;
}

static int sim_send(void *ctx, const struct iovec *parts, int count) {
  kc_sim *sim = ctx;
  return enqueue(sim, &sim->sent_tail, 0, parts, count) ? 0 : -ENOBUFS;
}

static void sim_release(void *ctx, kc_packet *pkt, uint32_t verdict, const uint8_t *data, size_t len, bool modified) {
  (void)pkt;
  (void)modified;
  kc_sim *sim = ctx;
  struct iovec part = {.iov_base = (void *)data, .iov_len = len};
  enqueue(sim, &sim->released_tail, verdict, &part, 1);
}

kc_sim *kc_sim_new(uint64_t seed, kc_log_fn log, void *log_ud) {
  kc_sim *sim = calloc(1, sizeof *sim);
  if (!sim) return NULL;
  sim->random_state = seed ? seed : 0x9E3779B97F4A7C15ULL;
  sim->sent_tail = &sim->sent;
  sim->released_tail = &sim->released;
  kc_backend backend = {.ctx = sim, .now_us = sim_now_us, .send = sim_send, .release = sim_release, .random32 = sim_random32};
  sim->engine = kc_engine_new(&backend, log, log_ud);
  if (!sim->engine) {
    free(sim);
    return NULL;
  }
  return sim;
}

void kc_sim_free_list(kc_sim_packet *list) {
  while (list) {
    kc_sim_packet *next = list->next;
    free(list->data);
    free(list);
    list = next;
  }
}

void kc_sim_free(kc_sim *sim) {
  if (!sim) return;
  kc_engine_free(sim->engine);
  kc_sim_free_list(sim->sent);
  kc_sim_free_list(sim->released);
  free(sim);
}

bool kc_sim_inject(kc_sim *sim, int hook, const uint8_t *data, size_t len, const kc_sim_meta *meta, kc_sim_verdict *out) {
  kc_packet *pkt = kc_packet_new(&sim->engine->packets, data, len, (uint8_t)hook);
  if (!pkt) return false;
  if (meta) {
    pkt->indev = meta->indev;
    pkt->outdev = meta->outdev;
    pkt->hwaddr_len = meta->hwaddr_len;
    memcpy(pkt->hwaddr, meta->hwaddr, meta->hwaddr_len);
  }
  kc_result r = kc_engine_dispatch(sim->engine, pkt);
  out->verdict = r.verdict;
  out->held = r.held;
  out->modified = r.modified;
  out->len = r.len;
  out->data = malloc(r.len ? r.len : 1);
  if (out->data && r.len) memcpy(out->data, r.data, r.len);
  if (!r.held) kc_packet_finish(&sim->engine->packets, pkt);
  return out->data != NULL;
}

void kc_sim_advance_us(kc_sim *sim, int64_t delta_us) {
  int64_t target = sim->now_us + (delta_us > 0 ? delta_us : 0);
  for (;;) {
    kc_timer *t = kc_timers_peek(&sim->engine->timers);
    if (!t || t->due_us > target) break;
    if (t->due_us > sim->now_us) sim->now_us = t->due_us;
    kc_engine_run_timers(sim->engine, sim->now_us);
  }
  sim->now_us = target;
}

static kc_sim_packet *take(kc_sim *sim, kc_sim_packet **head, kc_sim_packet ***tail) {
  kc_sim_packet *list = *head;
  for (kc_sim_packet *p = list; p; p = p->next) sim->queued--;
  *head = NULL;
  *tail = head;
  return list;
}

kc_sim_packet *kc_sim_take_sent(kc_sim *sim) { return take(sim, &sim->sent, &sim->sent_tail); }
kc_sim_packet *kc_sim_take_released(kc_sim *sim) { return take(sim, &sim->released, &sim->released_tail); }
