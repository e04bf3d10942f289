/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/container.h"

int cmd_create(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_(container_create_result_done) CreateResult cr = { .start_fd = -1,
                                                                    .console_master = -1 };
        CreateOptions o;
        int r;

        r = parse_create_options(g, argc, argv, false, &o, NULL, NULL, err);
        if (r <= 0)
                return r; /* 0: --help */
        bool vm;
        r = vm_wanted(g->argv[0], &o, &vm, err);
        if (r < 0)
                return r;
        if (vm) {
                r = vm_container_create(&o, err);
                return r < 0 ? r : 0;
        }
        r = container_create(&o, false, &cr, err);
        return r < 0 ? r : 0;
}
