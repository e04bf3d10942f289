/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `resume ID`: thaws a paused container. */
#include <getopt.h>

#include "cmd/berth-runtime/cmd.h"
#include "runtime/lifecycle-cgroup.h"

int cmd_resume(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        const char *id;
        int r;

        r = parse_no_options(argc, argv, err);
        if (r != 0)
                return r < 0 ? r : 0;
        r = want_id(argc, argv, optind, "resume", &id, err);
        if (r < 0)
                return r;
        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        r = container_resume(c, err);
        return r < 0 ? r : 0;
}
