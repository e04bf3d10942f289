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
        if (string_safe_atou64(s, ret) < 0 || *ret > max)
                return berth_error(err, 0, "exec: %s \"%s\": %s", flag, s, what);
        return 0;
}

/* The flags, owned here: the overrides are made of them later. */
typedef struct ExecFlags {
        ExecOptions o;
        const char *process_file, *cwd, *user;
        char **envs, **caps;
        uint32_t *gids;
        size_t n_gids;
        bool tty, nnp;
} ExecFlags;

static void exec_flags_done(ExecFlags *f)
{
        strv_free(f->envs);
        strv_free(f->caps);
        free(f->gids);
}

/* Returns 1 to go on with optind at the id, 0 after --help, or a negative error. */
static int parse_exec_flags(int argc, char **argv, ExecFlags *f, BerthError **err)
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
        uint64_t v;
        int ch;

        while ((ch = getopt_long_only(argc, argv, "+s:w:e:tu:g:p:dc:h", opts, NULL)) >= 0) {
                switch (ch) {
                case 's':
                        f->o.console_socket = optarg;
                        break;
                case 'w':
                        f->cwd = optarg;
                        break;
                case 'e':
                        if (strv_extend(&f->envs, optarg) < 0)
                                return -ENOMEM;
                        break;
                case 't':
                        f->tty = true;
                        break;
                case 'u':
                        f->user = optarg;
                        break;
                case 'g': {
                        if (parse_number("--additional-gids", "expected a number", optarg,
                                         UINT32_MAX, &v, err) < 0)
                                return -EINVAL;
                        uint32_t *ng = realloc(f->gids, (f->n_gids + 1) * sizeof(*f->gids));
                        if (!ng)
                                return -ENOMEM;
                        f->gids = ng;
                        f->gids[f->n_gids++] = (uint32_t)v;
                        break;
                }
                case 'p':
                        f->process_file = optarg;
                        break;
                case 'd':
                        f->o.detach = true;
                        break;
                case 'P':
                        f->o.pid_file = optarg;
                        break;
                case 'n':
                        f->nnp = true;
                        break;
                case 'c':
                        if (strv_extend(&f->caps, optarg) < 0)
                                return -ENOMEM;
                        break;
                case 'f':
                        if (parse_number("--preserve-fds", "invalid", optarg, INT_MAX, &v, err) <
                            0)
                                return -EINVAL;
                        f->o.preserve_fds = (unsigned)v;
                        break;
                case 'I':
                        f->o.ignore_paused = true;
                        break;
                case 'h':
                        return cmd_usage(argv[0]); /* 0: --help */
                case 'L':
                case 'A':
                case 'C':
                        break; /* accepted; no LSM or sub-cgroup support in this build */
                default:
                        return berth_error(err, 0, "exec: invalid option (see --help)");
                }
        }
        return 1;
}

int cmd_exec(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_(exec_flags_done) ExecFlags f = {};
        _cleanup_container_ Container *c = NULL;
        _cleanup_spec_ Spec *pspec = NULL;
        int r, status = 0;

        r = parse_exec_flags(argc, argv, &f, err);
        if (r <= 0)
                return r;
        if (optind >= argc)
                return berth_error(err, 0, "exec: a container id is required");
        const char *id = argv[optind++];
        if (!f.process_file && optind >= argc)
                return berth_error(err, 0, "exec: a command or --process is required");
        r = container_load(g->root, id, &c, err);
        if (r < 0)
                return r;
        r = container_load_spec(c, err);
        if (r < 0)
                return r;

        SpecProcess *p;
        if (f.process_file) {
                r = container_exec_load_process(f.process_file, &pspec, err);
                if (r < 0)
                        return r;
                p = pspec->process;
        } else {
                p = c->spec->process;
                if (!p)
                        return berth_error(err, 0, "exec: container `%s` has no process", id);
                const ExecOverrides x = {
                        .args = argv + optind,
                        .terminal = f.tty,
                        .cwd = f.cwd,
                        .env = f.envs,
                        .user = f.user,
                        .gids = f.gids,
                        .n_gids = f.n_gids,
                        .caps = f.caps,
                        .no_new_privileges = f.nnp,
                };
                r = container_exec_override(p, &x, err);
                if (r < 0)
                        return r;
        }
        if (vm_container_is_vm(c)) {
                r = vm_container_exec(c, p, f.o.console_socket, f.o.detach, f.o.pid_file, &status,
                                      err);
                return r < 0 ? r : status;
        }
        r = container_exec_protect(c, p, g->argv, &f.o, err);
        if (r < 0)
                return r;
        log_debug("exec %s: join the namespaces and the cgroup of its init (pid %d)", id, c->pid);
        r = container_exec(c, p, &f.o, &status, err);
        return r < 0 ? r : status;
}
