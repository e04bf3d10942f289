/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's diagnostics go to the guest console (the host keeps it as console.log). */
#include <stdarg.h>
#include <stdio.h>

#include "isolation/vm/agent/agent.h"

void agent_log(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("berth-vm-agent: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}
