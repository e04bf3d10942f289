/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The events journal of a daemonless engine: one file (<root>/events.log) that every writer,
 * the engine's commands and each container's shim, appends Docker's event messages to, one JSON
 * line each:
 *
 *   {"status":"die","id":"<id>","from":"<image>","Type":"container","Action":"die",
 *    "Actor":{"ID":"<id>","Attributes":{"exitCode":"0","image":"<image>","name":"<name>"}},
 *    "scope":"local","time":1796416578,"timeNano":1796416578123456789}
 *
 * A line is written with one write() on an O_APPEND descriptor and is kept below
 * EVENT_JOURNAL_LINE_MAX bytes, so lines of concurrent writers never interleave. Once the file
 * holds EVENT_JOURNAL_SIZE_MAX bytes it is renamed to events.log.1 (the one before goes), under
 * an flock() of the file, so the journal keeps between one and two times that much.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define EVENT_JOURNAL_LINE_MAX 4000
#define EVENT_JOURNAL_SIZE_MAX (1024 * 1024)

typedef struct EventJournalEntry {
        const char *type;               /* "container" */
        const char *action;             /* "die", "health_status: healthy", ... */
        const char *id;
        const char *from;               /* the image; NULL: no "from" */
        char *const *attributes;        /* "key=value", any order (written sorted); NULL: none */
        int64_t time_nsec;              /* 0: now */
} EventJournalEntry;

/* The JSON line of e, with its newline, in *ret (malloc'd). Attributes that make the line too
 * long are left out, the ones Docker's consumers need most (name, image, exitCode, signal)
 * last; -E2BIG when even the line without them is too long. */
int event_journal_format(const EventJournalEntry *e, char **ret, size_t *ret_len);
/* Appends e to the journal at path (made when missing, mode 0644). */
int event_journal_append(const char *path, const EventJournalEntry *e);
