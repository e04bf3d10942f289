/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: runc's flags, or a process.json given with --process; the runtime library makes the
 * process of them (exec-process.c). */
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "basic/log.h"
#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/container.h"
#include "runtime/exec.h"

/* --additional-gids and --preserve-fds: a number no greater than max. */
static int parse_number(const char *flag, const char *what, const char *s, uint64_t max,
                        uint64_t *ret, BerthError **err)
{
        if (safe_atou64(s, ret) < 0 || *ret > max)
                return berth_error(err, 0, "exec: %s \"%s\": %s", flag, s, what);
        return 0;
}

int cmd_exec(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        static const struct option opts[] = {
                { "console-socket", required_argument, NULL, 's' },
                { "cwd", required_argument, NULL, 'w' },
                { "env", required_argument, NULL, 'e' },
                { "tty", no_argument, NULL, 't' },
                { "user", required_argument, NULL, 'u' },
                { "additional-gids", required_argument, NULL, 'g' },
                { "process", required_argument, NULL, 'p' },
                { "detach", no_argument, NULL, 'd' },
                { "pid-file", required_argument, NULL, 'P' },
                { "process-label", required_argument, NULL, 'L' },
                { "apparmor", required_argument, NULL, 'A' },
                { "no-new-privs", no_argument, NULL, 'n' },
                { "cap", required_argument, NULL, 'c' },
                { "preserve-fds", required_argument, NULL, 'f' },
                { "cgroup", required_argument, NULL, 'C' },
                { "ignore-paused", no_argument, NULL, 'I' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_container_ Container *c = NULL;
        _cleanup_spec_ Spec *pspec = NULL;
        _cleanup_strv_free_ char **envs = NULL, **caps = NULL;
        _cleanup_free_ uint32_t *gids = NULL;
        const char *process_file = NULL, *cwd = NULL, *user = NULL;
        ExecOptions o = {};
        bool tty = false, nnp = false;
        size_t n_gids = 0;
        uint64_t v;
        int ch, r, status = 0;

        while ((ch = getopt_long_only(argc, argv, "+s:w:e:tu:g:p:dc:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 's':
                        o.console_socket = optarg;
                        break;
                case 'w':
                        cwd = optarg;
                        break;
                case 'e':
                        if (strv_extend(&envs, optarg) < 0)
                                return -ENOMEM;
                        break;
                case 't':
                        tty = true;
                        break;
                case 'u':
                        user = optarg;
                        break;
                case 'g': {
                        if (parse_number("--additional-gids", "expected a number", optarg,
                                         UINT32_MAX, &v, err) < 0)
                                return -EINVAL;
                        uint32_t *ng = realloc(gids, (n_gids + 1) * sizeof(*gids));
                        if (!ng)
                                return -ENOMEM;
                        gids = ng;
                        gids[n_gids++] = (uint32_t)v;
                        break;
                }
                case 'p':
                        process_file = optarg;
                        break;
                case 'd':
                        o.detach = true;
                        break;
                case 'P':
                        o.pid_file = optarg;
                        break;
                case 'n':
                        nnp = true;
                        break;
                case 'c':
                        if (strv_extend(&caps, optarg) < 0)
                                return -ENOMEM;
                        break;
                case 'f':
                        if (parse_number("--preserve-fds", "invalid", optarg, INT_MAX, &v, err) <
                            0)
                                return -EINVAL;
                        o.preserve_fds = (unsigned)v;
                        break;
                case 'I':
                        o.ignore_paused = true;
                        break;
                case 'h':
                        return cmd_usage(argv[0]);
                case 'L':
                case 'A':
                case 'C':
                        break; /* accepted; no LSM or sub-cgroup support in this build */
                default:
                        return berth_error(err, 0, "exec: invalid option (see --help)");
                }
        }
        if (optind >= argc)
                return berth_error(err, 0, "exec: a container id is required");
        const char *id = argv[optind++];
        if (!process_file && optind >= argc)
                return berth_error(err, 0, "exec: a command or --process is required");
        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        r = container_load_spec(c, err);
        if (r < 0)
                return r;

        SpecProcess *p;
        if (process_file) {
                r = container_exec_load_process(process_file, &pspec, err);
                if (r < 0)
                        return r;
                p = pspec->process;
        } else {
                p = c->spec->process;
                if (!p)
                        return berth_error(err, 0, "exec: container `%s` has no process", id);
                const ExecOverrides x = {
                        .args = argv + optind,
                        .terminal = tty,
                        .cwd = cwd,
                        .env = envs,
                        .user = user,
                        .gids = gids,
                        .n_gids = n_gids,
                        .caps = caps,
                        .no_new_privileges = nnp,
                };
                r = container_exec_override(p, &x, err);
                if (r < 0)
                        return r;
        }
        if (vm_container_is_vm(c)) {
                r = vm_container_exec(c, p, o.console_socket, o.detach, o.pid_file, &status,
                                      err);
                return r < 0 ? r : status;
        }
        r = container_exec_protect(c, p, g->argv, &o, err);
        if (r < 0)
                return r;
        log_debug("exec %s: join the namespaces and the cgroup of its init (pid %d)", id, c->pid);
        r = container_exec(c, p, &o, &status, err);
        return r < 0 ? r : status;
}
