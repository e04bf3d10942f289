/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "basic/dir-fd.h"
#include "basic/dir-stack.h"
#include "basic/fs-util.h"

int fs_read_full_fd_limited(int fd, size_t max, char **ret, size_t *ret_size)
{
        size_t size = 0, alloc = 4096;
        _cleanup_free_ char *buf = malloc(alloc + 1);

        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (size > max)
                        return -EFBIG;
                if (size == alloc) {
                        if (alloc > (SIZE_MAX >> 2))
                                return -EFBIG;
                        alloc *= 2;
                        char *n = realloc(buf, alloc + 1);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                ssize_t k = read(fd, buf + size, alloc - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                size += (size_t)k;
        }
        buf[size] = 0;
        if (ret_size)
                *ret_size = size;
        *ret = TAKE_PTR(buf);
        return 0;
}

int fs_read_full_fd(int fd, char **ret, size_t *ret_size)
{
        return fs_read_full_fd_limited(fd, SIZE_MAX >> 3, ret, ret_size);
}

static const char *file_type_name(mode_t m)
{
        return S_ISDIR(m)    ? "a directory"
               : S_ISFIFO(m) ? "a FIFO"
               : S_ISCHR(m)  ? "a character device"
               : S_ISBLK(m)  ? "a block device"
               : S_ISSOCK(m) ? "a socket"
                             : "not a regular file";
}

static void format_size(size_t n, char buf[static 32])
{
        if (n >= (1U << 20) && n % (1U << 20) == 0)
                snprintf(buf, 32, "%zu MiB", n >> 20);
        else
                snprintf(buf, 32, "%zu bytes", n);
}

int fs_read_full_regular_fd(int fd, const char *name, size_t max, char **ret, size_t *ret_size,
                         BerthError **err)
{
        struct stat st;
        char limit[32];

        if (fstat(fd, &st) < 0)
                return berth_error(err, errno, "stat `%s`", name);
        if (!S_ISREG(st.st_mode))
                return berth_error(err, EINVAL, "`%s` is %s, not a regular file", name,
                                   file_type_name(st.st_mode));
        format_size(max, limit);
        if ((uint64_t)st.st_size > max)
                return berth_error(err, EFBIG, "`%s` is larger than %s, the limit for it", name,
                                   limit);
        int r = fs_read_full_fd_limited(fd, max, ret, ret_size);
        if (r == -EFBIG)
                return berth_error(err, r, "`%s` is larger than %s, the limit for it", name,
                                   limit);
        if (r < 0)
                return berth_error(err, r, "read `%s`", name);
        return 0;
}

int fs_read_full_file_limited(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size,
                           BerthError **err)
{
        /* O_NONBLOCK: a FIFO must not block the open; O_NOCTTY: nor a tty become ours. Both
         * are refused by type right after. */
        _cleanup_close_ int fd =
                openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return berth_error(err, errno, "open `%s`", path);
        return fs_read_full_regular_fd(fd, path, max, ret, ret_size, err);
}

int fs_read_full_file_at(int dirfd, const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        return fs_read_full_fd(fd, ret, ret_size);
}

int fs_read_full_file(const char *path, char **ret, size_t *ret_size)
{
        return fs_read_full_file_at(AT_FDCWD, path, ret, ret_size);
}

int fs_writev_all(int fd, struct iovec *iov, size_t n)
{
        while (n > 0) {
                ssize_t k = writev(fd, iov, (int)MIN(n, (size_t)IOV_MAX));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                while (n > 0 && (size_t)k >= iov->iov_len) {
                        k -= (ssize_t)iov->iov_len;
                        iov++;
                        n--;
                }
                if (n > 0) {
                        iov->iov_base = (char *)iov->iov_base + k;
                        iov->iov_len -= (size_t)k;
                }
        }
        return 0;
}

int fs_write_all_fd(int fd, const void *buf, size_t len)
{
        struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
        return fs_writev_all(fd, &iov, 1);
}

int fs_write_string_file_at(int dirfd, const char *path, const char *s)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        /* /proc and /sys take one write() per value: a short write is an error, not a retry. */
        ssize_t k = write(fd, s, strlen(s));
        if (k < 0)
                return -errno;
        if ((size_t)k != strlen(s))
                return -EIO;
        return 0;
}

int fs_write_string_file(const char *path, const char *s)
{
        return fs_write_string_file_at(AT_FDCWD, path, s);
}

static int write_file_rename_at(int dirfd, const char *name, const void *data, size_t len,
                                mode_t mode, bool sync)
{
        char tmp[PATH_MAX];
        int r;

        if (snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, getpid()) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        _cleanup_close_ int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        r = fs_write_all_fd(fd, data, len);
        if (r >= 0 && sync && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0)
                unlinkat(dirfd, tmp, 0);
        return r;
}

int fs_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
        return write_file_rename_at(dirfd, name, data, len, mode, true);
}

int fs_write_file_replace_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
        return write_file_rename_at(dirfd, name, data, len, mode, false);
}

int fs_write_file_new_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
        _cleanup_close_ int fd =
                openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        int r = fs_write_all_fd(fd, data, len);
        if (r < 0)
                unlinkat(dirfd, name, 0);
        return r;
}

static int write_file_path(const char *path, const void *data, size_t len, mode_t mode,
                           bool sync)
{
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *dir = NULL;

        if (slash == path)
                dir = strdup("/");
        else if (slash)
                dir = strndup(path, (size_t)(slash - path));
        else
                dir = strdup(".");
        if (!dir)
                return -ENOMEM;
        _cleanup_close_ int dfd = dir_fd_open_at(AT_FDCWD, dir, 0);
        if (dfd < 0)
                return dfd;
        return write_file_rename_at(dfd, slash ? slash + 1 : path, data, len, mode, sync);
}

int fs_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
        return write_file_path(path, data, len, mode, true);
}

int fs_write_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
        return write_file_path(path, data, len, mode, false);
}

int fs_mkdir_p(const char *path, mode_t mode)
{
        return dir_fd_mkdir_p(AT_FDCWD, path, mode);
}

/* Removes everything below dfd (taken over). Iterative (dir-stack.h): how deep a tree goes is
 * up to whoever made it, an image layer or a container, and must cost neither C stack nor fds. */
static int rm_rf_children(int dfd, dev_t dev)
{
        DirStack s = {};
        int fd = dfd, r = 0, q;

        q = dir_stack_push(&s, fd, NULL, true);
        if (q < 0) {
                safe_close(fd);
                return q;
        }
        for (;;) {
                const char *name = dir_stack_next(&s);
                struct stat st;

                if (!name) {
                        if (s.depth == 1)
                                break;
                        char *sub = TAKE_PTR(dir_stack_top(&s)->name);
                        q = dir_stack_pop(&s, &fd);
                        if (q < 0) {
                                free(sub);
                                r = q;
                                break;
                        }
                        if (unlinkat(fd, sub, AT_REMOVEDIR) < 0 && errno != ENOENT)
                                r = -errno;
                        free(sub);
                        continue;
                }
                if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno != ENOENT)
                                r = -errno;
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (unlinkat(fd, name, 0) < 0 && errno != ENOENT)
                                r = -errno;
                        continue;
                }
                if (st.st_dev != dev) {
                        /* Another file system is mounted here: never descend into it. */
                        r = -EBUSY;
                        continue;
                }
                q = dir_stack_enter(&s, &fd, name);
                if (q < 0)
                        r = q;
        }
        safe_close(fd);
        dir_stack_done(&s);
        return r;
}

int fs_rm_rf_at(int dirfd, const char *name)
{
        struct stat st;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
        int fd = dir_fd_open_at(dirfd, name, O_NOFOLLOW);
        if (fd < 0)
                return fd;
        int r = rm_rf_children(fd, st.st_dev);
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r >= 0)
                r = -errno;
        return r;
}

int fs_rm_rf(const char *path)
{
        return fs_rm_rf_at(AT_FDCWD, path);
}

bool fs_path_is_absolute(const char *p)
{
        return p && p[0] == '/';
}

int fs_fd_get_path(int fd, char **ret)
{
        char proc[64], buf[PATH_MAX];

        snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(proc, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        *ret = strdup(buf);
        return *ret ? 0 : -ENOMEM;
}

void fs_proc_fd_path(int fd, char buf[static 32])
{
        snprintf(buf, 32, "/proc/self/fd/%d", fd);
}
