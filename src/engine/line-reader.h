/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Lines of a file that a writer appends to and rotates (a container's json-file log, the
 * events journal): first the rotated files path.N .. path.1, oldest first, then path itself,
 * and on every later read what was appended since. A rotation (path is another file now) is
 * followed once the old file has been read to its end; a truncation starts over. Lines are
 * outside input: one longer than max_line is dropped whole, a last line without its newline
 * waits for it.
 */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

typedef struct LineReader LineReader;

/* n excludes the newline. Returns 0 to go on, > 0 to stop reading, < 0 an error. */
typedef int (*LineReaderFunc)(const char *line, size_t n, void *userdata);

int line_reader_open(const char *path, size_t max_line, LineReader **ret);
void line_reader_free(LineReader *r);
static inline void line_reader_freep(LineReader **r)
{
        line_reader_free(*r);
}
#define _cleanup_line_reader_ __attribute__((cleanup(line_reader_freep)))

/* Passes every complete line there is now to f. Returns 0 at the end of what there is, 1 when
 * f asked to stop, or a negative errno (f's, or a read error); *ret_lines counts the lines. */
int line_reader_read(LineReader *r, LineReaderFunc f, void *userdata, size_t *ret_lines);

/* A JSON line: exactly one object and nothing after it but blanks; NULL when it is not. */
struct json_object *line_reader_parse_object(const char *line, size_t n);
