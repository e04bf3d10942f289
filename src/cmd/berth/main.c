/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The berth CLI: global options, then one verb from the table, each in its cmd-<verb>.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "basic/log.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "cmd/berth/registry-options.h"

#define RUN_USAGE                                                                           \
        "  -i, --interactive                 keep stdin open\n"                                 \
        "  -t, --tty                         a pseudo-terminal\n"                               \
        "      --rm                          remove the container when it exits\n"              \
        "      --name NAME                   the container's name\n"                            \
        "  -e, --env KEY[=VALUE]             set an environment variable\n"                     \
        "      --env-file FILE               read KEY=VALUE lines\n"                            \
        "  -l, --label KEY=VALUE             set a label\n"                                     \
        "  -v, --volume SRC:DST[:ro]         bind a host directory (SRC a path), a named\n"     \
        "                                    volume (SRC a name) or an anonymous one (no SRC)\n"\
        "      --mount type=bind|volume|tmpfs,...   a mount, docker's syntax\n"                 \
        "      --device HOST[:CONTAINER[:PERMS]]    a host device (PERMS of rwm)\n"             \
        "      --tmpfs DST[:OPTIONS]         a tmpfs\n"                                         \
        "  -w, --workdir DIR                 the working directory\n"                           \
        "  -u, --user USER[:GROUP]           names from the image's /etc/passwd\n"              \
        "      --group-add GROUP             a supplementary group\n"                           \
        "      --entrypoint CMD              override the image's entrypoint\n"                 \
        "  -h, --hostname NAME               the container's host name\n"                       \
        "      --read-only                   a read-only root file system\n"                    \
        "      --init                        berth-init as PID 1 (reaps, forwards signals)\n"   \
        "      --stop-signal SIGNAL          the signal of stop (default the image's, TERM)\n"  \
        "      --stop-timeout SECONDS        before stop kills\n"                               \
        "      --restart POLICY              no, on-failure[:N], always, unless-stopped\n"      \
        "  -m, --memory BYTES                memory limit (k, m, g)\n"                          \
        "      --memory-swap BYTES           memory plus swap (-1: unlimited)\n"                \
        "      --cpus N                      CPUs (1.5)\n"                                      \
        "  -c, --cpu-shares N                relative CPU weight\n"                             \
        "      --cpuset-cpus LIST            the CPUs it may use (0-1)\n"                       \
        "      --pids-limit N                at most N processes\n"                             \
        "      --ulimit NAME=SOFT[:HARD]     a resource limit\n"                                \
        "      --cap-add CAP, --cap-drop CAP capabilities over docker's default set\n"          \
        "      --privileged                  every capability and device, no seccomp\n"         \
        "      --security-opt OPT            seccomp=FILE|unconfined, no-new-privileges\n"      \
        "      --sysctl KEY=VALUE            a namespaced sysctl\n"                             \
        "      --shm-size BYTES              the size of /dev/shm\n"                            \
        "      --health-cmd CMD              health check (run by /bin/sh -c)\n"                \
        "      --health-interval, --health-timeout, --health-start-period DURATION\n"           \
        "      --health-retries N            failures that make it unhealthy\n"                 \
        "      --no-healthcheck              no health check, not even the image's\n"           \
        "      --log-opt max-size=S|max-file=N   json-file log rotation\n"                      \
        "      --network NETWORK             berth (default), a user network (several: eth0,\n" \
        "                                    eth1...), none, host or container:NAME\n"           \
        "  -p, --publish [IP:][HOST:]CTR[/PROTO]  publish a port (ranges: 8000-8001:80-81)\n"     \
        "  -P, --publish-all                 publish every EXPOSE on a free host port\n"       \
        "      --ip, --ip6 ADDR, --mac-address MAC, --network-alias NAME  on the first network\n" \
        "      --add-host NAME:IP            a line of /etc/hosts\n"                           \
        "      --dns IP, --dns-search DOMAIN, --dns-option OPT   resolv.conf\n"                 \
        "      --runtime RUNTIME             berth-runtime (default), runc, crun or a path\n"

static const struct {
        const char *name;
        VerbFunc func;
        const char *help;
        const char *usage; /* synopsis and options, printed by `VERB --help` */
} verbs[] = {
        { "pull", cmd_pull, "Pull an image from a registry",
          "pull [OPTIONS] IMAGE\n\n"
          "      --platform OS/ARCH[/VARIANT]  the platform to pull from an index\n"
          "  -j, --parallel N                  layers fetched at once\n"
          "  -q, --quiet                       print the image id only\n" REGISTRY_USAGE },
        { "push", cmd_push, "Push an image to a registry",
          "push [OPTIONS] IMAGE [DESTINATION]\n\n"
          "      --chunk-size BYTES            upload in chunks of this size\n"
          "  -q, --quiet                       print the manifest digest only\n" REGISTRY_USAGE },
        { "images", cmd_images, "List images",
          "images [OPTIONS] [REPOSITORY[:TAG]]\n\n"
          "  -f, --format table|json           output format (default table)\n"
          "  -q, --quiet                       print the image ids only\n"
          "      --no-trunc                    print whole image ids\n" },
        { "rmi", cmd_rmi, "Remove images",
          "rmi [-f] IMAGE...\n\n"
          "  -f, --force                       remove an image with several names at once\n" },
        { "tag", cmd_tag, "Give an image another name", "tag SOURCE TARGET\n" },
        { "inspect", cmd_inspect, "Show containers or images as JSON (docker's inspect)",
          "inspect [OPTIONS] NAME...\n\n"
          "  -t, --type container|image        only that kind of object (default: a container\n"
          "                                    first, then an image)\n"
          "  -f, --format TEMPLATE             a Go template, e.g. '{{.State.Status}}'\n" },
        { "load", cmd_load, "Load images from an OCI layout or docker save archive",
          "load [OPTIONS] [-i] PATH\n\n"
          "  -i, --input PATH                  the archive or layout to load\n"
          "      --name REPO                   the name for images the archive leaves unnamed\n"
          "      --platform OS/ARCH[/VARIANT]  the platform to load from an index\n"
          "  -q, --quiet                       print nothing\n" },
        { "save", cmd_save, "Save images as an OCI layout or docker save archive",
          "save [--format FORMAT] -o OUT IMAGE...\n\n"
          "  -o, --output OUT                  the archive or directory to write\n"
          "  -f, --format FORMAT               docker-archive (default), oci-archive, oci-dir "
          "or\n"
          "                                    docker-dir\n" },
        { "import", cmd_import, "Make an image from a root file system tarball",
          "import [--cmd CMD] TARBALL [NAME]\n\n"
          "      --cmd CMD                     the image's command (run by /bin/sh -c)\n" },
        { "login", cmd_login, "Store credentials for a registry",
          "login [OPTIONS] REGISTRY\n\n"
          "  -u, --username USER               the user name (asked for when absent)\n"
          "  -p, --password PASSWORD           the password (asked for when absent)\n"
          "      --password-stdin              read the password from stdin\n" REGISTRY_USAGE },
        { "logout", cmd_logout, "Remove stored credentials of a registry",
          "logout [--authfile FILE] REGISTRY\n" },
        { "image", cmd_image, "Image management (image prune)",
          "image prune [-a]\n"
          "       berth image ls|rm|inspect ...\n\n"
          "  prune [-a]                        remove untagged images (-a: every unmounted "
          "one)\n"
          "  ls, rm, inspect                   the same as images, rmi, inspect\n" },
        { "system", cmd_system, "Store management (system df, system prune)",
          "system df|prune\n\n"
          "  df                                what the store holds and what can be freed\n"
          "  prune [-a] [-f]                   stopped containers, then images as image prune\n"
          "                                    does (-a: every unused one; -f: no question)\n" },
        { "mount", cmd_mount, "Mount an image's rootfs (overlay of its layers + upper dir)",
          "mount IMAGE TARGET\n" },
        { "unmount", cmd_unmount, "Unmount a rootfs made by berth mount", "unmount TARGET\n" },
        { "run", cmd_run, "Run a command in a new container",
          "run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n" RUN_USAGE
          "  -d, --detach                      run in the background, print the id\n"
          "      --detach-keys KEYS            the keys that detach (default ctrl-p,ctrl-q)\n"
          "      --sig-proxy BOOL              pass signals on to the container (default true)\n"
          "      --pull missing|always|never   pull the image first (default missing)\n" },
        { "create", cmd_create, "Create a container",
          "create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n" RUN_USAGE
          "      --pull missing|always|never   pull the image first (default missing)\n" },
        { "start", cmd_start, "Start containers",
          "start [-a] [-i] CONTAINER...\n\n"
          "  -a, --attach                      attach to its output, exit with its status\n"
          "  -i, --interactive                 attach stdin too\n" },
        { "stop", cmd_stop, "Stop containers (the stop signal, then SIGKILL)",
          "stop [-t SECONDS] CONTAINER...\n\n"
          "  -t, --time SECONDS                before SIGKILL (default the container's, 10)\n" },
        { "restart", cmd_restart, "Restart containers",
          "restart [-t SECONDS] CONTAINER...\n\n"
          "  -t, --time SECONDS                before SIGKILL (default the container's, 10)\n" },
        { "kill", cmd_kill, "Send a signal to containers",
          "kill [-s SIGNAL] CONTAINER...\n\n"
          "  -s, --signal SIGNAL               the signal (default KILL)\n" },
        { "rm", cmd_rm, "Remove containers",
          "rm [-f] [-v] CONTAINER...\n\n"
          "  -f, --force                       kill a running container first\n"
          "  -v, --volumes                     remove its anonymous volumes too\n" },
        { "wait", cmd_wait, "Wait for containers to exit, print their exit codes",
          "wait CONTAINER...\n" },
        { "ps", cmd_ps, "List containers",
          "ps [OPTIONS]\n\n"
          "  -a, --all                         every container (default: running ones)\n"
          "  -q, --quiet                       ids only\n"
          "  -n, --last N                      the N newest containers\n"
          "  -l, --latest                      the newest container\n"
          "      --no-trunc                    whole ids and commands\n"
          "  -f, --filter KEY=VALUE            only matching containers (repeatable; one key's\n"
          "                                    values are alternatives): status=created|running|\n"
          "                                    paused|restarting|exited|dead, name=SUBSTRING (not\n"
          "                                    a regular expression), id=PREFIX, label=KEY[=VALUE],\n"
          "                                    exited=CODE, ancestor=IMAGE\n"
          "      --format TEMPLATE|json        a Go template, e.g. '{{.ID}} {{.Names}}'\n" },
        { "container", cmd_container, "Container management (container ls, prune, ...)",
          "container VERB [ARGS...]\n\n"
          "  ls, list, ps                      the same as ps\n"
          "  inspect                           the same as inspect --type container\n"
          "  create, run, start, stop, restart, kill, rm, wait, pause, unpause, rename,\n"
          "  update, top, stats                the same as the verbs of these names\n"
          "  prune [-f]                        remove every stopped container (-f: without\n"
          "                                    asking)\n" },
        { "pause", cmd_pause, "Pause all processes of containers", "pause CONTAINER...\n" },
        { "unpause", cmd_unpause, "Unpause all processes of containers",
          "unpause CONTAINER...\n" },
        { "rename", cmd_rename, "Rename a container", "rename CONTAINER NEW_NAME\n" },
        { "update", cmd_update, "Update the resource limits and restart policy of containers",
          "update [OPTIONS] CONTAINER...\n\n"
          "  -m, --memory BYTES                memory limit (k, m, g)\n"
          "      --memory-swap BYTES           memory plus swap (-1: unlimited)\n"
          "      --cpus N                      CPUs (1.5; 0: no limit)\n"
          "  -c, --cpu-shares N                relative CPU weight\n"
          "      --cpuset-cpus LIST            the CPUs it may use (0-1)\n"
          "      --pids-limit N                at most N processes (0 or -1: no limit)\n"
          "      --restart POLICY              no, on-failure[:N], always, unless-stopped; a\n"
          "                                    running container keeps its policy until it is\n"
          "                                    started again\n" },
        { "top", cmd_top, "Show the running processes of a container",
          "top CONTAINER [ps OPTIONS]\n\n"
          "  ps OPTIONS                        the host's ps options (default -ef); the PID\n"
          "                                    column has to stay\n" },
        { "stats", cmd_stats, "Show containers' resource usage",
          "stats [OPTIONS] [CONTAINER...]\n\n"
          "  -a, --all                         every container (default: running ones)\n"
          "      --no-stream                   print once and exit (else every second)\n"
          "      --no-trunc                    whole ids\n"
          "      --format TEMPLATE|json        a Go template, e.g. '{{.Name}} {{.MemUsage}}'\n" },
        { "info", cmd_info, "Show system-wide information",
          "info [-f TEMPLATE]\n\n"
          "  -f, --format TEMPLATE|json        a Go template, e.g. '{{.ContainersRunning}}'\n" },
        { "volume", cmd_volume, "Manage volumes",
          "volume create|ls|inspect|rm|prune ...\n\n"
          "  create [--name N | N] [-l K=V] [-d local]   make a volume, print its name (random\n"
          "                                    64-hex when none is given)\n"
          "  ls [-q] [-f dangling=true|name=N|label=K[=V]|driver=D] [--format T]   list them\n"
          "  inspect [--format T] VOLUME...    docker's JSON (Mountpoint: where its data is)\n"
          "  rm [-f] VOLUME...                 remove volumes no container uses (-f: missing\n"
          "                                    ones are no error)\n"
          "  prune [-f] [-a]                   remove the anonymous volumes no container uses\n"
          "                                    (-a: every unused one), as docker 23\n" },
        { "network", cmd_network, "Manage networks",
          "network create|ls|inspect|rm|prune|connect|disconnect ...\n\n"
          "  create [--subnet CIDR]... [--gateway IP]... [--internal] [--ipv6] [-l K=V] NAME\n"
          "                                    a bridge network (no --subnet: a free\n"
          "                                    10.89.N.0/24)\n"
          "  ls [-q] [--no-trunc] [--format json]   list them\n"
          "  inspect [-f TEMPLATE] NETWORK...  docker's JSON\n"
          "  rm NETWORK...                     remove networks no container uses\n"
          "  prune [-f]                        remove every unused user network\n"
          "  connect [--ip IP] [--alias A] NETWORK CONTAINER   another interface\n"
          "  disconnect [-f] NETWORK CONTAINER\n" },
        { "port", cmd_port, "List the port mappings of a container",
          "port CONTAINER [PRIVATE_PORT[/PROTO]]\n" },
        { "exec", cmd_exec, "Run a command in a running container",
          "exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
          "  -i, --interactive                 pass stdin on\n"
          "  -t, --tty                         a pseudo-terminal\n"
          "  -d, --detach                      leave it running in the background\n"
          "  -e, --env KEY[=VALUE]             set an environment variable\n"
          "      --env-file FILE               read KEY=VALUE lines\n"
          "  -u, --user USER[:GROUP]           names from the container's /etc/passwd\n"
          "  -w, --workdir DIR                 the working directory\n"
          "      --privileged                  every capability\n"
          "      --detach-keys KEYS            the keys that detach from a -t (default "
          "ctrl-p,ctrl-q)\n" },
        { "attach", cmd_attach, "Attach to a running container's stdio",
          "attach [OPTIONS] CONTAINER\n\n"
          "      --no-stdin                    do not pass stdin on\n"
          "      --sig-proxy BOOL              pass signals on (default true; not with a tty)\n"
          "      --detach-keys KEYS            the keys that detach (default ctrl-p,ctrl-q)\n"
          "\nOnly what the container writes from now on is seen; `berth logs` has the rest.\n" },
        { "cp", cmd_cp, "Copy files between a container and the host",
          "cp [OPTIONS] CONTAINER:SRC DEST|-\n"
          "       berth cp [OPTIONS] SRC|- CONTAINER:DEST\n\n"
          "  -a, --archive                     keep owners (uid, gid)\n"
          "  -L, --follow-link                 a source that is a symlink: copy what it points "
          "to\n"
          "\n`-` is a tar on stdout or stdin (unpacked in the directory DEST). SRC ending in "
          "`/.` copies a\ndirectory's contents. Paths in the container are resolved in its "
          "root file system,\nwhich holds neither its bind mounts nor its volumes: those are "
          "not copied.\n" },
        { "logs", cmd_logs, "Show a container's log",
          "logs [OPTIONS] CONTAINER\n\n"
          "  -f, --follow                      keep printing what the container writes, until "
          "it\n"
          "                                    has exited\n"
          "      --since TIME                  entries since an RFC 3339 time, a Unix time or "
          "a\n"
          "                                    duration back from now (10m)\n"
          "      --until TIME                  entries until then\n"
          "  -n, --tail N|all                  the last N entries (default all)\n"
          "  -t, --timestamps                  each entry's time first\n"
          "      --details                     each entry's attributes first\n" },
        { "events", cmd_events, "Show the engine's events",
          "events [OPTIONS]\n\n"
          "      --since TIME                  events since then (RFC 3339, Unix time, 10m)\n"
          "      --until TIME                  events until then, and stop (default: follow)\n"
          "  -f, --filter KEY=VALUE            container=NAME|ID, event=die, type=container,\n"
          "                                    image=REF, label=KEY[=VALUE]\n"
          "      --format TEMPLATE|json        a Go template, e.g. '{{.Action}} {{.ID}}'\n" },
        { "version", cmd_version, "Print the client's and the runtime's versions",
          "version\n" },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage: berth [--root DIR] [--snapshotter overlay|copy] [-q] [--debug] VERB "
                   "[ARGS...]\n\nVerbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
        fprintf(f, "\n`berth VERB --help` shows the options of a verb.\n");
}

/* `berth VERB ... -h|--help` (before any "--"): no verb takes "-h" or "--help" as an argument
 * of its own, so it is never an image, path or option value. */
static bool wants_help(int argc, char **argv)
{
        for (int i = 1; i < argc && !streq(argv[i], "--"); i++)
                if (streq(argv[i], "-h") || streq(argv[i], "--help"))
                        return true;
        return false;
}

int main(int argc, char **argv)
{
        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "snapshotter", required_argument, NULL, 's' },
                { "quiet", no_argument, NULL, 'q' },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'v' },
                {},
        };
        _cleanup_error_ BerthError *err = NULL;
        BerthContext ctx = {};
        int c, r;

        if (berth_environment_load(&ctx.env) < 0) {
                fprintf(stderr, "berth: out of memory\n");
                return 1;
        }
        ctx.root = ctx.env.root;
        ctx.snapshotter = (SnapshotterOptions){
                /* an unknown name in the environment means the default, as --snapshotter is the
                 * place to be told off */
                .name = snapshotter_name_is_valid(ctx.env.snapshotter) ? ctx.env.snapshotter
                                                                        : NULL,
                .overlay_classic = ctx.env.overlay_classic,
        };

        while ((c = getopt_long(argc, argv, "+qh", options, NULL)) >= 0) {
                switch (c) {
                case 'r':
                        ctx.root = optarg;
                        break;
                case 's':
                        if (!snapshotter_name_is_valid(optarg)) {
                                fprintf(stderr, "berth: unknown snapshotter `%s`\n", optarg);
                                return 2;
                        }
                        ctx.snapshotter.name = optarg;
                        break;
                case 'q':
                        ctx.quiet = true;
                        break;
                case 'd':
                        ctx.debug = true;
                        log_set_max_level(LOG_LEVEL_DEBUG);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'v':
                        printf("berth version %s\n", BERTH_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind >= argc) {
                usage(stderr);
                return 2;
        }
        const char *verb = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, verb))
                        continue;
                int vargc = argc - optind;
                char **vargv = argv + optind;
                bool run_like = streq(verb, "run") || streq(verb, "create");
                /* container run|create: -h is --hostname there too */
                bool sub_run_like = streq(verb, "container") && vargc > 1 &&
                                    (streq(vargv[1], "run") || streq(vargv[1], "create"));
                bool help = sub_run_like          ? cmd_run_wants_help(vargc - 1, vargv + 1)
                            : run_like            ? cmd_run_wants_help(vargc, vargv)
                            : streq(verb, "exec") ? cmd_exec_wants_help(vargc, vargv)
                                                  : wants_help(vargc, vargv);
                if (help) {
                        printf("berth %s: %s\n\nUsage: berth %s", verb, verbs[i].help,
                               verbs[i].usage);
                        return 0;
                }
                optind = 0; /* reset getopt for the verb */
                r = verbs[i].func(&ctx, vargc, vargv, &err);
                if (ctx.sn)
                        snapshotter_free(ctx.sn);
                if (ctx.cs)
                        content_store_free(ctx.cs);
                if (ctx.md)
                        store_free(ctx.md);
                berth_environment_done(&ctx.env);
                if (r < 0) {
                        fprintf(stderr, "berth %s: %s\n", verb,
                                err && err->msg ? err->msg : strerror(-r));
                        return ctx.exit_code ? ctx.exit_code : r == -EINVAL && !err ? 2 : 1;
                }
                return ctx.exit_code;
        }
        fprintf(stderr, "berth: unknown verb `%s`\n", verb);
        usage(stderr);
        return 2;
}
