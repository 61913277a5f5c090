/* Timers: an indexed min-heap ordered by (due time, insertion order), with
 * handles that stay valid (or safely stale) after a timer fired or was
 * cancelled. The engine stores what a timer runs; this file only orders. */
#ifndef KCACHE_TIMERS_H
#define KCACHE_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { KC_TIMER_FUNCTION, KC_TIMER_SCHEDULE } kc_timer_kind;

typedef struct kc_timer {
  int64_t due_us;
  uint64_t seq;
  uint32_t heap_index;
  uint32_t generation;
  bool in_use;
  uint32_t next_free;
  /* What it runs. */
  kc_timer_kind kind;
  int state_id;
  int context;
  int function_ref, arg_ref; /* KC_TIMER_FUNCTION: registry refs in that context */
  char *name;                /* KC_TIMER_SCHEDULE: function name, id, copied data */
  int64_t id;
  uint8_t *data;
  size_t data_len;
  bool has_data;
} kc_timer;

typedef struct kc_timers {
  kc_timer *slots;
  uint32_t capacity, free_head;
  uint32_t *heap; /* slot indexes */
  uint32_t count;
  uint64_t next_seq;
} kc_timers;

void kc_timers_init(kc_timers *t);
void kc_timers_free(kc_timers *t);
/* A new timer slot armed at due_us; NULL when out of memory. Fill its payload, keep its handle. */
kc_timer *kc_timers_add(kc_timers *t, int64_t due_us);
uint64_t kc_timers_handle(const kc_timers *t, const kc_timer *timer);
/* The timer of a live handle, or NULL. */
kc_timer *kc_timers_lookup(kc_timers *t, uint64_t handle);
/* Removes a timer from the heap and frees its slot (payload is the caller's). */
void kc_timers_remove(kc_timers *t, kc_timer *timer);
/* The earliest timer, or NULL. */
kc_timer *kc_timers_peek(kc_timers *t);

#endif
