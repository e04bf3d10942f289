/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_state(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        int r = load_container_arg(g, argc, argv, &c, err);

        if (r <= 0)
                return r; /* 0: --help */
        struct json_object *o = container_state_json(c, container_status(c));
        print_json(o);
        json_object_put(o);
        return 0;
}
