#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"

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

/* What the kernel does with a GSO super-segment: segments of `mss` payload
 * bytes with their own lengths, IP ids and checksums; for TCP also sequence
 * numbers, with FIN and PSH on the last segment only; for UDP each segment
 * is a datagram of its own. The sim records them as if sent one by one. */
static int sim_send_gso(void *ctx, int ifindex, const uint8_t mac[6], uint16_t mss, const struct iovec *parts, int count) {
  (void)ifindex;
  (void)mac;
  kc_sim *sim = ctx;
  size_t total = 0;
  for (int i = 0; i < count; i++) total += parts[i].iov_len;
  uint8_t *whole = malloc(total ? total : 1);
  if (!whole) return -ENOMEM;
  size_t at = 0;
  for (int i = 0; i < count; i++) {
    memcpy(whole + at, parts[i].iov_base, parts[i].iov_len);
    at += parts[i].iov_len;
  }
  size_t ihl = total >= 20 ? (size_t)(whole[0] & 0x0f) * 4 : 0;
  uint8_t protocol = total >= 20 ? whole[9] : 0;
  bool tcp = protocol == 6;
  size_t thl = tcp && total >= ihl + 20 ? (size_t)(whole[ihl + 12] >> 4) * 4 : 8;
  size_t headers = ihl + thl;
  if (total < 28 || (whole[0] >> 4) != 4 || ihl < 20 || (protocol != 6 && protocol != 17) || thl < 8 || total < headers) {
    free(whole);
    return -EINVAL;
  }
  uint32_t seq = tcp ? (uint32_t)whole[ihl + 4] << 24 | whole[ihl + 5] << 16 | whole[ihl + 6] << 8 | whole[ihl + 7] : 0;
  uint16_t id = (uint16_t)(whole[4] << 8 | whole[5]);
  uint8_t flags = tcp ? whole[ihl + 13] : 0;
  size_t check_at = ihl + (tcp ? 16 : 6);
  size_t payload = total - headers;
  int rc = 0;
  for (size_t offset = 0, n = 0; rc == 0 && (offset < payload || (payload == 0 && n == 0)); offset += mss, n++) {
    size_t chunk = payload - offset < mss ? payload - offset : mss;
    bool last = offset + chunk >= payload;
    uint8_t segment[65536];
    memcpy(segment, whole, headers);
    memcpy(segment + headers, whole + headers + offset, chunk);
    size_t len = headers + chunk;
    segment[2] = (uint8_t)(len >> 8);
    segment[3] = (uint8_t)len;
    segment[4] = (uint8_t)((id + n) >> 8);
    segment[5] = (uint8_t)(id + n);
    segment[10] = segment[11] = 0;
    uint16_t check = kc_fold16(kc_sum16(segment, ihl, 0));
    segment[10] = (uint8_t)(check >> 8);
    segment[11] = (uint8_t)check;
    if (tcp) {
      uint32_t s = seq + (uint32_t)offset;
      segment[ihl + 4] = (uint8_t)(s >> 24);
      segment[ihl + 5] = (uint8_t)(s >> 16);
      segment[ihl + 6] = (uint8_t)(s >> 8);
      segment[ihl + 7] = (uint8_t)s;
      segment[ihl + 13] = last ? flags : (uint8_t)(flags & ~0x09); /* FIN and PSH go with the last segment */
    } else {
      segment[ihl + 4] = (uint8_t)((len - ihl) >> 8);
      segment[ihl + 5] = (uint8_t)(len - ihl);
    }
    segment[check_at] = segment[check_at + 1] = 0;
    uint16_t l4_check = kc_fold16(kc_sum16(segment + ihl, len - ihl, kc_pseudo_header_sum(segment, protocol, len - ihl)));
    if (!tcp && l4_check == 0) l4_check = 0xffff;
    segment[check_at] = (uint8_t)(l4_check >> 8);
    segment[check_at + 1] = (uint8_t)l4_check;
    struct iovec one = {.iov_base = segment, .iov_len = len};
    rc = sim_send(sim, &one, 1);
  }
  free(whole);
  return rc;
}

/* On the virtual wire a frame is just its IP packet. */
static int sim_send_l2(void *ctx, int ifindex, const uint8_t mac[6], const struct iovec *parts, int count) {
  (void)ifindex;
  (void)mac;
  return sim_send(ctx, parts, count);
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
  kc_backend backend = {
      .ctx = sim, .now_us = sim_now_us, .send = sim_send, .send_gso = sim_send_gso, .send_l2 = sim_send_l2, .release = sim_release, .random32 = sim_random32,
  };
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
    if (meta->checksum_partial) kc_l4_checksum_complete(pkt->data, pkt->len);
  }
  kc_result r = kc_engine_dispatch(sim->engine, pkt);
  /* Like the kernel, an unmodified packet goes on as it came (its checksum still left to offload). */
  const uint8_t *goes_on = r.modified ? r.data : data;
  out->verdict = r.verdict;
  out->held = r.held;
  out->modified = r.modified;
  out->len = r.modified ? r.len : len;
  out->data = malloc(out->len ? out->len : 1);
  if (out->data && out->len) memcpy(out->data, goes_on, out->len);
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
