/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <strings.h>

#include "basic/macro.h"
#include "basic/signal-util.h"
#include "basic/string-util.h"

static const struct {
        const char *name;
        int sig;
} signals[] = {
        { "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },     { "TTOU", SIGTTOU },   { "URG", SIGURG },
        { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },     { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH }, { "IO", SIGIO },         { "POLL", SIGPOLL },   { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

int signal_from_string(const char *s)
{
        int n;
        const char *name = s;

        /* 0 sends nothing: `kill ID 0` only checks that the init is alive, as with runc. */
        if (string_safe_atoi(s, &n) >= 0)
                return n >= 0 && n < _NSIG ? n : -EINVAL;
        if (startswith(s, "SIG"))
                name = s + 3;
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (strcasecmp(signals[i].name, name) == 0)
                        return signals[i].sig;
        const char *rt;
        if ((rt = startswith(name, "RTMIN"))) {
                if (!*rt)
                        return SIGRTMIN;
                if (rt[0] == '+' && string_safe_atoi(rt + 1, &n) >= 0 && SIGRTMIN + n <= SIGRTMAX)
                        return SIGRTMIN + n;
        }
        if ((rt = startswith(name, "RTMAX"))) {
                if (!*rt)
                        return SIGRTMAX;
                if (rt[0] == '-' && string_safe_atoi(rt + 1, &n) >= 0 && SIGRTMAX - n >= SIGRTMIN)
                        return SIGRTMAX - n;
        }
        return -EINVAL;
}
