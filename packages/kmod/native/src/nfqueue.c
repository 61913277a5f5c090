#include "nfqueue.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "checksum.h"
#include "gso.h"

#define RECEIVE_BATCH 64
#define VERDICT_FLUSH_BYTES (128 * 1024)
/* Drop verdicts hold nothing up: they wait for the next batch, at most this many and this long. */
#define DEFERRED_DROPS_MAX 64
#define DEFERRED_DROPS_MS 1

struct kc_nfq {
  kc_nfq_config config;
  kc_engine *engine;
  struct mnl_socket *nl;
  unsigned portid;
  int raw_fd;
  int wake_fd;
  pthread_t thread;
  bool running;
  pthread_mutex_t lock;
  uint8_t *receive_buf;
  size_t receive_size;
  char *verdicts;
  size_t verdicts_len, verdicts_cap;
  uint32_t verdicts_pending; /* in the batch */
  int64_t verdicts_since_us; /* when the batch's first verdict was added */
  bool verdicts_urgent;      /* the batch lets a packet go on: send it now */
  uint32_t next_seq;
  kc_nfq_stats stats;
  kc_gso *gso;
  uint8_t random_pool[256];
  size_t random_left;
  kc_rule *last_rule;
  /* Adaptive busy polling: after a batch in which scripts sent packets or
   * let packets go on, the reply (a lock-step client's next ACK, answered by
   * the cache; the next block of a transfer passing through) is awaited
   * spinning, but only while replies have come back within busy_poll_us on
   * average: a flow whose peer takes longer is not worth a core, and a spin
   * that keeps a woken peer off this CPU lengthens the average and ends itself. */
  bool passed_on;          /* the batch so far let a packet go on */
  bool answered;           /* the last batch sent packets or let packets go on */
  int64_t answered_at_us;  /* when it ended */
  uint32_t reply_gap_us;   /* moving average (1/4 weight) of the time from an answer to the next packet */
};

/* ---- backend callbacks (called by the engine, in the packet thread) ------- */

static int64_t nfq_now_us(void *ctx) {
  (void)ctx;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t nfq_random32(void *ctx) {
  kc_nfq *q = ctx;
  if (q->random_left < 4) {
    ssize_t got = getrandom(q->random_pool, sizeof q->random_pool, 0);
    q->random_left = got > 0 ? (size_t)got : 0;
    if (q->random_left < 4) return (uint32_t)nfq_now_us(ctx) * 2654435761u; /* never expected */
  }
  q->random_left -= 4;
  uint32_t v;
  memcpy(&v, q->random_pool + q->random_left, 4);
  return v;
}

static bool flush_verdicts(kc_nfq *q) {
  if (q->verdicts_len == 0) return true;
  ssize_t sent = mnl_socket_sendto(q->nl, q->verdicts, q->verdicts_len);
  q->verdicts_len = 0;
  q->verdicts_pending = 0;
  q->verdicts_urgent = false;
  q->stats.verdict_batches++;
  if (sent < 0) {
    q->stats.send_errors++;
    return false;
  }
  return true;
}

/* Appends a verdict to the batch; data (the changed packet) is copied into it. */
static void add_verdict(kc_nfq *q, uint16_t queue, uint32_t id, uint32_t verdict, uint32_t mark, bool set_mark,
                        const uint8_t *data, size_t len) {
  size_t need = MNL_ALIGN(sizeof(struct nlmsghdr)) + 256 + (data ? MNL_ALIGN(len) : 0);
  if (q->verdicts_len + need > q->verdicts_cap) flush_verdicts(q);
  if (need > q->verdicts_cap) {
    char *grown = realloc(q->verdicts, need);
    if (!grown) {
      q->stats.send_errors++;
      return;
    }
    q->verdicts = grown;
    q->verdicts_cap = need;
  }
  struct nlmsghdr *nlh = nfq_nlmsg_put(q->verdicts + q->verdicts_len, NFQNL_MSG_VERDICT, queue);
  nlh->nlmsg_seq = q->next_seq++;
  nfq_nlmsg_verdict_put(nlh, (int)id, (int)verdict);
  if (set_mark) nfq_nlmsg_verdict_put_mark(nlh, mark);
  if (data) {
    nfq_nlmsg_verdict_put_pkt(nlh, data, (uint32_t)len);
    q->stats.modified++;
  }
  q->verdicts_len += MNL_ALIGN(nlh->nlmsg_len);
  if (q->verdicts_pending++ == 0) q->verdicts_since_us = nfq_now_us(q);
  if (verdict != NF_DROP) q->verdicts_urgent = q->passed_on = true;
  q->stats.verdicts++;
  if (q->verdicts_len >= VERDICT_FLUSH_BYTES) flush_verdicts(q);
}

static void nfq_release(void *ctx, kc_packet *pkt, uint32_t verdict, const uint8_t *data, size_t len, bool modified) {
  kc_nfq *q = ctx;
  q->stats.released++;
  add_verdict(q, pkt->queue, pkt->backend_id, verdict == KC_NF_STOLEN ? NF_DROP : verdict, 0, false,
              modified ? data : NULL, len);
}

static int nfq_send(void *ctx, const struct iovec *parts, int count) {
  kc_nfq *q = ctx;
  /* The destination comes from the IPv4 header, which may span parts. */
  uint8_t header[20];
  size_t have = 0;
  for (int i = 0; i < count && have < sizeof header; i++) {
    size_t take = parts[i].iov_len < sizeof header - have ? parts[i].iov_len : sizeof header - have;
    memcpy(header + have, parts[i].iov_base, take);
    have += take;
  }
  if (have < sizeof header || (header[0] >> 4) != 4) return -EINVAL;
  struct sockaddr_in to = {.sin_family = AF_INET};
  memcpy(&to.sin_addr, header + 16, 4);
  struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = (struct iovec *)parts, .msg_iovlen = (size_t)count};
  if (sendmsg(q->raw_fd, &msg, MSG_DONTWAIT) < 0) {
    q->stats.send_errors++;
    return -errno;
  }
  q->stats.sent++;
  return 0;
}

static int nfq_send_gso(void *ctx, int ifindex, const uint8_t mac[6], uint16_t mss, const struct iovec *parts, int count) {
  kc_nfq *q = ctx;
  int rc = kc_gso_send(q->gso, ifindex, mac, mss, parts, count);
  if (rc < 0) q->stats.send_errors++;
  else q->stats.sent++;
  return rc;
}

static int nfq_send_l2(void *ctx, int ifindex, const uint8_t mac[6], const struct iovec *parts, int count) {
  kc_nfq *q = ctx;
  int rc = kc_l2_send(q->gso, ifindex, mac, parts, count);
  if (rc < 0) q->stats.send_errors++;
  else q->stats.sent++;
  return rc;
}

/* ---- the packet path ------------------------------------------------------- */

static kc_rule *rule_for_queue(kc_nfq *q, uint16_t queue, int *index) {
  int i = 0;
  for (kc_rule *r = q->engine->rules; r; r = r->next, i++) {
    if (r->queue == queue) {
      *index = i;
      return r;
    }
  }
  return NULL;
}

uint32_t kc_nfq_continue_bit(const kc_nfq *q, int rule_index) {
  uint32_t mask = q->config.continue_mark;
  for (int i = 0; mask; i++) {
    uint32_t bit = mask & -mask;
    if (i == rule_index) return bit;
    mask &= mask - 1;
  }
  return 0;
}

static int on_packet(const struct nlmsghdr *nlh, void *data) {
  kc_nfq *q = data;
  struct nlattr *attr[NFQA_MAX + 1] = {0};
  if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR]) {
    q->stats.malformed++;
    return MNL_CB_OK;
  }
  struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);
  uint16_t queue = ntohs(nfg->res_id);
  struct nfqnl_msg_packet_hdr *ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
  uint32_t id = ntohl(ph->packet_id);
  q->stats.received++;
  int index = 0;
  kc_rule *rule = rule_for_queue(q, queue, &index);
  if (!rule || !attr[NFQA_PAYLOAD]) {
    add_verdict(q, queue, id, NF_ACCEPT, 0, false, NULL, 0);
    return MNL_CB_OK;
  }
  /* Packets the engine cannot run the rule on get the rule's fail verdict. */
  uint32_t fail_verdict = rule->fail_verdict == KC_NF_ACCEPT ? NF_ACCEPT : NF_DROP;
  uint8_t *payload = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
  size_t payload_len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
  /* A packet longer than the copy range (a GSO packet near 64 KiB) cannot be given back whole. */
  if (attr[NFQA_CAP_LEN] && ntohl(mnl_attr_get_u32(attr[NFQA_CAP_LEN])) > payload_len) {
    q->stats.truncated++;
    add_verdict(q, queue, id, fail_verdict, 0, false, NULL, 0);
    return MNL_CB_OK;
  }
  uint32_t skb_info = attr[NFQA_SKB_INFO] ? ntohl(mnl_attr_get_u32(attr[NFQA_SKB_INFO])) : 0;
  if (skb_info & NFQA_SKB_GSO) q->stats.gso++;
  /* Scripts see valid checksums. Unchanged, the packet goes on with the kernel's
   * own bytes (still partial); changed, the kernel treats its checksum as
   * complete (and recomputes it when it segments a GSO packet). */
  if ((skb_info & NFQA_SKB_CSUMNOTREADY) && kc_l4_checksum_complete(payload, payload_len)) q->stats.checksums_completed++;
  kc_packet *pkt = kc_packet_wrap(&q->engine->packets, payload, payload_len, ph->hook);
  if (!pkt) {
    add_verdict(q, queue, id, fail_verdict, 0, false, NULL, 0);
    return MNL_CB_OK;
  }
  pkt->backend_id = id;
  pkt->queue = queue;
  if (attr[NFQA_IFINDEX_INDEV]) pkt->indev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_INDEV]));
  if (attr[NFQA_IFINDEX_OUTDEV]) pkt->outdev = ntohl(mnl_attr_get_u32(attr[NFQA_IFINDEX_OUTDEV]));
  if (attr[NFQA_MARK]) pkt->mark = ntohl(mnl_attr_get_u32(attr[NFQA_MARK]));
  if (attr[NFQA_HWADDR]) {
    struct nfqnl_msg_packet_hw *hw = mnl_attr_get_payload(attr[NFQA_HWADDR]);
    uint16_t hw_len = ntohs(hw->hw_addrlen);
    pkt->hwaddr_len = (uint8_t)(hw_len <= sizeof pkt->hwaddr ? hw_len : 0);
    memcpy(pkt->hwaddr, hw->hw_addr, pkt->hwaddr_len);
  }
  kc_result r = kc_rule_run(q->engine, rule, pkt);
  if (r.held) {
    q->stats.held++;
    return MNL_CB_OK; /* its verdict comes with kmod.release */
  }
  if (!pkt->verdict_given) {
    uint32_t verdict = r.verdict, mark = pkt->mark;
    bool set_mark = false;
    if (verdict == KC_NF_STOLEN) verdict = NF_DROP; /* consumed by the script */
    if (verdict == KC_XT_CONTINUE) {
      /* Go on after this rule: repeat the hook with this rule's bit set, which its iptables rule skips. */
      verdict = NF_REPEAT;
      mark |= kc_nfq_continue_bit(q, index);
      set_mark = true;
    }
    add_verdict(q, queue, id, verdict, mark, set_mark, r.modified ? r.data : NULL, r.len);
  }
  kc_packet_finish(&q->engine->packets, pkt);
  return MNL_CB_OK;
}

/* One recvmmsg takes what the queue holds (up to RECEIVE_BATCH messages): a
 * lone packet costs one receive call, not a second one that finds nothing.
 * Returns how many messages came. */
static int receive_batch(kc_nfq *q) {
  int fd = mnl_socket_get_fd(q->nl);
  struct mmsghdr msgs[RECEIVE_BATCH];
  struct iovec iovs[RECEIVE_BATCH];
  for (int i = 0; i < RECEIVE_BATCH; i++) {
    iovs[i] = (struct iovec){.iov_base = q->receive_buf + (size_t)i * q->receive_size, .iov_len = q->receive_size};
    msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iovs[i], .msg_iovlen = 1}};
  }
  int got = recvmmsg(fd, msgs, RECEIVE_BATCH, MSG_DONTWAIT, NULL);
  if (got < 0) {
    if (errno == ENOBUFS) q->stats.enobufs++;
    else if (errno != EAGAIN && errno != EINTR) q->stats.receive_errors++;
    return 0;
  }
  for (int i = 0; i < got; i++)
    if (mnl_cb_run(iovs[i].iov_base, msgs[i].msg_len, 0, q->portid, on_packet, q) < 0) q->stats.receive_errors++;
  return got;
}

/* A packet came after a batch that answered: how long the reply took. A gap
 * over twice the budget counts as twice the budget: a flow that is slow every
 * time still rises above it, but the idle pause before a transfer does not keep
 * its first dozens of replies from being awaited spinning. */
static void note_reply(kc_nfq *q, int64_t arrived_us) {
  int64_t gap = arrived_us - q->answered_at_us;
  int64_t longest = 2 * (int64_t)q->config.busy_poll_us;
  if (gap < 0) gap = 0;
  if (gap > longest) gap = longest;
  q->reply_gap_us = (uint32_t)((3 * (int64_t)q->reply_gap_us + gap) / 4);
}

/* After a batch (under the lock): due timers, whether it answered, and the verdicts. */
static void finish_batch(kc_nfq *q, uint64_t sent_before) {
  kc_engine_run_timers(q->engine, nfq_now_us(q));
  q->answered = q->stats.sent != sent_before || q->passed_on;
  q->passed_on = false;
  if (q->answered) q->answered_at_us = nfq_now_us(q);
  /* A lock-step flow (a TFTP client's ACK answered by the cache) saves a syscall per packet. */
  if (q->verdicts_urgent || q->verdicts_pending >= DEFERRED_DROPS_MAX ||
      nfq_now_us(q) - q->verdicts_since_us >= DEFERRED_DROPS_MS * 1000)
    flush_verdicts(q);
}

static bool worth_spinning(const kc_nfq *q) {
  return q->config.busy_poll_us && q->answered && q->reply_gap_us <= q->config.busy_poll_us;
}

/* Receives without sleeping for up to busy_poll_us (one call per try, no
 * poll): the next packet of a lock-step flow (a TFTP client's ACK) or a
 * ping-pong is taken without the scheduler's wake-up latency, at the cost of
 * a busy core. Returns whether a batch came (and was run). */
static bool spin_receive(kc_nfq *q) {
  q->stats.busy_polls++;
  int64_t until = nfq_now_us(q) + q->config.busy_poll_us;
  do {
    pthread_mutex_lock(&q->lock);
    int64_t tried_us = nfq_now_us(q);
    uint64_t sent_before = q->stats.sent;
    int got = receive_batch(q);
    if (got > 0) {
      note_reply(q, tried_us);
      finish_batch(q, sent_before);
    }
    pthread_mutex_unlock(&q->lock);
    if (got > 0) {
      q->stats.busy_poll_hits++;
      return true;
    }
  } while (nfq_now_us(q) < until);
  return false;
}

static void *packet_thread(void *arg) {
  kc_nfq *q = arg;
  struct pollfd fds[2] = {{.fd = mnl_socket_get_fd(q->nl), .events = POLLIN}, {.fd = q->wake_fd, .events = POLLIN}};
  for (;;) {
    pthread_mutex_lock(&q->lock);
    bool running = q->running;
    kc_timer *next = kc_timers_peek(&q->engine->timers);
    int timeout = -1;
    if (next) {
      int64_t wait_us = next->due_us - nfq_now_us(q);
      timeout = wait_us <= 0 ? 0 : (int)((wait_us + 999) / 1000);
      if (timeout > 1000) timeout = 1000;
    }
    if (q->verdicts_pending && (timeout < 0 || timeout > DEFERRED_DROPS_MS)) timeout = DEFERRED_DROPS_MS;
    pthread_mutex_unlock(&q->lock);
    if (!running) break;
    if (timeout != 0 && worth_spinning(q) && spin_receive(q)) continue;
    int ready = poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents & POLLIN) {
      uint64_t drained;
      if (read(q->wake_fd, &drained, sizeof drained) < 0) { /* nothing: it only wakes us */ }
    }
    pthread_mutex_lock(&q->lock);
    uint64_t sent_before = q->stats.sent;
    if (fds[0].revents & POLLIN) {
      if (q->answered) note_reply(q, nfq_now_us(q));
      receive_batch(q);
    }
    finish_batch(q, sent_before);
    pthread_mutex_unlock(&q->lock);
  }
  return NULL;
}

/* ---- setup ----------------------------------------------------------------- */

static bool queue_command(kc_nfq *q, uint16_t queue, uint8_t command, bool params, char *err, size_t errlen) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
  nlh->nlmsg_flags |= NLM_F_ACK;
  nlh->nlmsg_seq = q->next_seq++;
  if (params) {
    nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
    nfq_nlmsg_cfg_put_qmaxlen(nlh, q->config.queue_maxlen);
    uint32_t flags = (q->config.fail_open ? NFQA_CFG_F_FAIL_OPEN : 0) | (q->config.segment_gso ? 0 : NFQA_CFG_F_GSO);
    mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(flags));
    mnl_attr_put_u32(nlh, NFQA_CFG_MASK, htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO));
  } else {
    nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, command);
  }
  if (mnl_socket_sendto(q->nl, nlh, nlh->nlmsg_len) < 0) {
    snprintf(err, errlen, "queue %u: cannot configure: %s", queue, strerror(errno));
    return false;
  }
  ssize_t got = mnl_socket_recvfrom(q->nl, buf, sizeof buf);
  if (got < 0 || mnl_cb_run(buf, (size_t)got, nlh->nlmsg_seq, q->portid, NULL, NULL) < 0) {
    snprintf(err, errlen, "queue %u: %s", queue,
             errno == EBUSY ? "already bound by another process (is another kmod running here?)" : strerror(errno));
    return false;
  }
  return true;
}

kc_nfq *kc_nfq_new(const kc_nfq_config *config, kc_log_fn log, void *log_ud, char *err, size_t errlen) {
  kc_nfq *q = calloc(1, sizeof *q);
  if (!q) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  q->config = *config;
  if (!q->config.queue_maxlen) q->config.queue_maxlen = 4096;
  if (!q->config.receive_buffer) q->config.receive_buffer = 8 << 20;
  q->raw_fd = q->wake_fd = -1;
  pthread_mutex_init(&q->lock, NULL);
  kc_backend backend = {
      .ctx = q, .now_us = nfq_now_us, .send = nfq_send, .send_gso = nfq_send_gso, .send_l2 = nfq_send_l2, .release = nfq_release, .random32 = nfq_random32,
  };
  q->engine = kc_engine_new(&backend, log, log_ud);
  q->gso = kc_gso_new();
  q->receive_size = 0xffff + (MNL_SOCKET_BUFFER_SIZE / 2);
  q->receive_buf = malloc(q->receive_size * RECEIVE_BATCH);
  q->verdicts_cap = VERDICT_FLUSH_BYTES + 0x10000;
  q->verdicts = malloc(q->verdicts_cap);
  if (!q->engine || !q->gso || !q->receive_buf || !q->verdicts) {
    snprintf(err, errlen, "out of memory");
    kc_nfq_free(q);
    return NULL;
  }
  return q;
}

kc_engine *kc_nfq_engine(kc_nfq *q) { return q->engine; }
pthread_mutex_t *kc_nfq_lock(kc_nfq *q) { return &q->lock; }

bool kc_nfq_start(kc_nfq *q, char *err, size_t errlen) {
  q->nl = mnl_socket_open(NETLINK_NETFILTER);
  if (!q->nl || mnl_socket_bind(q->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    snprintf(err, errlen, "cannot open the netfilter netlink socket: %s (root and CAP_NET_ADMIN are needed)", strerror(errno));
    return false;
  }
  q->portid = mnl_socket_get_portid(q->nl);
  int fd = mnl_socket_get_fd(q->nl), one = 1;
  setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &one, sizeof one);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &q->config.receive_buffer, sizeof q->config.receive_buffer) < 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &q->config.receive_buffer, sizeof q->config.receive_buffer);
  for (kc_rule *r = q->engine->rules; r; r = r->next) {
    if (r->queue < 0 || r->queue > 65535) {
      snprintf(err, errlen, "%s: no queue number", r->name);
      return false;
    }
    if (!queue_command(q, (uint16_t)r->queue, NFQNL_CFG_CMD_BIND, false, err, errlen) ||
        !queue_command(q, (uint16_t)r->queue, 0, true, err, errlen))
      return false;
  }
  q->raw_fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
  if (q->raw_fd < 0) {
    snprintf(err, errlen, "cannot open a raw socket: %s", strerror(errno));
    return false;
  }
  if (q->config.sent_mark) setsockopt(q->raw_fd, SOL_SOCKET, SO_MARK, &q->config.sent_mark, sizeof q->config.sent_mark);
  q->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (q->wake_fd < 0) {
    snprintf(err, errlen, "eventfd: %s", strerror(errno));
    return false;
  }
  q->running = true;
  if (pthread_create(&q->thread, NULL, packet_thread, q) != 0) {
    q->running = false;
    snprintf(err, errlen, "cannot start the packet thread");
    return false;
  }
  /* So that top -H, perf and chrt/taskset users can tell it from Node's threads. */
  pthread_setname_np(q->thread, "kcache-packets");
  return true;
}

void kc_nfq_stop(kc_nfq *q) {
  pthread_mutex_lock(&q->lock);
  bool was_running = q->running;
  q->running = false;
  pthread_mutex_unlock(&q->lock);
  if (was_running) {
    uint64_t one = 1;
    if (write(q->wake_fd, &one, sizeof one) < 0) { /* the thread also wakes within a second */ }
    pthread_join(q->thread, NULL);
  }
  if (!q->nl) return;
  /* Held packets go on rather than vanish; then the queues are unbound. */
  pthread_mutex_lock(&q->lock);
  for (uint32_t i = 0; i < q->engine->held_capacity; i++) {
    kc_packet *pkt = q->engine->held[i].pkt;
    if (pkt) kc_engine_release(q->engine, pkt->held_handle, KC_NF_ACCEPT, NULL, 0, false);
  }
  flush_verdicts(q);
  char err[256];
  for (kc_rule *r = q->engine->rules; r; r = r->next)
    if (r->queue >= 0) queue_command(q, (uint16_t)r->queue, NFQNL_CFG_CMD_UNBIND, false, err, sizeof err);
  pthread_mutex_unlock(&q->lock);
  mnl_socket_close(q->nl);
  q->nl = NULL;
}

void kc_nfq_free(kc_nfq *q) {
  if (!q) return;
  kc_nfq_stop(q);
  kc_engine_free(q->engine);
  kc_gso_free(q->gso);
  if (q->raw_fd >= 0) close(q->raw_fd);
  if (q->wake_fd >= 0) close(q->wake_fd);
  free(q->receive_buf);
  free(q->verdicts);
  pthread_mutex_destroy(&q->lock);
  free(q);
}

kc_nfq_stats kc_nfq_get_stats(kc_nfq *q) {
  pthread_mutex_lock(&q->lock);
  kc_nfq_stats stats = q->stats;
  pthread_mutex_unlock(&q->lock);
  return stats;
}
