/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "basic/log.h"
#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_start(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        const char *id;
        int r;

        r = parse_no_options(argc, argv, err);
        if (r != 0)
                return r < 0 ? r : 0;
        r = want_id(argc, argv, optind, "start", &id, err);
        if (r < 0)
                return r;
        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        log_debug("start %s: tell its init (pid %d) to execute the program", id, c->pid);
        r = container_start(c, err);
        if (r < 0)
                return r;
        log_debug("start %s: the program runs", id);
        return 0;
}
