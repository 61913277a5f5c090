/* The `kmod` table and the globals the engine gives every Lua context:
 * verdicts, hooks, IS_INTERRUPT, clock, random, send, timers, deferral,
 * release of held packets, checksums. */
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "engine.h"
#include "text.h"

static kc_engine *engine_of(lua_State *L) { return kc_context_of(L)->state->engine; }

static int api_now_ms(lua_State *L) {
  kc_engine *e = engine_of(L);
  lua_pushinteger(L, e->backend.now_us(e->backend.ctx) / 1000);
  return 1;
}

static int api_now_us(lua_State *L) {
  kc_engine *e = engine_of(L);
  lua_pushinteger(L, e->backend.now_us(e->backend.ctx));
  return 1;
}

static int api_random32(lua_State *L) {
  kc_engine *e = engine_of(L);
  lua_pushinteger(L, e->backend.random32(e->backend.ctx));
  return 1;
}

static int api_bytes(lua_State *L) {
  if (lua_type(L, 1) == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    memcpy(kc_bytes_new(L, len), s, len);
    return 1;
  }
  lua_Integer len = luaL_checkinteger(L, 1);
  if (len < 0 || len > (1 << 30)) return luaL_error(L, "bad byte array length %I", len);
  kc_bytes_new(L, (size_t)len);
  return 1;
}

/* Collects a string, a byte array, or a list of them into iovecs (no copy). */
static int collect_parts(lua_State *L, int idx, struct iovec *parts, size_t *total) {
  int count = 0;
  *total = 0;
  if (lua_type(L, idx) == LUA_TTABLE) {
    lua_Integer n = luaL_len(L, idx);
    if (n > KC_MAX_SEND_PARTS) return luaL_error(L, "too many parts (%I > %d)", n, KC_MAX_SEND_PARTS);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, idx, i); /* stays referenced by the table */
      size_t len;
      const uint8_t *data = kc_bytes_or_string(L, -1, &len);
      if (!data) return luaL_error(L, "part %I is a %s, not a string or byte array", i, luaL_typename(L, -1));
      lua_pop(L, 1);
      parts[count].iov_base = (void *)data;
      parts[count].iov_len = len;
      *total += len;
      count++;
    }
    return count;
  }
  size_t len;
  const uint8_t *data = kc_bytes_or_string(L, idx, &len);
  if (!data) return luaL_typeerror(L, idx, "string, byte array or list of them");
  parts[0].iov_base = (void *)data;
  parts[0].iov_len = len;
  *total = len;
  return 1;
}

/* What every send returns to Lua: true, or false and the reason; counted either way. */
static int send_result(lua_State *L, kc_engine *e, int rc, const char *what) {
  if (rc < 0) {
    e->send_errors++;
    lua_pushboolean(L, 0);
    lua_pushfstring(L, "%s failed: %s", what, strerror(-rc));
    return 2;
  }
  e->sends++;
  lua_pushboolean(L, 1);
  return 1;
}

static int api_send(lua_State *L) {
  kc_engine *e = engine_of(L);
  struct iovec parts[KC_MAX_SEND_PARTS];
  size_t total;
  int count = collect_parts(L, 1, parts, &total);
  if (total < 20 || total > 65535) return luaL_error(L, "send: %I bytes is not an IPv4 packet", (lua_Integer)total);
  return send_result(L, e, e->backend.send(e->backend.ctx, parts, count), "send");
}

static int api_send_gso(lua_State *L) {
  kc_engine *e = engine_of(L);
  struct iovec parts[KC_MAX_SEND_PARTS];
  size_t total;
  int count = collect_parts(L, 1, parts, &total);
  lua_Integer mss = luaL_checkinteger(L, 2);
  lua_Integer ifindex = luaL_checkinteger(L, 3);
  size_t mac_len;
  const char *mac = luaL_checklstring(L, 4, &mac_len);
  if (mss < 64 || mss > 65535) return luaL_error(L, "send_gso: bad mss %I", mss);
  if (mac_len != 6) return luaL_error(L, "send_gso: the link-layer address must be 6 bytes");
  if (total < 28 || total > 65535) return luaL_error(L, "send_gso: %I bytes is not an IPv4/TCP or UDP packet", (lua_Integer)total);
  return send_result(L, e, e->backend.send_gso(e->backend.ctx, (int)ifindex, (const uint8_t *)mac, (uint16_t)mss, parts, count),
                     "send_gso");
}

static int api_send_l2(lua_State *L) {
  kc_engine *e = engine_of(L);
  struct iovec parts[KC_MAX_SEND_PARTS];
  size_t total;
  int count = collect_parts(L, 1, parts, &total);
  lua_Integer ifindex = luaL_checkinteger(L, 2);
  size_t mac_len;
  const char *mac = luaL_checklstring(L, 3, &mac_len);
  if (mac_len != 6) return luaL_error(L, "send_l2: the link-layer address must be 6 bytes");
  if (total < 20 || total > 65535) return luaL_error(L, "send_l2: %I bytes is not an IPv4 packet", (lua_Integer)total);
  return send_result(L, e, e->backend.send_l2(e->backend.ctx, (int)ifindex, (const uint8_t *)mac, parts, count), "send_l2");
}

static int add_function_timer(lua_State *L, int64_t delay_us) {
  kc_context *c = kc_context_of(L);
  kc_engine *e = c->state->engine;
  luaL_checktype(L, 2, LUA_TFUNCTION);
  if (delay_us < 0) delay_us = 0;
  kc_timer *t = kc_timers_add(&e->timers, e->backend.now_us(e->backend.ctx) + delay_us);
  if (!t) return luaL_error(L, "out of memory (timers)");
  t->kind = KC_TIMER_FUNCTION;
  t->state_id = c->state->id;
  t->context = c->index;
  lua_pushvalue(L, 2);
  t->function_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, 3);
  t->arg_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushinteger(L, (lua_Integer)kc_timers_handle(&e->timers, t));
  return 1;
}

static int api_timer(lua_State *L) { return add_function_timer(L, luaL_checkinteger(L, 1) * 1000); }
static int api_timer_us(lua_State *L) { return add_function_timer(L, luaL_checkinteger(L, 1)); }

static int api_cancel(lua_State *L) {
  kc_context *c = kc_context_of(L);
  kc_engine *e = c->state->engine;
  kc_timer *t = kc_timers_lookup(&e->timers, (uint64_t)luaL_checkinteger(L, 1));
  /* A script may only cancel timers of its own state. */
  if (!t || t->state_id != c->state->id) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (t->kind == KC_TIMER_FUNCTION && t->context == c->index) {
    luaL_unref(L, LUA_REGISTRYINDEX, t->function_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, t->arg_ref);
  } else if (t->kind == KC_TIMER_FUNCTION) {
    kc_context *owner = &c->state->contexts[t->context];
    luaL_unref(owner->L, LUA_REGISTRYINDEX, t->function_ref);
    luaL_unref(owner->L, LUA_REGISTRYINDEX, t->arg_ref);
  }
  free(t->name);
  free(t->data);
  kc_timers_remove(&e->timers, t);
  lua_pushboolean(L, 1);
  return 1;
}

static int api_schedule(lua_State *L) {
  kc_context *c = kc_context_of(L);
  kc_engine *e = c->state->engine;
  const char *name = luaL_checkstring(L, 1);
  lua_Integer id = luaL_checkinteger(L, 2);
  lua_Integer delay_ms = luaL_checkinteger(L, 3);
  size_t len = 0;
  const uint8_t *data = NULL;
  if (!lua_isnoneornil(L, 4)) {
    data = kc_bytes_or_string(L, 4, &len);
    if (!data) return luaL_typeerror(L, 4, "string or byte array");
  }
  static const char *const contexts[] = {"interrupt", "process", NULL};
  int target = luaL_checkoption(L, 5, "process", contexts);
  char *name_copy = strdup(name);
  uint8_t *data_copy = data ? malloc(len ? len : 1) : NULL;
  if (!name_copy || (data && !data_copy)) {
    free(name_copy);
    free(data_copy);
    return luaL_error(L, "out of memory (schedule)");
  }
  if (data) memcpy(data_copy, data, len);
  kc_timer *t = kc_timers_add(&e->timers, e->backend.now_us(e->backend.ctx) + (delay_ms > 0 ? delay_ms * 1000 : 0));
  if (!t) {
    free(name_copy);
    free(data_copy);
    return luaL_error(L, "out of memory (timers)");
  }
  t->kind = KC_TIMER_SCHEDULE;
  t->state_id = c->state->id;
  t->context = target;
  t->name = name_copy;
  t->id = id;
  t->data = data_copy;
  t->data_len = len;
  t->has_data = data != NULL;
  lua_pushinteger(L, (lua_Integer)kc_timers_handle(&e->timers, t));
  return 1;
}

static int api_release(lua_State *L) {
  kc_engine *e = engine_of(L);
  uint64_t handle = (uint64_t)luaL_checkinteger(L, 1);
  lua_Integer verdict = luaL_checkinteger(L, 2);
  if (!kc_verdict_valid(verdict) || verdict == KC_NF_STOLEN) return luaL_error(L, "release: bad verdict %I", verdict);
  bool replace = !lua_isnoneornil(L, 3);
  const uint8_t *data = NULL;
  size_t len = 0;
  if (replace) {
    data = kc_bytes_or_string(L, 3, &len);
    if (!data) return luaL_typeerror(L, 3, "string or byte array");
  }
  lua_pushboolean(L, kc_engine_release(e, handle, (uint32_t)verdict, data, len, replace));
  return 1;
}

static int api_log(lua_State *L) {
  kc_context *c = kc_context_of(L);
  kc_engine_logf(c->state->engine, "state %d: %s", c->state->id, luaL_checkstring(L, 1));
  return 0;
}

static int api_state(lua_State *L) {
  lua_pushinteger(L, kc_context_of(L)->state->id);
  return 1;
}

static int api_sum16(lua_State *L) {
  size_t len;
  const uint8_t *data = kc_bytes_or_string(L, 1, &len);
  if (!data) return luaL_typeerror(L, 1, "string or byte array");
  lua_Integer offset = luaL_optinteger(L, 2, 0);
  if (offset < 0 || (lua_Unsigned)offset > len) return luaL_error(L, "offset %I out of range", offset);
  lua_Integer n = luaL_optinteger(L, 3, (lua_Integer)len - offset);
  if (n < 0 || (lua_Unsigned)n > len - (size_t)offset) return luaL_error(L, "length %I out of range", n);
  lua_Integer initial = luaL_optinteger(L, 4, 0);
  lua_pushinteger(L, (lua_Integer)kc_sum16(data + offset, (size_t)n, (uint64_t)initial));
  return 1;
}

static int api_fold16(lua_State *L) {
  lua_pushinteger(L, kc_fold16((uint64_t)luaL_checkinteger(L, 1)));
  return 1;
}

static int api_checksum_adjust(lua_State *L) {
  lua_pushinteger(L, kc_checksum_adjust((uint16_t)luaL_checkinteger(L, 1), (uint16_t)luaL_checkinteger(L, 2),
                                        (uint16_t)luaL_checkinteger(L, 3)));
  return 1;
}

static void set_integer(lua_State *L, const char *name, lua_Integer value) {
  lua_pushinteger(L, value);
  lua_setglobal(L, name);
}

void kc_api_open(lua_State *L, kc_context *c) {
  set_integer(L, "NF_DROP", KC_NF_DROP);
  set_integer(L, "NF_ACCEPT", KC_NF_ACCEPT);
  set_integer(L, "NF_STOLEN", KC_NF_STOLEN);
  set_integer(L, "NF_QUEUE", KC_NF_QUEUE);
  set_integer(L, "NF_REPEAT", KC_NF_REPEAT);
  set_integer(L, "XT_CONTINUE", KC_XT_CONTINUE);
  set_integer(L, "NF_INET_PRE_ROUTING", KC_HOOK_PRE_ROUTING);
  set_integer(L, "NF_INET_LOCAL_IN", KC_HOOK_LOCAL_IN);
  set_integer(L, "NF_INET_FORWARD", KC_HOOK_FORWARD);
  set_integer(L, "NF_INET_LOCAL_OUT", KC_HOOK_LOCAL_OUT);
  set_integer(L, "NF_INET_POST_ROUTING", KC_HOOK_POST_ROUTING);
  lua_pushboolean(L, c->index == KC_CONTEXT_INTERRUPT);
  lua_setglobal(L, "IS_INTERRUPT");

  static const luaL_Reg functions[] = {
      {"now_ms", api_now_ms},   {"now_us", api_now_us},         {"random32", api_random32},
      {"bytes", api_bytes},     {"send", api_send},             {"send_gso", api_send_gso}, {"send_l2", api_send_l2},
      {"timer", api_timer},
      {"timer_us", api_timer_us}, {"cancel", api_cancel},       {"schedule", api_schedule},
      {"release", api_release}, {"log", api_log},               {"state", api_state},
      {"sum16", api_sum16},     {"fold16", api_fold16},         {"checksum_adjust", api_checksum_adjust},
      {NULL, NULL},
  };
  luaL_newlib(L, functions);
  kc_text_api_open(L);
  kc_store_api_open(L);
  lua_getfield(L, LUA_REGISTRYINDEX, KC_PACKET_METHODS);
  lua_setfield(L, -2, "Packet");
  lua_getfield(L, LUA_REGISTRYINDEX, KC_BYTES_METHODS);
  lua_setfield(L, -2, "Bytes");
  lua_setglobal(L, "kmod");
}
