/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The one resolver of paths inside a root: openat2 RESOLVE_IN_ROOT, or a symlink-refusing walk. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/confine.h"
#include "basic/macro.h"

void confine_clean_path(char *p)
{
        char *out = p, *s = p;

        while (*s) {
                char *e = strchrnul(s, '/');
                size_t n = (size_t)(e - s);
                if (n == 0 || (n == 1 && s[0] == '.')) {
                        /* skip */
                } else if (n == 2 && s[0] == '.' && s[1] == '.') {
                        /* drop the last component written, never going above the root */
                        while (out > p && out[-1] != '/')
                                out--;
                        if (out > p)
                                out--;
                } else {
                        if (out > p)
                                *out++ = '/';
                        memmove(out, s, n);
                        out += n;
                }
                s = *e ? e + 1 : e;
        }
        *out = 0;
}

static int openat2_supported = -1;

static int open_walk(int rootfd, const char *path, int flags, mode_t mode)
{
        _cleanup_free_ char *copy = strdup(path);
        _cleanup_close_ int cur = -1;
        char *s, *e;

        if (!copy)
                return -ENOMEM;
        /* No symlink is followed here, so ".." can be resolved by the text alone. */
        confine_clean_path(copy);
        cur = openat(rootfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (cur < 0)
                return negative_errno();
        for (s = copy; *s; s = e + 1) {
                e = strchr(s, '/');
                if (!e)
                        break;
                *e = 0;
                int next = openat(cur, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        /* ELOOP/ENOTDIR for a symlink: refused rather than followed */
                        return negative_errno();
                safe_close(cur);
                cur = next;
        }
        int fd = openat(cur, *s ? s : ".", flags | O_CLOEXEC | O_NOFOLLOW, mode);
        return fd < 0 ? negative_errno() : fd;
}

int confine_openat(int rootfd, const char *path, int flags, mode_t mode, ConfineFlags cflags)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
                           ((cflags & CONFINE_NO_XDEV) ? RESOLVE_NO_XDEV : 0),
        };
        long fd;

        if (openat2_supported != 0) {
                fd = syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
                if (fd >= 0) {
                        openat2_supported = 1;
                        return (int)fd;
                }
                if (errno != ENOSYS && errno != EPERM)
                        return negative_errno();
                /* ENOSYS: an old kernel; EPERM: a seccomp filter that does not know it. */
                openat2_supported = 0;
        }
        return open_walk(rootfd, path, flags, mode);
}

int confine_open(int rootfd, const char *path, int flags, mode_t mode)
{
        return confine_openat(rootfd, path, flags, mode, CONFINE_NO_XDEV);
}

int confine_open_parent(int rootfd, const char *path, bool create, const char **ret_name)
{
        _cleanup_free_ char *dir = NULL;
        const char *slash = strrchr(path, '/');
        int fd;

        *ret_name = slash ? slash + 1 : path;
        if (!slash)
                return confine_open(rootfd, "", O_PATH | O_DIRECTORY, 0);
        dir = strndup(path, (size_t)(slash - path));
        if (!dir)
                return -ENOMEM;
        fd = confine_open(rootfd, dir, O_PATH | O_DIRECTORY, 0);
        if (fd != -ENOENT || !create)
                return fd;

        /* Create the missing directories one at a time, each resolved inside the root. */
        for (char *p = dir;; p++) {
                if (*p != '/' && *p != 0)
                        continue;
                char saved = *p;
                *p = 0;
                const char *name;
                _cleanup_close_ int parent = confine_open_parent(rootfd, dir, false, &name);
                if (parent < 0)
                        return parent;
                if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *p = saved;
                if (!saved)
                        break;
        }
        return confine_open(rootfd, dir, O_PATH | O_DIRECTORY, 0);
}
