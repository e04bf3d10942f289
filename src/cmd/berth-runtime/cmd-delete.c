/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <string.h>

#include "basic/log.h"
#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_delete(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        bool force = false;
        const char *id;
        int r;

        r = parse_one_option(argc, argv, "force", false, NULL, &force, err);
        if (r != 0)
                return r < 0 ? r : 0;
        r = want_id(argc, argv, optind, "delete", &id, err);
        if (r < 0)
                return r;
        r = container_load(g->root, id, &c, err);
        if (r < 0) {
                /* runc: deleting what does not exist with --force is not an error. */
                if (force && r == -ENOENT) {
                        berth_error_free(err);
                        return 0;
                }
                if (force && r == -ENODATA) {
                        /* Nothing was started yet: no process or cgroup to clean up. */
                        berth_error_free(err);
                        r = container_state_remove_dir(g->root, id);
                        return r < 0 ? berth_error(err, r, "delete `%s`", id) : 0;
                }
                return r;
        }
        log_debug("delete %s: %s, init pid %d%s", id, container_status_name(container_status(c)),
                  c->pid, force ? ", killed first if alive (--force)" : "");
        r = container_delete(c, force, err);
        if (r < 0)
                return r;
        log_debug("delete %s: processes, cgroup and state removed", id);
        return 0;
}
