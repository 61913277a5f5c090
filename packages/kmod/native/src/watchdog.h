/* The time budget of Lua calls. A watchdog thread per engine notices a call
 * that has used more CPU time than its state's time budget and makes it raise, the way
 * lua.c stops a script on Ctrl-C: it signals the thread running the call, and
 * the handler arms a count hook (lua_sethook is async-signal-safe). Calls that
 * end in time pay two stores, not a hook on every instruction. */
#ifndef KCACHE_WATCHDOG_H
#define KCACHE_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>

struct kc_context;
typedef struct kc_watchdog kc_watchdog;

kc_watchdog *kc_watchdog_new(void);
void kc_watchdog_free(kc_watchdog *w);
/* A call in `c` starts in this thread and may run for `budget_us`. */
void kc_watchdog_enter(kc_watchdog *w, struct kc_context *c, int64_t budget_us);
/* The call ended; true when the watchdog had armed the hook (the caller removes it). */
bool kc_watchdog_leave(kc_watchdog *w);

#endif
