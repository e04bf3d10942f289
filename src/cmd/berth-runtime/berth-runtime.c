/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth-runtime: runc's command line on libberth. Global flags, then one verb. */
#include <getopt.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/log.h"
#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "version.h"
#include "runtime/container.h"

static const struct {
        const char *name;
        VerbFunc func;
        const char *help;
        const char *usage; /* synopsis and options, printed by `VERB --help` */
        int fail_status;   /* the exit status when the verb fails (runc's) */
} verbs[] = {
        { "create", cmd_create, "create a container",
          "create [options] ID\n\n"
          "  -b, --bundle DIR          the bundle (default: the current directory)\n"
          "      --config FILE         the config.json to use instead of the bundle's\n"
          "      --console-socket SOCK send the pty master to this unix socket\n"
          "      --pid-file FILE       write the init's pid to FILE\n"
          "      --no-pivot            move the rootfs with MS_MOVE instead of pivot_root\n"
          "      --no-new-keyring      keep the caller's session keyring\n"
          "      --preserve-fds N      pass N more fds (from fd 3) to the container\n",
          1 },
        { "start", cmd_start, "start a created container", "start ID\n", 1 },
        { "run", cmd_run, "create and start a container",
          "run [options] ID\n\n"
          "  -b, --bundle DIR          the bundle (default: the current directory)\n"
          "      --config FILE         the config.json to use instead of the bundle's\n"
          "  -d, --detach              return once the container runs\n"
          "      --keep                keep the container's state when it exits\n"
          "      --console-socket SOCK send the pty master to this unix socket\n"
          "      --pid-file FILE       write the init's pid to FILE\n"
          "      --no-pivot            move the rootfs with MS_MOVE instead of pivot_root\n"
          "      --no-new-keyring      keep the caller's session keyring\n"
          "      --no-subreaper        accepted for runc's callers\n"
          "      --preserve-fds N      pass N more fds (from fd 3) to the container\n",
          1 },
        { "exec", cmd_exec, "run a process in a running container",
          "exec [options] ID COMMAND [ARG...]\n"
          "       exec [options] --process FILE ID\n\n"
          "  -p, --process FILE        the process as JSON (a config.json \"process\")\n"
          "  -t, --tty                 give the process a pty\n"
          "  -s, --console-socket SOCK send the pty master to this unix socket\n"
          "  -d, --detach              return once the process runs\n"
          "  -w, --cwd DIR             working directory (absolute)\n"
          "  -e, --env KEY=VALUE       set an environment variable (repeatable)\n"
          "  -u, --user UID[:GID]      run as this user\n"
          "  -g, --additional-gids GID add a supplementary group (repeatable)\n"
          "  -c, --cap CAP             add a capability (repeatable)\n"
          "      --no-new-privs        set no_new_privs for the process\n"
          "      --pid-file FILE       write the process's pid to FILE\n"
          "      --preserve-fds N      pass N more fds (from fd 3) to the process\n"
          "      --ignore-paused       exec even when the container is paused (the process\n"
          "                            stays frozen until the container is resumed)\n",
          255 },
        { "state", cmd_state, "print the state of a container", "state ID\n", 1 },
        { "kill", cmd_kill, "send a signal to a container's init (or all processes)",
          "kill [options] ID [SIGNAL]\n\n"
          "SIGNAL is a name (TERM, SIGTERM) or a number, SIGTERM by default; 0 sends nothing\n"
          "and only checks that the container's init is alive.\n\n"
          "  -a, --all                 signal every process of the container\n",
          1 },
        { "delete", cmd_delete, "delete a container",
          "delete [options] ID\n\n"
          "  -f, --force               kill the container first if it is still running\n",
          1 },
        { "pause", cmd_pause, "freeze every process of a container", "pause ID\n", 1 },
        { "resume", cmd_resume, "thaw a paused container", "resume ID\n", 1 },
        { "update", cmd_update, "change the resource limits of a container",
          "update [options] ID\n\n"
          "  -r, --resources FILE      a linux.resources JSON object (- for stdin); the other\n"
          "                            options are then ignored\n"
          "      --memory, --memory-reservation, --memory-swap, --kernel-memory,\n"
          "      --kernel-memory-tcp, --cpu-share, --cpu-period, --cpu-quota, --cpu-burst,\n"
          "      --cpu-rt-period, --cpu-rt-runtime, --cpuset-cpus, --cpuset-mems,\n"
          "      --pids-limit, --blkio-weight, --l3-cache-schema, --mem-bw-schema VALUE\n"
          "                            runc's resource flags\n",
          1 },
        { "ps", cmd_ps, "list the processes of a container",
          "ps [options] ID [PS_ARG...]\n\n"
          "  -f, --format table|json   table: the host's ps (default -ef) limited to the\n"
          "                            container; json: its pids\n",
          1 },
        { "events", cmd_events, "print statistics and OOM events of a container",
          "events [options] ID\n\n"
          "      --stats               print one stats event and exit\n"
          "      --interval DURATION   time between stats events (default 5s)\n",
          1 },
        { "list", cmd_list, "list containers",
          "list [options]\n\n"
          "  -q, --quiet               print the ids only\n"
          "  -f, --format table|json   output format (default table)\n",
          1 },
        { "spec", cmd_spec, "write a default config.json",
          "spec [options]\n\n"
          "  -b, --bundle DIR          where to write config.json (default: here)\n"
          "      --rootless            a config for a container run by a non-root user\n",
          1 },
        { "features", cmd_features, "print what this runtime supports (JSON)", "features\n", 1 },
        { "version", cmd_version, "print the version", "version\n", 1 },
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
        fprintf(f, "\n`berth-runtime COMMAND --help` shows the options of a command.\n");
}

int cmd_usage(const char *verb)
{
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, verb)) {
                        printf("berth-runtime %s: %s\n\nUsage: berth-runtime %s", verb,
                               verbs[i].help, verbs[i].usage);
                        return 0;
                }
        return -EINVAL;
}

/* runc's shape ("runc version X", "commit:", "spec:", "libseccomp:"), which tools that ask a
 * runtime for its version expect. */
static void print_version(void)
{
        const struct scmp_version *v = seccomp_version();

        printf("berth-runtime version %s\ncommit: %s\nspec: 1.2.0\n", BERTH_VERSION,
               BERTH_COMMIT);
        if (v)
                printf("libseccomp: %u.%u.%u\n", v->major, v->minor, v->micro);
}

int cmd_version(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        int r = parse_no_options(argc, argv, err);
        if (r != 0)
                return r < 0 ? r : 0;
        if (optind < argc)
                return berth_error(err, 0, "version: unexpected argument \"%s\"", argv[optind]);
        print_version();
        return 0;
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
                        print_version();
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
                        return verbs[i].fail_status;
                }
                return r;
        }
        log_error("unknown command \"%s\" (see --help)", verb);
        return 2;
}
