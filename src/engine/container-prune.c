/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `container prune`: every container that is not running, paused or restarting is removed;
 * what its directory held (its bundle and log, the mounted rootfs not crossed into) is the
 * space reclaimed. */
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

/* nftw() passes no pointer of ours: the sum is file-wide (a command prunes in one thread). */
static uint64_t walk_total;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)path;
        (void)ftw;
        if (type == FTW_F)
                walk_total += (uint64_t)st->st_blocks * 512;
        return 0;
}

/* Disk use of dir, not crossing into mounts (the rootfs is the snapshotter's). */
static uint64_t dir_usage(const char *dir)
{
        walk_total = 0;
        (void)nftw(dir, walk_one, 16, FTW_PHYS | FTW_MOUNT);
        return walk_total;
}

int engine_container_prune(Engine *e, char ***ret_ids, uint64_t *ret_bytes, BerthError **err)
{
        _cleanup_strv_free_ char **ids = NULL;
        EngineContainer **list = NULL;
        uint64_t bytes = 0;
        size_t n = 0;
        int r;

        r = engine_container_list(e, true, &list, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                EngineContainer *c = list[i];
                _cleanup_error_ BerthError *one = NULL;
                if (c->state == ENGINE_STATE_RUNNING || c->state == ENGINE_STATE_PAUSED ||
                    c->state == ENGINE_STATE_RESTARTING)
                        continue;
                _cleanup_free_ char *dir = engine_container_dir(e, c->id);
                uint64_t size = dir ? dir_usage(dir) : 0;
                /* One that cannot be removed now (another command holds it) stays. */
                if (engine_container_remove(e, c, false, false, &one) < 0)
                        continue;
                bytes += size;
                if (strv_extend(&ids, c->id) < 0) {
                        engine_container_list_free(list, n);
                        return berth_error(err, ENOMEM, "prune");
                }
        }
        engine_container_list_free(list, n);
        *ret_ids = TAKE_PTR(ids);
        *ret_bytes = bytes;
        return 0;
}
