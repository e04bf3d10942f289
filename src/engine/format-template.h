/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `--format` as the docker CLI takes it: Go template text over a JSON value ({{.Field.Sub}},
 * {{json .}}, {{index .Labels "k"}}, {{upper .X}}, {{lower}}, {{title}}, {{join .L ","}},
 * {{truncate .ID 12}}, {{range .List}}...{{end}}, {{if .X}}...{{else}}...{{end}}, pipes with
 * `|`), "\t" and "\n" written as escapes, and a leading "table" for aligned columns under a
 * header row. A missing field prints "<no value>", as Go prints it for a map.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "basic/error.h"

typedef struct FormatTemplate FormatTemplate;

/* What a `table` header says for a field ("ID" -> "CONTAINER ID"); NULL: the field in capitals. */
typedef const char *(*FormatHeader)(const char *field, void *userdata);

int format_template_parse(const char *text, FormatTemplate **ret, BerthError **err);
void format_template_free(FormatTemplate *t);
static inline void format_template_freep(FormatTemplate **t)
{
        format_template_free(*t);
}
#define _cleanup_format_template_ __attribute__((cleanup(format_template_freep)))

bool format_template_is_table(const FormatTemplate *t);
/* Appends one rendering of the template over v to *buf (a string, NULL at first). */
int format_template_render(const FormatTemplate *t, struct json_object *v, char **buf,
                           BerthError **err);
/* The header row of a table template, with its newline. */
int format_template_header(const FormatTemplate *t, FormatHeader header, void *userdata,
                           char **buf, BerthError **err);
/* Aligns tab-separated cells into columns as the docker CLI's tabwriter does (minimum width
 * 10, padding 3); the text after a line's last tab is not a column. */
char *format_tabulate(const char *text);
