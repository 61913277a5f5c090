#include "gso.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checksum.h"

#define VNET_LEN ((int)sizeof(struct virtio_net_hdr))
/* UDP segmentation offload (Linux 6.2+); older userspace headers lack the name. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif
#define MAC_CACHE 16

struct kc_gso {
  int fd;
  struct {
    int ifindex;
    uint8_t mac[6];
  } macs[MAC_CACHE];
  int mac_count;
};

kc_gso *kc_gso_new(void) {
  kc_gso *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->fd = -1;
  return g;
}

void kc_gso_free(kc_gso *g) {
  if (!g) return;
  if (g->fd >= 0) close(g->fd);
  free(g);
}

static int open_socket(kc_gso *g) {
  if (g->fd >= 0) return 0;
  /* Protocol 0: this socket only sends. */
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) return -errno;
  int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) < 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  g->fd = fd;
  return 0;
}

static int interface_mac(kc_gso *g, int ifindex, uint8_t mac[6]) {
  for (int i = 0; i < g->mac_count; i++) {
    if (g->macs[i].ifindex == ifindex) {
      memcpy(mac, g->macs[i].mac, 6);
      return 0;
    }
  }
  struct ifreq ifr = {0};
  if (!if_indextoname((unsigned)ifindex, ifr.ifr_name)) return -ENODEV;
  if (ioctl(g->fd, SIOCGIFHWADDR, &ifr) < 0) return -errno;
  memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
  int slot = g->mac_count < MAC_CACHE ? g->mac_count++ : ifindex % MAC_CACHE;
  g->macs[slot].ifindex = ifindex;
  memcpy(g->macs[slot].mac, mac, 6);
  return 0;
}

int kc_gso_prefix(uint8_t *out, const uint8_t src_mac[6], const uint8_t dst_mac[6], uint16_t mss, const uint8_t *headers,
                  size_t headers_len, size_t total_len) {
  if (headers_len < 28 || (headers[0] >> 4) != 4) return -EINVAL;
  size_t ihl = (size_t)(headers[0] & 0x0f) * 4;
  uint8_t protocol = headers[9];
  if (ihl < 20 || (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)) return -EINVAL;
  size_t thl = 8, csum_offset = 6;
  uint8_t gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
  if (protocol == IPPROTO_TCP) {
    if (headers_len < ihl + 20) return -EINVAL;
    thl = (size_t)(headers[ihl + 12] >> 4) * 4;
    csum_offset = 16;
    gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
  }
  if (thl < 8 || headers_len < ihl + thl || total_len > 0xffff || total_len < ihl + thl) return -EINVAL;
  size_t header_total = ihl + thl;
  bool segmented = total_len - header_total > mss;

  struct virtio_net_hdr vnet = {
      .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
      .gso_type = segmented ? gso_type : VIRTIO_NET_HDR_GSO_NONE,
      .hdr_len = (uint16_t)(ETH_HLEN + header_total),
      .gso_size = segmented ? mss : 0,
      .csum_start = (uint16_t)(ETH_HLEN + ihl),
      .csum_offset = (uint16_t)csum_offset,
  };
  memcpy(out, &vnet, VNET_LEN);
  uint8_t *eth = out + VNET_LEN;
  memcpy(eth, dst_mac, 6);
  memcpy(eth + 6, src_mac, 6);
  eth[12] = 0x08;
  eth[13] = 0x00;
  uint8_t *ip = eth + ETH_HLEN;
  memcpy(ip, headers, header_total);
  ip[2] = (uint8_t)(total_len >> 8);
  ip[3] = (uint8_t)total_len;
  ip[10] = ip[11] = 0;
  uint16_t ip_check = kc_fold16(kc_sum16(ip, ihl, 0));
  ip[10] = (uint8_t)(ip_check >> 8);
  ip[11] = (uint8_t)ip_check;
  size_t l4_len = total_len - ihl;
  if (protocol == IPPROTO_UDP) {
    ip[ihl + 4] = (uint8_t)(l4_len >> 8);
    ip[ihl + 5] = (uint8_t)l4_len;
  }
  /* The checksum field holds the folded pseudo-header sum, not inverted: the kernel adds each segment. */
  uint16_t partial = (uint16_t)~kc_fold16(kc_pseudo_header_sum(ip, protocol, l4_len));
  ip[ihl + csum_offset] = (uint8_t)(partial >> 8);
  ip[ihl + csum_offset + 1] = (uint8_t)partial;
  return (int)(VNET_LEN + ETH_HLEN + header_total);
}

/* Sends prefix + parts as one frame out of ifindex to dst_mac. */
static int send_frame(kc_gso *g, int ifindex, const uint8_t dst_mac[6], struct iovec *iov, int n) {
  struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6, .sll_protocol = htons(ETH_P_IP)};
  memcpy(to.sll_addr, dst_mac, 6);
  struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = iov, .msg_iovlen = (size_t)n};
  return sendmsg(g->fd, &msg, MSG_DONTWAIT) < 0 ? -errno : 0;
}

int kc_l2_send(kc_gso *g, int ifindex, const uint8_t dst_mac[6], const struct iovec *parts, int count) {
  if (count < 1 || count > 62) return -EINVAL;
  int rc = open_socket(g);
  if (rc < 0) return rc;
  uint8_t src_mac[6];
  if ((rc = interface_mac(g, ifindex, src_mac)) < 0) return rc;
  uint8_t prefix[VNET_LEN + ETH_HLEN];
  memset(prefix, 0, VNET_LEN); /* no offload: the packet is complete */
  memcpy(prefix + VNET_LEN, dst_mac, 6);
  memcpy(prefix + VNET_LEN + 6, src_mac, 6);
  prefix[VNET_LEN + 12] = 0x08;
  prefix[VNET_LEN + 13] = 0x00;
  struct iovec iov[64];
  iov[0] = (struct iovec){.iov_base = prefix, .iov_len = sizeof prefix};
  for (int i = 0; i < count; i++) iov[i + 1] = parts[i];
  return send_frame(g, ifindex, dst_mac, iov, count + 1);
}

int kc_gso_send(kc_gso *g, int ifindex, const uint8_t dst_mac[6], uint16_t mss, const struct iovec *parts, int count) {
  if (count < 1 || count > 63 || mss < 64) return -EINVAL;
  int rc = open_socket(g);
  if (rc < 0) return rc;
  uint8_t src_mac[6];
  if ((rc = interface_mac(g, ifindex, src_mac)) < 0) return rc;
  size_t total = 0;
  for (int i = 0; i < count; i++) total += parts[i].iov_len;
  uint8_t prefix[VNET_LEN + ETH_HLEN + 120];
  const uint8_t *headers = parts[0].iov_base;
  int prefix_len = kc_gso_prefix(prefix, src_mac, dst_mac, mss, headers, parts[0].iov_len, total);
  if (prefix_len < 0) return prefix_len;
  size_t header_total = (size_t)prefix_len - VNET_LEN - ETH_HLEN;
  /* The prefix replaces the caller's headers; the payload parts go as they are. */
  struct iovec iov[64];
  iov[0] = (struct iovec){.iov_base = prefix, .iov_len = (size_t)prefix_len};
  int n = 1;
  if (parts[0].iov_len > header_total)
    iov[n++] = (struct iovec){.iov_base = (uint8_t *)parts[0].iov_base + header_total, .iov_len = parts[0].iov_len - header_total};
  for (int i = 1; i < count; i++) iov[n++] = parts[i];
  return send_frame(g, ifindex, dst_mac, iov, n);
}
