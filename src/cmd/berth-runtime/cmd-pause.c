/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pause ID`: freezes every process of a running container. */
#include "cmd/berth-runtime/cmd.h"
#include "runtime/lifecycle-cgroup.h"

int cmd_pause(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        return run_on_container(g, argc, argv, container_pause, err);
}
