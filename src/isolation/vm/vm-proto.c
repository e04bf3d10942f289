/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Frames and kv payloads of the host <-> agent wire (vm-proto.h); libc and basic only, for the agent. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "isolation/vm/vm-proto.h"

int vm_frame_write(int fd, uint16_t type, uint16_t stream, uint32_t proc, const void *data,
                   uint32_t len)
{
        VmFrameHeader h = { .len = len, .type = type, .stream = stream, .proc = proc };
        struct iovec iov[2] = {
                { .iov_base = &h, .iov_len = sizeof(h) },
                { .iov_base = (void *)data, .iov_len = len },
        };
        if (len > VM_FRAME_MAX)
                return -EMSGSIZE;
        return fs_writev_all(fd, iov, len ? 2 : 1);
}

static int read_all(int fd, void *buf, size_t len, bool first)
{
        size_t done = 0;
        while (done < len) {
                ssize_t k = read(fd, (char *)buf + done, len - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return first && done == 0 ? -EPIPE : -EBADMSG;
                done += (size_t)k;
        }
        return 0;
}

int vm_frame_read(int fd, VmFrame *ret)
{
        VmFrame f = {};
        int r = read_all(fd, &f.h, sizeof(f.h), true);
        if (r < 0)
                return r;
        if (f.h.type == 0 || f.h.type >= _VM_FRAME_MAX || f.h.len > VM_FRAME_MAX)
                return -EBADMSG;
        if (f.h.len > 0) {
                f.data = malloc(f.h.len + 1);
                if (!f.data)
                        return -ENOMEM;
                r = read_all(fd, f.data, f.h.len, false);
                if (r < 0) {
                        free(f.data);
                        return r;
                }
                f.data[f.h.len] = 0;
        }
        *ret = f;
        return 0;
}

void vm_frame_done(VmFrame *f)
{
        free(f->data);
        f->data = NULL;
}

static int kv_reserve(VmKv *kv, size_t more)
{
        if (kv->len + more <= kv->cap)
                return 0;
        size_t cap = kv->cap ? kv->cap : 256;
        while (cap < kv->len + more)
                cap *= 2;
        char *b = realloc(kv->buf, cap);
        if (!b)
                return -ENOMEM;
        kv->buf = b;
        kv->cap = cap;
        return 0;
}

int vm_kv_add(VmKv *kv, const char *key, const char *value)
{
        size_t kl = strlen(key), vl = strlen(value);
        if (kv_reserve(kv, kl + vl + 2) < 0)
                return -ENOMEM;
        memcpy(kv->buf + kv->len, key, kl);
        kv->buf[kv->len + kl] = '=';
        memcpy(kv->buf + kv->len + kl + 1, value, vl + 1);
        kv->len += kl + vl + 2;
        return kv->len > VM_FRAME_MAX ? -E2BIG : 0;
}

int vm_kv_addf(VmKv *kv, const char *key, const char *fmt, ...)
{
        char *v = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&v, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = vm_kv_add(kv, key, v);
        free(v);
        return r;
}

void vm_kv_done(VmKv *kv)
{
        free(kv->buf);
        *kv = (VmKv){};
}

int vm_kv_next(char *data, size_t len, size_t *pos, char **ret_key, char **ret_value)
{
        if (*pos >= len)
                return 0;
        char *item = data + *pos;
        size_t n = strnlen(item, len - *pos);
        if (*pos + n >= len) /* no NUL before the end */
                return -EBADMSG;
        char *eq = memchr(item, '=', n);
        if (!eq)
                return -EBADMSG;
        *eq = 0;
        *ret_key = item;
        *ret_value = eq + 1;
        *pos += n + 1;
        return 1;
}
