/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pty master relayed to and from this process's terminal (berth exec -t). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

typedef struct PtyRelayOptions {
        bool interactive;        /* stdin to the pty (in raw mode when it is a terminal) */
        char detach_keys[16];
        size_t n_detach_keys;    /* 0: no detaching */
} PtyRelayOptions;

/* Relays until the process has closed the pty; whether the detach keys ended it instead. */
bool pty_relay(int master, const PtyRelayOptions *o);
