/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "basic/chase.h"
#include "basic/confine.h"
#include "basic/macro.h"

static int openat2_in_root(int rootfd, const char *path, int flags)
{
        return confine_openat(rootfd, path, flags, 0, 0);
}

static int chase_depth(int rootfd, const char *path, ChaseMkdir mk, mode_t mode, int extra_flags,
                       unsigned depth);

/* A component that is a link to something missing: create the link's target, inside the root,
 * as a directory (what image layouts like /var/run -> /run expect), or as what the last
 * component was to be (mk, mode), as runc does. */
static int create_link_target(int rootfd, int parent, const char *name, const char *prefix,
                              ChaseMkdir mk, mode_t mode, unsigned depth)
{
        char target[PATH_MAX], full[PATH_MAX * 2];
        struct stat st;

        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
                return -ENOENT;
        ssize_t n = readlinkat(parent, name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        if (target[0] == '/')
                snprintf(full, sizeof(full), "%s", target);
        else {
                const char *slash = strrchr(prefix, '/');
                snprintf(full, sizeof(full), "%.*s/%s", slash ? (int)(slash - prefix) : 0, prefix,
                         target);
        }
        int fd = chase_depth(rootfd, full, mk, mode, mk == CHASE_MKDIR ? O_DIRECTORY : 0,
                             depth + 1);
        if (fd < 0)
                return fd;
        safe_close(fd);
        return 0;
}

int chase_in_root(int rootfd, const char *path, ChaseMkdir mk, mode_t mode, int extra_flags)
{
        return chase_depth(rootfd, path, mk, mode, extra_flags, 0);
}

static int chase_depth(int rootfd, const char *path, ChaseMkdir mk, mode_t mode, int extra_flags,
                       unsigned depth)
{
        char buf[PATH_MAX];
        size_t len;
        int fd;

        while (*path == '/')
                path++;
        if (!*path)
                return openat2_in_root(rootfd, ".", O_PATH | extra_flags);
        fd = openat2_in_root(rootfd, path, O_PATH | extra_flags);
        if (fd != -ENOENT || mk == CHASE_NO_CREATE)
                return fd;

        /* Walk down from the root, creating each missing component in a parent that was itself
         * resolved inside the root. A component that appears meanwhile (or is a symlink) is
         * simply resolved again by openat2, never followed out. */
        if (depth > 40)
                return -ELOOP;
        len = strlen(path);
        if (len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);
        for (char *p = buf;;) {
                char *slash = strchr(p, '/');
                bool last;

                if (slash)
                        *slash = 0;
                last = !slash || !slash[1 + strspn(slash + 1, "/")];
                if (*p && !(p[0] == '.' && p[1] == 0)) {
                        _cleanup_close_ int parent = -1;
                        char *base = strrchr(buf, '/');
                        if (base) {
                                *base = 0;
                                parent = openat2_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                                *base = '/';
                        } else
                                parent = openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
                        if (parent < 0)
                                return parent;
                        if (strcmp(p, "..") == 0)
                                ; /* resolved by openat2 below, clamped at the root */
                        else {
                                bool file = last && mk == CHASE_MKDIR_FILE;
                                int f = file ? openat(parent, p,
                                                      O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC |
                                                              O_NOFOLLOW,
                                                      mode)
                                             : mkdirat(parent, p, last ? mode : 0755);
                                if (f < 0 && errno != EEXIST)
                                        return -errno;
                                if (file)
                                        safe_close(f);
                                /* There already, but it does not resolve: a dangling link. */
                                _cleanup_close_ int probe =
                                        f < 0 ? openat2_in_root(rootfd, buf, O_PATH) : -1;
                                if (probe == -ENOENT) {
                                        int r = create_link_target(
                                                rootfd, parent, p, buf,
                                                file ? CHASE_MKDIR_FILE : CHASE_MKDIR,
                                                last ? mode : 0755, depth);
                                        if (r < 0)
                                                return r;
                                }
                        }
                }
                if (!slash)
                        break;
                *slash = '/';
                p = slash + 1;
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
        }
        return openat2_in_root(rootfd, path, O_PATH | extra_flags);
}
