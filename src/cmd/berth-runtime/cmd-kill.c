/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <signal.h>

#include "basic/log.h"
#include "basic/signal-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "runtime/container.h"

int cmd_kill(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        bool all = false;
        int sig = SIGTERM, r;

        r = parse_one_option(argc, argv, "all", false, NULL, &all, err);
        if (r != 0)
                return r < 0 ? r : 0;
        if (optind >= argc)
                return berth_error(err, 0, "kill: a container id is required");
        if (optind + 2 < argc)
                return berth_error(err, 0, "kill: unexpected argument \"%s\"", argv[optind + 2]);
        if (optind + 1 < argc) {
                sig = signal_from_string(argv[optind + 1]);
                if (sig < 0)
                        return berth_error(err, 0, "kill: unknown signal \"%s\"",
                                           argv[optind + 1]);
        }
        r = container_load(g->root, argv[optind], &c, err);
        if (r < 0)
                return r;
        log_debug("kill %s: signal %d to %s", c->id, sig,
                  all ? "every process of its cgroup" : "its init");
        r = container_kill(c, sig, all, err);
        return r < 0 ? r : 0;
}
