/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OCI runtime's command line as the shim calls it: create, start, delete. Any runtime with
 * runc's command line works (berth-runtime, runc, crun); its errors come back through its
 * `--log` file in runc's JSON format. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "shim/shim-internal.h"

/* The text of the last "msg" of a runtime's JSON log: {"level":"error","msg":"...",...}. Only
 * the escapes a runtime writes into a message are undone. */
static char *last_error_message(const char *log)
{
        const char *p = NULL, *q;
        char *out, *o;

        for (q = log; (q = strstr(q, "\"msg\":\"")); q++)
                p = q;
        if (!p)
                return NULL;
        p += strlen("\"msg\":\"");
        o = out = malloc(strlen(p) + 1);
        if (!out)
                return NULL;
        for (; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1]) {
                        p++;
                        *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
                } else
                        *o++ = *p;
        }
        *o = 0;
        return out;
}

int shim_runtime_run(const ShimOptions *o, char *const *verb, const int stdio[3],
                     char **ret_error)
{
        _cleanup_free_ char *log_path = NULL;
        size_t n_args = 0, n_verb = 0, i = 0;
        pid_t pid;
        int status;

        if (asprintf(&log_path, "%s/runtime.log", o->state_dir) < 0)
                return -ENOMEM;
        for (char **a = o->runtime_args; a && *a; a++)
                n_args++;
        while (verb[n_verb])
                n_verb++;
        char *argv[n_args + n_verb + 6];
        argv[i++] = (char *)o->runtime;
        for (size_t k = 0; k < n_args; k++)
                argv[i++] = o->runtime_args[k];
        argv[i++] = "--log";
        argv[i++] = log_path;
        argv[i++] = "--log-format";
        argv[i++] = "json";
        for (size_t k = 0; k < n_verb; k++)
                argv[i++] = verb[k];
        argv[i] = NULL;

        /* A fresh log per call, so the error read back is this call's. */
        (void)unlink(log_path);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                for (int fd = 0; fd < 3; fd++) {
                        int from = stdio[fd] >= 0 ? stdio[fd] : null_fd;
                        /* dup2 of an fd onto itself would keep its O_CLOEXEC. */
                        if (from == fd ? fcntl(fd, F_SETFD, 0) < 0 : dup2(from, fd) < 0)
                                _exit(127);
                }
                process_close_fds_except(3, NULL, 0);
                execvp(argv[0], argv);
                _exit(127);
        }
        status = process_wait_exit_status(pid);
        if (status != 0 && ret_error) {
                _cleanup_free_ char *log = NULL;
                size_t n = 0;
                *ret_error = NULL;
                if (fs_read_full_file(log_path, &log, &n) >= 0)
                        *ret_error = last_error_message(log);
                if (!*ret_error && status == 127)
                        (void)!asprintf(ret_error, "cannot execute `%s`", o->runtime);
        }
        return status;
}
