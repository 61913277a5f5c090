#include "packet.h"

#include <stdlib.h>
#include <string.h>

void kc_packet_pool_init(kc_packet_pool *pool) {
  memset(pool, 0, sizeof *pool);
  pool->next_id = 1;
}

void kc_packet_pool_free(kc_packet_pool *pool) {
  for (size_t b = 0; b < pool->block_count; b++) {
    for (size_t i = 0; i < KC_PACKETS_PER_BLOCK; i++) {
      kc_packet *pkt = &pool->blocks[b][i];
      if (pkt->alive && pkt->owns_data) free(pkt->data);
    }
    free(pool->blocks[b]);
  }
  free(pool->blocks);
  kc_packet_pool_init(pool);
}

static kc_packet *pool_get(kc_packet_pool *pool) {
  if (!pool->free) {
    kc_packet **blocks = realloc(pool->blocks, (pool->block_count + 1) * sizeof *blocks);
    if (!blocks) return NULL;
    pool->blocks = blocks;
    kc_packet *block = calloc(KC_PACKETS_PER_BLOCK, sizeof *block);
    if (!block) return NULL;
    blocks[pool->block_count++] = block;
    for (size_t i = KC_PACKETS_PER_BLOCK; i-- > 0;) {
      block[i].slot = (uint32_t)((pool->block_count - 1) * KC_PACKETS_PER_BLOCK + i);
      block[i].next_free = pool->free;
      pool->free = &block[i];
    }
  }
  kc_packet *pkt = pool->free;
  pool->free = pkt->next_free;
  uint32_t slot = pkt->slot;
  memset(pkt, 0, sizeof *pkt);
  pkt->slot = slot;
  pkt->id = pool->next_id++;
  pkt->alive = true;
  pool->in_use++;
  return pkt;
}

kc_packet *kc_packet_new(kc_packet_pool *pool, const uint8_t *data, size_t len, uint8_t hook) {
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return NULL;
  kc_packet *pkt = pool_get(pool);
  if (!pkt) {
    free(copy);
    return NULL;
  }
  if (len) memcpy(copy, data, len);
  pkt->data = copy;
  pkt->len = len;
  pkt->owns_data = true;
  pkt->hook = hook;
  return pkt;
}

kc_packet *kc_packet_wrap(kc_packet_pool *pool, uint8_t *data, size_t len, uint8_t hook) {
  kc_packet *pkt = pool_get(pool);
  if (!pkt) return NULL;
  pkt->data = data;
  pkt->len = len;
  pkt->hook = hook;
  return pkt;
}

bool kc_packet_take_ownership(kc_packet *pkt) {
  if (pkt->owns_data) return true;
  return kc_packet_replace(pkt, pkt->data, pkt->len);
}

bool kc_packet_replace(kc_packet *pkt, const uint8_t *data, size_t len) {
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return false;
  if (len) memcpy(copy, data, len);
  if (pkt->owns_data) free(pkt->data);
  pkt->data = copy;
  pkt->len = len;
  pkt->owns_data = true;
  return true;
}

void kc_packet_finish(kc_packet_pool *pool, kc_packet *pkt) {
  if (!pkt->alive) return;
  if (pkt->owns_data) free(pkt->data);
  pkt->data = NULL;
  pkt->len = 0;
  pkt->alive = false;
  pkt->next_free = pool->free;
  pool->free = pkt;
  pool->in_use--;
}
