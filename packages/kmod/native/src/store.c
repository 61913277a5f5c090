#include "store.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_key(const char *key, size_t len) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (size_t i = 0; i < len; i++) h = (h ^ (uint8_t)key[i]) * 1099511628211ULL;
  return h;
}

kc_store *kc_store_new(size_t budget, size_t max_entry) {
  kc_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->bucket_count = 1024;
  s->buckets = calloc(s->bucket_count, sizeof *s->buckets);
  if (!s->buckets) {
    free(s);
    return NULL;
  }
  s->budget = budget;
  s->max_entry = max_entry;
  s->next_id = 1;
  return s;
}

static void list_remove(kc_entry **head, kc_entry **tail, kc_entry *e) {
  if (e->prev) e->prev->next = e->next;
  else *head = e->next;
  if (e->next) e->next->prev = e->prev;
  else if (tail) *tail = e->prev;
  e->prev = e->next = NULL;
}

static void list_push_front(kc_entry **head, kc_entry **tail, kc_entry *e) {
  e->prev = NULL;
  e->next = *head;
  if (*head) (*head)->prev = e;
  *head = e;
  if (tail && !*tail) *tail = e;
}

static void release_slot(kc_store *s, kc_entry *e) {
  s->slots[e->slot] = NULL;
  s->slot_free[s->slot_free_count++] = e->slot;
}

static bool take_slot(kc_store *s, kc_entry *e) {
  if (s->slot_free_count == 0) {
    uint32_t count = s->slot_count ? s->slot_count * 2 : 256;
    kc_entry **slots = realloc(s->slots, count * sizeof *slots);
    if (!slots) return false;
    s->slots = slots;
    uint32_t *free_list = realloc(s->slot_free, count * sizeof *free_list);
    if (!free_list) return false;
    s->slot_free = free_list;
    for (uint32_t i = count; i-- > s->slot_count;) {
      slots[i] = NULL;
      free_list[s->slot_free_count++] = i;
    }
    s->slot_count = count;
  }
  e->slot = s->slot_free[--s->slot_free_count];
  s->slots[e->slot] = e;
  return true;
}

static void destroy(kc_store *s, kc_entry *e) {
  s->bytes -= e->cap;
  if (e->committed) s->committed_bytes -= e->cap;
  release_slot(s, e);
  free(e->data);
  free(e->key);
  free(e);
}

static void unlink_committed(kc_store *s, kc_entry *e) {
  kc_entry **link = &s->buckets[e->hash % s->bucket_count];
  while (*link != e) link = &(*link)->bucket_next;
  *link = e->bucket_next;
  list_remove(&s->lru_head, &s->lru_tail, e);
  s->entries--;
}

static void drop_abandoned(kc_store *s, int64_t now_us) {
  for (kc_entry *e = s->building, *next; e; e = next) {
    next = e->next;
    if (now_us - e->last_write_us > KC_STORE_IDLE_US) {
      list_remove(&s->building, NULL, e);
      s->stats.abandoned++;
      destroy(s, e);
    }
  }
}

/* Evicts least recently used entries until `more` bytes fit in the budget. */
static bool make_room(kc_store *s, size_t more, int64_t now_us) {
  if (s->bytes + more <= s->budget) return true;
  drop_abandoned(s, now_us);
  /* Evict nothing when even evicting everything committed would not do. */
  if (s->bytes - s->committed_bytes + more > s->budget) return false;
  while (s->bytes + more > s->budget && s->lru_tail) {
    kc_entry *victim = s->lru_tail;
    unlink_committed(s, victim);
    s->stats.evictions++;
    destroy(s, victim);
  }
  return s->bytes + more <= s->budget;
}

void kc_store_configure(kc_store *s, size_t budget, size_t max_entry, int64_t now_us) {
  if (budget) s->budget = budget;
  if (max_entry) s->max_entry = max_entry;
  make_room(s, 0, now_us);
}

kc_entry *kc_store_begin(kc_store *s, const char *key, size_t key_len, size_t expected, int64_t now_us, const char **err) {
  if (expected > s->max_entry) {
    s->stats.rejected++;
    *err = "entry larger than the maximum entry size";
    return NULL;
  }
  if (!make_room(s, expected, now_us)) {
    s->stats.rejected++;
    *err = "no room in the store's byte budget";
    return NULL;
  }
  kc_entry *e = calloc(1, sizeof *e);
  if (!e || !(e->key = malloc(key_len ? key_len : 1)) || !take_slot(s, e)) {
    if (e) free(e->key);
    free(e);
    *err = "out of memory";
    return NULL;
  }
  memcpy(e->key, key, key_len);
  e->key_len = key_len;
  e->hash = hash_key(key, key_len);
  e->id = s->next_id++;
  e->last_write_us = now_us;
  if (expected) {
    e->data = malloc(expected);
    if (!e->data) {
      release_slot(s, e);
      free(e->key);
      free(e);
      *err = "out of memory";
      return NULL;
    }
    e->cap = expected;
    s->bytes += expected;
  }
  list_push_front(&s->building, NULL, e);
  return e;
}

bool kc_store_append(kc_store *s, kc_entry *e, const uint8_t *data, size_t len, int64_t now_us, const char **err) {
  if (e->committed) {
    *err = "entry already committed";
    return false;
  }
  if (len > s->max_entry - e->len) {
    s->stats.rejected++;
    *err = "entry larger than the maximum entry size";
    return false;
  }
  if (e->len + len > e->cap) {
    size_t need = e->len + len;
    size_t cap = e->cap ? e->cap : 4096;
    while (cap < need) cap *= 2;
    if (cap > s->max_entry) cap = s->max_entry;
    /* Grow by doubling while that fits without evicting, else to the exact size. */
    if (s->bytes + (cap - e->cap) > s->budget) cap = need;
    if (!make_room(s, cap - e->cap, now_us)) {
      s->stats.rejected++;
      *err = "no room in the store's byte budget";
      return false;
    }
    uint8_t *grown = realloc(e->data, cap);
    if (!grown) {
      *err = "out of memory";
      return false;
    }
    s->bytes += cap - e->cap;
    e->data = grown;
    e->cap = cap;
  }
  memcpy(e->data + e->len, data, len);
  e->len += len;
  e->last_write_us = now_us;
  return true;
}

/* Keeps chains short: four times the buckets when entries outnumber them twice. */
static void grow_buckets(kc_store *s) {
  size_t count = s->bucket_count * 4;
  kc_entry **buckets = calloc(count, sizeof *buckets);
  if (!buckets) return;
  for (size_t b = 0; b < s->bucket_count; b++) {
    for (kc_entry *e = s->buckets[b], *next; e; e = next) {
      next = e->bucket_next;
      e->bucket_next = buckets[e->hash % count];
      buckets[e->hash % count] = e;
    }
  }
  free(s->buckets);
  s->buckets = buckets;
  s->bucket_count = count;
}

void kc_store_commit(kc_store *s, kc_entry *e, int64_t ttl_us, int64_t now_us) {
  if (e->committed) return;
  if (e->cap > e->len) {
    /* Committed bytes never move again: shrink once, now. */
    uint8_t *fitted = e->len ? realloc(e->data, e->len) : NULL;
    if (fitted || e->len == 0) {
      if (e->len == 0) free(e->data);
      e->data = fitted;
      s->bytes -= e->cap - e->len;
      e->cap = e->len;
    }
  }
  kc_store_remove(s, e->key, e->key_len);
  list_remove(&s->building, NULL, e);
  e->committed = true;
  s->committed_bytes += e->cap;
  e->expires_us = ttl_us > 0 ? now_us + ttl_us : 0;
  kc_entry **bucket = &s->buckets[e->hash % s->bucket_count];
  e->bucket_next = *bucket;
  *bucket = e;
  list_push_front(&s->lru_head, &s->lru_tail, e);
  if (++s->entries > s->bucket_count * 2) grow_buckets(s);
}

void kc_store_abort(kc_store *s, kc_entry *e) {
  if (e->committed) return;
  list_remove(&s->building, NULL, e);
  destroy(s, e);
}

static kc_entry *find(kc_store *s, const char *key, size_t key_len) {
  uint64_t h = hash_key(key, key_len);
  for (kc_entry *e = s->buckets[h % s->bucket_count]; e; e = e->bucket_next)
    if (e->hash == h && e->key_len == key_len && memcmp(e->key, key, key_len) == 0) return e;
  return NULL;
}

kc_entry *kc_store_lookup(kc_store *s, const char *key, size_t key_len, int64_t now_us, bool count) {
  kc_entry *e = find(s, key, key_len);
  if (e && e->expires_us && now_us >= e->expires_us) {
    unlink_committed(s, e);
    s->stats.expired++;
    destroy(s, e);
    e = NULL;
  }
  if (!count) return e;
  if (!e) {
    s->stats.misses++;
    return NULL;
  }
  s->stats.hits++;
  list_remove(&s->lru_head, &s->lru_tail, e);
  list_push_front(&s->lru_head, &s->lru_tail, e);
  return e;
}

bool kc_store_remove(kc_store *s, const char *key, size_t key_len) {
  kc_entry *e = find(s, key, key_len);
  if (!e) return false;
  unlink_committed(s, e);
  destroy(s, e);
  return true;
}

uint64_t kc_store_handle(const kc_entry *e) { return (uint64_t)e->slot << 32 | (uint32_t)e->id; }

kc_entry *kc_store_slot(const kc_store *s, uint32_t slot, uint64_t id) {
  if (slot >= s->slot_count) return NULL;
  kc_entry *e = s->slots[slot];
  return e && (uint32_t)e->id == (uint32_t)id ? e : NULL;
}

kc_entry *kc_store_from_handle(const kc_store *s, uint64_t handle) {
  return kc_store_slot(s, (uint32_t)(handle >> 32), handle);
}

void kc_store_free(kc_store *s) {
  if (!s) return;
  while (s->lru_head) {
    kc_entry *e = s->lru_head;
    unlink_committed(s, e);
    destroy(s, e);
  }
  while (s->building) {
    kc_entry *e = s->building;
    list_remove(&s->building, NULL, e);
    destroy(s, e);
  }
  free(s->buckets);
  free(s->slots);
  free(s->slot_free);
  free(s);
}
