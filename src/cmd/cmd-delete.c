/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "runtime/container.h"

int cmd_delete(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        static const struct option opts[] = {
                { "force", no_argument, NULL, 'f' },
                {},
        };
        _cleanup_container_ Container *c = NULL;
        bool force = false;
        const char *id;
        int ch, r;

        while ((ch = getopt_long_only(argc, argv, "f", opts, NULL)) >= 0) {
                if (ch != 'f')
                        return berth_error(err, 0, "delete: invalid option");
                force = true;
        }
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
        r = container_delete(c, force, err);
        return r < 0 ? r : 0;
}
