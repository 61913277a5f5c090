/* A Lua state under budgets: a counting allocator (memory budget), a count
 * hook (instruction budget), and protected calls that log a traceback. */
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

kc_context *kc_context_of(lua_State *L) { return *(kc_context **)lua_getextraspace(L); }

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  kc_context *c = ud;
  if (ptr == NULL) osize = 0;
  if (nsize == 0) {
    free(ptr);
    c->memory_used -= osize;
    return NULL;
  }
  if (nsize > osize && c->memory_used + (nsize - osize) > c->memory_limit) {
    c->abort = KC_ABORT_MEMORY;
    return NULL;
  }
  void *block = realloc(ptr, nsize);
  if (block) c->memory_used = c->memory_used - osize + nsize;
  return block;
}

static void instruction_budget_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  kc_context *c = kc_context_of(L);
  c->abort = KC_ABORT_INSTRUCTIONS;
  /* From now on every instruction raises: a script that catches the error with pcall cannot go on. */
  lua_sethook(L, instruction_budget_hook, LUA_MASKCOUNT, 1);
  luaL_error(L, "instruction budget exceeded (%I instructions)", (lua_Integer)c->state->instruction_budget);
}

static int traceback_handler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* Only the libraries a packet script needs, none that reach files or the OS. */
static void open_libraries(lua_State *L) {
  static const luaL_Reg libs[] = {
      {LUA_GNAME, luaopen_base},       {LUA_TABLIBNAME, luaopen_table}, {LUA_STRLIBNAME, luaopen_string},
      {LUA_MATHLIBNAME, luaopen_math}, {LUA_UTF8LIBNAME, luaopen_utf8}, {LUA_COLIBNAME, luaopen_coroutine},
  };
  for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
    luaL_requiref(L, libs[i].name, libs[i].func, 1);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  lua_setglobal(L, "dofile");
  lua_pushnil(L);
  lua_setglobal(L, "loadfile");
}

static int open_protected(lua_State *L) {
  kc_context *c = lua_touserdata(L, 1);
  open_libraries(L);
  kc_bytes_open(L);
  kc_api_open(L, c);
  return 0;
}

bool kc_context_open(kc_context *c, kc_state *s, int index, size_t memory_limit, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  c->state = s;
  c->index = index;
  c->memory_limit = memory_limit;
  c->L = lua_newstate(budget_alloc, c);
  if (!c->L) {
    snprintf(err, errlen, "state %d: cannot create a Lua state (memory budget %zu bytes)", s->id, memory_limit);
    return false;
  }
  *(kc_context **)lua_getextraspace(c->L) = c;
  lua_pushcfunction(c->L, open_protected);
  lua_pushlightuserdata(c->L, c);
  if (lua_pcall(c->L, 1, 0, 0) != LUA_OK) {
    snprintf(err, errlen, "state %d: cannot set up Lua: %s", s->id, lua_tostring(c->L, -1));
    lua_close(c->L);
    c->L = NULL;
    return false;
  }
  return true;
}

void kc_context_close(kc_context *c) {
  if (c->L) lua_close(c->L);
  c->L = NULL;
}

/* What pushing a call's function and arguments may allocate, at most. */
#define CALL_HEADROOM (64 * 1024)

bool kc_context_reserve(kc_context *c) {
  if (c->memory_used + CALL_HEADROOM <= c->memory_limit) return true;
  lua_gc(c->L, LUA_GCCOLLECT);
  return c->memory_used + CALL_HEADROOM <= c->memory_limit;
}

int kc_context_pcall(kc_context *c, int nargs, int nresults, const char *what, char *err, size_t errlen) {
  lua_State *L = c->L;
  int handler = lua_gettop(L) - nargs - 1;
  c->abort = KC_ABORT_NONE;
  kc_watchdog *watchdog = c->state->engine->watchdog;
  int64_t instructions = c->state->instruction_budget;
  int status;
  if (instructions > 0) {
    /* The instruction budget replaces the time budget. Arming the count hook
     * resets its counter: each call gets the whole budget. */
    lua_sethook(L, instruction_budget_hook, LUA_MASKCOUNT, instructions > INT_MAX ? INT_MAX : (int)instructions);
    status = lua_pcall(L, nargs, nresults, handler);
    lua_sethook(L, NULL, 0, 0);
  } else {
    kc_watchdog_enter(watchdog, c, c->state->time_budget_us);
    status = lua_pcall(L, nargs, nresults, handler);
    if (kc_watchdog_leave(watchdog)) lua_sethook(L, NULL, 0, 0);
  }
  if (status != LUA_OK) {
    kc_engine *e = c->state->engine;
    const char *msg = lua_tostring(L, -1);
    char line[4096];
    if (status == LUA_ERRMEM || c->abort == KC_ABORT_MEMORY) {
      c->abort = KC_ABORT_MEMORY;
      snprintf(line, sizeof line, "%s: memory budget exceeded (%zu bytes) in state %d", what, c->memory_limit, c->state->id);
    } else {
      snprintf(line, sizeof line, "%s: %s", what, msg ? msg : "(error)");
    }
    if (err) snprintf(err, errlen, "%s", line);
    else kc_engine_logf(e, "%s", line);
    lua_settop(L, handler - 1);
    if (c->abort == KC_ABORT_MEMORY) lua_gc(L, LUA_GCCOLLECT);
    return status;
  }
  return LUA_OK;
}

void kc_context_push_handler(kc_context *c) { lua_pushcfunction(c->L, traceback_handler); }

int kc_context_call(kc_context *c, int nargs, int nresults, const char *what, char *err, size_t errlen) {
  lua_State *L = c->L;
  int function = lua_gettop(L) - nargs;
  kc_context_push_handler(c);
  lua_insert(L, function);
  int status = kc_context_pcall(c, nargs, nresults, what, err, errlen);
  if (status == LUA_OK) lua_remove(L, function);
  return status;
}
