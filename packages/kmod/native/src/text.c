/* Text scanning for protocol parsers in Lua (see text.h): kmod.span and kmod.field_lines. */
#include "text.h"

#include <lauxlib.h>
#include <lua.h>
#include <string.h>

/* Byte classes: T a tchar (RFC 9110 §5.6.2: ALPHA, DIGIT and !#$%&'*+-.^_`|~),
 * V a byte a field value may hold (field-vchar, obs-text, SP, HTAB: RFC 9110
 * §5.5; no other control, no DEL). */
enum { T = 1, V = 2 };
static const uint8_t byte_class[256] = {
    0,   0,   0,   0,   0,   0,   0,   0,   0,   V,   0,   0,   0,   0,   0,   0,   /* 0x00 */
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   /* 0x10 */
    V,   T|V, V,   T|V, T|V, T|V, T|V, T|V, V,   V,   T|V, T|V, V,   T|V, T|V, V,   /* 0x20 */
    T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, V,   V,   V,   V,   V,   V,   /* 0x30 */
    V,   T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, /* 0x40 */
    T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, V,   V,   V,   T|V, T|V, /* 0x50 */
    T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, /* 0x60 */
    T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, T|V, V,   T|V, V,   T|V, 0,   /* 0x70 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0x80 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0x90 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0xa0 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0xb0 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0xc0 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0xd0 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0xe0 */
    V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   V,   /* 0xf0 */
};

static bool is_ows(uint8_t c) { return c == ' ' || c == '\t'; }

/* The high bit of each of the 8 bytes of `w` that is below 0x20 or is DEL, up
 * to the first such byte (SWAR; exact for the first one, which is all that is
 * read: bits above it may be set by a borrow): 0 when `w` holds only bytes a
 * value may hold but HTAB, the one control allowed, left to the caller. */
static uint64_t control_bits(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  uint64_t del = w ^ (ones * 0x7f);
  return (((w - ones * 0x20) & ~w) | ((del - ones) & ~del)) & highs;
}

bool kc_field_line_read(const uint8_t *s, size_t stop, size_t p, kc_field_line *line) {
  if (p >= stop) return false;
  size_t i = p;
  /* Names: four bytes a step while all are tchars, then byte by byte. */
  while (stop - i >= 4 && (byte_class[s[i]] & byte_class[s[i + 1]] & byte_class[s[i + 2]] & byte_class[s[i + 3]] & T)) i += 4;
  while (i < stop && (byte_class[s[i]] & T)) i++;
  if (i == p || i >= stop || s[i] != ':') return false;
  size_t colon = i++;
  while (i < stop && is_ows(s[i])) i++;
  size_t value = i;
  /* Values: eight bytes a step to the first control byte; past it when it is HTAB. */
  while (stop - i >= 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    uint64_t controls = control_bits(w);
    if (controls == 0) {
      i += 8;
      continue;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    i += (size_t)__builtin_ctzll(controls) >> 3; /* the first control byte: the lowest flagged */
    if (s[i] != '\t') break;
    i++;
#else
    break;
#endif
  }
  while (i < stop && (byte_class[s[i]] & V)) i++;
  /* i is at the CR: the LF and the next line's first byte must be inside too. */
  if (i == value || stop - i < 3 || s[i] != '\r' || s[i + 1] != '\n' || is_ows(s[i + 2])) return false;
  line->name = p;
  line->colon = colon;
  line->value = value;
  line->cr = i;
  return true;
}

static uint8_t ascii_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c | 0x20) : c; }

bool kc_field_names_parse(kc_field_names *names, const uint8_t *list, size_t len) {
  names->list = list;
  names->len = len;
  names->count = 0;
  names->filter = 0;
  size_t i = 0;
  while (i < len) {
    const uint8_t *space = memchr(list + i, ' ', len - i);
    size_t end = space ? (size_t)(space - list) : len;
    if (end == i || (space && end + 1 == len) || names->count == KC_FIELD_NAMES_MAX) return false;
    names->filter |= (uint64_t)1 << kc_field_name_key(end - i, list[i]);
    names->count++;
    i = end + 1;
  }
  return true;
}

int kc_field_names_find(const kc_field_names *names, const uint8_t *name, size_t len) {
  if (!(names->filter >> kc_field_name_key(len, name[0]) & 1)) return 0;
  const uint8_t *list = names->list;
  size_t i = 0;
  for (int n = 1; i < names->len; n++) {
    const uint8_t *space = memchr(list + i, ' ', names->len - i);
    size_t end = space ? (size_t)(space - list) : names->len;
    if (end - i == len) {
      size_t k = 0;
      while (k < len && ascii_lower(list[i + k]) == ascii_lower(name[k])) k++;
      if (k == len) return n;
    }
    i = end + 1;
  }
  return 0;
}

/* strspn over a byte set: the index (1-based) of the first byte at or after
 * `init` that is not in the 256-bit set (a 32-byte string, bit b of byte b/8),
 * or #s + 1. Parsers check every byte against a character class with it: Lua
 * patterns cost about 85 machine instructions a byte, this about 3. */
static int text_span(lua_State *L) {
  size_t len, set_len;
  const uint8_t *s = (const uint8_t *)luaL_checklstring(L, 1, &len);
  lua_Integer init = luaL_checkinteger(L, 2);
  const uint8_t *set = (const uint8_t *)luaL_checklstring(L, 3, &set_len);
  if (set_len != 32) return luaL_error(L, "span: the set must be a 32-byte bitmap (got %I bytes)", (lua_Integer)set_len);
  if (init < 1) init = 1;
  size_t i = (size_t)init - 1;
  while (i < len && (set[s[i] >> 3] >> (s[i] & 7) & 1)) i++;
  lua_pushinteger(L, (lua_Integer)(i < len ? i + 1 : len + 1));
  return 1;
}

/* kmod.field_lines(s, init, stop, each, out [, names]) -> count, next, first, second, listed
 * Checks the plain field lines (kc_field_line_read) from `init` on, reading no
 * byte after `stop`, and calls each(s, nameFirst, nameLast, valueFirst,
 * valueLast) for each (1-based positions, what string.sub takes; `each` may
 * be nil: then the lines are only checked). Stops at the first line that is
 * not plain, or at a line whose name is in `names`: that line is not passed
 * to `each`, its four positions go into out[1..4]. Returns the count of lines
 * passed, the position after them (where the line it stopped at starts), the
 * bytes there and after (nil past `stop`: the caller needs no call to tell the
 * empty line that ends a head), and the index in `names` of the name of the
 * line it stopped at, or nil. */
static int text_field_lines(lua_State *L) {
  size_t len;
  const uint8_t *s = (const uint8_t *)luaL_checklstring(L, 1, &len);
  lua_Integer init = luaL_checkinteger(L, 2);
  lua_Integer stop = luaL_checkinteger(L, 3);
  bool each = !lua_isnoneornil(L, 4);
  if (each) luaL_checktype(L, 4, LUA_TFUNCTION);
  luaL_checktype(L, 5, LUA_TTABLE);
  luaL_argcheck(L, init >= 1, 2, "field_lines: init must be at least 1");
  kc_field_names names = {0};
  bool listing = !lua_isnoneornil(L, 6);
  if (listing) {
    if (lua_type(L, 6) != LUA_TSTRING) return luaL_typeerror(L, 6, "string");
    /* The list last parsed is kept (upvalue 1) with its parsed form (upvalue 2): callers pass
     * the same list again and again, found again in a few instructions. The scan works on a
     * copy, with the list of this call (on the stack for the whole call: `each` may call
     * field_lines with another list). */
    kc_field_names *parsed = lua_touserdata(L, lua_upvalueindex(2));
    size_t names_len;
    const uint8_t *list = (const uint8_t *)lua_tolstring(L, 6, &names_len);
    if (!lua_rawequal(L, 6, lua_upvalueindex(1))) {
      if (!kc_field_names_parse(&names, list, names_len))
        return luaL_argerror(L, 6, "field_lines: names must be at most 32 names separated by single spaces");
      *parsed = names;
      lua_pushvalue(L, 6);
      lua_replace(L, lua_upvalueindex(1));
    }
    names = *parsed;
    names.list = list;
  }
  /* s[0, end) may be read: the 1-based `stop`, within the string. */
  size_t end = stop < 0 ? 0 : (lua_Unsigned)stop > len ? len : (size_t)stop;
  size_t p = (lua_Unsigned)init - 1 > len ? len : (size_t)init - 1; /* past the end: nothing to read */
  lua_Integer count = 0;
  int listed = 0;
  kc_field_line line;
  while (kc_field_line_read(s, end, p, &line)) {
    size_t name_len = line.colon - line.name;
    /* Most names are ruled out by the filter alone, here (no call). */
    if (listing && (names.filter >> kc_field_name_key(name_len, s[line.name]) & 1) &&
        (listed = kc_field_names_find(&names, s + line.name, name_len)) != 0) {
      lua_Integer positions[4] = {(lua_Integer)line.name + 1, (lua_Integer)line.colon, (lua_Integer)line.value + 1, (lua_Integer)line.cr};
      for (int k = 0; k < 4; k++) {
        lua_pushinteger(L, positions[k]);
        lua_rawseti(L, 5, k + 1);
      }
      break;
    }
    if (each) {
      /* `s` stays on the stack (argument 1): the callback cannot free it. */
      lua_pushvalue(L, 4);
      lua_pushvalue(L, 1);
      lua_pushinteger(L, (lua_Integer)line.name + 1);
      lua_pushinteger(L, (lua_Integer)line.colon);
      lua_pushinteger(L, (lua_Integer)line.value + 1);
      lua_pushinteger(L, (lua_Integer)line.cr);
      lua_call(L, 5, 0);
    }
    count++;
    p = line.cr + 2;
  }
  lua_pushinteger(L, count);
  lua_pushinteger(L, count == 0 ? init : (lua_Integer)p + 1);
  if (p < end) lua_pushinteger(L, s[p]); else lua_pushnil(L);
  if (p + 1 < end) lua_pushinteger(L, s[p + 1]); else lua_pushnil(L);
  if (listed) lua_pushinteger(L, listed); else lua_pushnil(L);
  return 5;
}

void kc_text_api_open(lua_State *L) {
  static const luaL_Reg functions[] = {
      {"span", text_span},
      {"field_lines", text_field_lines},
      {NULL, NULL},
  };
  lua_pushnil(L);                                     /* the names list last parsed */
  lua_newuserdatauv(L, sizeof(kc_field_names), 0);    /* its parsed form */
  luaL_setfuncs(L, functions, 2);
}
