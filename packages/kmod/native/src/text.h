/* Text scanning for protocol parsers written in Lua: checks runs of bytes in
 * C, where a Lua pattern or a byte-by-byte loop costs far more per byte and
 * each Lua-to-C call costs hundreds of machine instructions. Owns
 * `kmod.span` (strspn over a byte set) and `kmod.field_lines`: the plain
 * header field lines of a message head (HTTP/1.1 and its kin, RFC 9112 §5),
 * all checked in one call. */
#ifndef KCACHE_TEXT_H
#define KCACHE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lua_State;

/* A plain field line found at some position, 0-based landmarks: the name is
 * [name, colon), the value [value, cr) (its leading whitespace skipped, its
 * trailing whitespace kept), the line ends with CR LF at cr, and the next
 * line starts at cr + 2. */
typedef struct kc_field_line {
  size_t name, colon, value, cr;
} kc_field_line;

/* Reads the field line at s[p], within s[0, stop). True when it is plain: a
 * token name (tchar, RFC 9110 §5.6.2) of at least one byte, ':', optional SP
 * and HTAB, a value of at least one byte (field-vchar, obs-text, SP, HTAB; its
 * first neither SP nor HTAB), CR LF, and a next line whose first byte is inside
 * s[0, stop) and is not SP or HTAB (no obs-fold, RFC 9112 §5.2). False for
 * anything else: the empty line that ends a head, a bare CR or LF, a byte
 * outside these sets, an empty value, obs-fold, or a line that the end of
 * the data (or `stop`) may cut. Never reads s[stop] or beyond. */
bool kc_field_line_read(const uint8_t *s, size_t stop, size_t p, kc_field_line *line);

/* Names a scan stops at, from a list of names separated by single spaces,
 * compared ASCII case-insensitively (a name with other bytes than tchars
 * never matches a line). Parsed, they are the list and a 64-bit filter:
 * small enough for a scan to keep its own copy. */
#define KC_FIELD_NAMES_MAX 32
typedef struct kc_field_names {
  const uint8_t *list;
  size_t len;
  int count;
  /* Bit kc_field_name_key(name) set for each listed name: most lines are ruled out by it. */
  uint64_t filter;
} kc_field_names;

/* A name's bit in a filter: its length and first byte (case-folded), mixed. */
static inline unsigned kc_field_name_key(size_t len, uint8_t first) { return (unsigned)(len * 41 + (first | 0x20)) & 63; }

/* Parses `list` (it must outlive `names`); false when a name is empty (a
 * space at either end, two in a row) or there are more than
 * KC_FIELD_NAMES_MAX. An empty list lists nothing. */
bool kc_field_names_parse(kc_field_names *names, const uint8_t *list, size_t len);
/* The index (1-based) of `name` (`len` > 0 bytes) in `names`, or 0. */
int kc_field_names_find(const kc_field_names *names, const uint8_t *name, size_t len);

/* Adds the text functions (field_lines) to the table on top of the stack. */
void kc_text_api_open(struct lua_State *L);

#endif
