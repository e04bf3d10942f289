/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

#include "macro.h"
#include "process-util.h"

int wait_exit_status(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 255;
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
}

static volatile sig_atomic_t forward_pid;

static void forward(int sig)
{
        if (forward_pid > 0)
                kill(forward_pid, sig);
}

void forward_signals_to(pid_t pid)
{
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };

        forward_pid = pid;
        if (pid > 0)
                for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                        sigaction(sigs[i], &sa, NULL);
}
