/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `ps [-f table|json] ID [ps args...]`: the container's processes. json prints the pid array;
 * table runs the host's ps (default "-ef") and keeps its header and the lines whose PID
 * column is one of the container's pids, as runc does.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "cmd/berth-runtime/cmd.h"
#include "isolation/vm/vm.h"
#include "runtime/lifecycle-cgroup.h"

/* Runs ps with args, returning its stdout and stderr together (as runc's CombinedOutput). */
static int run_ps(char **args, size_t n_args, char **ret, BerthError **err)
{
        _cleanup_close_pair_ int p[2] = { -1, -1 };
        _cleanup_free_ char **argv = calloc(n_args + 2, sizeof(char *));
        _cleanup_free_ char *out = NULL;
        size_t size = 0;
        int status, r;

        if (!argv)
                return berth_error(err, -ENOMEM, "ps: out of memory");
        argv[0] = (char *)"ps";
        memcpy(argv + 1, args, n_args * sizeof(char *));
        if (pipe2(p, O_CLOEXEC) < 0)
                return berth_error(err, errno, "ps: pipe");
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return berth_error(err, errno, "ps: fork");
        if (pid == 0) {
                if (dup2(p[1], STDOUT_FILENO) < 0 || dup2(p[1], STDERR_FILENO) < 0)
                        _exit(127);
                execvp("ps", argv);
                dprintf(STDERR_FILENO, "exec ps: %s\n", strerror(errno));
                _exit(127);
        }
        p[1] = safe_close(p[1]);
        r = fs_read_full_fd(p[0], &out, &size);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r < 0)
                return berth_error(err, r, "ps: read its output");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berth_error(err, 0, "ps failed (%s %d): %s",
                                   WIFEXITED(status) ? "exit status" : "signal",
                                   WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                                   out ? out : "");
        *ret = TAKE_PTR(out);
        return 0;
}

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

/* The n-th whitespace-separated field of line (not NUL-terminated: its length in *len). */
static const char *field(const char *line, size_t n, size_t *len)
{
        const char *p = line;
        for (size_t i = 0;; i++) {
                p += strspn(p, " \t");
                if (!*p)
                        return NULL;
                size_t l = strcspn(p, " \t");
                if (i == n) {
                        *len = l;
                        return p;
                }
                p += l;
        }
}

static int filter_ps(char *out, const pid_t *pids, size_t n, BerthError **err)
{
        char *save = NULL;
        char *header = strtok_r(out, "\n", &save);
        size_t idx, len;
        const char *f;

        if (!header)
                return berth_error(err, 0, "ps: no output");
        for (idx = 0; (f = field(header, idx, &len)); idx++)
                if (len == 3 && strncmp(f, "PID", 3) == 0)
                        break;
        if (!f)
                return berth_error(err, 0, "ps: couldn't find PID field in ps output");
        puts(header);
        for (char *line; (line = strtok_r(NULL, "\n", &save));) {
                char buf[32];
                long pid;
                f = field(line, idx, &len);
                if (!f)
                        continue;
                if (len >= sizeof(buf))
                        return berth_error(err, 0, "ps: unable to parse pid in \"%s\"", line);
                memcpy(buf, f, len);
                buf[len] = 0;
                char *end;
                errno = 0;
                pid = strtol(buf, &end, 10);
                if (errno || *end || end == buf)
                        return berth_error(err, 0, "ps: unable to parse pid \"%s\"", buf);
                if (has_pid(pids, n, pid))
                        puts(line);
        }
        return 0;
}

/* A VM's processes live in the guest: their pids as the container sees them, from its agent
 * (the host's ps cannot describe them). */
static int ps_vm(Container *c, const char *format, BerthError **err)
{
        _cleanup_free_ char *pids = NULL;
        int r = vm_container_pids(c, &pids, err);
        if (r < 0)
                return r;
        struct json_object *a = json_object_new_array();
        char *save = NULL;
        for (char *w = strtok_r(pids, " ", &save); w; w = strtok_r(NULL, " ", &save))
                json_object_array_add(a, json_object_new_int(atoi(w)));
        if (streq(format, "json"))
                puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
        else {
                puts("PID");
                for (size_t i = 0; i < json_object_array_length(a); i++)
                        printf("%d\n", json_object_get_int(json_object_array_get_idx(a, i)));
        }
        json_object_put(a);
        return 0;
}

int cmd_ps(const GlobalOptions *g, int argc, char **argv, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ char *out = NULL;
        const char *format = "table";
        size_t n = 0;
        bool given = false;
        int r;

        /* Options stop at the id; what follows belongs to ps. */
        r = parse_one_option(argc, argv, "format", true, &format, &given, err);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!streq(format, "table") && !streq(format, "json"))
                return berth_error(err, 0, "ps: invalid format \"%s\" (table or json)", format);
        if (optind >= argc)
                return berth_error(err, 0, "ps: a container id is required");
        r = container_load(g->root, argv[optind], &c, err);
        if (r < 0)
                return r;
        if (vm_container_is_vm(c))
                return ps_vm(c, format, err);
        r = container_get_pids(c, &pids, &n, err);
        if (r < 0)
                return r;

        if (streq(format, "json")) {
                struct json_object *a = json_object_new_array();
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(a, json_object_new_int(pids[i]));
                puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
                json_object_put(a);
                return 0;
        }

        char **args = argv + optind + 1;
        size_t n_args = (size_t)(argc - optind - 1);
        if (n_args > 0 && streq(args[0], "--")) {
                args++;
                n_args--;
        }
        static char *default_args[] = { (char *)"-ef" };
        if (n_args == 0) {
                args = default_args;
                n_args = 1;
        }
        r = run_ps(args, n_args, &out, err);
        if (r < 0)
                return r;
        return filter_ps(out, pids, n, err);
}
