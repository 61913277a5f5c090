/* The content store: bytes kept in the engine for caches, shared by every
 * state, kept across script reloads, bounded by a byte budget with LRU
 * eviction. Entries are built incrementally (begin, append, commit) and are
 * only visible once committed; committed bytes never move, so Lua views of
 * them are zero-copy and checked by (slot, id) like packet views. */
#ifndef KCACHE_STORE_H
#define KCACHE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kc_entry {
  char *key;
  size_t key_len;
  uint64_t hash;
  uint8_t *data;
  size_t len, cap;
  uint64_t id;
  uint32_t slot;
  bool committed;
  int64_t expires_us;    /* 0: never */
  int64_t last_write_us; /* uncommitted entries left idle are dropped */
  struct kc_entry *bucket_next;
  struct kc_entry *prev, *next; /* LRU list (committed) or the list of uncommitted entries */
} kc_entry;

typedef struct kc_store_stats {
  uint64_t hits, misses, evictions, rejected, expired, abandoned;
} kc_store_stats;

typedef struct kc_store {
  kc_entry **buckets;
  size_t bucket_count, entries;
  kc_entry *lru_head, *lru_tail; /* most recently used first */
  kc_entry *building;            /* uncommitted entries */
  kc_entry **slots;
  uint32_t slot_count, slot_free_count;
  uint32_t *slot_free;
  uint64_t next_id;
  size_t bytes, committed_bytes, budget, max_entry;
  kc_store_stats stats;
} kc_store;

#define KC_STORE_DEFAULT_BUDGET (256u << 20)
#define KC_STORE_DEFAULT_MAX_ENTRY (64u << 20)
/* An uncommitted entry not written for this long is dropped (its writer is gone). */
#define KC_STORE_IDLE_US (120 * 1000000LL)

kc_store *kc_store_new(size_t budget, size_t max_entry);
void kc_store_free(kc_store *s);
void kc_store_configure(kc_store *s, size_t budget, size_t max_entry, int64_t now_us);

/* Starts an uncommitted entry; NULL and a reason in err when it cannot fit. */
kc_entry *kc_store_begin(kc_store *s, const char *key, size_t key_len, size_t expected, int64_t now_us, const char **err);
bool kc_store_append(kc_store *s, kc_entry *e, const uint8_t *data, size_t len, int64_t now_us, const char **err);
/* Makes the entry visible, replacing a committed entry of the same key. */
void kc_store_commit(kc_store *s, kc_entry *e, int64_t ttl_us, int64_t now_us);
void kc_store_abort(kc_store *s, kc_entry *e);
/* The committed, unexpired entry for key, or NULL; `count` counts a hit or miss and refreshes its LRU place. */
kc_entry *kc_store_lookup(kc_store *s, const char *key, size_t key_len, int64_t now_us, bool count);
bool kc_store_remove(kc_store *s, const char *key, size_t key_len);
/* Handles of entries for Lua: (slot, 32-bit id). */
uint64_t kc_store_handle(const kc_entry *e);
kc_entry *kc_store_from_handle(const kc_store *s, uint64_t handle);
kc_entry *kc_store_slot(const kc_store *s, uint32_t slot, uint64_t id);

#endif
