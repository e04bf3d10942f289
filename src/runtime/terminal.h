/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* process.terminal: the container's pty, handing its master to --console-socket, and the relay
 * `run` does when it keeps the terminal itself. */
#pragma once

#include <stdbool.h>

#include "basic/error.h"

/* In the container, after /dev/pts is mounted: a new pty; *ret_slave_path is /dev/pts/N. */
int terminal_open_pty(int *ret_master, int *ret_slave, char **ret_slave_path, BerthError **err);
/* Makes slave the controlling terminal and the stdio of the calling process. */
int terminal_make_controlling(int slave, unsigned height, unsigned width, BerthError **err);
/* Sends master over the unix socket at path with SCM_RIGHTS, as runc does. */
int terminal_send_to_socket(const char *path, int master, BerthError **err);
/* Connects the caller's stdio to master until it hangs up; puts a tty stdin in raw mode
 * meanwhile and passes window size changes on. Returns when the container side closes. */
int terminal_relay(int master);
/* As runc's own relay does (tty.go): the container's pty passes "\n" through as it is, so
 * output relayed to a file or a pipe gets no "\r"; a terminal on our side adds its own. For the
 * ptys run and exec relay themselves; a --console-socket receiver decides for its own. */
void terminal_clear_onlcr(int master);
