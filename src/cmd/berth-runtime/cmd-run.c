/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "basic/log.h"
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/container.h"

int cmd_run(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        bool detach = false, keep = false;
        CreateOptions o;
        int status = 0, r;

        r = parse_create_options(g, argc, argv, true, &o, &detach, &keep, err);
        if (r <= 0)
                return r; /* 0: --help */
        log_debug("run %s: create, then start %s", o.id,
                  detach ? "and return (--detach)" : "and wait for the container to exit");
        bool vm;
        r = vm_wanted(g->argv[0], &o, &vm, err);
        if (r < 0)
                return r;
        r = vm ? vm_container_run(&o, detach, keep, &status, err)
               : container_run(&o, detach, keep, &status, err);
        if (r < 0)
                return r;
        if (!detach)
                log_debug("run %s: exited with status %d%s", o.id, status,
                          keep ? ", state kept (--keep)" : ", deleted");
        return status;
}
