/* Packets as the engine holds them, from a pool that is never freed while
 * the engine lives. Lua objects refer to a packet by (pointer, id): a packet
 * whose verdict was given is dead, and a recycled one has a new id, so a
 * stale reference is detected without finalizers or reference counts. */
#ifndef KCACHE_PACKET_H
#define KCACHE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kc_packet {
  uint8_t *data;
  size_t len;
  uint64_t id; /* unique per use of the record */
  bool alive;
  bool dirty;     /* written through a view */
  bool owns_data; /* data is freed with the packet */
  bool verdict_given;
  uint8_t hook;
  uint32_t indev, outdev;
  uint8_t hwaddr[8];
  uint8_t hwaddr_len;
  uint64_t held_handle; /* 0 unless a script held it */
  uint32_t backend_id;  /* e.g. the NFQUEUE packet id */
  uint32_t mark;        /* the netfilter mark it came with */
  uint16_t queue;
  uint32_t slot; /* index in the pool: stable for the record's life */
  struct kc_packet *next_free;
} kc_packet;

typedef struct kc_packet_pool {
  kc_packet *free;
  kc_packet **blocks;
  size_t block_count;
  uint64_t next_id;
  size_t in_use;
} kc_packet_pool;

void kc_packet_pool_init(kc_packet_pool *pool);
void kc_packet_pool_free(kc_packet_pool *pool);
#define KC_PACKETS_PER_BLOCK 256

/* The record at a slot index, or NULL (inline: every packet access from Lua goes through it). */
static inline kc_packet *kc_packet_pool_slot(const kc_packet_pool *pool, uint32_t slot) {
  size_t block = slot / KC_PACKETS_PER_BLOCK;
  return block < pool->block_count ? &pool->blocks[block][slot % KC_PACKETS_PER_BLOCK] : NULL;
}

/* A packet with an owned copy of the bytes; NULL when out of memory. */
kc_packet *kc_packet_new(kc_packet_pool *pool, const uint8_t *data, size_t len, uint8_t hook);
/* A packet over bytes the caller keeps alive until kc_packet_finish(). */
kc_packet *kc_packet_wrap(kc_packet_pool *pool, uint8_t *data, size_t len, uint8_t hook);
/* Makes the packet own a copy of its bytes (before the caller's memory is reused). */
bool kc_packet_take_ownership(kc_packet *pkt);
/* Replaces the bytes by an owned copy of data. */
bool kc_packet_replace(kc_packet *pkt, const uint8_t *data, size_t len);
/* The verdict was given: the bytes die and the record goes back to the pool. */
void kc_packet_finish(kc_packet_pool *pool, kc_packet *pkt);

#endif
