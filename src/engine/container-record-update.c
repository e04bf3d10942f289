/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Changes to a container's row after create: its name (rename) and its config document
 * (update). */
#include <errno.h>

#include "engine/engine-internal.h"

int engine_record_set_config(Engine *e, const char *id, const char *config, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(e->store, "UPDATE containers SET config = ?2 WHERE id = ?1", &st,
                              err);

        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, config, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "update container", err);
        return 0;
}

int engine_record_set_name(Engine *e, const char *id, const char *name, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(e->store, "UPDATE containers SET name = ?2 WHERE id = ?1", &st,
                              err);

        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_CONSTRAINT)
                return berth_error_plain(err, EEXIST,
                                         "the container name `%s` is already in use", name);
        if (r != SQLITE_DONE)
                return store_error(e->store, "rename container", err);
        return 0;
}
