/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* exec: runc's flags, or a process.json given with --process. */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "basic/fs-util.h"
#include "basic/log.h"
#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/cloned-binary.h"
#include "runtime/container.h"
#include "runtime/debug-log.h"
#include "runtime/exec-stub.h"
#include "runtime/exec.h"

/* A process.json is parsed as the "process" of a minimal config, so it gets every check and
 * error path of config.json ("process.user.uid: ..."). */
static int load_process_file(const char *path, Spec **ret, BerthError **err)
{
        _cleanup_free_ char *data = NULL, *doc = NULL;
        int r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &data, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "--process");
        if (asprintf(&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"/\"},\"process\":%s}",
                     data) < 0)
                return berth_error(err, ENOMEM, "--process");
        r = spec_parse(doc, strlen(doc), ret, err);
        if (r < 0)
                return berth_error_prefix(err, "--process `%s`", path);
        if (!(*ret)->process)
                return berth_error(err, 0, "--process `%s`: no process", path);
        return 0;
}

static int set_env(char ***env, const char *kv, BerthError **err)
{
        const char *eq = strchr(kv, '=');
        if (!eq || eq == kv)
                return berth_error(err, 0, "exec: --env \"%s\": expected KEY=VALUE", kv);
        size_t klen = (size_t)(eq - kv) + 1;
        for (char **e = *env; e && *e; e++)
                if (strneq(*e, kv, klen)) {
                        char *n = strdup(kv);
                        if (!n)
                                return -ENOMEM;
                        free(*e);
                        *e = n;
                        return 0;
                }
        return strv_extend(env, kv);
}

static int add_cap(SpecProcess *p, const char *cap)
{
        if (!p->capabilities && !(p->capabilities = calloc(1, sizeof(SpecCapabilities))))
                return -ENOMEM;
        char ***sets[] = { &p->capabilities->bounding, &p->capabilities->effective,
                           &p->capabilities->permitted, &p->capabilities->inheritable,
                           &p->capabilities->ambient };
        for (size_t i = 0; i < ELEMENTSOF(sets); i++)
                if (!strv_contains(*sets[i], cap) && strv_extend(sets[i], cap) < 0)
                        return -ENOMEM;
        return 0;
}

static int parse_user(SpecProcess *p, const char *s, BerthError **err)
{
        _cleanup_free_ char *copy = strdup(s);
        uint64_t uid, gid;
        char *colon;

        if (!copy)
                return -ENOMEM;
        colon = strchr(copy, ':');
        if (colon)
                *colon = 0;
        if (string_safe_atou64(copy, &uid) < 0 || uid > UINT32_MAX ||
            (colon && (string_safe_atou64(colon + 1, &gid) < 0 || gid > UINT32_MAX)))
                return berth_error(err, 0, "exec: --user \"%s\": expected UID[:GID] (numbers)", s);
        p->user.uid = (uint32_t)uid;
        if (colon)
                p->user.gid = (uint32_t)gid;
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
        int ch, n, r, status = 0;

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
                        uint64_t v;
                        if (string_safe_atou64(optarg, &v) < 0 || v > UINT32_MAX)
                                return berth_error(err, 0, "exec: --additional-gids \"%s\": "
                                                           "expected a number",
                                                   optarg);
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
                        if (string_safe_atoi(optarg, &n) < 0 || n < 0)
                                return berth_error(err, 0, "exec: --preserve-fds \"%s\": invalid",
                                                   optarg);
                        o.preserve_fds = (unsigned)n;
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
                r = load_process_file(process_file, &pspec, err);
                if (r < 0)
                        return r;
                p = pspec->process;
        } else {
                p = c->spec->process;
                if (!p)
                        return berth_error(err, 0, "exec: container `%s` has no process", id);
                char **args = strv_copy(argv + optind);
                if (!args)
                        return -ENOMEM;
                strv_free(p->args);
                p->args = args;
                p->terminal = tty;
                p->has_console_size = false;
                if (cwd) {
                        if (cwd[0] != '/')
                                return berth_error(err, 0, "exec: --cwd \"%s\" must be absolute",
                                                   cwd);
                        free(p->cwd);
                        if (!(p->cwd = strdup(cwd)))
                                return -ENOMEM;
                }
                STRV_FOREACH(e, envs)
                        if ((r = set_env(&p->env, *e, err)) < 0)
                                return r;
                if (user && (r = parse_user(p, user, err)) < 0)
                        return r;
                if (n_gids) {
                        free(p->user.additional_gids);
                        p->user.additional_gids = TAKE_PTR(gids);
                        p->user.n_additional_gids = n_gids;
                }
                STRV_FOREACH(cap, caps)
                        if (add_cap(p, *cap) < 0)
                                return -ENOMEM;
                if (nnp)
                        p->no_new_privileges = true;
        }
        if (vm_container_is_vm(c)) {
                r = vm_container_exec(c, p, o.console_socket, o.detach, o.pid_file, &status,
                                      err);
                return r < 0 ? r : status;
        }
        /* The exec stub protects the runtime's binary (CVE-2019-5736) where it changes nothing
         * for the process; otherwise this command starts over from a sealed copy of the
         * runtime, where cloned_binary_ensure() then returns at once. */
        o.exec_stub = exec_stub_usable_process(p, c->spec->linux_ ? c->spec->linux_->seccomp
                                                                  : NULL);
        if (!o.exec_stub && (r = cloned_binary_ensure(g->argv)) < 0)
                return berth_error(err, r, "exec: protect the runtime binary (CVE-2019-5736)");
        debug_log_process("exec", id, p, o.exec_stub);
        log_debug("exec %s: join the namespaces and the cgroup of its init (pid %d)", id, c->pid);
        r = container_exec(c, p, &o, &status, err);
        return r < 0 ? r : status;
}
