/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Directories by fd: see dir-fd.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/dir-fd.h"
#include "basic/macro.h"

int dir_fd_open_at(int dirfd, const char *name, int flags)
{
        return RET_NERRNO(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags));
}

int dir_fd_opendir(int dirfd, DIR **ret)
{
        int fd = dir_fd_open_at(dirfd, ".", 0);
        if (fd < 0)
                return fd;
        DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        *ret = d;
        return 0;
}

int dir_fd_mkdir_p(int dirfd, const char *path, mode_t mode)
{
        char buf[PATH_MAX];
        size_t len = strlen(path);

        if (len == 0)
                return -EINVAL;
        if (len >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, path, len + 1);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = 0;
                if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
                        return -errno;
                *p = '/';
        }
        if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int dir_fd_create_open(int dirfd, const char *path, mode_t mode)
{
        int r = dir_fd_mkdir_p(dirfd, path, mode);

        return r < 0 ? r : dir_fd_open_at(dirfd, path, 0);
}
