/* Byte arrays and packets as seen from Lua.
 *
 * A byte array is a view (buffer, offset, length): of a buffer of its own, of
 * a packet, or of another array. Every access checks that the buffer is
 * alive and the range is inside the view, and raises a Lua error otherwise.
 */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>

#include "checksum.h"
#include "engine.h"

#define BYTES_MT "kcache.Bytes"
#define PACKET_MT "kcache.Packet"

#define BYTES_MAGIC 0x6b634279u /* "kcBy": byte arrays are the only full userdata in a context */

/* A byte array: bytes of its own (stored after this header in the same
 * userdata, or in an ancestor kept alive through the user value), or a view
 * of a packet, checked against the packet's id on every access. No __gc:
 * Lua frees it like any other object. */
typedef enum { VIEW_OWN, VIEW_PACKET, VIEW_STORE } kc_view_kind;

typedef struct {
  uint32_t magic;
  kc_view_kind kind;
  kc_packet *pkt;  /* VIEW_PACKET */
  uint64_t id;     /* VIEW_PACKET: the packet's id; VIEW_STORE: the entry's */
  uint32_t slot;   /* VIEW_STORE: the entry's slot */
  uint8_t *base;   /* VIEW_OWN: the storage */
  size_t offset, len;
} kc_view;

static bool packet_alive(const kc_packet *pkt, uint64_t id) { return pkt->id == id && pkt->alive; }

static kc_store *store_of(lua_State *L) { return kc_context_of(L)->state->engine->store; }

/* The view's first byte, or a Lua error when its packet or store entry is gone. */
static uint8_t *view_data(lua_State *L, const kc_view *v) {
  switch (v->kind) {
    case VIEW_OWN: return v->base + v->offset;
    case VIEW_PACKET:
      if (!packet_alive(v->pkt, v->id)) luaL_error(L, "byte array used after its packet was released");
      if (v->offset + v->len > v->pkt->len) luaL_error(L, "byte array view outside its packet (the packet was replaced)");
      return v->pkt->data + v->offset;
    default: {
      kc_entry *e = kc_store_slot(store_of(L), v->slot, v->id);
      if (!e || !e->committed) luaL_error(L, "byte array used after its store entry was evicted or removed");
      return e->data + v->offset;
    }
  }
}

static bool view_alive(lua_State *L, const kc_view *v) {
  switch (v->kind) {
    case VIEW_OWN: return true;
    case VIEW_PACKET: return packet_alive(v->pkt, v->id);
    default: return kc_store_slot(store_of(L), v->slot, v->id) != NULL;
  }
}

static void mark_written(kc_view *v) {
  if (v->kind == VIEW_PACKET) v->pkt->dirty = true;
}

/* The byte array at idx, or NULL. A magic number instead of luaL_checkudata:
 * the per-packet path cannot afford a registry lookup per access. */
static kc_view *to_view(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TUSERDATA) return NULL;
  kc_view *v = lua_touserdata(L, idx);
  return v->magic == BYTES_MAGIC ? v : NULL;
}

static kc_view *any_view(lua_State *L, int idx) {
  kc_view *v = to_view(L, idx);
  if (!v) luaL_typeerror(L, idx, "byte array");
  return v;
}

static kc_view *check_view(lua_State *L, int idx, uint8_t **data) {
  kc_view *v = any_view(L, idx);
  *data = view_data(L, v);
  return v;
}

static kc_view *check_writable(lua_State *L, int idx, uint8_t **data) {
  kc_view *v = check_view(L, idx, data);
  if (v->kind == VIEW_STORE) luaL_error(L, "a view of the content store is read-only");
  return v;
}

/* Packets reach Lua as light userdata encoding (pool slot, 32-bit id): no
 * allocation per hook call, and a stale handle is recognised. */
_Static_assert(sizeof(void *) == 8, "packet handles need 64-bit pointers");

static kc_packet_pool *pool_of(lua_State *L) { return &kc_context_of(L)->state->engine->packets; }

static kc_packet *packet_from_handle(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TLIGHTUSERDATA) return NULL;
  uintptr_t handle = (uintptr_t)lua_touserdata(L, idx);
  kc_packet *pkt = kc_packet_pool_slot(pool_of(L), (uint32_t)(handle >> 32));
  if (!pkt || (uint32_t)pkt->id != (uint32_t)handle || !pkt->alive) return NULL;
  return pkt;
}

static kc_packet *check_packet(lua_State *L, int idx) {
  kc_packet *pkt = packet_from_handle(L, idx);
  if (!pkt) {
    if (lua_type(L, idx) == LUA_TLIGHTUSERDATA) luaL_error(L, "packet used after its verdict was given");
    luaL_typeerror(L, idx, "packet");
  }
  return pkt;
}

uint8_t *kc_bytes_new(lua_State *L, size_t len) {
  kc_view *v = lua_newuserdatauv(L, sizeof *v + len, 1);
  memset(v, 0, sizeof *v);
  v->magic = BYTES_MAGIC;
  v->kind = VIEW_OWN;
  v->base = (uint8_t *)(v + 1);
  v->len = len;
  memset(v->base, 0, len);
  luaL_setmetatable(L, BYTES_MT);
  return v->base;
}

void kc_bytes_push_packet_view(lua_State *L, kc_packet *pkt, size_t offset, size_t len) {
  kc_view *v = lua_newuserdatauv(L, sizeof *v, 0);
  memset(v, 0, sizeof *v);
  v->magic = BYTES_MAGIC;
  v->kind = VIEW_PACKET;
  v->pkt = pkt;
  v->id = pkt->id;
  v->offset = offset;
  v->len = len;
  luaL_setmetatable(L, BYTES_MT);
}

void kc_bytes_push_store_view(lua_State *L, const kc_entry *e, size_t offset, size_t len) {
  kc_view *v = lua_newuserdatauv(L, sizeof *v, 0);
  memset(v, 0, sizeof *v);
  v->magic = BYTES_MAGIC;
  v->kind = VIEW_STORE;
  v->id = e->id;
  v->slot = e->slot;
  v->offset = offset;
  v->len = len;
  luaL_setmetatable(L, BYTES_MT);
}

/* A view of [offset, offset+len) of the array at idx (already checked). */
static void push_subview(lua_State *L, int idx, const kc_view *parent, size_t offset, size_t len) {
  if (parent->kind != VIEW_OWN) {
    kc_view *v = lua_newuserdatauv(L, sizeof *v, 0);
    *v = *parent;
    v->offset = parent->offset + offset;
    v->len = len;
    luaL_setmetatable(L, BYTES_MT);
    return;
  }
  kc_view *v = lua_newuserdatauv(L, sizeof *v, 1);
  *v = *parent;
  v->offset = parent->offset + offset;
  v->len = len;
  luaL_setmetatable(L, BYTES_MT);
  /* Keep the storage alive: the parent's anchor if it is a view itself, else the parent. */
  if (lua_getiuservalue(L, idx, 1) == LUA_TNIL) {
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
  }
  lua_setiuservalue(L, -2, 1);
}

const uint8_t *kc_bytes_or_string(lua_State *L, int idx, size_t *len) {
  if (lua_type(L, idx) == LUA_TSTRING) return (const uint8_t *)lua_tolstring(L, idx, len);
  kc_view *v = to_view(L, idx);
  if (!v) return NULL;
  const uint8_t *data = view_data(L, v);
  *len = v->len;
  return data;
}

/* Checks [offset, offset+width) lies in a range of `len` bytes. */
static size_t check_range(lua_State *L, size_t len, lua_Integer offset, lua_Integer width) {
  if (offset < 0 || width < 0 || (lua_Unsigned)offset > len || (lua_Unsigned)width > len - (size_t)offset)
    luaL_error(L, "offset %I (+%I) out of range (length %I)", offset, width, (lua_Integer)len);
  return (size_t)offset;
}

/* Optional (offset, length) arguments at idx, idx+1, defaulting to the whole range. */
static void opt_range(lua_State *L, int idx, size_t len, size_t *offset, size_t *width) {
  lua_Integer o = luaL_optinteger(L, idx, 0);
  if (o < 0 || (lua_Unsigned)o > len) luaL_error(L, "offset %I out of range (length %I)", o, (lua_Integer)len);
  lua_Integer w = luaL_optinteger(L, idx + 1, (lua_Integer)(len - (size_t)o));
  *offset = check_range(L, len, o, w);
  *width = (size_t)w;
}

static uint32_t read_be(const uint8_t *p, int width) {
  uint32_t v = 0;
  for (int i = 0; i < width; i++) v = v << 8 | p[i];
  return v;
}

static void write_be(uint8_t *p, int width, uint32_t v) {
  for (int i = width - 1; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* ---- byte arrays ---------------------------------------------------- */

static int bytes_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TNUMBER) {
    uint8_t *data;
    kc_view *v = check_view(L, 1, &data);
    lua_Integer i = luaL_checkinteger(L, 2);
    if (i < 0 || (lua_Unsigned)i >= v->len) return luaL_error(L, "index %I out of range (length %I)", i, (lua_Integer)v->len);
    lua_pushinteger(L, data[i]);
    return 1;
  }
  lua_pushvalue(L, 2);
  lua_rawget(L, lua_upvalueindex(1));
  return 1;
}

static int bytes_newindex(lua_State *L) {
  uint8_t *data;
  kc_view *v = check_writable(L, 1, &data);
  lua_Integer i = luaL_checkinteger(L, 2);
  lua_Integer value = luaL_checkinteger(L, 3);
  if (i < 0 || (lua_Unsigned)i >= v->len) return luaL_error(L, "index %I out of range (length %I)", i, (lua_Integer)v->len);
  data[i] = (uint8_t)value;
  mark_written(v);
  return 0;
}

static int bytes_len(lua_State *L) {
  uint8_t *data;
  lua_pushinteger(L, (lua_Integer)check_view(L, 1, &data)->len);
  return 1;
}

static int bytes_tostring(lua_State *L) {
  kc_view *v = any_view(L, 1);
  if (!view_alive(L, v)) {
    lua_pushliteral(L, "bytes(released)");
    return 1;
  }
  const uint8_t *data = view_data(L, v);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t i = 0; i < v->len; i++) {
    char hex[4];
    snprintf(hex, sizeof hex, i ? " %02x" : "%02x", data[i]);
    luaL_addstring(&b, hex);
  }
  luaL_pushresult(&b);
  return 1;
}

static int bytes_concat(lua_State *L) {
  size_t la, lb;
  const uint8_t *a = kc_bytes_or_string(L, 1, &la);
  const uint8_t *b = kc_bytes_or_string(L, 2, &lb);
  if (!a || !b) return luaL_error(L, "cannot concatenate a byte array with a %s", luaL_typename(L, a ? 2 : 1));
  uint8_t *out = kc_bytes_new(L, la + lb);
  memcpy(out, a, la);
  memcpy(out + la, b, lb);
  return 1;
}

static int bytes_get(lua_State *L, int width) {
  uint8_t *data;
  kc_view *v = check_view(L, 1, &data);
  size_t o = check_range(L, v->len, luaL_checkinteger(L, 2), width);
  lua_pushinteger(L, read_be(data + o, width));
  return 1;
}
static int bytes_u8(lua_State *L) { return bytes_get(L, 1); }
static int bytes_u16(lua_State *L) { return bytes_get(L, 2); }
static int bytes_u32(lua_State *L) { return bytes_get(L, 4); }

static int bytes_set(lua_State *L, int width) {
  uint8_t *data;
  kc_view *v = check_writable(L, 1, &data);
  size_t o = check_range(L, v->len, luaL_checkinteger(L, 2), width);
  write_be(data + o, width, (uint32_t)luaL_checkinteger(L, 3));
  mark_written(v);
  return 0;
}
static int bytes_set_u8(lua_State *L) { return bytes_set(L, 1); }
static int bytes_set_u16(lua_State *L) { return bytes_set(L, 2); }
static int bytes_set_u32(lua_State *L) { return bytes_set(L, 4); }

static int bytes_slice(lua_State *L) {
  uint8_t *data;
  kc_view *v = check_view(L, 1, &data);
  size_t o, w;
  opt_range(L, 2, v->len, &o, &w);
  push_subview(L, 1, v, o, w);
  return 1;
}

static int bytes_string(lua_State *L) {
  uint8_t *data;
  kc_view *v = check_view(L, 1, &data);
  size_t o, w;
  opt_range(L, 2, v->len, &o, &w);
  lua_pushlstring(L, (const char *)data + o, w);
  return 1;
}

static int bytes_copy_from(lua_State *L) {
  uint8_t *data;
  kc_view *v = check_writable(L, 1, &data);
  size_t slen;
  const uint8_t *src = kc_bytes_or_string(L, 2, &slen);
  if (!src) return luaL_typeerror(L, 2, "string or byte array");
  size_t dst = check_range(L, v->len, luaL_optinteger(L, 3, 0), 0);
  size_t so, n;
  opt_range(L, 4, slen, &so, &n);
  check_range(L, v->len, (lua_Integer)dst, (lua_Integer)n);
  memmove(data + dst, src + so, n);
  mark_written(v);
  return 0;
}

static int bytes_fill(lua_State *L) {
  uint8_t *data;
  kc_view *v = check_writable(L, 1, &data);
  lua_Integer value = luaL_checkinteger(L, 2);
  size_t o, w;
  opt_range(L, 3, v->len, &o, &w);
  memset(data + o, (int)(value & 0xff), w);
  mark_written(v);
  return 0;
}

static int bytes_checksum(lua_State *L) {
  uint8_t *data;
  kc_view *v = check_view(L, 1, &data);
  size_t o, w;
  opt_range(L, 2, v->len, &o, &w);
  lua_Integer initial = luaL_optinteger(L, 4, 0);
  lua_pushinteger(L, kc_fold16(kc_sum16(data + o, w, (uint64_t)initial)));
  return 1;
}

static int bytes_alive(lua_State *L) {
  kc_view *v = any_view(L, 1);
  lua_pushboolean(L, view_alive(L, v));
  return 1;
}

/* ---- packets --------------------------------------------------------- */

void kc_packet_push(lua_State *L, kc_packet *pkt) {
  lua_pushlightuserdata(L, (void *)((uintptr_t)pkt->slot << 32 | (uint32_t)pkt->id));
}

static int packet_bytes(lua_State *L) {
  kc_packet *pkt = check_packet(L, 1);
  kc_bytes_push_packet_view(L, pkt, 0, pkt->len);
  return 1;
}

static int packet_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)check_packet(L, 1)->len);
  return 1;
}

static int packet_get(lua_State *L, int width) {
  kc_packet *pkt = check_packet(L, 1);
  int is_integer;
  lua_Integer offset = lua_tointegerx(L, 2, &is_integer);
  if (!is_integer) return luaL_typeerror(L, 2, "integer offset");
  size_t o = check_range(L, pkt->len, offset, width);
  lua_pushinteger(L, read_be(pkt->data + o, width));
  return 1;
}
static int packet_u8(lua_State *L) { return packet_get(L, 1); }
static int packet_u16(lua_State *L) { return packet_get(L, 2); }
static int packet_u32(lua_State *L) { return packet_get(L, 4); }

static int packet_string(lua_State *L) {
  kc_packet *pkt = check_packet(L, 1);
  size_t o, w;
  opt_range(L, 2, pkt->len, &o, &w);
  lua_pushlstring(L, (const char *)pkt->data + o, w);
  return 1;
}

static int packet_hook(lua_State *L) {
  lua_pushinteger(L, check_packet(L, 1)->hook);
  return 1;
}
static int packet_indev(lua_State *L) {
  lua_pushinteger(L, check_packet(L, 1)->indev);
  return 1;
}
static int packet_outdev(lua_State *L) {
  lua_pushinteger(L, check_packet(L, 1)->outdev);
  return 1;
}
static int packet_hwaddr(lua_State *L) {
  kc_packet *pkt = check_packet(L, 1);
  if (pkt->hwaddr_len == 0) return 0;
  lua_pushlstring(L, (const char *)pkt->hwaddr, pkt->hwaddr_len);
  return 1;
}

static int packet_hold(lua_State *L) {
  kc_packet *pkt = check_packet(L, 1);
  kc_context *c = kc_context_of(L);
  char err[128];
  uint64_t handle = kc_engine_hold(c->state->engine, pkt, err, sizeof err);
  if (!handle) return luaL_error(L, "%s", err);
  lua_pushinteger(L, (lua_Integer)handle);
  return 1;
}

static int packet_is_alive(lua_State *L) {
  lua_pushboolean(L, packet_from_handle(L, 1) != NULL);
  return 1;
}

static int packet_tostring(lua_State *L) {
  kc_packet *pkt = packet_from_handle(L, 1);
  if (!pkt) lua_pushliteral(L, "packet(released)");
  else lua_pushfstring(L, "packet(%I bytes)", (lua_Integer)pkt->len);
  return 1;
}

/* Creates a metatable `name` whose methods live in a plain table, kept in
 * the registry under `methods_key` so api.c can publish it for lua-std. */
static void new_type(lua_State *L, const char *name, const char *methods_key, const luaL_Reg *methods,
                     const luaL_Reg *meta, lua_CFunction index) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, meta, 0);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, methods_key); /* for api.c: kmod.Bytes, kmod.Packet */
  if (index) lua_pushcclosure(L, index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

void kc_bytes_open(lua_State *L) {
  static const luaL_Reg bytes_methods[] = {
      {"len", bytes_len},         {"u8", bytes_u8},         {"u16", bytes_u16},
      {"u32", bytes_u32},         {"set_u8", bytes_set_u8}, {"set_u16", bytes_set_u16},
      {"set_u32", bytes_set_u32}, {"slice", bytes_slice},   {"string", bytes_string},
      {"copy_from", bytes_copy_from}, {"fill", bytes_fill}, {"checksum", bytes_checksum},
      {"alive", bytes_alive},     {NULL, NULL},
  };
  static const luaL_Reg bytes_meta[] = {
      {"__newindex", bytes_newindex}, {"__len", bytes_len}, {"__tostring", bytes_tostring},
      {"__concat", bytes_concat}, {NULL, NULL},
  };
  new_type(L, BYTES_MT, KC_BYTES_METHODS, bytes_methods, bytes_meta, bytes_index);

  static const luaL_Reg packet_methods[] = {
      {"bytes", packet_bytes}, {"len", packet_len},     {"u8", packet_u8},         {"u16", packet_u16},
      {"u32", packet_u32},     {"string", packet_string}, {"hook", packet_hook},   {"indev", packet_indev},
      {"outdev", packet_outdev}, {"hwaddr", packet_hwaddr}, {"hold", packet_hold}, {"alive", packet_is_alive},
      {NULL, NULL},
  };
  static const luaL_Reg packet_meta[] = {
      {"__len", packet_len}, {"__tostring", packet_tostring}, {NULL, NULL},
  };
  new_type(L, PACKET_MT, KC_PACKET_METHODS, packet_methods, packet_meta, NULL);
  /* Light userdata share one metatable per state: packets are the only light userdata. */
  lua_pushlightuserdata(L, NULL);
  luaL_getmetatable(L, PACKET_MT);
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
}
