/* Link-layer sends for scripts, and segmentation offload for their TCP and
 * UDP: a "super-segment" (one IPv4+TCP or IPv4+UDP header, up to 64 KiB of
 * payload) goes out through an AF_PACKET socket with a virtio-net header
 * (PACKET_VNET_HDR, GSO TCPv4 or UDP_L4), and the kernel cuts it into
 * segments of `mss` payload bytes, fixing lengths, IDs, sequence numbers and
 * checksums. UDP segments are separate datagrams of `mss` bytes each (the
 * last may be shorter): a protocol that puts a header in every datagram lays
 * its datagrams out back to back, each exactly `mss` bytes long.
 * The caller names the egress interface and the next hop's link-layer address
 * (a stack learns both from the peer's packets: p:indev(), p:hwaddr()). */
#ifndef KCACHE_GSO_H
#define KCACHE_GSO_H

#include <stdint.h>
#include <sys/uio.h>

typedef struct kc_gso kc_gso;

kc_gso *kc_gso_new(void);
void kc_gso_free(kc_gso *g);
/* parts: a complete IPv4 packet whose first part holds the whole IP and TCP
 * or UDP header. Returns 0 or -errno. */
int kc_gso_send(kc_gso *g, int ifindex, const uint8_t dst_mac[6], uint16_t mss, const struct iovec *parts, int count);

/* Sends a complete IPv4 packet (checksums done) as an Ethernet frame out of
 * `ifindex` to `dst_mac`: the link layer directly, skipping the router's IP
 * output path (routing, netfilter, conntrack). Returns 0 or -errno. */
int kc_l2_send(kc_gso *g, int ifindex, const uint8_t dst_mac[6], const struct iovec *parts, int count);

/* Builds the frame prefix (virtio-net header, Ethernet header, IP and TCP or
 * UDP headers with the lengths set and the checksum field holding the
 * pseudo-header sum the kernel completes) into out (>= 10 + 14 + 120 bytes).
 * Returns its length, or -EINVAL when the headers are not IPv4/TCP or UDP. */
int kc_gso_prefix(uint8_t *out, const uint8_t src_mac[6], const uint8_t dst_mac[6], uint16_t mss, const uint8_t *headers,
                  size_t headers_len, size_t total_len);

#endif
