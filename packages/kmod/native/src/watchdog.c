#include "watchdog.h"

#include <lauxlib.h>
#include <lua.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "engine.h"

/* How often the watchdog looks: a fifth of the budget (the budget is enforced
 * to within that, of CPU time), between these bounds. Waking every 2 ms for a
 * 50 ms budget cost the packet path about 3% of a core (and an interrupt). */
#define MIN_TICK_US 1000
#define MAX_TICK_US 10000

struct kc_watchdog {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;
  bool stopping;
  _Atomic uint64_t generation; /* odd while a call runs */
  _Atomic uint64_t fired;      /* the generation the watchdog signalled */
  _Atomic bool hook_armed;
  struct kc_context *_Atomic context;
  _Atomic int64_t budget_us;
  pthread_t runner;
  _Atomic clockid_t runner_clock; /* the CPU-time clock of the thread in the call */
};

static int budget_signal;
static _Thread_local kc_watchdog *current_watchdog;
static pthread_once_t signal_once = PTHREAD_ONCE_INIT;

static void time_budget_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  kc_context *c = kc_context_of(L);
  c->abort = KC_ABORT_TIME;
  /* The hook stays armed (count 1): a script that catches the error with pcall cannot go on. */
  luaL_error(L, "time budget exceeded (%I ms)", (lua_Integer)(c->state->time_budget_us / 1000));
}

static void on_budget_signal(int sig) {
  (void)sig;
  kc_watchdog *w = current_watchdog;
  if (!w) return;
  uint64_t generation = atomic_load(&w->generation);
  if ((generation & 1) && atomic_load(&w->fired) == generation) {
    kc_context *c = atomic_load(&w->context);
    lua_sethook(c->L, time_budget_hook, LUA_MASKCOUNT, 1);
    atomic_store(&w->hook_armed, true);
  }
}

static void install_handler(void) {
  budget_signal = SIGRTMIN + 7;
  struct sigaction sa = {.sa_handler = on_budget_signal, .sa_flags = SA_RESTART};
  sigemptyset(&sa.sa_mask);
  sigaction(budget_signal, &sa, NULL);
}

/* CPU time, not wall time: a call is not charged for the time its thread was
 * descheduled on a loaded machine. */
static int64_t cpu_us(clockid_t clock) {
  struct timespec ts;
  if (clock_gettime(clock, &ts) != 0) return 0;
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *watch(void *arg) {
  kc_watchdog *w = arg;
  uint64_t seen = 0;
  int64_t seen_since = 0;
  pthread_mutex_lock(&w->lock);
  while (!w->stopping) {
    int64_t tick_us = atomic_load(&w->budget_us) / 5;
    if (tick_us < MIN_TICK_US) tick_us = MIN_TICK_US;
    if (tick_us > MAX_TICK_US) tick_us = MAX_TICK_US;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += tick_us * 1000;
    if (until.tv_nsec >= 1000000000) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&w->wake, &w->lock, &until);
    uint64_t generation = atomic_load(&w->generation);
    if (!(generation & 1)) continue;
    int64_t now = cpu_us(atomic_load(&w->runner_clock));
    if (generation != seen) {
      seen = generation;
      seen_since = now;
    } else if (now - seen_since > atomic_load(&w->budget_us) && atomic_load(&w->fired) != generation) {
      atomic_store(&w->fired, generation);
      pthread_kill(w->runner, budget_signal);
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

kc_watchdog *kc_watchdog_new(void) {
  pthread_once(&signal_once, install_handler);
  kc_watchdog *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->wake, NULL);
  if (pthread_create(&w->thread, NULL, watch, w) != 0) {
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  pthread_setname_np(w->thread, "kcache-watchdog");
  return w;
}

void kc_watchdog_free(kc_watchdog *w) {
  if (!w) return;
  pthread_mutex_lock(&w->lock);
  w->stopping = true;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

static _Thread_local clockid_t thread_clock;
static _Thread_local bool thread_clock_known;

void kc_watchdog_enter(kc_watchdog *w, kc_context *c, int64_t budget_us) {
  if (!thread_clock_known) {
    thread_clock_known = pthread_getcpuclockid(pthread_self(), &thread_clock) == 0;
    if (!thread_clock_known) thread_clock = CLOCK_MONOTONIC;
  }
  w->runner = pthread_self();
  atomic_store_explicit(&w->runner_clock, thread_clock, memory_order_relaxed);
  current_watchdog = w;
  atomic_store_explicit(&w->context, c, memory_order_relaxed);
  atomic_store_explicit(&w->budget_us, budget_us, memory_order_relaxed);
  atomic_fetch_add_explicit(&w->generation, 1, memory_order_release);
}

bool kc_watchdog_leave(kc_watchdog *w) {
  atomic_fetch_add_explicit(&w->generation, 1, memory_order_release);
  /* A signal in flight now finds an even generation and does nothing. */
  return atomic_exchange(&w->hook_armed, false);
}
