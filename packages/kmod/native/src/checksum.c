#include "checksum.h"

#include <string.h>

/* RFC 1071 §2(B): the sum is byte-order independent, so words are added in
 * the machine's order, 32 bits at a time into a 64-bit accumulator (no
 * carry is lost below 2^32 words), and the folded result is swapped back. */
static uint16_t native_sum(const uint8_t *data, size_t len) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 16 <= len; i += 16) {
    uint32_t w[4];
    memcpy(w, data + i, sizeof w);
    acc += (uint64_t)w[0] + w[1] + w[2] + w[3];
  }
  for (; i + 4 <= len; i += 4) {
    uint32_t w;
    memcpy(&w, data + i, sizeof w);
    acc += w;
  }
  uint8_t tail[4] = {0};
  memcpy(tail, data + i, len - i);
  uint32_t w;
  memcpy(&w, tail, sizeof w);
  acc += w;
  while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)acc;
}

uint64_t kc_sum16(const uint8_t *data, size_t len, uint64_t sum) {
  uint16_t folded = native_sum(data, len);
  const uint16_t probe = 1;
  bool little_endian = *(const uint8_t *)&probe == 1;
  return sum + (little_endian ? (uint16_t)(folded << 8 | folded >> 8) : folded);
}

uint64_t kc_pseudo_header_sum(const uint8_t *ip, uint8_t protocol, size_t l4_len) {
  return kc_sum16(ip + 12, 8, protocol + l4_len);
}

uint16_t kc_fold16(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

uint16_t kc_checksum_adjust(uint16_t checksum, uint16_t old_value, uint16_t new_value) {
  uint32_t sum = (uint16_t)~checksum;
  sum += (uint16_t)~old_value;
  sum += new_value;
  return kc_fold16(sum);
}

bool kc_l4_checksum_complete(uint8_t *ip, size_t len) {
  if (len < 20 || (ip[0] >> 4) != 4) return false;
  size_t ihl = (size_t)(ip[0] & 0x0f) * 4;
  size_t total = (size_t)ip[2] << 8 | ip[3];
  bool fragment = ((ip[6] & 0x3f) | ip[7]) != 0;
  size_t field;
  if (ip[9] == 6) field = 16;
  else if (ip[9] == 17) field = 6;
  else return false;
  if (ihl < 20 || total > len || total < ihl + field + 2 || fragment) return false;
  /* The field holds the folded pseudo-header sum (not inverted); the rest of the segment completes it. */
  uint16_t check = kc_fold16(kc_sum16(ip + ihl, total - ihl, 0));
  if (check == 0 && ip[9] == 17) check = 0xffff; /* RFC 768: zero means "no checksum" */
  ip[ihl + field] = (uint8_t)(check >> 8);
  ip[ihl + field + 1] = (uint8_t)check;
  return true;
}
