/* termtext.h - text that came from a target, made safe for a terminal.
 *
 * Header values, grpc-message, paths, payloads and even version strings
 * are chosen by whoever talks to (or built) the target: printed raw, an
 * ESC or a C1 control would let them recolour the screen, set the window
 * title, move the cursor or fake lines of our output. Every text print of
 * such a value goes through these functions; JSON has json.c instead.
 *
 * Kept as is: printable ASCII and well-formed UTF-8 of printable
 * characters. Escaped: \n \r \t and \\ by name; other C0 controls and DEL
 * as \xHH; C1 controls (U+0080..U+009F) and the bidirectional overrides
 * (U+202A..U+202E, U+2066..U+2069, which reorder what follows on screen)
 * as \uHHHH; every byte that is not part of well-formed UTF-8 as \xHH.
 */
#ifndef TERMTEXT_H
#define TERMTEXT_H

#include <stddef.h>
#include <stdio.h>

/* Write the n bytes at s (NUL bytes included) escaped; returns the
 * columns written, counting one per character shown. */
size_t term_writen(FILE *f, const char *s, size_t n);
/* The same for a C string. */
size_t term_write(FILE *f, const char *s);
/* n spaces (none if n <= 0). */
void term_spaces(FILE *f, int n);
/* term_write, then spaces up to width columns: a column of a table. */
void term_pad(FILE *f, const char *s, int width);
/* The columns term_writen would write for the n bytes at s. */
size_t term_columns(const char *s, size_t n);
/* The n bytes at s escaped in at most width columns, then spaces up to
 * width when pad: when the escaped text is wider, ".." and as much of its
 * end as fits (an escape is never cut). Returns the columns written. For
 * a column whose value may be longer than the column. */
size_t term_fit(FILE *f, const char *s, size_t n, int width, int pad);
/* The escaped form of s in buf, cut before an escape that does not fit;
 * returns buf. For text that goes through printf formats. */
const char *term_text(char *buf, size_t len, const char *s);

#endif
