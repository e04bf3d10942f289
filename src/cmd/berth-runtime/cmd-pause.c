/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pause ID`: freezes every process of a running container. */
#include <getopt.h>

#include "cmd/berth-runtime/cmd.h"
#include "runtime/lifecycle-cgroup.h"

int cmd_pause(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        int r = load_container_arg(g, argc, argv, &c, err);

        if (r <= 0)
                return r; /* 0: --help */
        r = container_pause(c, err);
        return r < 0 ? r : 0;
}
