/* The sim backend: an in-process virtual wire with a virtual clock.
 * Tests inject packets at a hook, advance time (timers fire only then),
 * and collect verdicts, packets scripts sent and held packets released. */
#ifndef KCACHE_SIM_H
#define KCACHE_SIM_H

#include "engine.h"

typedef struct kc_sim_packet {
  uint32_t verdict; /* released packets; 0 for sent ones */
  uint8_t *data;
  size_t len;
  struct kc_sim_packet *next;
} kc_sim_packet;

typedef struct kc_sim {
  kc_engine *engine;
  int64_t now_us;
  uint64_t random_state;
  kc_sim_packet *sent, **sent_tail;
  kc_sim_packet *released, **released_tail;
  size_t queued; /* sent + released not yet taken */
} kc_sim;

/* The verdict of an injected packet, with the bytes that go on (owned by the caller: free()). */
typedef struct kc_sim_verdict {
  uint32_t verdict;
  bool held;
  bool modified;
  uint8_t *data;
  size_t len;
} kc_sim_verdict;

kc_sim *kc_sim_new(uint64_t seed, kc_log_fn log, void *log_ud);
void kc_sim_free(kc_sim *sim);
/* Runs the hook's rules on a copy of the packet; false when out of memory. */
/* What the kernel would report with a packet (NULL: nothing). */
typedef struct kc_sim_meta {
  uint32_t indev, outdev;
  uint8_t hwaddr[8];
  uint8_t hwaddr_len;
  /* The kernel left the L4 checksum to offload (CHECKSUM_PARTIAL: the field
   * holds the pseudo-header sum), as NFQUEUE reports with NFQA_SKB_CSUMNOTREADY. */
  bool checksum_partial;
} kc_sim_meta;

bool kc_sim_inject(kc_sim *sim, int hook, const uint8_t *data, size_t len, const kc_sim_meta *meta, kc_sim_verdict *out);
/* Moves the virtual clock forward, firing due timers in order. */
void kc_sim_advance_us(kc_sim *sim, int64_t delta_us);
/* Takes the queued sent or released packets (a list the caller frees with kc_sim_free_list). */
kc_sim_packet *kc_sim_take_sent(kc_sim *sim);
kc_sim_packet *kc_sim_take_released(kc_sim *sim);
void kc_sim_free_list(kc_sim_packet *list);

#endif
