/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Waiting for a child and passing our signals on to it. */
#pragma once

#include <sys/types.h>

/* Reaps pid and returns its exit status, or 128 + the signal that killed it (255 on error). */
int wait_exit_status(pid_t pid);
/* Until called with 0: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to us go to
 * pid, as `runc run` and `runc exec` do in the foreground. */
void forward_signals_to(pid_t pid);
