/* The engine: Lua states (two contexts each), rules, and the per-packet path.
 *
 * Backends (sim, nfqueue) feed packets to kc_engine_dispatch() and carry out
 * what scripts ask for (verdicts, sends, releases) through kc_backend. The
 * engine is single-threaded: one thread drives each engine.
 */
#ifndef KCACHE_ENGINE_H
#define KCACHE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "packet.h"
#include "store.h"
#include "timers.h"
#include "watchdog.h"

struct lua_State;

/* netfilter's verdicts and XT_CONTINUE. */
enum {
  KC_NF_DROP = 0,
  KC_NF_ACCEPT = 1,
  KC_NF_STOLEN = 2,
  KC_NF_QUEUE = 3,
  KC_NF_REPEAT = 4,
};
#define KC_XT_CONTINUE 0xFFFFFFFFu
/* Index of XT_CONTINUE in verdict counters. */
#define KC_VERDICT_SLOTS 6

enum { KC_HOOK_PRE_ROUTING, KC_HOOK_LOCAL_IN, KC_HOOK_FORWARD, KC_HOOK_LOCAL_OUT, KC_HOOK_POST_ROUTING, KC_HOOKS };

enum { KC_CONTEXT_INTERRUPT = 0, KC_CONTEXT_PROCESS = 1, KC_CONTEXTS };

/* Budgets per call: a time budget (watchdog, no per-instruction cost) by
 * default; an instruction budget (count hook: deterministic, slower) when set. */
#define KC_DEFAULT_TIME_BUDGET_US 50000
#define KC_DEFAULT_MEMORY (64u << 20)
#define KC_MAX_HELD_DEFAULT 65536
#define KC_MAX_SEND_PARTS 64
/* Registry keys of the method tables of byte arrays and packets. */
#define KC_BYTES_METHODS "kcache.Bytes.methods"
#define KC_PACKET_METHODS "kcache.Packet.methods"

typedef struct kc_engine kc_engine;
typedef struct kc_state kc_state;

typedef struct kc_backend {
  void *ctx;
  int64_t (*now_us)(void *ctx);
  /* Sends a complete IPv4 packet given as parts; 0 or -errno. */
  int (*send)(void *ctx, const struct iovec *parts, int count);
  /* Sends an IPv4/TCP super-segment (first part: the headers) cut into `mss`-byte segments, out of
   * interface `ifindex` to link-layer address `mac`; 0 or -errno. */
  int (*send_gso)(void *ctx, int ifindex, const uint8_t mac[6], uint16_t mss, const struct iovec *parts, int count);
  /* Sends a complete IPv4 packet as a frame out of `ifindex` to `mac` (the link layer directly); 0 or -errno. */
  int (*send_l2)(void *ctx, int ifindex, const uint8_t mac[6], const struct iovec *parts, int count);
  /* A held packet got its verdict (data/len: the bytes to carry on; modified: they differ from what came in). */
  void (*release)(void *ctx, kc_packet *pkt, uint32_t verdict, const uint8_t *data, size_t len, bool modified);
  /* 32 random bits. */
  uint32_t (*random32)(void *ctx);
} kc_backend;

typedef enum { KC_ABORT_NONE, KC_ABORT_INSTRUCTIONS, KC_ABORT_TIME, KC_ABORT_MEMORY } kc_abort;

/* One Lua state: the interrupt or the process context of a state id. */
typedef struct kc_context {
  struct lua_State *L;
  kc_state *state;
  int index; /* KC_CONTEXT_* */
  size_t memory_used;
  size_t memory_limit;
  kc_abort abort;
} kc_context;

typedef struct kc_script {
  char *path;
  int module_ref[KC_CONTEXTS]; /* what the chunk returned, or LUA_REFNIL */
  int refs;
  struct kc_script *next;
} kc_script;

struct kc_state {
  int id;
  int refs; /* rules + explicit loads */
  kc_engine *engine;
  kc_context contexts[KC_CONTEXTS];
  kc_script *scripts;
  int64_t instruction_budget; /* 0: the time budget applies */
  int64_t time_budget_us;
  struct kc_state *next;
};

typedef struct kc_match {
  int protocol;          /* -1: any */
  int sport_min, sport_max; /* -1: any */
  int dport_min, dport_max;
  uint32_t src, src_mask, dst, dst_mask; /* host order; mask 0: any */
} kc_match;

typedef struct kc_rule_stats {
  uint64_t packets;
  uint64_t verdicts[KC_VERDICT_SLOTS];
  uint64_t errors;
  uint64_t instruction_aborts;
  uint64_t time_aborts;
  uint64_t memory_aborts;
  uint64_t bad_returns;
  uint64_t lua_ns; /* estimated from one call in KC_TIMING_SAMPLE */
} kc_rule_stats;

/* Time spent in Lua is measured on one call in this many (the clock costs as much as a small hook). */
#define KC_TIMING_SAMPLE 16

typedef struct kc_rule {
  int id;
  char *name;
  int hook;
  kc_match match;
  kc_state *state;
  kc_script *script;
  char *function;
  int function_ref;
  uint32_t fail_verdict;
  int queue; /* nfqueue backend: its queue number; -1 otherwise */
  kc_rule_stats stats;
  struct kc_rule *next;
} kc_rule;

typedef struct kc_rule_spec {
  const char *name;
  int hook;
  kc_match match;
  const char *script;
  const char *function; /* NULL: process_packet */
  int state;
  uint32_t fail_verdict;
  int queue;
} kc_rule_spec;

/* What a hook decided for a packet. */
typedef struct kc_result {
  uint32_t verdict;
  bool held;            /* NF_STOLEN and kept by the script: the backend keeps it too */
  bool modified;        /* data/len differ from what came in */
  const uint8_t *data;  /* the bytes to carry on (valid until the next dispatch) */
  size_t len;
} kc_result;

typedef void (*kc_log_fn)(void *ud, const char *line);

typedef struct kc_held_slot {
  kc_packet *pkt;
  uint32_t generation;
  uint32_t next_free;
} kc_held_slot;

struct kc_engine {
  kc_backend backend;
  kc_state *states;
  kc_rule *rules; /* in insertion order */
  int next_rule_id;
  kc_timers timers;
  kc_packet_pool packets;
  kc_store *store; /* shared by every state; outlives script reloads */
  kc_watchdog *watchdog;
  kc_held_slot *held;
  uint32_t held_capacity, held_count, held_free, held_limit;
  uint8_t *replacement; /* the bytes of the last replacement verdict */
  size_t replacement_cap;
  kc_log_fn log;
  void *log_ud;
  uint64_t sends, send_errors, released;
  uint64_t timer_errors;
};

kc_engine *kc_engine_new(const kc_backend *backend, kc_log_fn log, void *log_ud);
void kc_engine_free(kc_engine *e);
void kc_engine_logf(kc_engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* States and scripts. Errors are written to err (size errlen). */
kc_state *kc_engine_state(kc_engine *e, int id, bool create, char *err, size_t errlen);
kc_script *kc_state_load_script(kc_state *s, const char *path, char *err, size_t errlen);
void kc_state_unref(kc_state *s);
/* Pushes the function `name` exported by `only` (or by any script of the state when NULL), else the global. */
void kc_state_push_function(kc_state *s, int context, kc_script *only, const char *name);
bool kc_engine_load_script(kc_engine *e, int state_id, const char *path, char *err, size_t errlen);
bool kc_engine_unload_script(kc_engine *e, int state_id, const char *path);
/* instructions < 0, memory 0, time_us 0: keep; instructions 0: use the time budget. */
bool kc_engine_set_budgets(kc_engine *e, int state_id, int64_t instructions, size_t memory, int64_t time_us);

/* Rules. Insertion loads the script into its state; returns NULL (and err) on failure. */
kc_rule *kc_engine_insert_rule(kc_engine *e, const kc_rule_spec *spec, char *err, size_t errlen);
bool kc_engine_delete_rule(kc_engine *e, int rule_id);
kc_rule *kc_engine_rule(kc_engine *e, int rule_id);
bool kc_match_packet(const kc_match *m, const uint8_t *data, size_t len);

/* The per-packet path: runs one rule's hook function on a packet. */
kc_result kc_rule_run(kc_engine *e, kc_rule *rule, kc_packet *pkt);
/* Runs the matching rules of the packet's hook in order (sim): XT_CONTINUE goes on, the end accepts. */
kc_result kc_engine_dispatch(kc_engine *e, kc_packet *pkt);

/* Fires the timers due at `now_us` (the backend's clock). */
void kc_engine_run_timers(kc_engine *e, int64_t now_us);

/* Held packets. */
uint64_t kc_engine_hold(kc_engine *e, kc_packet *pkt, char *err, size_t errlen);
bool kc_engine_release(kc_engine *e, uint64_t handle, uint32_t verdict, const uint8_t *data, size_t len, bool replace);

/* Context helpers (lua_context.c). */
kc_context *kc_context_of(struct lua_State *L);
bool kc_context_open(kc_context *c, kc_state *s, int index, size_t memory_limit, char *err, size_t errlen);
void kc_context_close(kc_context *c);
/* Makes sure a call can start (pushing its arguments outside protection):
 * collects garbage when memory is short; false when the budget is exhausted. */
bool kc_context_reserve(kc_context *c);
/* Calls the function below `nargs` arguments on the stack under the budgets.
 * On error leaves nothing and writes the message (with a traceback) to err,
 * or logs it as `what` when err is NULL; else leaves nresults. */
int kc_context_call(kc_context *c, int nargs, int nresults, const char *what, char *err, size_t errlen);
/* The same with the stack already laid out as: handler, function, arguments
 * (the per-packet path pushes them in this order to avoid moving them).
 * On success the handler stays below the results. */
int kc_context_pcall(kc_context *c, int nargs, int nresults, const char *what, char *err, size_t errlen);
void kc_context_push_handler(kc_context *c);

/* The `kmod` table and globals (api.c), byte arrays and packets (bytes.c). */
void kc_api_open(struct lua_State *L, kc_context *c);
void kc_bytes_open(struct lua_State *L);
void kc_packet_push(struct lua_State *L, kc_packet *pkt);
/* Pushes a new zeroed byte array of its own; returns its bytes. */
uint8_t *kc_bytes_new(struct lua_State *L, size_t len);
/* Pushes a byte array viewing pkt's bytes [offset, offset+len). */
void kc_bytes_push_packet_view(struct lua_State *L, kc_packet *pkt, size_t offset, size_t len);
/* Pushes a read-only byte array viewing a committed store entry's bytes. */
void kc_bytes_push_store_view(struct lua_State *L, const kc_entry *e, size_t offset, size_t len);
/* The `kmod.store` table (lua_store.c), set into the table on top of the stack. */
void kc_store_api_open(struct lua_State *L);
/* Reads a string or byte array argument; NULL if neither (or a dead view: raises). */
const uint8_t *kc_bytes_or_string(struct lua_State *L, int idx, size_t *len);

bool kc_verdict_valid(int64_t v);
int kc_verdict_slot(uint32_t v);
const char *kc_hook_name(int hook);
int kc_hook_from_name(const char *name);

#endif
