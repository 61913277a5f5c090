/* Internet checksum (RFC 1071) and its incremental update (RFC 1624). */
#ifndef KCACHE_CHECKSUM_H
#define KCACHE_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Adds the big-endian 16-bit words of `data` to `sum` (an odd last byte is padded with zero). */
uint64_t kc_sum16(const uint8_t *data, size_t len, uint64_t sum);
/* The TCP/UDP pseudo-header's sum (RFC 9293 §3.1, RFC 768): the IPv4 header's
 * addresses, the protocol and the transport length. */
uint64_t kc_pseudo_header_sum(const uint8_t *ip, uint8_t protocol, size_t l4_len);
/* Folds a partial sum to 16 bits and inverts it. */
uint16_t kc_fold16(uint64_t sum);
/* RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m'). */
uint16_t kc_checksum_adjust(uint16_t checksum, uint16_t old_value, uint16_t new_value);
/* Completes the TCP or UDP checksum of an IPv4 packet the kernel left for
 * offload (CHECKSUM_PARTIAL: the field holds only the pseudo-header sum).
 * False, with nothing written, when the packet is not unfragmented IPv4
 * TCP/UDP or is truncated. */
bool kc_l4_checksum_complete(uint8_t *ip, size_t len);

#endif
