/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pause, unpause and rename: the runtime freezes and thaws, the engine keeps the mark
 * `paused` in the shim's state directory (what engine_shim_read_state() reads), and a rename
 * is the row's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

#define NAME_MAX_LEN 128

static char *paused_path(const Engine *e, const char *id)
{
        _cleanup_free_ char *dir = engine_container_state_dir(e, id);
        char *p;

        return dir && asprintf(&p, "%s/paused", dir) >= 0 ? p : NULL;
}

static int runtime_verb(Engine *e, EngineContainer *c, const char *verb, BerthError **err)
{
        _cleanup_free_ char *msg = NULL;
        int r = engine_runtime_run(e, c->run.runtime, (char *[]){ (char *)verb, c->id, NULL },
                                   &msg);

        if (r != 0)
                return berth_error_plain(err, r < 0 ? -r : EIO, "%s `%s`: %s", verb, c->name,
                                         msg && *msg ? msg : "the runtime failed");
        return 0;
}

int engine_container_pause(Engine *e, EngineContainer *c, BerthError **err)
{
        _cleanup_free_ char *mark = paused_path(e, c->id);
        int r;

        if (!mark)
                return berth_error(err, ENOMEM, "pause");
        if (c->state == ENGINE_STATE_PAUSED)
                return berth_error_plain(err, EINVAL, "container `%s` is already paused",
                                         c->name);
        if (c->state != ENGINE_STATE_RUNNING)
                return berth_error_plain(err, EINVAL, "container `%s` is not running", c->name);
        r = runtime_verb(e, c, "pause", err);
        if (r < 0)
                return r;
        r = fs_write_file_atomic(mark, "", 0, 0644);
        if (r < 0) {
                /* Unmarked it would look running while frozen: thawed again. */
                (void)runtime_verb(e, c, "resume", NULL);
                return berth_error(err, -r, "write `%s`", mark);
        }
        c->state = ENGINE_STATE_PAUSED;
        return 0;
}

int engine_container_unpause(Engine *e, EngineContainer *c, BerthError **err)
{
        _cleanup_free_ char *mark = paused_path(e, c->id);
        int r;

        if (!mark)
                return berth_error(err, ENOMEM, "unpause");
        if (c->state != ENGINE_STATE_PAUSED)
                return berth_error_plain(err, EINVAL, "container `%s` is not paused", c->name);
        r = runtime_verb(e, c, "resume", err);
        if (r < 0)
                return r;
        if (unlink(mark) < 0 && errno != ENOENT)
                return berth_error(err, errno, "remove `%s`", mark);
        c->state = ENGINE_STATE_RUNNING;
        return 0;
}

bool engine_container_name_is_valid(const char *n)
{
        static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

        /* The rule of create (container-create.c keeps its own copy). */
        return n && n[0] && strchr(alnum, n[0]) && strlen(n) <= NAME_MAX_LEN &&
               strspn(n + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                       strlen(n + 1);
}

int engine_container_rename(Engine *e, EngineContainer *c, const char *name, BerthError **err)
{
        const char *n = name && name[0] == '/' ? name + 1 : name;
        int r;

        if (!engine_container_name_is_valid(n))
                return berth_error_plain(err, EINVAL, "invalid container name `%s`: only "
                                         "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                         name ? name : "");
        if (streq(n, c->name))
                return berth_error_plain(err, EINVAL, "renaming a container with the same name "
                                         "as its current name");
        r = engine_record_set_name(e, c->id, n, err);
        if (r < 0)
                return r;
        char *copy = strdup(n);
        if (copy) {
                free(c->name);
                c->name = copy;
        }
        return 0;
}
