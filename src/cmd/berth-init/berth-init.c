/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth-init, `--init`'s PID 1 (tini's job): runs the command as its child, forwards every
 * signal it can to it, reaps every zombie the container makes, and exits as the command
 * exited (128 + the signal when it was killed). Static and libc only: it is bound into
 * containers whose images have no libc of their own.
 *
 *   berth-init [-g] -- COMMAND [ARG...]     -g: signals go to the command's process group
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Synchronous signals and the two that cannot be caught are left alone. */
static bool forwardable(int sig)
{
        switch (sig) {
        case SIGKILL:
        case SIGSTOP:
        case SIGFPE:
        case SIGILL:
        case SIGSEGV:
        case SIGBUS:
        case SIGABRT:
        case SIGTRAP:
        case SIGSYS:
        case SIGTTIN:
        case SIGTTOU:
                return false;
        }
        return true;
}

static pid_t spawn(char **argv, const sigset_t *old_mask)
{
        pid_t pid = fork();

        if (pid != 0)
                return pid;
        /* A process group of its own, in the foreground of the terminal if there is one. */
        setpgid(0, 0);
        if (isatty(STDIN_FILENO)) {
                signal(SIGTTOU, SIG_IGN);
                tcsetpgrp(STDIN_FILENO, getpid());
                signal(SIGTTOU, SIG_DFL);
        }
        sigprocmask(SIG_SETMASK, old_mask, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "berth-init: exec `%s`: %s\n", argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
}

int main(int argc, char **argv)
{
        sigset_t all, old;
        bool group = false;
        int i = 1, status = 0;
        pid_t child;

        for (; i < argc && argv[i][0] == '-'; i++) {
                if (strcmp(argv[i], "--") == 0) {
                        i++;
                        break;
                }
                if (strcmp(argv[i], "-g") == 0)
                        group = true;
                else {
                        fprintf(stderr, "usage: berth-init [-g] -- COMMAND [ARG...]\n");
                        return 125;
                }
        }
        if (i >= argc) {
                fprintf(stderr, "usage: berth-init [-g] -- COMMAND [ARG...]\n");
                return 125;
        }
        if (getpid() != 1)
                /* Outside a pid namespace's PID 1 the orphans still come here. */
                (void)prctl(PR_SET_CHILD_SUBREAPER, 1);

        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, &old);
        child = spawn(argv + i, &old);
        if (child < 0) {
                fprintf(stderr, "berth-init: fork: %s\n", strerror(errno));
                return 125;
        }
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&all, &si);

                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        if (forwardable(sig))
                                kill(group ? -child : child, sig);
                        continue;
                }
                for (;;) {
                        int st;
                        pid_t pid = waitpid(-1, &st, WNOHANG);
                        if (pid <= 0)
                                break;
                        if (pid == child) {
                                status = st;
                                child = 0;
                        }
                }
                if (child == 0)
                        break;
        }
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}
