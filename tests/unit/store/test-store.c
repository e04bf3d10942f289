/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store's migrations: steps applied once and in order, versions recorded per module, a
 * store from before migrations adopted with its rows, a newer store refused, a failed step
 * rolled back whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "store/store.h"
#include "tap.h"

static int n_applied;

static int step_fill(Store *s, BerthError **err)
{
        n_applied++;
        return store_exec(s, "INSERT INTO a(x) VALUES('from a function')", err);
}

static const StoreStep a_steps[] = {
        { .sql = "CREATE TABLE IF NOT EXISTS a(x TEXT);" },
        { .apply = step_fill },
        { .sql = "ALTER TABLE a ADD COLUMN y INTEGER NOT NULL DEFAULT 7;" },
};
static const StoreStep b_steps[] = {
        { .sql = "CREATE TABLE IF NOT EXISTS b(k TEXT PRIMARY KEY);" },
};
static const StoreStep bad_steps[] = {
        { .sql = "CREATE TABLE c(z TEXT);" },
        { .sql = "THIS IS NOT SQL;" },
};

static const StoreModule mod_a1 = { "a", a_steps, 1 };
static const StoreModule mod_a = { "a", a_steps, ELEMENTSOF(a_steps) };
static const StoreModule mod_b = { "b", b_steps, ELEMENTSOF(b_steps) };
static const StoreModule mod_bad = { "bad", bad_steps, ELEMENTSOF(bad_steps) };

static int int_query(Store *s, const char *sql)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
                return -1;
        return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
}

static int reopen(const char *root, const StoreModule *const *mods, Store **s, BerthError **err)
{
        store_free(*s);
        *s = NULL;
        return store_open(root, mods, s, err);
}

TEST(steps_applied_once_in_order)
{
        char root[] = "/tmp/berth-store-XXXXXX";
        const StoreModule *const v1[] = { &mod_a1, &mod_b, NULL };
        const StoreModule *const v2[] = { &mod_a, &mod_b, NULL };
        Store *s = NULL;
        BerthError *err = NULL;

        n_applied = 0;
        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_OK(store_open(root, v1, &s, &err));
        ASSERT_EQ(int_query(s, "PRAGMA user_version"), STORE_FORMAT_VERSION);
        ASSERT_EQ(store_module_version(s, "a"), 1);
        ASSERT_EQ(store_module_version(s, "b"), 1);
        ASSERT_EQ(store_module_version(s, "other"), 0);
        ASSERT_OK(store_exec(s, "INSERT INTO a(x) VALUES('kept')", &err));
        /* a newer program: only a's two new steps run */
        ASSERT_OK(reopen(root, v2, &s, &err));
        ASSERT_EQ(n_applied, 1);
        ASSERT_EQ(store_module_version(s, "a"), 3);
        ASSERT_EQ(int_query(s, "SELECT count(*) FROM a WHERE y = 7"), 2);
        ASSERT_EQ(int_query(s, "SELECT count(*) FROM a WHERE x = 'kept'"), 1);
        /* nothing left to do: no step runs again */
        ASSERT_OK(reopen(root, v2, &s, &err));
        ASSERT_EQ(n_applied, 1);
        /* a program that knows fewer modules leaves the others alone */
        const StoreModule *const only_b[] = { &mod_b, NULL };
        ASSERT_OK(reopen(root, only_b, &s, &err));
        ASSERT_EQ(store_module_version(s, "a"), 3);
        store_free(s);
        ASSERT_NULL(err);
        ASSERT_OK(fs_rm_rf(root));
        return 0;
}

TEST(store_before_migrations_is_adopted)
{
        char root[] = "/tmp/berth-store-XXXXXX";
        const StoreModule *const mods[] = { &mod_a, &mod_b, NULL };
        _cleanup_free_ char *path = NULL;
        sqlite3 *db = NULL;
        Store *s = NULL;
        BerthError *err = NULL;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_OK(asprintf(&path, "%s/berth.db", root));
        /* as the old code left it: the tables, rows, user_version 0, no schema table */
        ASSERT_EQ(sqlite3_open(path, &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "PRAGMA journal_mode=WAL;"
                               "CREATE TABLE a(x TEXT);"
                               "INSERT INTO a(x) VALUES('old');"
                               "CREATE TABLE b(k TEXT PRIMARY KEY);"
                               "INSERT INTO b(k) VALUES('old');",
                               NULL, NULL, NULL),
                  SQLITE_OK);
        sqlite3_close(db);
        n_applied = 0;
        ASSERT_OK(store_open(root, mods, &s, &err));
        ASSERT_EQ(int_query(s, "PRAGMA user_version"), STORE_FORMAT_VERSION);
        ASSERT_EQ(store_module_version(s, "a"), 3);
        ASSERT_EQ(store_module_version(s, "b"), 1);
        ASSERT_EQ(n_applied, 1);
        ASSERT_EQ(int_query(s, "SELECT count(*) FROM a WHERE x = 'old' AND y = 7"), 1);
        ASSERT_EQ(int_query(s, "SELECT count(*) FROM b WHERE k = 'old'"), 1);
        store_free(s);
        ASSERT_OK(fs_rm_rf(root));
        return 0;
}

TEST(newer_store_is_refused)
{
        char root[] = "/tmp/berth-store-XXXXXX";
        const StoreModule *const v1[] = { &mod_a1, NULL };
        const StoreModule *const v2[] = { &mod_a, NULL };
        Store *s = NULL;
        BerthError *err = NULL;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_OK(store_open(root, v2, &s, &err));
        /* a module newer than the program */
        ASSERT_FAIL(reopen(root, v1, &s, &err));
        ASSERT_NULL(s);
        ASSERT_CONTAINS(err->msg, "newer");
        ASSERT_CONTAINS(err->msg, "a tables");
        berth_error_free(&err);
        /* the layout newer than the program */
        ASSERT_OK(reopen(root, v2, &s, &err));
        ASSERT_OK(store_exec(s, "PRAGMA user_version = 42", &err));
        ASSERT_FAIL(reopen(root, v2, &s, &err));
        ASSERT_CONTAINS(err->msg, "format version 42");
        berth_error_free(&err);
        ASSERT_OK(fs_rm_rf(root));
        return 0;
}

TEST(failed_step_rolls_back)
{
        char root[] = "/tmp/berth-store-XXXXXX";
        const StoreModule *const mods[] = { &mod_b, &mod_bad, NULL };
        const StoreModule *const good[] = { &mod_b, NULL };
        Store *s = NULL;
        BerthError *err = NULL;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_FAIL(store_open(root, mods, &s, &err));
        ASSERT_CONTAINS(err->msg, "migrate the bad tables to version 2");
        berth_error_free(&err);
        /* nothing of the failed migration stayed, b's step included */
        ASSERT_OK(store_open(root, good, &s, &err));
        ASSERT_EQ(int_query(s, "SELECT count(*) FROM sqlite_master WHERE name = 'c'"), 0);
        ASSERT_EQ(store_module_version(s, "bad"), 0);
        ASSERT_EQ(store_module_version(s, "b"), 1);
        store_free(s);
        ASSERT_OK(fs_rm_rf(root));
        return 0;
}
