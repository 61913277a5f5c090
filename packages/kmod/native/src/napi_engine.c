/* N-API glue: lets TypeScript create a sim engine, insert rules, inject
 * packets, move the virtual clock, call Lua functions and read stats.
 * The per-packet path itself never enters JavaScript. */
#define NAPI_VERSION 8
#include <lauxlib.h>
#include <lua.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "nfqueue.h"
#include "sim.h"

#define LOG_LIMIT 10000
#define CONVERT_DEPTH 32

/* An engine and its backend: the sim (driven from JavaScript) or nfqueue
 * (driven by its packet thread; JavaScript takes the engine lock). */
typedef struct {
  kc_engine *engine;
  kc_sim *sim;
  kc_nfq *nfq;
  pthread_mutex_t log_lock; /* the packet thread logs too */
  char **logs;
  size_t log_count, log_start;
  uint64_t logs_dropped;
  bool log_to_stderr;
} js_engine;

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, NULL, "kcache: N-API call failed: " #call);        \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

#define ARGS(n)                                                                \
  size_t argc = n;                                                             \
  napi_value argv[n];                                                          \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

static void engine_log(void *ud, const char *line) {
  js_engine *je = ud;
  if (je->log_to_stderr) fprintf(stderr, "kcache: %s\n", line);
  pthread_mutex_lock(&je->log_lock);
  if (je->log_count == LOG_LIMIT) {
    free(je->logs[je->log_start]);
    je->log_start = (je->log_start + 1) % LOG_LIMIT;
    je->log_count--;
    je->logs_dropped++;
  }
  je->logs[(je->log_start + je->log_count) % LOG_LIMIT] = strdup(line);
  je->log_count++;
  pthread_mutex_unlock(&je->log_lock);
}

static void lock(js_engine *je) {
  if (je->nfq) pthread_mutex_lock(kc_nfq_lock(je->nfq));
}

static void unlock(js_engine *je) {
  if (je->nfq) pthread_mutex_unlock(kc_nfq_lock(je->nfq));
}

static void free_backend(js_engine *je) {
  if (je->sim) kc_sim_free(je->sim);
  if (je->nfq) kc_nfq_free(je->nfq);
  je->sim = NULL;
  je->nfq = NULL;
  je->engine = NULL;
}

static void engine_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  js_engine *je = data;
  free_backend(je);
  for (size_t i = 0; i < je->log_count; i++) free(je->logs[(je->log_start + i) % LOG_LIMIT]);
  free(je->logs);
  pthread_mutex_destroy(&je->log_lock);
  free(je);
}

static js_engine *get_engine(napi_env env, napi_value v) {
  js_engine *je = NULL;
  if (napi_get_value_external(env, v, (void **)&je) != napi_ok || !je || !je->engine) {
    napi_throw_error(env, NULL, "kcache: engine is closed or invalid");
    return NULL;
  }
  return je;
}

static kc_sim *get_sim(napi_env env, js_engine *je) {
  if (je && !je->sim) napi_throw_error(env, NULL, "kcache: this works on the sim backend only");
  return je ? je->sim : NULL;
}

static bool get_int64(napi_env env, napi_value v, int64_t *out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number) return false;
  return napi_get_value_int64(env, v, out) == napi_ok;
}

/* Reads a string property into buf; false when absent. */
static bool get_string_prop(napi_env env, napi_value obj, const char *name, char *buf, size_t size) {
  bool has;
  napi_value v;
  napi_valuetype t;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return false;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return false;
  if (t != napi_string) return false;
  size_t len;
  return napi_get_value_string_utf8(env, v, buf, size, &len) == napi_ok;
}

static bool get_int_prop(napi_env env, napi_value obj, const char *name, int64_t *out) {
  bool has;
  napi_value v;
  if (napi_has_named_property(env, obj, name, &has) != napi_ok || !has) return false;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return false;
  return get_int64(env, v, out);
}

static napi_value make_int(napi_env env, int64_t value) {
  napi_value v;
  napi_create_int64(env, value, &v);
  return v;
}

static napi_value make_buffer(napi_env env, const uint8_t *data, size_t len) {
  napi_value v;
  void *dst;
  napi_create_buffer_copy(env, len, data, &dst, &v);
  return v;
}

static void set_prop(napi_env env, napi_value obj, const char *name, napi_value v) {
  napi_set_named_property(env, obj, name, v);
}

/* ---- engine lifecycle ----------------------------------------------------- */

static js_engine *new_js_engine(napi_env env, bool to_stderr) {
  js_engine *je = calloc(1, sizeof *je);
  if (!je || !(je->logs = calloc(LOG_LIMIT, sizeof *je->logs))) {
    free(je);
    napi_throw_error(env, NULL, "kcache: out of memory");
    return NULL;
  }
  pthread_mutex_init(&je->log_lock, NULL);
  je->log_to_stderr = to_stderr;
  return je;
}

static napi_value wrap_engine(napi_env env, js_engine *je) {
  napi_value handle;
  if (napi_create_external(env, je, engine_finalize, NULL, &handle) != napi_ok) {
    engine_finalize(env, je, NULL);
    napi_throw_error(env, NULL, "kcache: cannot wrap the engine");
    return NULL;
  }
  return handle;
}

static napi_value sim_create(napi_env env, napi_callback_info info) {
  ARGS(2);
  int64_t seed = 1;
  if (argc > 0) get_int64(env, argv[0], &seed);
  bool to_stderr = false;
  if (argc > 1) napi_get_value_bool(env, argv[1], &to_stderr);
  js_engine *je = new_js_engine(env, to_stderr);
  if (!je) return NULL;
  je->sim = kc_sim_new((uint64_t)seed, engine_log, je);
  if (!je->sim) {
    engine_finalize(env, je, NULL);
    napi_throw_error(env, NULL, "kcache: cannot create the engine");
    return NULL;
  }
  je->engine = je->sim->engine;
  return wrap_engine(env, je);
}

static napi_value nfq_create(napi_env env, napi_callback_info info) {
  ARGS(1);
  kc_nfq_config config = {0};
  int64_t value;
  bool to_stderr = false, has;
  napi_value flag;
  if (get_int_prop(env, argv[0], "queueMaxlen", &value)) config.queue_maxlen = (uint32_t)value;
  if (get_int_prop(env, argv[0], "receiveBuffer", &value)) config.receive_buffer = (int)value;
  if (get_int_prop(env, argv[0], "continueMark", &value)) config.continue_mark = (uint32_t)value;
  if (get_int_prop(env, argv[0], "sentMark", &value)) config.sent_mark = (uint32_t)value;
  if (get_int_prop(env, argv[0], "busyPollUs", &value)) config.busy_poll_us = (uint32_t)value;
  if (napi_has_named_property(env, argv[0], "failOpen", &has) == napi_ok && has &&
      napi_get_named_property(env, argv[0], "failOpen", &flag) == napi_ok)
    napi_get_value_bool(env, flag, &config.fail_open);
  if (napi_has_named_property(env, argv[0], "segmentGso", &has) == napi_ok && has &&
      napi_get_named_property(env, argv[0], "segmentGso", &flag) == napi_ok)
    napi_get_value_bool(env, flag, &config.segment_gso);
  if (napi_has_named_property(env, argv[0], "logToStderr", &has) == napi_ok && has &&
      napi_get_named_property(env, argv[0], "logToStderr", &flag) == napi_ok)
    napi_get_value_bool(env, flag, &to_stderr);
  js_engine *je = new_js_engine(env, to_stderr);
  if (!je) return NULL;
  char err[512];
  je->nfq = kc_nfq_new(&config, engine_log, je, err, sizeof err);
  if (!je->nfq) {
    engine_finalize(env, je, NULL);
    napi_throw_error(env, NULL, err);
    return NULL;
  }
  je->engine = kc_nfq_engine(je->nfq);
  return wrap_engine(env, je);
}

static napi_value nfq_start(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  if (!je->nfq) {
    napi_throw_error(env, NULL, "kcache: not an nfqueue engine");
    return NULL;
  }
  char err[512];
  if (!kc_nfq_start(je->nfq, err, sizeof err)) napi_throw_error(env, NULL, err);
  return NULL;
}

static napi_value nfq_stats(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je || !je->nfq) return NULL;
  kc_nfq_stats s = kc_nfq_get_stats(je->nfq);
  napi_value o;
  napi_create_object(env, &o);
  set_prop(env, o, "received", make_int(env, (int64_t)s.received));
  set_prop(env, o, "verdicts", make_int(env, (int64_t)s.verdicts));
  set_prop(env, o, "verdictBatches", make_int(env, (int64_t)s.verdict_batches));
  set_prop(env, o, "modified", make_int(env, (int64_t)s.modified));
  set_prop(env, o, "held", make_int(env, (int64_t)s.held));
  set_prop(env, o, "released", make_int(env, (int64_t)s.released));
  set_prop(env, o, "sent", make_int(env, (int64_t)s.sent));
  set_prop(env, o, "enobufs", make_int(env, (int64_t)s.enobufs));
  set_prop(env, o, "receiveErrors", make_int(env, (int64_t)s.receive_errors));
  set_prop(env, o, "sendErrors", make_int(env, (int64_t)s.send_errors));
  set_prop(env, o, "malformed", make_int(env, (int64_t)s.malformed));
  set_prop(env, o, "gso", make_int(env, (int64_t)s.gso));
  set_prop(env, o, "checksumsCompleted", make_int(env, (int64_t)s.checksums_completed));
  set_prop(env, o, "truncated", make_int(env, (int64_t)s.truncated));
  set_prop(env, o, "busyPolls", make_int(env, (int64_t)s.busy_polls));
  set_prop(env, o, "busyPollHits", make_int(env, (int64_t)s.busy_poll_hits));
  return o;
}

static napi_value engine_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = NULL;
  if (napi_get_value_external(env, argv[0], (void **)&je) == napi_ok && je) free_backend(je);
  return NULL;
}

/* ---- rules and scripts -------------------------------------------------- */

static bool parse_cidr(const char *text, uint32_t *addr, uint32_t *mask) {
  unsigned a, b, c, d, bits = 32;
  char tail;
  int n = sscanf(text, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &bits, &tail);
  if (n != 4 && n != 5) return false;
  if (a > 255 || b > 255 || c > 255 || d > 255 || bits > 32) return false;
  *addr = a << 24 | b << 16 | c << 8 | d;
  *mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
  return true;
}

static napi_value insert_rule(napi_env env, napi_callback_info info) {
  ARGS(2);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  napi_value spec = argv[1];
  char name[128] = "", hook[32] = "", script[4096] = "", function[128] = "process_packet", text[64];
  int64_t state = 0, fail = KC_NF_DROP, value;
  get_string_prop(env, spec, "name", name, sizeof name);
  if (!get_string_prop(env, spec, "hook", hook, sizeof hook) || kc_hook_from_name(hook) < 0) {
    napi_throw_error(env, NULL, "rule: hook must be one of PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING");
    return NULL;
  }
  if (!get_string_prop(env, spec, "script", script, sizeof script)) {
    napi_throw_error(env, NULL, "rule: script path missing");
    return NULL;
  }
  get_string_prop(env, spec, "function", function, sizeof function);
  get_int_prop(env, spec, "state", &state);
  get_int_prop(env, spec, "failVerdict", &fail);
  kc_rule_spec rs = {
      .name = name, .hook = kc_hook_from_name(hook), .script = script, .function = function,
      .state = (int)state, .fail_verdict = (uint32_t)fail, .queue = -1,
      .match = {.protocol = -1, .sport_min = -1, .sport_max = -1, .dport_min = -1, .dport_max = -1},
  };
  bool has_match;
  napi_value match;
  napi_valuetype match_type = napi_undefined;
  if (napi_has_named_property(env, spec, "match", &has_match) == napi_ok && has_match &&
      napi_get_named_property(env, spec, "match", &match) == napi_ok && napi_typeof(env, match, &match_type) == napi_ok &&
      match_type == napi_object) {
    if (get_int_prop(env, match, "protocol", &value)) rs.match.protocol = (int)value;
    if (get_int_prop(env, match, "sportMin", &value)) rs.match.sport_min = (int)value;
    if (get_int_prop(env, match, "sportMax", &value)) rs.match.sport_max = (int)value;
    if (get_int_prop(env, match, "dportMin", &value)) rs.match.dport_min = (int)value;
    if (get_int_prop(env, match, "dportMax", &value)) rs.match.dport_max = (int)value;
    if (get_string_prop(env, match, "src", text, sizeof text) && !parse_cidr(text, &rs.match.src, &rs.match.src_mask)) {
      napi_throw_error(env, NULL, "rule: bad source address (want a.b.c.d[/n])");
      return NULL;
    }
    if (get_string_prop(env, match, "dst", text, sizeof text) && !parse_cidr(text, &rs.match.dst, &rs.match.dst_mask)) {
      napi_throw_error(env, NULL, "rule: bad destination address (want a.b.c.d[/n])");
      return NULL;
    }
  }
  char err[4096];
  if (get_int_prop(env, spec, "queue", &value)) rs.queue = (int)value;
  lock(je);
  kc_rule *r = kc_engine_insert_rule(je->engine, &rs, err, sizeof err);
  int id = r ? r->id : 0;
  unlock(je);
  if (!r) {
    napi_throw_error(env, NULL, err);
    return NULL;
  }
  return make_int(env, id);
}

static napi_value delete_rule(napi_env env, napi_callback_info info) {
  ARGS(2);
  js_engine *je = get_engine(env, argv[0]);
  int64_t id;
  if (!je || !get_int64(env, argv[1], &id)) return NULL;
  lock(je);
  bool deleted = kc_engine_delete_rule(je->engine, (int)id);
  unlock(je);
  napi_value v;
  napi_get_boolean(env, deleted, &v);
  return v;
}

static napi_value load_script(napi_env env, napi_callback_info info) {
  ARGS(3);
  js_engine *je = get_engine(env, argv[0]);
  int64_t state;
  char path[4096];
  size_t len;
  if (!je || !get_int64(env, argv[1], &state)) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[2], path, sizeof path, &len));
  char err[4096];
  lock(je);
  bool loaded = kc_engine_load_script(je->engine, (int)state, path, err, sizeof err);
  unlock(je);
  if (!loaded) napi_throw_error(env, NULL, err);
  return NULL;
}

static napi_value unload_script(napi_env env, napi_callback_info info) {
  ARGS(3);
  js_engine *je = get_engine(env, argv[0]);
  int64_t state;
  char path[4096];
  size_t len;
  if (!je || !get_int64(env, argv[1], &state)) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[2], path, sizeof path, &len));
  lock(je);
  bool unloaded = kc_engine_unload_script(je->engine, (int)state, path);
  unlock(je);
  napi_value v;
  napi_get_boolean(env, unloaded, &v);
  return v;
}

static napi_value set_budgets(napi_env env, napi_callback_info info) {
  ARGS(5);
  js_engine *je = get_engine(env, argv[0]);
  int64_t state, instructions = -1, memory = 0, time_us = 0;
  if (!je || !get_int64(env, argv[1], &state)) return NULL;
  get_int64(env, argv[2], &instructions);
  get_int64(env, argv[3], &memory);
  get_int64(env, argv[4], &time_us);
  lock(je);
  bool set = kc_engine_set_budgets(je->engine, (int)state, instructions, (size_t)(memory > 0 ? memory : 0), time_us);
  unlock(je);
  if (!set) napi_throw_error(env, NULL, "cannot create the state");
  return NULL;
}

/* ---- packets and time ---------------------------------------------------- */

static napi_value inject(napi_env env, napi_callback_info info) {
  ARGS(7);
  js_engine *je = get_engine(env, argv[0]);
  int64_t hook, indev = 0, outdev = 0;
  if (!get_sim(env, je)) return NULL;
  if (!get_int64(env, argv[1], &hook) || hook < 0 || hook >= KC_HOOKS) {
    napi_throw_error(env, NULL, "inject: bad hook");
    return NULL;
  }
  void *data;
  size_t len;
  bool is_buffer;
  CHECK(napi_is_typedarray(env, argv[2], &is_buffer));
  if (!is_buffer) {
    napi_throw_type_error(env, NULL, "inject: packet must be a Uint8Array");
    return NULL;
  }
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &len, &data, &ab, &offset));
  kc_sim_meta meta = {0};
  if (argc > 3 && get_int64(env, argv[3], &indev)) meta.indev = (uint32_t)indev;
  if (argc > 4 && get_int64(env, argv[4], &outdev)) meta.outdev = (uint32_t)outdev;
  bool has_hw = false;
  if (argc > 5) napi_is_typedarray(env, argv[5], &has_hw);
  if (has_hw) {
    napi_typedarray_type hw_type;
    size_t hw_len, hw_offset;
    void *hw;
    napi_value hw_ab;
    CHECK(napi_get_typedarray_info(env, argv[5], &hw_type, &hw_len, &hw, &hw_ab, &hw_offset));
    if (hw_len > sizeof meta.hwaddr) {
      napi_throw_range_error(env, NULL, "inject: hwaddr longer than 8 bytes");
      return NULL;
    }
    memcpy(meta.hwaddr, hw, hw_len);
    meta.hwaddr_len = (uint8_t)hw_len;
  }
  if (argc > 6) napi_get_value_bool(env, argv[6], &meta.checksum_partial);
  kc_sim_verdict v;
  if (!kc_sim_inject(je->sim, (int)hook, data, len, &meta, &v)) {
    free(v.data);
    napi_throw_error(env, NULL, "inject: out of memory");
    return NULL;
  }
  napi_value out, b1, b2;
  CHECK(napi_create_object(env, &out));
  set_prop(env, out, "verdict", make_int(env, v.verdict));
  napi_get_boolean(env, v.held, &b1);
  set_prop(env, out, "held", b1);
  napi_get_boolean(env, v.modified, &b2);
  set_prop(env, out, "modified", b2);
  set_prop(env, out, "packet", make_buffer(env, v.data, v.len));
  free(v.data);
  return out;
}

static napi_value advance_us(napi_env env, napi_callback_info info) {
  ARGS(2);
  js_engine *je = get_engine(env, argv[0]);
  int64_t us;
  if (!get_sim(env, je) || !get_int64(env, argv[1], &us)) return NULL;
  kc_sim_advance_us(je->sim, us);
  return NULL;
}

static napi_value now_us(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  if (je->sim) return make_int(env, je->sim->now_us);
  lock(je);
  int64_t now = je->engine->backend.now_us(je->engine->backend.ctx);
  unlock(je);
  return make_int(env, now);
}

static napi_value packet_list(napi_env env, kc_sim_packet *list, bool with_verdict) {
  napi_value array;
  uint32_t i = 0;
  napi_create_array(env, &array);
  for (kc_sim_packet *p = list; p; p = p->next, i++) {
    napi_value item = make_buffer(env, p->data, p->len);
    if (with_verdict) {
      napi_value obj;
      napi_create_object(env, &obj);
      set_prop(env, obj, "verdict", make_int(env, p->verdict));
      set_prop(env, obj, "packet", item);
      item = obj;
    }
    napi_set_element(env, array, i, item);
  }
  kc_sim_free_list(list);
  return array;
}

static napi_value take_sent(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  return get_sim(env, je) ? packet_list(env, kc_sim_take_sent(je->sim), false) : NULL;
}

static napi_value take_released(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  return get_sim(env, je) ? packet_list(env, kc_sim_take_released(je->sim), true) : NULL;
}

static napi_value take_logs(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  napi_value array;
  napi_create_array(env, &array);
  pthread_mutex_lock(&je->log_lock);
  for (size_t i = 0; i < je->log_count; i++) {
    char *line = je->logs[(je->log_start + i) % LOG_LIMIT];
    napi_value s;
    napi_create_string_utf8(env, line ? line : "", NAPI_AUTO_LENGTH, &s);
    napi_set_element(env, array, (uint32_t)i, s);
    free(line);
  }
  je->log_count = 0;
  je->log_start = 0;
  pthread_mutex_unlock(&je->log_lock);
  return array;
}

static napi_value stats(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  kc_engine *e = je->engine;
  napi_value array;
  napi_create_array(env, &array);
  uint32_t i = 0;
  lock(je);
  for (kc_rule *r = e->rules; r; r = r->next, i++) {
    napi_value o, name, verdicts;
    napi_create_object(env, &o);
    set_prop(env, o, "id", make_int(env, r->id));
    napi_create_string_utf8(env, r->name, NAPI_AUTO_LENGTH, &name);
    set_prop(env, o, "name", name);
    set_prop(env, o, "state", make_int(env, r->state->id));
    set_prop(env, o, "packets", make_int(env, (int64_t)r->stats.packets));
    napi_create_array(env, &verdicts);
    for (uint32_t k = 0; k < KC_VERDICT_SLOTS; k++) napi_set_element(env, verdicts, k, make_int(env, (int64_t)r->stats.verdicts[k]));
    set_prop(env, o, "verdicts", verdicts);
    set_prop(env, o, "errors", make_int(env, (int64_t)r->stats.errors));
    set_prop(env, o, "instructionAborts", make_int(env, (int64_t)r->stats.instruction_aborts));
    set_prop(env, o, "timeAborts", make_int(env, (int64_t)r->stats.time_aborts));
    set_prop(env, o, "memoryAborts", make_int(env, (int64_t)r->stats.memory_aborts));
    set_prop(env, o, "badReturns", make_int(env, (int64_t)r->stats.bad_returns));
    set_prop(env, o, "luaNs", make_int(env, (int64_t)r->stats.lua_ns));
    napi_set_element(env, array, i, o);
  }
  unlock(je);
  return array;
}

static napi_value engine_counters(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  kc_engine *e = je->engine;
  napi_value o;
  napi_create_object(env, &o);
  lock(je);
  set_prop(env, o, "sends", make_int(env, (int64_t)e->sends));
  set_prop(env, o, "sendErrors", make_int(env, (int64_t)e->send_errors));
  set_prop(env, o, "released", make_int(env, (int64_t)e->released));
  set_prop(env, o, "held", make_int(env, e->held_count));
  set_prop(env, o, "timers", make_int(env, e->timers.count));
  set_prop(env, o, "timerErrors", make_int(env, (int64_t)e->timer_errors));
  set_prop(env, o, "logsDropped", make_int(env, (int64_t)je->logs_dropped));
  uint32_t states = 0;
  for (kc_state *s = e->states; s; s = s->next) states++;
  set_prop(env, o, "states", make_int(env, states));
  unlock(je);
  return o;
}

/* ---- the content store ---------------------------------------------------- */

static napi_value store_configure(napi_env env, napi_callback_info info) {
  ARGS(3);
  js_engine *je = get_engine(env, argv[0]);
  int64_t budget = 0, max_entry = 0;
  if (!je) return NULL;
  get_int64(env, argv[1], &budget);
  get_int64(env, argv[2], &max_entry);
  if (budget < 0 || max_entry < 0) {
    napi_throw_range_error(env, NULL, "store: sizes must be positive");
    return NULL;
  }
  lock(je);
  kc_engine *e = je->engine;
  kc_store_configure(e->store, (size_t)budget, (size_t)max_entry, e->backend.now_us(e->backend.ctx));
  unlock(je);
  return NULL;
}

static napi_value store_stats(napi_env env, napi_callback_info info) {
  ARGS(1);
  js_engine *je = get_engine(env, argv[0]);
  if (!je) return NULL;
  kc_store *s = je->engine->store;
  napi_value o;
  napi_create_object(env, &o);
  lock(je);
  set_prop(env, o, "entries", make_int(env, (int64_t)s->entries));
  set_prop(env, o, "bytes", make_int(env, (int64_t)s->bytes));
  set_prop(env, o, "budget", make_int(env, (int64_t)s->budget));
  set_prop(env, o, "maxEntry", make_int(env, (int64_t)s->max_entry));
  set_prop(env, o, "hits", make_int(env, (int64_t)s->stats.hits));
  set_prop(env, o, "misses", make_int(env, (int64_t)s->stats.misses));
  set_prop(env, o, "evictions", make_int(env, (int64_t)s->stats.evictions));
  set_prop(env, o, "rejected", make_int(env, (int64_t)s->stats.rejected));
  set_prop(env, o, "expired", make_int(env, (int64_t)s->stats.expired));
  set_prop(env, o, "abandoned", make_int(env, (int64_t)s->stats.abandoned));
  unlock(je);
  return o;
}

/* ---- calling Lua --------------------------------------------------------- */

/* JS -> Lua. Strings are byte strings: one byte per char code (must be <= 0xFF). */
static bool push_js_value(napi_env env, lua_State *L, napi_value v, int depth, char *err, size_t errlen) {
  napi_valuetype t;
  if (depth > CONVERT_DEPTH) {
    snprintf(err, errlen, "argument nested too deeply");
    return false;
  }
  luaL_checkstack(L, 4, "call arguments"); /* raises inside call_protected */
  napi_typeof(env, v, &t);
  switch (t) {
    case napi_undefined:
    case napi_null: lua_pushnil(L); return true;
    case napi_boolean: {
      bool b;
      napi_get_value_bool(env, v, &b);
      lua_pushboolean(L, b);
      return true;
    }
    case napi_number: {
      double d;
      napi_get_value_double(env, v, &d);
      if (d != (double)(int64_t)d) {
        snprintf(err, errlen, "number %g is not an integer (bundles are integer-only)", d);
        return false;
      }
      lua_pushinteger(L, (lua_Integer)d);
      return true;
    }
    case napi_bigint: {
      int64_t i;
      bool lossless;
      napi_get_value_bigint_int64(env, v, &i, &lossless);
      lua_pushinteger(L, i);
      return true;
    }
    case napi_string: {
      size_t len;
      napi_get_value_string_utf16(env, v, NULL, 0, &len);
      char16_t *units = malloc((len + 1) * sizeof *units);
      char *bytes = malloc(len + 1);
      if (!units || !bytes) {
        free(units);
        free(bytes);
        snprintf(err, errlen, "out of memory");
        return false;
      }
      napi_get_value_string_utf16(env, v, units, len + 1, &len);
      for (size_t i = 0; i < len; i++) {
        if (units[i] > 0xff) {
          free(units);
          free(bytes);
          snprintf(err, errlen, "string argument has a character above U+00FF (pass a Buffer for UTF-8 text)");
          return false;
        }
        bytes[i] = (char)units[i];
      }
      lua_pushlstring(L, bytes, len);
      free(units);
      free(bytes);
      return true;
    }
    case napi_object: {
      bool is_typed, is_array;
      napi_is_typedarray(env, v, &is_typed);
      if (is_typed) {
        napi_typedarray_type type;
        size_t len, offset;
        void *data;
        napi_value ab;
        napi_get_typedarray_info(env, v, &type, &len, &data, &ab, &offset);
        lua_pushlstring(L, data, len);
        return true;
      }
      napi_is_array(env, v, &is_array);
      lua_newtable(L);
      if (is_array) {
        uint32_t n;
        napi_get_array_length(env, v, &n);
        for (uint32_t i = 0; i < n; i++) {
          napi_value item;
          napi_get_element(env, v, i, &item);
          if (!push_js_value(env, L, item, depth + 1, err, errlen)) return false;
          lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        return true;
      }
      napi_value keys;
      uint32_t n;
      napi_get_property_names(env, v, &keys);
      napi_get_array_length(env, keys, &n);
      for (uint32_t i = 0; i < n; i++) {
        napi_value key, item;
        char name[256];
        size_t len;
        napi_get_element(env, keys, i, &key);
        napi_get_value_string_utf8(env, key, name, sizeof name, &len);
        napi_get_property(env, v, key, &item);
        lua_pushlstring(L, name, len);
        if (!push_js_value(env, L, item, depth + 1, err, errlen)) return false;
        lua_rawset(L, -3);
      }
      return true;
    }
    default: snprintf(err, errlen, "cannot pass a %d value to Lua", (int)t); return false;
  }
}

static napi_value lua_string_to_js(napi_env env, const char *s, size_t len) {
  napi_value v;
  napi_create_string_latin1(env, s, len, &v);
  return v;
}

/* Lua -> JS. Sequences become arrays (an empty table too), other tables objects. */
static napi_value to_js_value(napi_env env, lua_State *L, int idx, int depth) {
  napi_value v;
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN: napi_get_boolean(env, lua_toboolean(L, idx), &v); return v;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        if (i > 9007199254740991LL || i < -9007199254740991LL) napi_create_bigint_int64(env, i, &v);
        else napi_create_int64(env, i, &v);
      } else {
        napi_create_double(env, lua_tonumber(L, idx), &v);
      }
      return v;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, idx, &len);
      return lua_string_to_js(env, s, len);
    }
    case LUA_TTABLE: {
      if (depth > CONVERT_DEPTH) {
        napi_get_null(env, &v);
        return v;
      }
      lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        count++;
        lua_pop(L, 1);
      }
      luaL_checkstack(L, 4, "results");
      if (count == n) {
        napi_create_array_with_length(env, (size_t)n, &v);
        for (lua_Integer i = 1; i <= n; i++) {
          lua_rawgeti(L, idx, i);
          napi_set_element(env, v, (uint32_t)(i - 1), to_js_value(env, L, -1, depth + 1));
          lua_pop(L, 1);
        }
        return v;
      }
      napi_create_object(env, &v);
      lua_pushnil(L);
      while (lua_next(L, idx)) {
        lua_pushvalue(L, -2);
        const char *key = lua_tostring(L, -1); /* a copy of the key: tostring does not disturb lua_next */
        napi_set_named_property(env, v, key ? key : "?", to_js_value(env, L, -2, depth + 1));
        lua_pop(L, 2);
      }
      return v;
    }
    case LUA_TUSERDATA: {
      size_t len;
      const uint8_t *data = kc_bytes_or_string(L, idx, &len); /* raises on a dead view: inside call_protected */
      if (data) return lua_string_to_js(env, (const char *)data, len);
      napi_create_string_utf8(env, luaL_tolstring(L, idx, NULL), NAPI_AUTO_LENGTH, &v);
      lua_pop(L, 1);
      return v;
    }
    case LUA_TNIL:
    case LUA_TNONE: napi_get_null(env, &v); return v;
    default: {
      const char *text = luaL_tolstring(L, idx, NULL);
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
      lua_pop(L, 1);
      return v;
    }
  }
}

/* Everything that touches the Lua stack runs inside lua_pcall: conversions
 * may raise (memory budget, __tostring) and must not reach Lua's panic. */
typedef struct {
  napi_env env;
  napi_value args;
  kc_context *context;
  const char *name;
  napi_value result;
  char err[8192];
  bool type_error;
} call_job;

static int call_protected(lua_State *L) {
  call_job *job = lua_touserdata(L, 1);
  napi_env env = job->env;
  lua_settop(L, 0);
  kc_state_push_function(job->context->state, job->context->index, NULL, job->name);
  if (!lua_isfunction(L, -1)) {
    snprintf(job->err, sizeof job->err, "state %d: no function '%s'", job->context->state->id, job->name);
    return 0;
  }
  uint32_t nargs = 0;
  napi_get_array_length(env, job->args, &nargs);
  for (uint32_t i = 0; i < nargs; i++) {
    napi_value arg;
    napi_get_element(env, job->args, i, &arg);
    if (!push_js_value(env, L, arg, 0, job->err, sizeof job->err)) {
      job->type_error = true;
      return 0;
    }
  }
  if (kc_context_call(job->context, (int)nargs, LUA_MULTRET, job->name, job->err, sizeof job->err) != LUA_OK) return 0;
  int results = lua_gettop(L);
  napi_create_array_with_length(env, (size_t)results, &job->result);
  for (int i = 1; i <= results; i++) napi_set_element(env, job->result, (uint32_t)(i - 1), to_js_value(env, L, i, 0));
  return 0;
}

static napi_value call_lua(napi_env env, napi_callback_info info) {
  ARGS(5);
  js_engine *je = get_engine(env, argv[0]);
  int64_t state_id, context;
  char name[256];
  size_t len;
  if (!je || !get_int64(env, argv[1], &state_id) || !get_int64(env, argv[2], &context)) return NULL;
  CHECK(napi_get_value_string_utf8(env, argv[3], name, sizeof name, &len));
  call_job job = {.env = env, .args = argv[4], .name = name, .result = NULL};
  lock(je);
  kc_state *s = kc_engine_state(je->engine, (int)state_id, false, job.err, sizeof job.err);
  if (!s) {
    unlock(je);
    napi_throw_error(env, NULL, job.err);
    return NULL;
  }
  job.context = &s->contexts[context == KC_CONTEXT_PROCESS ? KC_CONTEXT_PROCESS : KC_CONTEXT_INTERRUPT];
  lua_State *L = job.context->L;
  int base = lua_gettop(L);
  lua_pushcfunction(L, call_protected);
  lua_pushlightuserdata(L, &job);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    snprintf(job.err, sizeof job.err, "%s: %s", name, lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
    job.result = NULL;
  }
  lua_settop(L, base);
  unlock(je);
  if (!job.result) {
    if (job.type_error) napi_throw_type_error(env, NULL, job.err);
    else napi_throw_error(env, NULL, job.err);
  }
  return job.result;
}

static napi_value init(napi_env env, napi_value exports) {
  static const struct {
    const char *name;
    napi_callback fn;
  } functions[] = {
      {"simCreate", sim_create},     {"close", engine_close},         {"insertRule", insert_rule},
      {"deleteRule", delete_rule},   {"loadScript", load_script},     {"unloadScript", unload_script},
      {"setBudgets", set_budgets},   {"inject", inject},              {"advanceUs", advance_us},
      {"nowUs", now_us},             {"takeSent", take_sent},         {"takeReleased", take_released},
      {"takeLogs", take_logs},       {"stats", stats},                {"counters", engine_counters},
      {"call", call_lua},           {"storeConfigure", store_configure}, {"storeStats", store_stats},
      {"nfqCreate", nfq_create},     {"nfqStart", nfq_start},         {"nfqStats", nfq_stats},
  };
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    napi_value fn;
    napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &fn);
    napi_set_named_property(env, exports, functions[i].name, fn);
  }
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
