/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for a child, passing our signals on to it, and what a child of ours keeps open. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reaps pid and returns its exit status, or 128 + the signal that killed it (255 on error). */
int process_wait_exit_status(pid_t pid);
/* Until called with 0: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to us go to
 * pid, as `runc run` and `runc exec` do in the foreground. */
void process_forward_signals_to(pid_t pid);
/* Runs argv (argv[0] a path, or a name searched in PATH when path_lookup) with envp (NULL:
 * ours), input on its stdin (NULL: /dev/null), its stdout into *ret_out (at most max bytes;
 * NULL: /dev/null) and its stderr into *ret_err (at most 64 kB; NULL: with stdout). Returns its
 * exit status as process_wait_exit_status() does, or -errno when it could not be started. */
int process_run_output(char *const *argv, char *const *envp, bool path_lookup, const char *input,
                       size_t max, char **ret_out, char **ret_err);
/* Closes every fd from first up, but those in keep (at most 64; the duplicates and those below
 * first are ignored): what a process forked or cloned for the runtime does first, so that
 * nothing of the runtime's (its end of the sync socket, the state directory, a cgroup) stays
 * open in it. -E2BIG when keep is too long (nothing is closed). */
int process_close_fds_except(int first, const int *keep, size_t n_keep);
/* Blocks every signal but SIGKILL, SIGSTOP and those in keep, and returns a signalfd
 * (O_CLOEXEC, O_NONBLOCK) that reads them, or -errno: for a loop that polls its signals. */
int process_signalfd_all_but(const int *keep, size_t n_keep);
/* The start time of pid (clock ticks since boot, /proc/PID/stat field 22) and whether it is a
 * zombie: with the pid, it names a process across pid reuse. */
int process_start_time(pid_t pid, uint64_t *ret, bool *zombie);
