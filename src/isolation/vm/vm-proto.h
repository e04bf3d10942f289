/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The wire between berth-runtime's VM monitor on the host and berth-vm-agent, the guest's
 * PID 1, over one virtio-serial port. Both ends are x86-64 Linux built from this tree, so the
 * header is in native byte order. A frame is a header and `len` payload bytes; a byte stream
 * carries them back to back. Requests that describe a process carry "key=value" strings, each
 * ended by a NUL (vm_kv_*), so the agent needs no JSON parser.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define VM_FRAME_MAX (1U << 20) /* no payload is larger; bigger is a broken peer */

typedef enum VmFrameType {
        VM_HELLO = 1,   /* agent -> host: booted, ready for VM_CREATE */
        VM_CREATE,      /* host -> agent: kv: set up the container, proc 0, not started */
        VM_START,       /* host -> agent: execute proc's program */
        VM_STARTED,     /* agent -> host: proc runs (its pid in the guest as decimal text) */
        VM_ERROR,       /* agent -> host: proc could not be set up or started: "errno text" */
        VM_DATA,        /* both: stdio bytes of proc on `stream`; len 0 closes that stream */
        VM_SIGNAL,      /* host -> agent: text signal number for proc */
        VM_RESIZE,      /* host -> agent: text "rows cols" for proc's terminal */
        VM_EXIT,        /* agent -> host: proc exited, text wait status */
        VM_EXEC,        /* host -> agent: kv: another process in the container, started at once */
        VM_OOM,         /* agent -> host: the container's memory cgroup killed a process */
        VM_PS,          /* host -> agent: list the container's processes */
        VM_PS_REPLY,    /* agent -> host: "pid pid pid ..." (pids in the container) */
        VM_UPDATE,      /* host -> agent: kv "memory" (bytes, -1 none), "pids" (-1 none) */
        VM_UPDATED,     /* agent -> host: the container's guest cgroup has the new limits */
        VM_RESUMED,     /* host -> agent: a clone of the template VM runs: text "sec nsec hex",
                         * the host's CLOCK_REALTIME and random bytes to reseed with */
        _VM_FRAME_MAX,
} VmFrameType;

enum {
        VM_STREAM_STDIN = 0,
        VM_STREAM_STDOUT = 1,
        VM_STREAM_STDERR = 2,
};

typedef struct VmFrameHeader {
        uint32_t len;
        uint16_t type;
        uint16_t stream;
        uint32_t proc; /* 0: the container's own process; exec sessions count from 1 */
} VmFrameHeader;

typedef struct VmFrame {
        VmFrameHeader h;
        char *data; /* len bytes plus a NUL, malloc'd; NULL when len == 0 */
} VmFrame;

/* Writes one frame (blocking, whole); -errno. */
int vm_frame_write(int fd, uint16_t type, uint16_t stream, uint32_t proc, const void *data,
                   uint32_t len);
static inline int vm_frame_write_text(int fd, uint16_t type, uint32_t proc, const char *s);
/* Reads one frame (blocking, whole). -EPIPE at a clean end of stream, -EBADMSG for a frame
 * that breaks the rules (unknown type, payload over VM_FRAME_MAX). */
int vm_frame_read(int fd, VmFrame *ret);
void vm_frame_done(VmFrame *f);

/* A growing kv payload. */
typedef struct VmKv {
        char *buf;
        size_t len, cap;
} VmKv;
int vm_kv_add(VmKv *kv, const char *key, const char *value);
int vm_kv_addf(VmKv *kv, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void vm_kv_done(VmKv *kv);
/* Iterates over a received payload: *pos starts at 0; returns 1 with key/value pointing into
 * data (the '=' is replaced by a NUL), 0 at the end, -EBADMSG for an item without '='. */
int vm_kv_next(char *data, size_t len, size_t *pos, char **ret_key, char **ret_value);

#include <string.h>
static inline int vm_frame_write_text(int fd, uint16_t type, uint32_t proc, const char *s)
{
        return vm_frame_write(fd, type, 0, proc, s, (uint32_t)strlen(s));
}
