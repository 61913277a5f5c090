/* `kmod.store`: the content store as Lua sees it. */
#include <lauxlib.h>
#include <lua.h>

#include "engine.h"

static kc_store *store(lua_State *L) { return kc_context_of(L)->state->engine->store; }

static int64_t now_us(lua_State *L) {
  kc_engine *e = kc_context_of(L)->state->engine;
  return e->backend.now_us(e->backend.ctx);
}

static kc_entry *check_building(lua_State *L, int idx) {
  kc_entry *e = kc_store_from_handle(store(L), (uint64_t)luaL_checkinteger(L, idx));
  if (!e || e->committed) luaL_error(L, "store: no entry being built with handle %I", luaL_checkinteger(L, idx));
  return e;
}

static kc_entry *check_committed(lua_State *L, int idx) {
  size_t len;
  const char *key = luaL_checklstring(L, idx, &len);
  kc_entry *e = kc_store_lookup(store(L), key, len, now_us(L), false);
  if (!e) luaL_error(L, "store: no entry for key '%s'", key);
  return e;
}

static int store_begin(lua_State *L) {
  size_t len;
  const char *key = luaL_checklstring(L, 1, &len);
  lua_Integer expected = luaL_optinteger(L, 2, 0);
  if (expected < 0) return luaL_error(L, "store.begin: negative size %I", expected);
  const char *err = NULL;
  kc_entry *e = kc_store_begin(store(L), key, len, (size_t)expected, now_us(L), &err);
  if (!e) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushinteger(L, (lua_Integer)kc_store_handle(e));
  return 1;
}

static int store_append(lua_State *L) {
  kc_entry *e = check_building(L, 1);
  size_t len;
  const uint8_t *data = kc_bytes_or_string(L, 2, &len);
  if (!data) return luaL_typeerror(L, 2, "string or byte array");
  const char *err = NULL;
  if (!kc_store_append(store(L), e, data, len, now_us(L), &err)) {
    lua_pushboolean(L, 0);
    lua_pushstring(L, err);
    return 2;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int store_commit(lua_State *L) {
  kc_entry *e = check_building(L, 1);
  lua_Integer ttl_ms = luaL_optinteger(L, 2, 0);
  kc_store_commit(store(L), e, ttl_ms > 0 ? ttl_ms * 1000 : 0, now_us(L));
  lua_pushboolean(L, 1);
  return 1;
}

static int store_abort(lua_State *L) {
  kc_entry *e = kc_store_from_handle(store(L), (uint64_t)luaL_checkinteger(L, 1));
  bool building = e && !e->committed;
  if (building) kc_store_abort(store(L), e);
  lua_pushboolean(L, building);
  return 1;
}

static int store_find(lua_State *L, bool count) {
  size_t len;
  const char *key = luaL_checklstring(L, 1, &len);
  kc_entry *e = kc_store_lookup(store(L), key, len, now_us(L), count);
  if (!e) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushinteger(L, (lua_Integer)e->len);
  return 1;
}
static int store_lookup(lua_State *L) { return store_find(L, true); }
static int store_size(lua_State *L) { return store_find(L, false); }

/* The (offset, length) arguments at 2 and 3 within an entry of `size` bytes. */
static void entry_range(lua_State *L, size_t size, size_t *offset, size_t *len) {
  lua_Integer o = luaL_optinteger(L, 2, 0);
  if (o < 0 || (lua_Unsigned)o > size) luaL_error(L, "store: offset %I out of range (size %I)", o, (lua_Integer)size);
  lua_Integer n = luaL_optinteger(L, 3, (lua_Integer)(size - (size_t)o));
  if (n < 0 || (lua_Unsigned)n > size - (size_t)o) luaL_error(L, "store: length %I out of range (size %I, offset %I)", n, (lua_Integer)size, o);
  *offset = (size_t)o;
  *len = (size_t)n;
}

static int store_view(lua_State *L) {
  kc_entry *e = check_committed(L, 1);
  size_t offset, len;
  entry_range(L, e->len, &offset, &len);
  kc_bytes_push_store_view(L, e, offset, len);
  return 1;
}

static int store_read(lua_State *L) {
  kc_entry *e = check_committed(L, 1);
  size_t offset, len;
  entry_range(L, e->len, &offset, &len);
  lua_pushlstring(L, (const char *)e->data + offset, len);
  return 1;
}

static int store_remove(lua_State *L) {
  size_t len;
  const char *key = luaL_checklstring(L, 1, &len);
  lua_pushboolean(L, kc_store_remove(store(L), key, len));
  return 1;
}

static void set_field(lua_State *L, const char *name, uint64_t value) {
  lua_pushinteger(L, (lua_Integer)value);
  lua_setfield(L, -2, name);
}

static int store_stats(lua_State *L) {
  kc_store *s = store(L);
  lua_createtable(L, 0, 10);
  set_field(L, "entries", s->entries);
  set_field(L, "bytes", s->bytes);
  set_field(L, "budget", s->budget);
  set_field(L, "max_entry", s->max_entry);
  set_field(L, "hits", s->stats.hits);
  set_field(L, "misses", s->stats.misses);
  set_field(L, "evictions", s->stats.evictions);
  set_field(L, "rejected", s->stats.rejected);
  set_field(L, "expired", s->stats.expired);
  set_field(L, "abandoned", s->stats.abandoned);
  return 1;
}

void kc_store_api_open(lua_State *L) {
  static const luaL_Reg functions[] = {
      {"begin", store_begin}, {"append", store_append}, {"commit", store_commit}, {"abort", store_abort},
      {"lookup", store_lookup}, {"size", store_size}, {"view", store_view}, {"read", store_read},
      {"remove", store_remove}, {"stats", store_stats}, {NULL, NULL},
  };
  luaL_newlib(L, functions);
  lua_setfield(L, -2, "store");
}
