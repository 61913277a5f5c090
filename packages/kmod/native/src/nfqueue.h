/* The nfqueue backend: real packets from netfilter (NFQUEUE, libmnl API),
 * verdicts back in batches, packets made by scripts out through a raw
 * socket, held packets released later. The packet loop, timers and sending
 * run in one native thread; the caller (Node) only starts, stops and reads
 * counters, under the engine lock. */
#ifndef KCACHE_NFQUEUE_H
#define KCACHE_NFQUEUE_H

#include <pthread.h>

#include "engine.h"

typedef struct kc_nfq_stats {
  uint64_t received, verdicts, verdict_batches, modified, held, released;
  uint64_t enobufs, receive_errors, send_errors, sent, malformed;
  uint64_t gso;                 /* packets that came whole as GSO packets */
  uint64_t checksums_completed; /* TCP/UDP checksums the kernel had left to offload */
  uint64_t truncated;           /* packets longer than the queue copies: the rule's fail verdict */
  uint64_t busy_polls;          /* waits for a reply that spun (busy_poll_us) instead of sleeping */
  uint64_t busy_poll_hits;      /* of those, the ones a packet ended */
} kc_nfq_stats;

typedef struct kc_nfq_config {
  uint32_t queue_maxlen;   /* per queue (kernel default 1024) */
  int receive_buffer;      /* bytes (SO_RCVBUFFORCE) */
  bool fail_open;          /* the kernel accepts when a queue is full instead of dropping */
  uint32_t busy_poll_us;   /* after a batch that answered, poll without sleeping this long before blocking,
                              while answers come back within it on average (0: off) */
  bool segment_gso;        /* the kernel cuts GSO packets to MTU size before queueing (default: they come whole) */
  uint32_t continue_mark;  /* mark bits XT_CONTINUE sets (rule i uses continue_mark's i-th set bit) */
  uint32_t sent_mark;      /* SO_MARK of packets scripts send, so rules can skip them */
} kc_nfq_config;

typedef struct kc_nfq kc_nfq;

kc_nfq *kc_nfq_new(const kc_nfq_config *config, kc_log_fn log, void *log_ud, char *err, size_t errlen);
kc_engine *kc_nfq_engine(kc_nfq *q);
/* The lock that guards the engine: hold it to touch rules, states or stats from another thread. */
pthread_mutex_t *kc_nfq_lock(kc_nfq *q);
/* Binds the queues of the engine's rules and starts the packet thread. */
bool kc_nfq_start(kc_nfq *q, char *err, size_t errlen);
/* Stops the thread and unbinds (held packets are accepted first). */
void kc_nfq_stop(kc_nfq *q);
void kc_nfq_free(kc_nfq *q);
kc_nfq_stats kc_nfq_get_stats(kc_nfq *q);
/* The mark bit XT_CONTINUE sets for a rule (0 when it has none). */
uint32_t kc_nfq_continue_bit(const kc_nfq *q, int rule_index);

#endif
