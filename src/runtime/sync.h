/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The message protocol between the runtime and the container's init process while it is being
 * set up: one SOCK_SEQPACKET datagram per message, an optional text and an optional fd.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "runtime/sync-wire.h"

typedef enum SyncType {
        SYNC_GO = 1,       /* parent -> child: ids mapped, cgroup joined; text = state JSON */
        SYNC_MAPPED,       /* parent -> child: uid_map and gid_map are written */
        SYNC_CGROUP,       /* parent -> child: fds to join the cgroup by, text = their names */
        SYNC_PID,          /* intermediate -> parent: value = the init's pid */
        SYNC_HOOKS,        /* child -> parent: run prestart/createRuntime hooks now */
        SYNC_HOOKS_DONE,   /* parent -> child */
        SYNC_CONSOLE,      /* child -> parent: fd = the pty master */
        SYNC_READY,        /* child -> parent: set up, waiting for start */
        SYNC_ERROR,        /* either way: text = message, value = errno */
        SYNC_START,        /* starter -> child, on the start channel */
        SYNC_SECCOMP,      /* child -> parent: fd = the seccomp notify listener */
        SYNC_MOUNT_SOURCE, /* child -> parent: value = mounts[] index; parent -> child: fd =
                            * its source tree, or value = -errno and text = why not */
        SYNC_IDMAP_FDS,    /* child -> parent: its own uid_map, gid_map, setgroups (rootless) */
        SYNC_INIT_SETTINGS, /* parent -> re-executed init: a SyncInitSettings, nothing else */
} SyncType;

typedef struct SyncMsg {
        uint32_t type;
        int32_t value;
        char *text; /* NUL-terminated, may be empty; owned by the caller of sync_recv */
} SyncMsg;

/* The settings of an init that executed the runtime's sealed copy (container_init_reexec()):
 * what its argv carried before, as one datagram that the runtime sends after SYNC_MAPPED (if
 * any) and the init reads first thing after its execve(). Its fds are inherited, not passed:
 * the numbers are the init's own. The strings follow one another in strings[], each
 * NUL-terminated; only head + the used part of strings[] is sent. */
#define SYNC_INIT_STRINGS_MAX (2 * 4096 + 1024)
typedef struct SyncInitSettings {
        SyncWire head; /* .type = SYNC_INIT_SETTINGS, .value = 0 */
        int32_t listen_fd;
        int32_t config_fd;
        uint32_t preserve_fds;
        uint32_t n_listen_fds;
        uint8_t no_pivot;
        uint8_t no_new_keyring;
        uint8_t joined_early;
        uint8_t reserved;
        uint16_t id_len; /* each with its NUL */
        uint16_t bundle_len;
        uint16_t rootfs_len;
        char strings[SYNC_INIT_STRINGS_MAX]; /* id, bundle, rootfs */
} SyncInitSettings;

/* The most fds one message carries. */
#define SYNC_MAX_FDS 16

int sync_send(int fd, SyncType type, int32_t value, const char *text, int pass_fd);
int sync_send_fds(int fd, SyncType type, int32_t value, const char *text, const int *fds,
                  size_t n_fds);
/* Receives one message; *ret_fd gets a passed fd or -1. Returns -EPIPE on a closed peer. */
int sync_recv(int fd, SyncMsg *ret, int *ret_fd);
/* Receives one message with up to max_fds passed fds (the rest are closed). */
int sync_recv_fds(int fd, SyncMsg *ret, int *fds, size_t max_fds, size_t *ret_n_fds);
void sync_msg_done(SyncMsg *m);
/* Reports err (SYNC_ERROR with its errno and message) on fd and exits with status: how a
 * process of ours that runs for the runtime (init, intermediate, exec'd process) gives up. */
struct BerthError;
_Noreturn void sync_fail(int fd, const struct BerthError *err, int status);
/* For a process of ours that runs for the runtime (init, intermediate, exec'd process), which
 * must have closed every copy of the runtime's end of fd: it gets SIGKILL when the runtime dies,
 * and exits now if it has already. Credentials changes clear the death signal: call it again
 * after one. */
void sync_die_with_runtime(int fd);
/* Receives one message and insists on its type; an SYNC_ERROR is turned into -errno with its
 * text kept in *ret_error. */
int sync_expect(int fd, SyncType type, SyncMsg *ret, int *ret_fd, char **ret_error);
