/* The benchmark's baseline: a bare C NFQUEUE reader that accepts every
 * packet, with the same socket settings and verdict batching as the engine's
 * nfqueue backend, and no Lua. Usage: bare_reader QUEUE */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static struct mnl_socket *nl;
static char verdicts[256 * 1024];
static size_t verdicts_len;
static volatile sig_atomic_t stop;

static void flush(void) {
  if (verdicts_len) mnl_socket_sendto(nl, verdicts, verdicts_len);
  verdicts_len = 0;
}

static int on_packet(const struct nlmsghdr *nlh, void *data) {
  (void)data;
  struct nlattr *attr[NFQA_MAX + 1] = {0};
  if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) return MNL_CB_OK;
  struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
  struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
  if (verdicts_len + 512 > sizeof verdicts) flush();
  struct nlmsghdr *v = nfq_nlmsg_put(verdicts + verdicts_len, NFQNL_MSG_VERDICT, ntohs(nfg->res_id));
  nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_ACCEPT);
  verdicts_len += MNL_ALIGN(v->nlmsg_len);
  return MNL_CB_OK;
}

static void configure(uint16_t queue, int params) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
  if (params) {
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
    nfq_nlmsg_cfg_put_qmaxlen(nlh, 4096);
  } else {
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
  }
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
    perror("configure");
    exit(1);
  }
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: bare_reader QUEUE\n");
    return 1;
  }
  uint16_t queue = (uint16_t)atoi(argv[1]);
  nl = mnl_socket_open(NETLINK_NETFILTER);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    perror("netlink");
    return 1;
  }
  int fd = mnl_socket_get_fd(nl), one = 1, size = 8 << 20;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  configure(queue, 0);
  configure(queue, 1);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGTERM, &sa, NULL); /* no SA_RESTART: recv returns EINTR */
  fprintf(stderr, "bare_reader: queue %u\n", queue);
  static char buf[0xffff + 8192];
  unsigned portid = mnl_socket_get_portid(nl);
  while (!stop) {
    ssize_t got = recv(fd, buf, sizeof buf, 0);
    for (int n = 0; got >= 0 && n < 64; n++) {
      mnl_cb_run(buf, (size_t)got, 0, portid, on_packet, NULL);
      got = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    }
    flush();
    if (got < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR) break;
  }
  mnl_socket_close(nl);
  return 0;
}
