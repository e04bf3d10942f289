/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strings and NULL-terminated string vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "basic/macro.h"

/* Returns the rest of s after prefix, or NULL. */
static inline const char *startswith(const char *s, const char *prefix)
{
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

static inline bool isempty(const char *s)
{
        return !s || !*s;
}

size_t strv_length(char *const *l);
void strv_free(char **l);
/* Appends a copy of s; returns -ENOMEM on failure, leaving l intact. */
int strv_extend(char ***l, const char *s);
/* Appends s itself, taking ownership. */
int strv_push(char ***l, char *s);
char **strv_copy(char *const *l);
bool strv_contains(char *const *l, const char *s);

/* Cuts whitespace off both ends of s, in place; returns where it now starts. */
char *string_strip(char *s);

/* Escapes s for a JSON string literal into buf (always NUL-terminated). */
void string_json_escape(const char *s, char *buf, size_t size);

/* Strict unsigned/signed decimal parsers: whole string, no sign tricks, range checked. */
int string_safe_atou64(const char *s, uint64_t *ret);
int string_safe_atoi64(const char *s, int64_t *ret);
int string_safe_atoi(const char *s, int *ret);
