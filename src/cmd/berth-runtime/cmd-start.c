/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "basic/log.h"
#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_start(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        int r = load_container_arg(g, argc, argv, &c, err);

        if (r <= 0)
                return r; /* 0: --help */
        log_debug("start %s: tell its init (pid %d) to execute the program", c->id, c->pid);
        r = container_start(c, err);
        if (r < 0)
                return r;
        log_debug("start %s: the program runs", c->id);
        return 0;
}
