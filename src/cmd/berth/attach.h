/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A terminal or pipes attached to a container through its shim's attach socket. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct AttachOptions {
        bool stdin;              /* forward stdin (-i) */
        bool tty;                /* raw mode, resizes, detach keys */
        bool sig_proxy;          /* pass SIGINT, SIGTERM, ... on through on_signal */
        char detach_keys[16];
        size_t n_detach_keys;
        void (*on_signal)(int sig, void *userdata);
        void *userdata;
} AttachOptions;

/* "ctrl-p,ctrl-q" into bytes; -EINVAL for keys Docker does not take. */
int attach_parse_detach_keys(const char *s, char out[static 16], size_t *ret_n);
/* Relays until the container's output ends (the container exited) or the detach keys are
 * typed (*ret_detached). */
int attach_run(int fd, const AttachOptions *o, bool *ret_detached);
