/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth-runtime: runc's command line on libberth. Global flags, then one verb. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/log.h"
#include "basic/string-util.h"
#include "cmd.h"
#include "runtime/container.h"

static const struct {
        const char *name;
        VerbFunc func;
        const char *help;
} verbs[] = {
        { "create", cmd_create, "create a container" },
        { "start", cmd_start, "start a created container" },
        { "run", cmd_run, "create and start a container" },
        { "exec", cmd_exec, "run a process in a running container" },
        { "state", cmd_state, "print the state of a container" },
        { "kill", cmd_kill, "send a signal to a container's init (or all processes)" },
        { "delete", cmd_delete, "delete a container" },
        { "pause", cmd_pause, "freeze every process of a container" },
        { "resume", cmd_resume, "thaw a paused container" },
        { "update", cmd_update, "change the resource limits of a container" },
        { "ps", cmd_ps, "list the processes of a container" },
        { "events", cmd_events, "print statistics and OOM events of a container" },
        { "list", cmd_list, "list containers" },
        { "spec", cmd_spec, "write a default config.json" },
        { "features", cmd_features, "print what this runtime supports (JSON)" },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: berth-runtime [global options] COMMAND [options] [args]\n\n"
                   "Global options:\n"
                   "  --root DIR            state directory (default /run/berth)\n"
                   "  --log FILE            write logs to FILE\n"
                   "  --log-format FORMAT   text or json\n"
                   "  --debug               debug logging\n"
                   "  --systemd-cgroup      take cgroupsPath as slice:prefix:name\n"
                   "  -v, --version         print the version\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "log", required_argument, NULL, 'l' },
                { "log-format", required_argument, NULL, 'f' },
                { "debug", no_argument, NULL, 'd' },
                { "systemd-cgroup", no_argument, NULL, 's' },
                { "criu", required_argument, NULL, 'C' },
                { "rootless", required_argument, NULL, 'R' },
                { "version", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        GlobalOptions g = { .root = "/run/berth", .log_format = "text", .argv = argv };
        _cleanup_error_ BerthError *err = NULL;
        LogFormat fmt;
        int c, r;

        while ((c = getopt_long_only(argc, argv, "+vh", opts, NULL)) >= 0) {
                switch (c) {
                case 'r':
                        g.root = optarg;
                        break;
                case 'l':
                        g.log = optarg;
                        break;
                case 'f':
                        g.log_format = optarg;
                        break;
                case 'd':
                        g.debug = true;
                        break;
                case 's':
                        g.systemd_cgroup = true;
                        break;
                case 'C':
                case 'R':
                        break; /* accepted for compatibility with callers of runc */
                case 'v':
                        printf("berth-runtime version %s\nspec: 1.2.0\n", BERTH_VERSION);
                        return 0;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (log_parse_format(g.log_format, &fmt) < 0) {
                fprintf(stderr, "berth-runtime: --log-format: unknown format \"%s\" (text or "
                                "json)\n",
                        g.log_format);
                return 2;
        }
        r = log_open(g.log, fmt, g.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING);
        if (r < 0) {
                fprintf(stderr, "berth-runtime: --log `%s`: %s\n", g.log, strerror(-r));
                return 1;
        }
        log_set_stderr_copy(1);
        if (optind >= argc) {
                usage(stderr);
                return 2;
        }
        const char *verb = argv[optind];
        /* The container's init, executed by create from a sealed copy of this binary. */
        if (streq(verb, "init")) {
                container_init_main(argc - optind + 1, argv + optind - 1);
                log_error("init: this command is internal to create and run");
                return 2;
        }
        char **vargv = argv + optind;
        int vargc = argc - optind;
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, verb))
                        continue;
                optind = 0; /* a fresh getopt scan for the verb's own options */
                r = verbs[i].func(&g, vargc, vargv, &err);
                if (r < 0) {
                        log_error("%s", err ? err->msg : strerror(-r));
                        return 1;
                }
                return r;
        }
        log_error("unknown command \"%s\" (see --help)", verb);
        return 2;
}
