/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * --rm. The container's shim removes it once it has ended for good (its exit command), unless a
 * client waits for it: a foreground run or start -a holds the container's run.lock (shared)
 * from before the start until it has read the exit code and removed the container itself. The
 * shim's removal takes the lock exclusively, so it waits for such a client; a client killed on
 * the way releases the lock with its death, and the removal goes ahead. Either way the
 * container is removed once, and never before its exit code was read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "engine/engine.h"

static int lock_open(Engine *e, const char *id, int *ret_fd, BerthError **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, id), *path = NULL;
        int fd;

        if (!dir || asprintf(&path, "%s/run.lock", dir) < 0)
                return berth_error(err, ENOMEM, "lock");
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return errno == ENOENT ? -ENOENT : berth_error(err, errno, "open `%s`", path);
        *ret_fd = fd;
        return 0;
}

int engine_container_hold(Engine *e, const EngineContainer *c, int *ret_fd, BerthError **err)
{
        _cleanup_close_ int fd = -1;
        int r;

        r = lock_open(e, c->id, &fd, err);
        if (r == -ENOENT)
                return berth_error(err, ENOENT, "hold `%s`", c->name);
        if (r < 0)
                return r;
        if (flock(fd, LOCK_SH) < 0)
                return berth_error(err, errno, "hold `%s`", c->name);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int engine_container_auto_remove(Engine *e, const char *id, BerthError **err)
{
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        /* No directory: its client removed it already. */
        r = lock_open(e, id, &fd, err);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return berth_error(err, errno, "wait for the clients of `%s`", id);
        r = engine_container_lookup(e, id, &c, NULL);
        if (r < 0)
                return 0; /* removed while we waited */
        /* Started again meanwhile (start, or restart, after it had ended): not ours to remove. */
        if (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
            c->state == ENGINE_STATE_RESTARTING)
                return 0;
        return engine_container_remove(e, c, false, true, err);
}
