#include "checksum.h"

uint64_t kc_sum16(const uint8_t *data, size_t len, uint64_t sum) {
  size_t i = 0;
  for (; i + 1 < len; i += 2) sum += (uint32_t)data[i] << 8 | data[i + 1];
  if (i < len) sum += (uint32_t)data[i] << 8;
  return sum;
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
