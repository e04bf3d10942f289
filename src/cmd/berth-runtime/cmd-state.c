/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_state(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        const char *id;
        int r;

        r = parse_no_options(argc, argv, err);
        if (r != 0)
                return r < 0 ? r : 0;
        r = want_id(argc, argv, optind, "state", &id, err);
        if (r < 0)
                return r;
        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        struct json_object *o = container_state_json(c, container_status(c));
        print_json(o);
        json_object_put(o);
        return 0;
}
