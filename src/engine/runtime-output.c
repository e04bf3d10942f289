/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Programs whose output the engine reads: the runtime's `ps`, `update -r -` and `--version`,
 * and the host's ps for top. Input goes in through a pipe, output comes back bounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"

#define STDERR_MAX (64 * 1024)

/* Forks argv with stdin from input (or /dev/null), stdout into *ret_out and stderr into
 * *ret_err (NULL: together with stdout). */
static int spawn(char *const *argv, bool path_lookup, const char *input, size_t max,
                 char **ret_out, char **ret_err)
{
        _cleanup_close_pair_ int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
        _cleanup_free_ char *o = NULL, *e = NULL;
        size_t len;
        pid_t pid;

        if ((input && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
            (ret_err && pipe2(errp, O_CLOEXEC) < 0))
                return -errno;
        fflush(stdout);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                dup2(input ? in[0] : null, STDIN_FILENO);
                dup2(out[1], STDOUT_FILENO);
                dup2(ret_err ? errp[1] : out[1], STDERR_FILENO);
                if (path_lookup)
                        execvp(argv[0], argv);
                else
                        execv(argv[0], argv);
                dprintf(STDERR_FILENO, "exec `%s`: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        in[0] = safe_close(in[0]);
        out[1] = safe_close(out[1]);
        errp[1] = safe_close(errp[1]);
        if (input) {
                /* The programs read their input before they write much. */
                (void)fs_write_all_fd(in[1], input, strlen(input));
                in[1] = safe_close(in[1]);
        }
        (void)fs_read_full_fd_limited(out[0], max, &o, &len);
        if (ret_err)
                (void)fs_read_full_fd_limited(errp[0], STDERR_MAX, &e, &len);
        int r = process_wait_exit_status(pid);
        *ret_out = TAKE_PTR(o);
        if (ret_err) {
                if (e)
                        e[strcspn(e, "\n")] = 0;
                *ret_err = TAKE_PTR(e);
        }
        return r;
}

int engine_runtime_output(Engine *e, const char *runtime, char *const *args, const char *input,
                          size_t max, char **ret_stdout, char **ret_stderr)
{
        _cleanup_free_ char *bin = NULL, *root = engine_runtime_root(e);
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        *ret_stdout = NULL;
        if (ret_stderr)
                *ret_stderr = NULL;
        r = engine_runtime_resolve(e, runtime, &bin);
        if (r < 0)
                return r;
        if (!root || strv_extend(&argv, bin) < 0 || strv_extend(&argv, "--root") < 0 ||
            strv_extend(&argv, root) < 0)
                return -ENOMEM;
        for (char *const *a = args; *a; a++)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        _cleanup_free_ char *ignored = NULL;
        return spawn(argv, false, input, max, ret_stdout, ret_stderr ? ret_stderr : &ignored);
}

int engine_program_output(char *const *argv, size_t max, char **ret)
{
        *ret = NULL;
        return spawn(argv, true, NULL, max, ret, NULL);
}
