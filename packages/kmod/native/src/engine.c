/* States, scripts, rules, timers and held packets; and the per-packet path,
 * kc_rule_run(): from a packet to its verdict. */
#include "engine.h"

#include <arpa/inet.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMERS_PER_RUN_LIMIT 1000000

static const char *const HOOK_NAMES[KC_HOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"};

const char *kc_hook_name(int hook) { return hook >= 0 && hook < KC_HOOKS ? HOOK_NAMES[hook] : "?"; }

int kc_hook_from_name(const char *name) {
  for (int i = 0; i < KC_HOOKS; i++)
    if (strcmp(name, HOOK_NAMES[i]) == 0) return i;
  return -1;
}

bool kc_verdict_valid(int64_t v) { return (v >= KC_NF_DROP && v <= KC_NF_REPEAT) || v == (int64_t)KC_XT_CONTINUE; }

int kc_verdict_slot(uint32_t v) { return v == KC_XT_CONTINUE ? 5 : (int)v; }

static int64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void kc_engine_logf(kc_engine *e, const char *fmt, ...) {
  char line[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (e->log) e->log(e->log_ud, line);
}

kc_engine *kc_engine_new(const kc_backend *backend, kc_log_fn log, void *log_ud) {
  kc_engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->backend = *backend;
  e->log = log;
  e->log_ud = log_ud;
  e->next_rule_id = 1;
  e->held_limit = KC_MAX_HELD_DEFAULT;
  e->held_free = UINT32_MAX;
  kc_timers_init(&e->timers);
  kc_packet_pool_init(&e->packets);
  e->store = kc_store_new(KC_STORE_DEFAULT_BUDGET, KC_STORE_DEFAULT_MAX_ENTRY);
  e->watchdog = kc_watchdog_new();
  if (!e->store || !e->watchdog) {
    kc_store_free(e->store);
    kc_watchdog_free(e->watchdog);
    free(e);
    return NULL;
  }
  return e;
}

/* ---- states and scripts ------------------------------------------------ */

static kc_state *find_state(kc_engine *e, int id) {
  for (kc_state *s = e->states; s; s = s->next)
    if (s->id == id) return s;
  return NULL;
}

kc_state *kc_engine_state(kc_engine *e, int id, bool create, char *err, size_t errlen) {
  kc_state *s = find_state(e, id);
  if (s || !create) {
    if (!s) snprintf(err, errlen, "no state %d", id);
    return s;
  }
  s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  s->id = id;
  s->engine = e;
  s->time_budget_us = KC_DEFAULT_TIME_BUDGET_US;
  for (int i = 0; i < KC_CONTEXTS; i++) {
    if (!kc_context_open(&s->contexts[i], s, i, KC_DEFAULT_MEMORY, err, errlen)) {
      for (int j = 0; j < i; j++) kc_context_close(&s->contexts[j]);
      free(s);
      return NULL;
    }
  }
  s->next = e->states;
  e->states = s;
  return s;
}

static void free_state(kc_engine *e, kc_state *s) {
  for (kc_state **p = &e->states; *p; p = &(*p)->next) {
    if (*p == s) {
      *p = s->next;
      break;
    }
  }
  /* Its timers go with it: their functions live in its Lua states. */
  for (uint32_t i = 0; i < e->timers.capacity; i++) {
    kc_timer *t = &e->timers.slots[i];
    if (t->in_use && t->state_id == s->id) {
      free(t->name);
      free(t->data);
      kc_timers_remove(&e->timers, t);
    }
  }
  for (int i = 0; i < KC_CONTEXTS; i++) kc_context_close(&s->contexts[i]);
  while (s->scripts) {
    kc_script *next = s->scripts->next;
    free(s->scripts->path);
    free(s->scripts);
    s->scripts = next;
  }
  free(s);
}

void kc_state_unref(kc_state *s) {
  if (--s->refs <= 0) free_state(s->engine, s);
}

kc_script *kc_state_load_script(kc_state *s, const char *path, char *err, size_t errlen) {
  for (kc_script *sc = s->scripts; sc; sc = sc->next) {
    if (strcmp(sc->path, path) == 0) {
      sc->refs++;
      return sc;
    }
  }
  kc_script *sc = calloc(1, sizeof *sc);
  if (!sc || !(sc->path = strdup(path))) {
    free(sc);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  for (int i = 0; i < KC_CONTEXTS; i++) {
    kc_context *c = &s->contexts[i];
    sc->module_ref[i] = LUA_REFNIL;
    int status = luaL_loadfilex(c->L, path, "t");
    if (status != LUA_OK) {
      snprintf(err, errlen, "%s", lua_tostring(c->L, -1));
      lua_pop(c->L, 1);
    } else {
      /* Running a bundle's top level may take more than one hook call's budget. */
      int64_t instructions = s->instruction_budget, time_us = s->time_budget_us;
      s->instruction_budget = instructions * 10;
      s->time_budget_us = time_us * 10;
      status = kc_context_call(c, 0, 1, path, err, errlen);
      s->instruction_budget = instructions;
      s->time_budget_us = time_us;
      if (status == LUA_OK) {
        if (lua_istable(c->L, -1)) sc->module_ref[i] = luaL_ref(c->L, LUA_REGISTRYINDEX);
        else lua_pop(c->L, 1);
      }
    }
    if (status != LUA_OK) {
      for (int j = 0; j < i; j++) luaL_unref(s->contexts[j].L, LUA_REGISTRYINDEX, sc->module_ref[j]);
      free(sc->path);
      free(sc);
      return NULL;
    }
  }
  sc->refs = 1;
  sc->next = s->scripts;
  s->scripts = sc;
  return sc;
}

static void script_unref(kc_state *s, kc_script *sc) {
  if (--sc->refs > 0) return;
  for (kc_script **p = &s->scripts; *p; p = &(*p)->next) {
    if (*p == sc) {
      *p = sc->next;
      break;
    }
  }
  for (int i = 0; i < KC_CONTEXTS; i++) luaL_unref(s->contexts[i].L, LUA_REGISTRYINDEX, sc->module_ref[i]);
  free(sc->path);
  free(sc);
}

/* Pushes the function `name` exported by a script of the state (or a global), or nil. */
void kc_state_push_function(kc_state *s, int context, kc_script *only, const char *name) {
  lua_State *L = s->contexts[context].L;
  for (kc_script *sc = only ? only : s->scripts; sc; sc = only ? NULL : sc->next) {
    if (sc->module_ref[context] == LUA_REFNIL) continue;
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->module_ref[context]);
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    if (lua_isfunction(L, -1)) return;
    lua_pop(L, 1);
  }
  lua_getglobal(L, name);
}

bool kc_engine_load_script(kc_engine *e, int state_id, const char *path, char *err, size_t errlen) {
  kc_state *s = kc_engine_state(e, state_id, true, err, errlen);
  if (!s) return false;
  s->refs++;
  if (!kc_state_load_script(s, path, err, errlen)) {
    kc_state_unref(s);
    return false;
  }
  return true;
}

bool kc_engine_unload_script(kc_engine *e, int state_id, const char *path) {
  kc_state *s = find_state(e, state_id);
  if (!s) return false;
  for (kc_script *sc = s->scripts; sc; sc = sc->next) {
    if (strcmp(sc->path, path) == 0) {
      script_unref(s, sc);
      kc_state_unref(s);
      return true;
    }
  }
  return false;
}

bool kc_engine_set_budgets(kc_engine *e, int state_id, int64_t instructions, size_t memory, int64_t time_us) {
  char err[256];
  kc_state *s = kc_engine_state(e, state_id, true, err, sizeof err);
  if (!s) return false;
  if (instructions >= 0) s->instruction_budget = instructions;
  if (time_us > 0) s->time_budget_us = time_us;
  if (memory > 0)
    for (int i = 0; i < KC_CONTEXTS; i++) s->contexts[i].memory_limit = memory;
  return true;
}

/* ---- rules ------------------------------------------------------------- */

kc_rule *kc_engine_rule(kc_engine *e, int rule_id) {
  for (kc_rule *r = e->rules; r; r = r->next)
    if (r->id == rule_id) return r;
  return NULL;
}

kc_rule *kc_engine_insert_rule(kc_engine *e, const kc_rule_spec *spec, char *err, size_t errlen) {
  if (spec->hook < 0 || spec->hook >= KC_HOOKS) {
    snprintf(err, errlen, "bad hook %d", spec->hook);
    return NULL;
  }
  if (!kc_verdict_valid(spec->fail_verdict) || spec->fail_verdict == KC_NF_STOLEN) {
    snprintf(err, errlen, "bad fail verdict %u", spec->fail_verdict);
    return NULL;
  }
  const char *function = spec->function ? spec->function : "process_packet";
  kc_state *s = kc_engine_state(e, spec->state, true, err, errlen);
  if (!s) return NULL;
  s->refs++;
  kc_script *sc = kc_state_load_script(s, spec->script, err, errlen);
  if (!sc) {
    kc_state_unref(s);
    return NULL;
  }
  lua_State *L = s->contexts[KC_CONTEXT_INTERRUPT].L;
  kc_state_push_function(s, KC_CONTEXT_INTERRUPT, sc, function);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    snprintf(err, errlen, "%s: no function '%s' (neither exported nor global)", spec->script, function);
    script_unref(s, sc);
    kc_state_unref(s);
    return NULL;
  }
  kc_rule *r = calloc(1, sizeof *r);
  if (!r || !(r->function = strdup(function))) {
    lua_pop(L, 1);
    free(r);
    snprintf(err, errlen, "out of memory");
    script_unref(s, sc);
    kc_state_unref(s);
    return NULL;
  }
  r->function_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  r->id = e->next_rule_id++;
  char name[64];
  snprintf(name, sizeof name, "rule %d", r->id);
  r->name = strdup(spec->name && *spec->name ? spec->name : name);
  r->hook = spec->hook;
  r->match = spec->match;
  r->state = s;
  r->script = sc;
  r->fail_verdict = spec->fail_verdict;
  r->queue = spec->queue;
  kc_rule **tail = &e->rules;
  while (*tail) tail = &(*tail)->next;
  *tail = r;
  return r;
}

bool kc_engine_delete_rule(kc_engine *e, int rule_id) {
  for (kc_rule **p = &e->rules; *p; p = &(*p)->next) {
    kc_rule *r = *p;
    if (r->id != rule_id) continue;
    *p = r->next;
    luaL_unref(r->state->contexts[KC_CONTEXT_INTERRUPT].L, LUA_REGISTRYINDEX, r->function_ref);
    script_unref(r->state, r->script);
    kc_state_unref(r->state);
    free(r->name);
    free(r->function);
    free(r);
    return true;
  }
  return false;
}

static bool port_in(int port, int min, int max) { return min < 0 || (port >= min && port <= max); }

bool kc_match_packet(const kc_match *m, const uint8_t *data, size_t len) {
  if (len < 20 || (data[0] >> 4) != 4) return m->protocol < 0 && m->src_mask == 0 && m->dst_mask == 0 && m->sport_min < 0 && m->dport_min < 0;
  if (m->protocol >= 0 && data[9] != m->protocol) return false;
  uint32_t src = (uint32_t)data[12] << 24 | data[13] << 16 | data[14] << 8 | data[15];
  uint32_t dst = (uint32_t)data[16] << 24 | data[17] << 16 | data[18] << 8 | data[19];
  if ((src & m->src_mask) != (m->src & m->src_mask)) return false;
  if ((dst & m->dst_mask) != (m->dst & m->dst_mask)) return false;
  if (m->sport_min < 0 && m->dport_min < 0) return true;
  size_t ihl = (size_t)(data[0] & 0x0f) * 4;
  bool has_ports = data[9] == 6 || data[9] == 17;
  bool first_fragment = ((data[6] & 0x1f) | data[7]) == 0;
  if (!has_ports || !first_fragment || len < ihl + 4) return false;
  int sport = data[ihl] << 8 | data[ihl + 1];
  int dport = data[ihl + 2] << 8 | data[ihl + 3];
  return port_in(sport, m->sport_min, m->sport_max) && port_in(dport, m->dport_min, m->dport_max);
}

/* ---- held packets ------------------------------------------------------ */

static uint64_t held_handle(uint32_t slot, uint32_t generation) { return ((uint64_t)generation << 24) | (slot + 1); }

uint64_t kc_engine_hold(kc_engine *e, kc_packet *pkt, char *err, size_t errlen) {
  if (pkt->held_handle) return pkt->held_handle;
  if (e->held_count >= e->held_limit) {
    snprintf(err, errlen, "too many held packets (limit %u)", e->held_limit);
    return 0;
  }
  if (e->held_free == UINT32_MAX) {
    uint32_t capacity = e->held_capacity ? e->held_capacity * 2 : 256;
    kc_held_slot *slots = realloc(e->held, capacity * sizeof *slots);
    if (!slots) {
      snprintf(err, errlen, "out of memory (held packets)");
      return 0;
    }
    for (uint32_t i = capacity; i-- > e->held_capacity;) {
      slots[i] = (kc_held_slot){.pkt = NULL, .generation = 0, .next_free = e->held_free};
      e->held_free = i;
    }
    e->held = slots;
    e->held_capacity = capacity;
  }
  if (!kc_packet_take_ownership(pkt)) {
    snprintf(err, errlen, "out of memory (held packet)");
    return 0;
  }
  uint32_t slot = e->held_free;
  kc_held_slot *h = &e->held[slot];
  e->held_free = h->next_free;
  h->pkt = pkt;
  h->generation++;
  e->held_count++;
  pkt->held_handle = held_handle(slot, h->generation);
  return pkt->held_handle;
}

static kc_packet *unhold(kc_engine *e, uint64_t handle) {
  uint64_t slot = handle & 0xffffff;
  if (slot == 0 || slot > e->held_capacity) return NULL;
  kc_held_slot *h = &e->held[slot - 1];
  if (!h->pkt || h->generation != (uint32_t)(handle >> 24)) return NULL;
  kc_packet *pkt = h->pkt;
  h->pkt = NULL;
  h->next_free = e->held_free;
  e->held_free = (uint32_t)(slot - 1);
  e->held_count--;
  pkt->held_handle = 0;
  return pkt;
}

bool kc_engine_release(kc_engine *e, uint64_t handle, uint32_t verdict, const uint8_t *data, size_t len, bool replace) {
  kc_packet *pkt = unhold(e, handle);
  if (!pkt) return false;
  if (!replace) {
    data = pkt->data;
    len = pkt->len;
  }
  pkt->verdict_given = true;
  e->released++;
  e->backend.release(e->backend.ctx, pkt, verdict, data, len, replace || pkt->dirty);
  kc_packet_finish(&e->packets, pkt);
  return true;
}

/* ---- the per-packet path ------------------------------------------------ */

static bool keep_replacement(kc_engine *e, const uint8_t *data, size_t len) {
  if (len > e->replacement_cap) {
    uint8_t *grown = realloc(e->replacement, len);
    if (!grown) return false;
    e->replacement = grown;
    e->replacement_cap = len;
  }
  memcpy(e->replacement, data, len);
  return true;
}

kc_result kc_rule_run(kc_engine *e, kc_rule *rule, kc_packet *pkt) {
  kc_context *c = &rule->state->contexts[KC_CONTEXT_INTERRUPT];
  lua_State *L = c->L;
  kc_result result = {.verdict = rule->fail_verdict, .data = pkt->data, .len = pkt->len};
  bool timed = rule->stats.packets++ % KC_TIMING_SAMPLE == 0;
  int64_t start = timed ? monotonic_ns() : 0;
  if (!kc_context_reserve(c)) {
    rule->stats.errors++;
    rule->stats.memory_aborts++;
    kc_engine_logf(e, "%s: memory budget exhausted (%zu of %zu bytes in use)", rule->name, c->memory_used, c->memory_limit);
    rule->stats.verdicts[kc_verdict_slot(result.verdict)]++;
    return result;
  }
  kc_context_push_handler(c);
  lua_rawgeti(L, LUA_REGISTRYINDEX, rule->function_ref);
  kc_packet_push(L, pkt);
  if (kc_context_pcall(c, 1, 2, rule->name, NULL, 0) != LUA_OK) {
    rule->stats.errors++;
    if (c->abort == KC_ABORT_INSTRUCTIONS) rule->stats.instruction_aborts++;
    if (c->abort == KC_ABORT_TIME) rule->stats.time_aborts++;
    if (c->abort == KC_ABORT_MEMORY) rule->stats.memory_aborts++;
  } else {
    int is_integer;
    lua_Integer verdict = lua_tointegerx(L, -2, &is_integer);
    if (!is_integer || !kc_verdict_valid(verdict)) {
      rule->stats.bad_returns++;
      kc_engine_logf(e, "%s: %s returned %s, not a verdict", rule->name, rule->function, luaL_typename(L, -2));
    } else if (!lua_isnil(L, -1)) {
      size_t len;
      const uint8_t *data = kc_bytes_or_string(L, -1, &len);
      if (!data || !keep_replacement(e, data, len)) {
        rule->stats.bad_returns++;
        kc_engine_logf(e, "%s: %s returned a %s as packet bytes", rule->name, rule->function, luaL_typename(L, -1));
      } else {
        result.verdict = (uint32_t)verdict;
        result.modified = true;
        result.data = e->replacement;
        result.len = len;
      }
    } else {
      result.verdict = (uint32_t)verdict;
    }
    lua_pop(L, 3); /* results and handler */
  }
  if (!pkt->alive && !result.modified) {
    /* The script released its own held packet during the hook. */
    result.data = NULL;
    result.len = 0;
  }
  if (pkt->held_handle) {
    /* Held and returned NF_STOLEN: the engine keeps it. Any other verdict wins over the hold. */
    if (result.verdict == KC_NF_STOLEN) result.held = true;
    else unhold(e, pkt->held_handle);
  }
  if (!result.modified && pkt->dirty && pkt->alive) {
    result.modified = true;
    result.data = pkt->data;
    result.len = pkt->len;
  }
  rule->stats.verdicts[kc_verdict_slot(result.verdict)]++;
  if (timed) rule->stats.lua_ns += (uint64_t)(monotonic_ns() - start) * KC_TIMING_SAMPLE;
  return result;
}

kc_result kc_engine_dispatch(kc_engine *e, kc_packet *pkt) {
  bool modified = false;
  for (kc_rule *r = e->rules; r; r = r->next) {
    if (r->hook != pkt->hook || !kc_match_packet(&r->match, pkt->data, pkt->len)) continue;
    kc_result result = kc_rule_run(e, r, pkt);
    if (result.verdict != KC_XT_CONTINUE) {
      result.modified = result.modified || modified;
      return result;
    }
    /* The next rule sees the replacement. Views of the old bytes check their range. */
    if (result.modified && result.data != pkt->data) kc_packet_replace(pkt, result.data, result.len);
    modified = modified || result.modified;
    if (!pkt->alive) break;
  }
  return (kc_result){.verdict = KC_NF_ACCEPT, .modified = modified, .data = pkt->data, .len = pkt->len};
}

/* ---- timers ------------------------------------------------------------ */

static void fire_timer(kc_engine *e, kc_timer *t) {
  kc_state *s = find_state(e, t->state_id);
  if (!s) return;
  kc_context *c = &s->contexts[t->context];
  lua_State *L = c->L;
  char what[160];
  if (!kc_context_reserve(c)) {
    e->timer_errors++;
    kc_engine_logf(e, "state %d: memory budget exhausted, a timer was dropped", s->id);
    if (t->kind == KC_TIMER_FUNCTION) {
      luaL_unref(L, LUA_REGISTRYINDEX, t->function_ref);
      luaL_unref(L, LUA_REGISTRYINDEX, t->arg_ref);
    }
    return;
  }
  if (t->kind == KC_TIMER_FUNCTION) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->function_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, t->arg_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, t->function_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, t->arg_ref);
    snprintf(what, sizeof what, "state %d timer", s->id);
    if (kc_context_call(c, 1, 0, what, NULL, 0) != LUA_OK) e->timer_errors++;
    return;
  }
  kc_state_push_function(s, t->context, NULL, t->name);
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 1);
    e->timer_errors++;
    kc_engine_logf(e, "state %d: scheduled function '%s' not found", s->id, t->name);
    return;
  }
  lua_pushinteger(L, t->id);
  if (t->has_data) {
    if (!lua_checkstack(L, 2) || c->memory_used + t->data_len + 256 > c->memory_limit) {
      lua_pop(L, 2);
      e->timer_errors++;
      kc_engine_logf(e, "state %d: no memory to deliver %zu bytes to '%s'", s->id, t->data_len, t->name);
      return;
    }
    memcpy(kc_bytes_new(L, t->data_len), t->data, t->data_len);
  } else {
    lua_pushnil(L);
  }
  snprintf(what, sizeof what, "state %d %s", s->id, t->name);
  if (kc_context_call(c, 2, 0, what, NULL, 0) != LUA_OK) e->timer_errors++;
}

void kc_engine_run_timers(kc_engine *e, int64_t now_us) {
  for (int fired = 0; fired < TIMERS_PER_RUN_LIMIT; fired++) {
    kc_timer *t = kc_timers_peek(&e->timers);
    if (!t || t->due_us > now_us) return;
    kc_timer due = *t; /* firing may add timers and move the slots */
    kc_timers_remove(&e->timers, t);
    fire_timer(e, &due);
    free(due.name);
    free(due.data);
  }
  kc_engine_logf(e, "more than %d timers due at once: the rest wait for the next run", TIMERS_PER_RUN_LIMIT);
}

void kc_engine_free(kc_engine *e) {
  if (!e) return;
  while (e->rules) kc_engine_delete_rule(e, e->rules->id);
  for (uint32_t i = 0; i < e->held_capacity; i++) {
    if (e->held[i].pkt) {
      kc_packet *pkt = e->held[i].pkt;
      e->held[i].pkt = NULL;
      kc_packet_finish(&e->packets, pkt);
    }
  }
  while (e->states) free_state(e, e->states);
  for (uint32_t i = 0; i < e->timers.capacity; i++) {
    if (e->timers.slots[i].in_use) {
      free(e->timers.slots[i].name);
      free(e->timers.slots[i].data);
    }
  }
  kc_timers_free(&e->timers);
  kc_packet_pool_free(&e->packets);
  kc_store_free(e->store);
  kc_watchdog_free(e->watchdog);
  free(e->held);
  free(e->replacement);
  free(e);
}
