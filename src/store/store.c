/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store: the SQLite handle, the store lock and the migrations of the modules' tables
 * (store.h says how versions are kept). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "store/store.h"

/* Per connection: WAL lets readers run beside the one writer; a busy writer is waited for. */
static const char pragmas[] = "PRAGMA journal_mode=WAL;"
                              "PRAGMA synchronous=NORMAL;"
                              "PRAGMA wal_autocheckpoint=64;"
                              "PRAGMA foreign_keys=ON;";

static const char schema_table[] = "CREATE TABLE IF NOT EXISTS schema("
                                   "  module TEXT PRIMARY KEY,"
                                   "  version INTEGER NOT NULL);";

int store_error(Store *s, const char *what, BerthError **err)
{
        return berth_error_plain(err, EIO, "%s in `%s/berth.db`: %s", what, s->root,
                                 sqlite3_errmsg(s->db));
}

static int read_int(Store *s, const char *sql, const char *arg, int *ret)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
                return -EIO;
        if (arg)
                sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
        switch (sqlite3_step(st)) {
        case SQLITE_ROW:
                *ret = sqlite3_column_int(st, 0);
                return 0;
        case SQLITE_DONE:
                *ret = 0;
                return 0;
        default:
                return -EIO;
        }
}

int store_module_version(Store *s, const char *module)
{
        int v, r = read_int(s, "SELECT version FROM schema WHERE module = ?", module, &v);
        return r < 0 ? r : v;
}

/* 1 when every module is at its newest version, 0 when a step is missing, <0 with err set when
 * the store is newer than this program or cannot be read. */
static int check_versions(Store *s, const StoreModule *const *modules, BerthError **err)
{
        int v, r;

        r = read_int(s, "PRAGMA user_version", NULL, &v);
        if (r < 0)
                return store_error(s, "read the schema version", err);
        if (v > STORE_FORMAT_VERSION)
                return berth_error_plain(err, EPROTO,
                                         "store `%s` has format version %d, newer than the %d "
                                         "this berth knows",
                                         s->root, v, STORE_FORMAT_VERSION);
        if (v < STORE_FORMAT_VERSION)
                return 0;
        r = 1;
        for (const StoreModule *const *m = modules; m && *m; m++) {
                v = store_module_version(s, (*m)->name);
                if (v < 0)
                        return store_error(s, "read the schema version", err);
                if ((size_t)v > (*m)->n_steps)
                        return berth_error_plain(err, EPROTO,
                                                 "store `%s`: the %s tables have version %d, "
                                                 "newer than the %zu this berth knows",
                                                 s->root, (*m)->name, v, (*m)->n_steps);
                if ((size_t)v < (*m)->n_steps)
                        r = 0;
        }
        return r;
}

static int migrate_module(Store *s, const StoreModule *m, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int v, r;

        v = store_module_version(s, m->name);
        if (v < 0)
                return store_error(s, "read the schema version", err);
        for (size_t i = (size_t)v; i < m->n_steps; i++) {
                const StoreStep *step = &m->steps[i];
                r = step->apply ? step->apply(s, err) : store_exec(s, step->sql, err);
                if (r < 0)
                        return berth_error_prefix(err, "migrate the %s tables to version %zu",
                                                  m->name, i + 1);
        }
        if ((size_t)v == m->n_steps)
                return 0;
        r = store_prepare(s, "INSERT OR REPLACE INTO schema(module, version) VALUES(?, ?)", &st,
                          err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, (int64_t)m->n_steps);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(s, "record the schema version", err);
        return 0;
}

int store_migrate(Store *s, const StoreModule *const *modules, BerthError **err)
{
        char sql[64];
        int r;

        r = check_versions(s, modules, err);
        if (r != 0)
                return r < 0 ? r : 0;
        r = store_begin(s, err);
        if (r < 0)
                return r;
        /* again under the write lock: another program may have migrated meanwhile */
        r = check_versions(s, modules, err);
        if (r == 0) {
                r = store_exec(s, schema_table, err);
                for (const StoreModule *const *m = modules; r >= 0 && m && *m; m++)
                        r = migrate_module(s, *m, err);
                snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_FORMAT_VERSION);
                if (r >= 0)
                        r = store_exec(s, sql, err);
                if (r >= 0)
                        r = store_commit(s, err);
        } else if (r > 0)
                r = store_commit(s, err); /* nothing was written: ends the transaction */
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        return 0;
}

int store_open(const char *root, const StoreModule *const *modules, Store **ret, BerthError **err)
{
        _cleanup_store_ Store *s = NULL;
        _cleanup_free_ char *path = NULL, *lock = NULL;
        int r;

        r = fs_mkdir_p(root, 0700);
        if (r < 0)
                return berth_error(err, r, "create store root `%s`", root);
        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error(err, ENOMEM, "open store");
        s->lock_fd = -1;
        s->root = strdup(root);
        if (!s->root || asprintf(&path, "%s/berth.db", root) < 0 ||
            asprintf(&lock, "%s/lock", root) < 0)
                return berth_error(err, ENOMEM, "open store");
        s->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (s->lock_fd < 0)
                return berth_error(err, errno, "open `%s`", lock);
        if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                  SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK)
                return berth_error_plain(err, EIO, "open database `%s`: %s", path,
                                         s->db ? sqlite3_errmsg(s->db) : "out of memory");
        sqlite3_busy_timeout(s->db, 30000);
        /* berth is many short commands, each the last to close the database: by default each
         * would create the WAL (and sync the directory), checkpoint it at its close (two more
         * syncs) and delete it. The WAL stays, unsynced as synchronous=NORMAL allows, and is
         * checkpointed once it holds 64 pages (the pragma above); kept that small, the next command's
         * reading it back (recovery, as the first to open the database) costs well under a
         * millisecond. */
        int on = 1;
        (void)sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &on);
        (void)sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        r = store_exec(s, pragmas, err);
        if (r < 0)
                return r;
        r = store_migrate(s, modules, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(s);
        return 0;
}

void store_free(Store *s)
{
        if (!s)
                return;
        if (s->db)
                sqlite3_close(s->db);
        safe_close(s->lock_fd);
        free(s->root);
        free(s);
}

int store_lock(Store *s, bool exclusive, BerthError **err)
{
        if (flock(s->lock_fd, exclusive ? LOCK_EX : LOCK_SH) < 0)
                return berth_error(err, errno, "lock store `%s`", s->root);
        return 0;
}

int store_exec(Store *s, const char *sql, BerthError **err)
{
        char *msg = NULL;
        int r;

        if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
                r = berth_error_plain(err, EIO, "database error in `%s/berth.db`: %s", s->root,
                                      msg ?: "unknown");
                sqlite3_free(msg);
                return r;
        }
        return 0;
}

int store_begin(Store *s, BerthError **err)
{
        return store_exec(s, "BEGIN IMMEDIATE", err);
}

int store_commit(Store *s, BerthError **err)
{
        return store_exec(s, "COMMIT", err);
}

void store_rollback(Store *s)
{
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_prepare(Store *s, const char *sql, sqlite3_stmt **ret, BerthError **err)
{
        if (sqlite3_prepare_v2(s->db, sql, -1, ret, NULL) != SQLITE_OK)
                return store_error(s, "prepare query", err);
        return 0;
}

char *store_column_strdup(sqlite3_stmt *st, int col)
{
        const unsigned char *t = sqlite3_column_text(st, col);
        return t ? strdup((const char *)t) : NULL;
}
