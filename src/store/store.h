/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store: <root>/berth.db (SQLite, WAL, a busy timeout), the store lock, and schema
 * migrations. Writers (pull, load, mount) hold the lock shared, garbage collection holds it
 * exclusive, so a collection never removes a blob a concurrent pull has just written.
 *
 * The store owns no table. Each module that keeps rows here (image, snapshot; the engine's
 * containers, volumes and networks next) describes its tables as a StoreModule: a name and an
 * ordered list of migration steps, each SQL or a function. store_open() takes the modules a
 * program uses and brings each one up to date.
 *
 * Versions: a table schema(module TEXT PRIMARY KEY, version INTEGER) holds, per module, how
 * many of its steps are applied, so modules version independently, a program that opens only
 * some of them leaves the others alone, and adding a module needs no renumbering of the
 * others. PRAGMA user_version is the version of this layout itself (STORE_FORMAT_VERSION, 1:
 * the schema table exists; 0: a store from before migrations, whose tables were made by
 * "CREATE TABLE IF NOT EXISTS" and which every module's step 1 adopts as it is). A store whose
 * user_version, or one of whose modules' versions, is newer than this program knows is
 * refused: an older berth must not write rows it does not understand.
 *
 * Missing steps are applied in one transaction (BEGIN IMMEDIATE, so two programs opening an
 * old store at once migrate it once); an up-to-date store costs two reads at open.
 */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"
#include "basic/macro.h"

/* The version of the store's own layout, PRAGMA user_version. */
#define STORE_FORMAT_VERSION 1

typedef struct Store {
        char *root;
        sqlite3 *db;
        int lock_fd;
} Store;

/* One migration step: sql (one or more statements), or apply() when SQL alone cannot say it. */
typedef struct StoreStep {
        const char *sql;
        int (*apply)(Store *s, BerthError **err);
} StoreStep;

/* A module's tables: steps[0..n_steps) in order; the module's version is the number applied.
 * Steps are only ever appended: a released step never changes. */
typedef struct StoreModule {
        const char *name;
        const StoreStep *steps;
        size_t n_steps;
} StoreModule;

/* Defines the StoreModule var named name with the steps of the array steps. */
#define STORE_MODULE_DEFINE(var, name_, steps_)                                                    \
        const StoreModule var = { .name = name_, .steps = steps_, .n_steps = ELEMENTSOF(steps_) }

/* Opens (creating it) the store under root and migrates the modules in the NULL-terminated
 * array modules (may be NULL: no module). */
int store_open(const char *root, const StoreModule *const *modules, Store **ret, BerthError **err);
void store_free(Store *s);
static inline void store_freep(Store **s)
{
        store_free(*s);
}
#define _cleanup_store_ __attribute__((cleanup(store_freep)))

/* Brings the modules up to date; store_open() calls it. */
int store_migrate(Store *s, const StoreModule *const *modules, BerthError **err);
/* The applied version of a module, 0 when it has none; negative errno on a database error. */
int store_module_version(Store *s, const char *module);

/* Takes the store lock shared (exclusive=false) or exclusive; released by store_free(). */
int store_lock(Store *s, bool exclusive, BerthError **err);

int store_exec(Store *s, const char *sql, BerthError **err);
int store_begin(Store *s, BerthError **err);
int store_commit(Store *s, BerthError **err);
void store_rollback(Store *s);
int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret, BerthError **err);
/* Sets err from the database's last error: "<what> in <root>/berth.db: <sqlite message>". */
int store_error(Store *s, const char *what, BerthError **err);

static inline void sqlite3_finalizep(sqlite3_stmt **s)
{
        if (*s)
                sqlite3_finalize(*s);
}
#define _cleanup_stmt_ __attribute__((cleanup(sqlite3_finalizep)))

/* Duplicates a text column, NULL for SQL NULL; -ENOMEM only when strdup fails. */
char *store_column_strdup(sqlite3_stmt *st, int col);
