/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `resume ID`: thaws a paused container. */
#include "cmd/berth-runtime/cmd.h"
#include "runtime/lifecycle-cgroup.h"

int cmd_resume(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        return run_on_container(g, argc, argv, container_resume, err);
}
