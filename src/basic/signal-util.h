/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signals by name, as kill(1), runc and docker take them. */
#pragma once

/* "TERM", "SIGTERM", "sigterm", "15", "RTMIN+2", "SIGRTMAX-1": the number, or -EINVAL. 0 is
 * valid (a check that the process lives). */
int signal_from_string(const char *s);
