/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The metadata database, <root>/berth.db (SQLite): images, tags, layers, snapshots and the
 * mounts that use them, i.e. everything garbage collection needs to know what is referenced.
 * Also the store lock: writers (pull, load, mount) hold it shared, garbage collection holds it
 * exclusive, so a collection never removes a blob a concurrent pull has just written.
 */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>

#include "basic/error.h"

typedef struct Metadata {
        char *root;
        sqlite3 *db;
        int lock_fd;
} Metadata;

int metadata_open(const char *root, Metadata **ret, BerthError **err);
void metadata_free(Metadata *m);
static inline void metadata_freep(Metadata **m)
{
        metadata_free(*m);
}
#define _cleanup_metadata_ __attribute__((cleanup(metadata_freep)))

/* Takes the store lock shared (exclusive=false) or exclusive; released by metadata_free(). */
int metadata_lock(Metadata *m, bool exclusive, BerthError **err);

int metadata_exec(Metadata *m, const char *sql, BerthError **err);
int metadata_begin(Metadata *m, BerthError **err);
int metadata_commit(Metadata *m, BerthError **err);
void metadata_rollback(Metadata *m);
int metadata_prepare(Metadata *m, const char *sql, sqlite3_stmt **ret, BerthError **err);
int metadata_error(Metadata *m, const char *what, BerthError **err);

static inline void sqlite3_finalizep(sqlite3_stmt **s)
{
        if (*s)
                sqlite3_finalize(*s);
}
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))

/* Duplicates a text column, NULL for SQL NULL; -ENOMEM only when strdup fails. */
char *metadata_column_strdup(sqlite3_stmt *st, int col);
