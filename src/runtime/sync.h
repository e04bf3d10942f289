/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The message protocol between the runtime and the container's init process while it is being
 * set up: one SOCK_SEQPACKET datagram per message, an optional text and an optional fd.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

typedef enum SyncType {
        SYNC_GO = 1,       /* parent -> child: ids mapped, cgroup joined; text = state JSON */
        SYNC_MAPPED,       /* parent -> child: uid_map and gid_map are written */
        SYNC_CGROUP,       /* parent -> child: the init is in its cgroup now */
        SYNC_PID,          /* intermediate -> parent: value = the init's pid */
        SYNC_HOOKS,        /* child -> parent: run prestart/createRuntime hooks now */
        SYNC_HOOKS_DONE,   /* parent -> child */
        SYNC_CONSOLE,      /* child -> parent: fd = the pty master */
        SYNC_READY,        /* child -> parent: set up, waiting for start */
        SYNC_ERROR,        /* either way: text = message, value = errno */
        SYNC_START,        /* starter -> child, on the start channel */
        SYNC_SECCOMP,      /* child -> parent: fd = the seccomp notify listener */
} SyncType;

typedef struct SyncMsg {
        uint32_t type;
        int32_t value;
        char *text; /* NUL-terminated, may be empty; owned by the caller of sync_recv */
} SyncMsg;

int sync_send(int fd, SyncType type, int32_t value, const char *text, int pass_fd);
/* Receives one message; *ret_fd gets a passed fd or -1. Returns -EPIPE on a closed peer. */
int sync_recv(int fd, SyncMsg *ret, int *ret_fd);
void sync_msg_done(SyncMsg *m);
/* Receives one message and insists on its type; an SYNC_ERROR is turned into -errno with its
 * text kept in *ret_error. */
int sync_expect(int fd, SyncType type, SyncMsg *ret, int *ret_fd, char **ret_error);
