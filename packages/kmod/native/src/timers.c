#include "timers.h"

#include <stdlib.h>
#include <string.h>

#define NO_SLOT UINT32_MAX

void kc_timers_init(kc_timers *t) {
  memset(t, 0, sizeof *t);
  t->free_head = NO_SLOT;
}

void kc_timers_free(kc_timers *t) {
  free(t->slots);
  free(t->heap);
  kc_timers_init(t);
}

static bool before(const kc_timers *t, uint32_t a, uint32_t b) {
  const kc_timer *x = &t->slots[a], *y = &t->slots[b];
  return x->due_us < y->due_us || (x->due_us == y->due_us && x->seq < y->seq);
}

static void place(kc_timers *t, uint32_t pos, uint32_t slot) {
  t->heap[pos] = slot;
  t->slots[slot].heap_index = pos;
}

static void sift_up(kc_timers *t, uint32_t pos) {
  uint32_t slot = t->heap[pos];
  while (pos > 0) {
    uint32_t parent = (pos - 1) / 2;
    if (!before(t, slot, t->heap[parent])) break;
    place(t, pos, t->heap[parent]);
    pos = parent;
  }
  place(t, pos, slot);
}

static void sift_down(kc_timers *t, uint32_t pos) {
  uint32_t slot = t->heap[pos];
  for (;;) {
    uint32_t child = 2 * pos + 1;
    if (child >= t->count) break;
    if (child + 1 < t->count && before(t, t->heap[child + 1], t->heap[child])) child++;
    if (!before(t, t->heap[child], slot)) break;
    place(t, pos, t->heap[child]);
    pos = child;
  }
  place(t, pos, slot);
}

static bool grow(kc_timers *t) {
  uint32_t capacity = t->capacity ? t->capacity * 2 : 64;
  kc_timer *slots = realloc(t->slots, capacity * sizeof *slots);
  if (!slots) return false;
  t->slots = slots;
  uint32_t *heap = realloc(t->heap, capacity * sizeof *heap);
  if (!heap) return false;
  t->heap = heap;
  for (uint32_t i = capacity; i-- > t->capacity;) {
    memset(&slots[i], 0, sizeof slots[i]);
    slots[i].next_free = t->free_head;
    t->free_head = i;
  }
  t->capacity = capacity;
  return true;
}

kc_timer *kc_timers_add(kc_timers *t, int64_t due_us) {
  if (t->free_head == NO_SLOT && !grow(t)) return NULL;
  uint32_t slot = t->free_head;
  kc_timer *timer = &t->slots[slot];
  t->free_head = timer->next_free;
  uint32_t generation = timer->generation + 1;
  memset(timer, 0, sizeof *timer);
  timer->generation = generation;
  timer->in_use = true;
  timer->due_us = due_us;
  timer->seq = t->next_seq++;
  t->heap[t->count] = slot;
  timer->heap_index = t->count++;
  sift_up(t, timer->heap_index);
  return &t->slots[slot];
}

uint64_t kc_timers_handle(const kc_timers *t, const kc_timer *timer) {
  uint32_t slot = (uint32_t)(timer - t->slots);
  return ((uint64_t)timer->generation << 24) | (slot + 1);
}

kc_timer *kc_timers_lookup(kc_timers *t, uint64_t handle) {
  uint64_t slot = (handle & 0xffffff);
  if (slot == 0 || slot > t->capacity) return NULL;
  kc_timer *timer = &t->slots[slot - 1];
  if (!timer->in_use || timer->generation != (uint32_t)(handle >> 24)) return NULL;
  return timer;
}

void kc_timers_remove(kc_timers *t, kc_timer *timer) {
  uint32_t pos = timer->heap_index;
  uint32_t slot = (uint32_t)(timer - t->slots);
  t->count--;
  if (pos != t->count) {
    place(t, pos, t->heap[t->count]);
    sift_down(t, pos);
    sift_up(t, t->slots[t->heap[pos]].heap_index);
  }
  timer->in_use = false;
  timer->next_free = t->free_head;
  t->free_head = slot;
}

kc_timer *kc_timers_peek(kc_timers *t) { return t->count ? &t->slots[t->heap[0]] : NULL; }
