/* The engine's C tests: the core behaviours and a fuzz run, meant to be run
 * also under AddressSanitizer and UBSan (make test-asan). The TypeScript
 * tests (vitest) cover the same behaviours through the N-API glue. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "harness.h"
#include "text.h"

static const char *scripts;

static void test_verdicts(void) {
  kc_sim *sim = harness_sim();
  harness_rule(sim, scripts, "basics.lua", "verdict_from_payload", KC_NF_DROP);
  uint8_t pkt[64];
  for (char v = 0; v <= 4; v++) {
    size_t len = harness_udp(pkt, &v, 1, 69);
    EXPECT(harness_inject(sim, pkt, len) == (uint32_t)v);
  }
  kc_sim_free(sim);
}

static void test_errors_give_fail_verdict(void) {
  kc_sim *sim = harness_sim();
  kc_rule *oob = harness_rule(sim, scripts, "basics.lua", "out_of_range", KC_NF_ACCEPT);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "x", 1, 69);
  int logs = harness_log_lines;
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  EXPECT(oob->stats.errors == 1);
  EXPECT(harness_log_lines == logs + 1);
  kc_engine_delete_rule(sim->engine, oob->id);

  kc_rule *raise = harness_rule(sim, scripts, "basics.lua", "raise", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(raise->stats.errors == 1);
  kc_engine_delete_rule(sim->engine, raise->id);

  kc_engine_set_budgets(sim->engine, 0, 10000, 0, 0);
  kc_rule *spin = harness_rule(sim, scripts, "basics.lua", "spin", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(spin->stats.instruction_aborts == 1);
  kc_engine_delete_rule(sim->engine, spin->id);

  kc_engine_set_budgets(sim->engine, 0, 0, 4u << 20, 10000000);
  kc_rule *hog = harness_rule(sim, scripts, "basics.lua", "hog", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(hog->stats.memory_aborts == 1);
  /* The state recovers its memory and keeps working. */
  kc_rule *accept = harness_rule(sim, scripts, "basics.lua", "accept", KC_NF_DROP);
  kc_engine_delete_rule(sim->engine, hog->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  EXPECT(accept->stats.errors == 0);
  kc_sim_free(sim);
}

static void test_time_budget(void) {
  kc_sim *sim = harness_sim();
  kc_engine_set_budgets(sim->engine, 0, 0, 0, 20000);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "x", 1, 69);
  kc_rule *spin = harness_rule(sim, scripts, "basics.lua", "spin", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(spin->stats.time_aborts == 1);
  kc_engine_delete_rule(sim->engine, spin->id);
  /* Catching the error with pcall does not escape the budget. */
  kc_rule *catching = harness_rule(sim, scripts, "basics.lua", "spin_catching", KC_NF_DROP);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(catching->stats.time_aborts == 1);
  kc_rule *accept = harness_rule(sim, scripts, "basics.lua", "accept", KC_NF_DROP);
  kc_engine_delete_rule(sim->engine, catching->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  EXPECT(accept->stats.errors == 0);
  /* The same with an instruction budget. */
  kc_engine_set_budgets(sim->engine, 0, 100000, 0, 0);
  kc_rule *counted = harness_rule(sim, scripts, "basics.lua", "spin_catching", KC_NF_DROP);
  kc_engine_delete_rule(sim->engine, accept->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  EXPECT(counted->stats.instruction_aborts == 1);
  kc_sim_free(sim);
}

static void test_view_after_release(void) {
  kc_sim *sim = harness_sim();
  kc_rule *keep = harness_rule(sim, scripts, "basics.lua", "keep", KC_NF_DROP);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "abc", 3, 69);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_ACCEPT);
  kc_rule *use = harness_rule(sim, scripts, "basics.lua", "use_kept", KC_NF_QUEUE);
  kc_engine_delete_rule(sim->engine, keep->id);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_QUEUE);
  EXPECT(use->stats.errors == 1);
  kc_sim_free(sim);
}

static void test_hold_release_send_schedule(void) {
  kc_sim *sim = harness_sim();
  harness_rule(sim, scripts, "basics.lua", "hold", KC_NF_DROP);
  uint8_t pkt[64];
  size_t len = harness_udp(pkt, "held", 4, 69);
  kc_sim_verdict v;
  EXPECT(kc_sim_inject(sim, KC_HOOK_FORWARD, pkt, len, NULL, &v));
  EXPECT(v.verdict == KC_NF_STOLEN && v.held);
  free(v.data);
  kc_sim_advance_us(sim, 29000);
  kc_sim_packet *released = kc_sim_take_released(sim);
  EXPECT(released == NULL);
  kc_sim_advance_us(sim, 1000);
  released = kc_sim_take_released(sim);
  EXPECT(released && released->verdict == KC_NF_ACCEPT && released->len == len && memcmp(released->data, pkt, len) == 0);
  kc_sim_free_list(released);
  kc_engine_delete_rule(sim->engine, 1);

  harness_rule(sim, scripts, "basics.lua", "send_back", KC_NF_ACCEPT);
  EXPECT(harness_inject(sim, pkt, len) == KC_NF_DROP);
  kc_sim_packet *sent = kc_sim_take_sent(sim);
  EXPECT(sent && sent->len == len && memcmp(sent->data, pkt, len) == 0);
  kc_sim_free_list(sent);
  kc_sim_free(sim);
}

static void test_store(void) {
  kc_store *s = kc_store_new(1000, 600);
  const char *err = NULL;
  uint8_t block[100];
  memset(block, 'x', sizeof block);
  for (int i = 0; i < 20; i++) {
    char key[16];
    snprintf(key, sizeof key, "key%d", i);
    kc_entry *e = kc_store_begin(s, key, strlen(key), 0, i, &err);
    EXPECT(e != NULL);
    for (int k = 0; e && k < 3; k++) EXPECT(kc_store_append(s, e, block, sizeof block, i, &err));
    if (e) kc_store_commit(s, e, i % 2 ? 1000 : 0, i);
    EXPECT(s->bytes <= s->budget);
  }
  EXPECT(s->entries == 3 && s->stats.evictions == 17);
  EXPECT(kc_store_lookup(s, "key19", 5, 20, true) != NULL);
  EXPECT(kc_store_lookup(s, "key0", 4, 20, true) == NULL);
  EXPECT(kc_store_lookup(s, "key19", 5, 5000, true) == NULL); /* expired */
  kc_entry *big = kc_store_begin(s, "big", 3, 0, 30, &err);
  int appended = 0;
  for (int k = 0; big && k < 10; k++) appended += kc_store_append(s, big, block, sizeof block, 30, &err);
  EXPECT(big && appended == 6 && big->len == 600); /* the maximum entry size stops it */
  if (big) kc_store_abort(s, big);
  kc_store_free(s);
}

/* Random and truncated packets through a header-reading script: errors are
 * fine, crashes and out-of-bounds reads (ASan) are not. */
static void test_fuzz(int count) {
  kc_sim *sim = harness_sim();
  kc_rule *rule = harness_rule(sim, scripts, "read_headers.lua", "process_packet", KC_NF_DROP);
  uint64_t seed = 0x12345678;
  uint8_t pkt[1600], valid[1600];
  static const char rrq[] = "\x00\x01name\x00octet";
  size_t valid_len = harness_udp(valid, rrq, sizeof rrq, 69);
  for (int i = 0; i < count; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t len;
    switch ((seed >> 33) % 3) {
      case 0: /* a valid packet cut short */
        len = (seed >> 40) % (valid_len + 1);
        memcpy(pkt, valid, len);
        break;
      case 1: /* a valid packet with random bytes changed */
        len = valid_len;
        memcpy(pkt, valid, len);
        for (int k = 0; k < 4; k++) {
          seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
          pkt[(seed >> 35) % len] = (uint8_t)(seed >> 50);
        }
        break;
      default: /* random bytes of a random length */
        len = (seed >> 38) % sizeof pkt;
        for (size_t k = 0; k < len; k++) {
          seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
          pkt[k] = (uint8_t)(seed >> 56);
        }
    }
    uint32_t verdict = harness_inject(sim, pkt, len);
    EXPECT(kc_verdict_valid(verdict));
  }
  EXPECT(rule->stats.packets == (uint64_t)count);
  printf("  fuzz: %d packets, %llu script errors, %llu accepted, %llu dropped\n", count,
         (unsigned long long)rule->stats.errors, (unsigned long long)rule->stats.verdicts[KC_NF_ACCEPT],
         (unsigned long long)rule->stats.verdicts[KC_NF_DROP]);
  kc_sim_free(sim);
}

/* The word-at-a-time sum against RFC 1071's definition, at every length and alignment. */
static void test_checksum_sum(void) {
  uint8_t data[600];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 131 + 7);
  for (size_t offset = 0; offset < 4; offset++) {
    for (size_t len = 0; len + offset <= sizeof data; len++) {
      uint64_t reference = 5;
      for (size_t i = 0; i < len; i += 2)
        reference += (uint32_t)data[offset + i] << 8 | (i + 1 < len ? data[offset + i + 1] : 0);
      EXPECT(kc_fold16(kc_sum16(data + offset, len, 5)) == kc_fold16(reference));
    }
  }
}

/* A CHECKSUM_PARTIAL packet (pseudo-header sum in the field) completed to the checksum a receiver verifies. */
static void test_checksum_complete(void) {
  uint8_t pkt[128];
  size_t len = harness_udp(pkt, "partial checksum", 16, 69);
  uint8_t pseudo[12] = {0};
  memcpy(pseudo, pkt + 12, 8);
  pseudo[9] = 17;
  pseudo[11] = (uint8_t)(len - 20);
  uint16_t partial = (uint16_t)~kc_fold16(kc_sum16(pseudo, sizeof pseudo, 0));
  uint16_t expected = kc_fold16(kc_sum16(pkt + 20, len - 20, kc_sum16(pseudo, sizeof pseudo, 0)));
  pkt[26] = (uint8_t)(partial >> 8);
  pkt[27] = (uint8_t)partial;
  EXPECT(kc_l4_checksum_complete(pkt, len));
  EXPECT((uint16_t)(pkt[26] << 8 | pkt[27]) == expected);
  EXPECT(kc_fold16(kc_sum16(pkt + 20, len - 20, kc_sum16(pseudo, sizeof pseudo, 0))) == 0);
  EXPECT(!kc_l4_checksum_complete(pkt, 25)); /* truncated */
  pkt[9] = 1;                                 /* ICMP: not offloaded this way */
  EXPECT(!kc_l4_checksum_complete(pkt, len));
}

/* ---- kmod.field_lines (text.c) ---- */

/* The definition of a plain field line, byte by byte, to hold the scanner to. */
static bool reference_tchar(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}
static bool reference_value_byte(uint8_t c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }
static bool reference_line(const uint8_t *s, size_t stop, size_t p, kc_field_line *line) {
  size_t i = p;
  while (i < stop && reference_tchar(s[i])) i++;
  if (i == p || i == stop || s[i] != ':') return false;
  size_t colon = i++;
  while (i < stop && (s[i] == ' ' || s[i] == '\t')) i++;
  size_t value = i;
  while (i < stop && reference_value_byte(s[i])) i++;
  if (i == value) return false;                                  /* empty value, or a bad first byte */
  if (i + 2 >= stop) return false;                               /* CR, LF and the next byte must be inside */
  if (s[i] != '\r' || s[i + 1] != '\n') return false;           /* bare CR or LF, bad byte */
  if (s[i + 2] == ' ' || s[i + 2] == '\t') return false;        /* obs-fold */
  *line = (kc_field_line){p, colon, value, i};
  return true;
}

/* The scanner agrees with the reference on a line and every prefix of it, reading each
 * from a buffer of exactly `stop` bytes (AddressSanitizer catches a read past stop). */
static int compare_line(const uint8_t *text, size_t len) {
  int mismatches = 0;
  for (size_t stop = 0; stop <= len; stop++) {
    uint8_t *copy = malloc(stop ? stop : 1);
    memcpy(copy, text, stop);
    kc_field_line got = {0}, want = {0};
    bool ok = kc_field_line_read(copy, stop, 0, &got);
    bool expected = reference_line(copy, stop, 0, &want);
    if (ok != expected || (ok && memcmp(&got, &want, sizeof got) != 0)) {
      if (mismatches++ == 0) fprintf(stderr, "  field line mismatch at stop %zu: %.*s\n", stop, (int)len, (const char *)text);
    }
    free(copy);
  }
  return mismatches;
}

static void test_field_line_read(void) {
  const uint8_t *s = (const uint8_t *)"Host: example.com\r\nX";
  kc_field_line line;
  EXPECT(kc_field_line_read(s, 20, 0, &line) && line.name == 0 && line.colon == 4 && line.value == 6 && line.cr == 17);
  EXPECT(!kc_field_line_read(s, 19, 0, &line)); /* the next line's first byte is past stop */
  EXPECT(!kc_field_line_read(s, 20, 19, &line)); /* "X": no colon before stop */
  EXPECT(!kc_field_line_read(s, 20, 20, &line)); /* at stop */
  EXPECT(!kc_field_line_read(s, 20, 25, &line)); /* past stop */
  /* Every stop reason, each with its neighbour that is plain. */
  static const struct { const char *text; bool plain; } cases[] = {
      {"A:b\r\nX", true},           {"A: \t b c \t\r\nX", true},  {":b\r\nX", false},          {"A b: c\r\nX", false},
      {"A\x7f: b\r\nX", false},     {"A:\r\nX", false},           {"A: \t\r\nX", false},        {"A: b\x7f\r\nX", false},
      {"A: b\x01\r\nX", false},     {"A: \x80\xff\r\nX", true},   {"A: b\rX", false},           {"A: b\nX", false},
      {"A: b\r\n X", false},        {"A: b\r\n\tX", false},       {"A: b\r\n\r\n", true},       {"\r\n", false},
      {"A: b\r\r\nX", false},       {"A: b\r\n:X", true},         {"A:\tb\r\nX", true},         {"A: b\tc\r\nX", true},
      {"A: 0123456789abcdef0123456789\r\nX", true},               {"A: 0123456789abc\tef0123456789\r\nX", true},
      {"A: 0123456789abc\x1f" "ef0123456789\r\nX", false},        {"A: 0123456789abcdef\x7f" "123456789\r\nX", false},
      {"A: 0\t2\t4\t6\t8\t\tb\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\r\nX", true},
      {"A: 0123\t567\t9abcdef\t\x01xyz0123456789\r\nX", false}, {"A: 0123\t567\t9abcdef\t\x7fxyz0123456789\r\nX", false},
      {"A-Very-Long-Name-Of-Many-Tchars!#$%&'*+-.^_`|~0123456789: v\r\nX", true},
      {"A-Very-Long-Name-Of-Many-Tchars!#$%&'*+-.^_`|~0123456789@: v\r\nX", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t len = strlen(cases[i].text);
    bool plain = kc_field_line_read((const uint8_t *)cases[i].text, len, 0, &line);
    if (plain != cases[i].plain) fprintf(stderr, "  case %zu (%s): plain %d\n", i, cases[i].text, plain);
    EXPECT(plain == cases[i].plain);
    EXPECT(compare_line((const uint8_t *)cases[i].text, len) == 0);
  }
  /* Every byte at every position of lines with short and long names and values, at every stop. */
  static const char *bases[] = {"Name-1: value with words\r\nN", "X-A-Rather-Long-Field-Name: 0123456789012345678901234567890123456789\r\nN"};
  int mismatches = 0;
  for (size_t b = 0; b < 2; b++) {
    uint8_t text[128];
    size_t len = strlen(bases[b]);
    for (size_t at = 0; at < len; at++) {
      for (int c = 0; c < 256; c++) {
        memcpy(text, bases[b], len);
        text[at] = (uint8_t)c;
        mismatches += compare_line(text, len);
      }
    }
  }
  EXPECT(mismatches == 0);
}

static void test_field_names(void) {
  kc_field_names names;
  const char *list = "connection content-length upgrade";
  EXPECT(kc_field_names_parse(&names, (const uint8_t *)list, strlen(list)) && names.count == 3);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"Content-Length", 14) == 2);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"UPGRADE", 7) == 3);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"connection", 10) == 1);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"connectioN!", 11) == 0);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"Content-Lengt", 13) == 0);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"Content_Length", 14) == 0);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"User-Agent", 10) == 0);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"Cache-Ctrl", 10) == 0); /* passes the filter: same length, same first letter */
  /* Case folding is ASCII letters only: `^` is not `~`. */
  EXPECT(kc_field_names_parse(&names, (const uint8_t *)"a~b", 3) && kc_field_names_find(&names, (const uint8_t *)"A^B", 3) == 0);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"A~B", 3) == 1);
  /* Long names. */
  char long_list[200], long_name[100];
  memset(long_name, 'x', 70);
  snprintf(long_list, sizeof long_list, "a %.70s b", long_name);
  EXPECT(kc_field_names_parse(&names, (const uint8_t *)long_list, strlen(long_list)) && names.count == 3);
  long_name[0] = 'X';
  EXPECT(kc_field_names_find(&names, (const uint8_t *)long_name, 70) == 2);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)long_name, 69) == 0);
  EXPECT(kc_field_names_parse(&names, (const uint8_t *)"", 0) && names.count == 0);
  EXPECT(kc_field_names_find(&names, (const uint8_t *)"a", 1) == 0);
  /* Malformed lists. */
  EXPECT(!kc_field_names_parse(&names, (const uint8_t *)" a", 2));
  EXPECT(!kc_field_names_parse(&names, (const uint8_t *)"a ", 2));
  EXPECT(!kc_field_names_parse(&names, (const uint8_t *)"a  b", 4));
  char many[200] = "";
  for (int i = 0; i < KC_FIELD_NAMES_MAX; i++) strcat(many, i ? " n" : "n");
  EXPECT(kc_field_names_parse(&names, (const uint8_t *)many, strlen(many)) && names.count == KC_FIELD_NAMES_MAX);
  strcat(many, " n");
  EXPECT(!kc_field_names_parse(&names, (const uint8_t *)many, strlen(many)));
}

/* kmod.field_lines through Lua: what it writes and returns, and its argument errors. */
static void test_field_lines_lua(void) {
  lua_State *L = luaL_newstate();
  luaL_openlibs(L);
  lua_newtable(L);
  kc_text_api_open(L);
  lua_setglobal(L, "kmod");
  static const char *const checks[] = {
      "local head = 'Host: a\\r\\nConnection: close\\r\\nX-Y:z \\r\\n\\r\\nbody'\n"
      "local seen, out = {}, {}\n"
      "local function each(s, nameFirst, nameLast, valueFirst, valueLast)\n"
      "  assert(s == head)\n"
      "  seen[#seen + 1] = table.concat({nameFirst, nameLast, valueFirst, valueLast}, ',')\n"
      "end\n"
      "local count, next, first, second, listed = kmod.field_lines(head, 1, #head, each, out)\n"
      "assert(count == 3 and next == 37 and first == 13 and second == 10 and listed == nil, 'whole head')\n"
      "assert(table.concat(seen, ' ') == '1,4,7,7 10,19,22,26 29,31,33,34', table.concat(seen, ' '))\n"
      "assert(#out == 0, 'out is only for a listed line')\n"
      /* A listed name stops the scan at its line, which goes into out. */
      "seen = {}\n"
      "count, next, first, second, listed = kmod.field_lines(head, 1, #head, each, out, 'upgrade connection')\n"
      "assert(count == 1 and next == 10 and first == 67 and second == 111 and listed == 2, 'listed')\n"
      "assert(table.concat(seen, ' ') == '1,4,7,7' and table.concat(out, ',') == '10,19,22,26', 'listed spans')\n"
      "count, next, first, second, listed = kmod.field_lines(head, 29, #head, each, out, 'upgrade connection')\n"
      "assert(count == 1 and next == 37 and listed == nil and #seen == 2, 'after listed')\n"
      "count, next, first, second, listed = kmod.field_lines(head, 1, #head, nil, out, 'HOST')\n"
      "assert(count == 0 and next == 1 and first == 72 and listed == 1 and out[1] == 1 and out[4] == 7, 'listed first')\n"
      /* The list may change from call to call (the last one is kept parsed), a bad one changes nothing. */
      "local h2 = 'Upgrade: x\\r\\nHost: y\\r\\n\\r\\n'\n"
      "local c, n, _, _, l = kmod.field_lines(h2, 1, #h2, nil, out, 'host upgrade')\n"
      "assert(c == 0 and n == 1 and l == 2, 'list 1')\n"
      "c, n, _, _, l = kmod.field_lines(h2, 1, #h2, nil, out, 'host')\n"
      "assert(c == 1 and n == 13 and l == 1 and out[1] == 13, 'list 2')\n"
      "assert(not pcall(kmod.field_lines, h2, 1, #h2, nil, out, 'host  upgrade'), 'bad list')\n"
      "c, n, _, _, l = kmod.field_lines(h2, 1, #h2, nil, out, 'host')\n"
      "assert(c == 1 and l == 1, 'list 2 again')\n"
      "c, n, _, _, l = kmod.field_lines(h2, 1, #h2, nil, out)\n"
      "assert(c == 2 and l == nil, 'no list')\n"
      "local long1 = string.rep('x', 50) .. ' upgrade'\n"
      "local long2 = table.concat({string.rep('x', 50), 'upgrade'}, ' ')\n"
      "assert(select(5, kmod.field_lines(h2, 1, #h2, nil, out, long1)) == 2, 'long list')\n"
      "assert(select(5, kmod.field_lines(h2, 1, #h2, nil, out, long2)) == 2, 'equal long list')\n"
      /* Without a function the lines are only checked. */
      "count, next, first = kmod.field_lines(head, 1, #head, nil, out)\n"
      "assert(count == 3 and next == 37 and first == 13 and #seen == 2, 'no function')\n"
      /* stop: the next line's first byte must be inside; the bytes returned are inside. */
      "count, next, first, second = kmod.field_lines(head, 1, 10, nil, out)\n"
      "assert(count == 1 and next == 10 and first == 67 and second == nil, 'stop')\n"
      "count, next, first, second = kmod.field_lines(head, 1, 9, nil, out)\n"
      "assert(count == 0 and next == 1 and first == 72 and second == 111, 'stop inside the first line')\n"
      "count, next, first, second = kmod.field_lines(head, 1, 1, nil, out)\n"
      "assert(count == 0 and next == 1 and first == 72 and second == nil, 'stop at init')\n"
      "count, next, first, second = kmod.field_lines(head, 1, 0, nil, out)\n"
      "assert(count == 0 and next == 1 and first == nil and second == nil, 'stop before init')\n"
      "count, next, first = kmod.field_lines(head, 20, 9, nil, out)\n"
      "assert(count == 0 and next == 20 and first == nil, 'stop before init, inside')\n"
      "count, next, first = kmod.field_lines('abc', 3, 1, nil, out)\n"
      "assert(count == 0 and next == 3 and first == nil, 'stop before init, at the end')\n"
      "count, next, first = kmod.field_lines(head, 1, -5, nil, out)\n"
      "assert(count == 0 and next == 1 and first == nil, 'negative stop')\n"
      "count, next, first = kmod.field_lines(head, 1, 1 << 40, nil, out)\n"
      "assert(count == 3 and next == 37 and first == 13, 'stop past the end')\n"
      /* init past the end */
      "count, next, first = kmod.field_lines(head, #head + 1, #head, nil, out)\n"
      "assert(count == 0 and next == #head + 1 and first == nil, 'init at the end')\n"
      "count, next, first = kmod.field_lines(head, math.maxinteger, math.maxinteger, nil, out)\n"
      "assert(count == 0 and next == math.maxinteger and first == nil, 'init far past the end')\n"
      /* What stops it: the byte there tells. */
      "for text, want in pairs({[' a: b\\r\\nX'] = 32, ['a: b\\nX'] = 97, ['\\na: b\\r\\nX'] = 10, [':b\\r\\nX'] = 58,"
      "  ['a: b\\r\\n c\\r\\nX'] = 97, ['a:\\r\\nX'] = 97, [''] = false}) do\n"
      "  local c, n, f = kmod.field_lines(text, 1, #text, each, out)\n"
      "  assert(c == 0 and n == 1 and (f or false) == want, text)\n"
      "end\n"
      /* An error in the function goes through; the function may call field_lines itself. */
      "local ok, err = pcall(kmod.field_lines, head, 1, #head, function() error('from each') end, out)\n"
      "assert(not ok and err:find('from each'), 'error from each')\n"
      "local inner = 0\n"
      "count = kmod.field_lines(head, 1, #head, function() inner = inner + kmod.field_lines(head, 1, #head, nil, {}) end, out)\n"
      "assert(count == 3 and inner == 9, 'nested')\n"
      /* `each` may call field_lines with another list of names: this scan keeps its own. */
      "local h3 = 'A: 1\\r\\nB: 2\\r\\nUpgrade: 3\\r\\nC: 4\\r\\n\\r\\n'\n"
      "local got = {}\n"
      "c, n, _, _, l = kmod.field_lines(h3, 1, #h3, function()\n"
      "  got[#got + 1] = select(5, kmod.field_lines(h2, 1, #h2, nil, {}, 'host'))\n"
      "end, out, 'upgrade')\n"
      "assert(c == 2 and n == 13 and l == 1 and got[1] == 1 and got[2] == 1, 'nested lists')\n"
      /* It cannot yield across the C call (and says so). */
      "local co = coroutine.wrap(function() return kmod.field_lines(head, 1, #head, function() coroutine.yield() end, out) end)\n"
      "ok, err = pcall(co)\n"
      "assert(not ok and err:find('yield across'), tostring(err))\n"
      "return true",
  };
  for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
    if (luaL_dostring(L, checks[i]) != LUA_OK) {
      fprintf(stderr, "  field_lines: %s\n", lua_tostring(L, -1));
      harness_checks_failed++;
    }
    lua_settop(L, 0);
  }
  /* Bad arguments raise, with a message that names the argument. */
  static const struct { const char *call, *error; } bad[] = {
      {"kmod.field_lines(nil, 1, 1, nil, {})", "bad argument #1 to 'field_lines' (string expected"},
      {"kmod.field_lines('a', 'x', 1, nil, {})", "bad argument #2 to 'field_lines' (number expected"},
      {"kmod.field_lines('a', 1.5, 1, nil, {})", "bad argument #2 to 'field_lines' (number has no integer representation)"},
      {"kmod.field_lines('a', 0, 1, nil, {})", "bad argument #2 to 'field_lines' (field_lines: init must be at least 1)"},
      {"kmod.field_lines('a', 1, nil, nil, {})", "bad argument #3 to 'field_lines' (number expected"},
      {"kmod.field_lines('a', 1, 1, {}, {})", "bad argument #4 to 'field_lines' (function expected"},
      {"kmod.field_lines('a', 1, 1, nil, 'out')", "bad argument #5 to 'field_lines' (table expected"},
      {"kmod.field_lines('a', 1, 1)", "bad argument #5 to 'field_lines' (table expected"},
      {"kmod.field_lines('a', 1, 1, nil, {}, 'a  b')", "bad argument #6 to 'field_lines' (field_lines: names must be"},
      {"kmod.field_lines('a', 1, 1, nil, {}, ' a')", "bad argument #6 to 'field_lines' (field_lines: names must be"},
      {"kmod.field_lines('a', 1, 1, nil, {}, {})", "bad argument #6 to 'field_lines' (string expected"},
      {"kmod.field_lines('a', 1, 1, nil, {}, 5)", "bad argument #6 to 'field_lines' (string expected, got number)"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int status = luaL_dostring(L, bad[i].call);
    const char *message = status == LUA_OK ? "(no error)" : lua_tostring(L, -1);
    if (status == LUA_OK || strstr(message, bad[i].error) == NULL) fprintf(stderr, "  %s: %s\n", bad[i].call, message);
    EXPECT(status != LUA_OK && strstr(message, bad[i].error) != NULL);
    lua_settop(L, 0);
  }
  lua_close(L);
}

int main(int argc, char **argv) {
  scripts = argc > 1 ? argv[1] : "test/scripts";
  struct {
    const char *name;
    void (*run)(void);
  } tests[] = {
      {"verdicts", test_verdicts},
      {"errors give the fail verdict", test_errors_give_fail_verdict},
      {"time budget", test_time_budget},
      {"view after release", test_view_after_release},
      {"hold, release, send, schedule", test_hold_release_send_schedule},
      {"content store", test_store},
      {"checksum: sum at every length and alignment", test_checksum_sum},
      {"checksum: partial checksums completed", test_checksum_complete},
      {"field_lines: each line against the definition, every byte, every stop", test_field_line_read},
      {"field_lines: names", test_field_names},
      {"field_lines: from Lua: calls, results, errors, bad arguments", test_field_lines_lua},
  };
  int passed = 0, failed = 0;
  for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
    int before = harness_checks_failed;
    tests[i].run();
    bool ok = harness_checks_failed == before;
    printf("%s %s\n", ok ? "ok  " : "FAIL", tests[i].name);
    ok ? passed++ : failed++;
  }
  int before = harness_checks_failed;
  test_fuzz(100000);
  bool ok = harness_checks_failed == before;
  printf("%s fuzz (100000 random and truncated packets)\n", ok ? "ok  " : "FAIL");
  ok ? passed++ : failed++;
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
