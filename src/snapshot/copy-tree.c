/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/copy-tree.h"

typedef struct Inode {
        dev_t dev;
        ino_t ino;
        int dst_dir; /* dup of the directory fd the first copy went to */
        char *name;
} Inode;

typedef struct CopyState {
        void *inodes;
} CopyState;

static int cmp_inode(const void *a, const void *b)
{
        const Inode *x = a, *y = b;
        if (x->dev != y->dev)
                return x->dev < y->dev ? -1 : 1;
        if (x->ino != y->ino)
                return x->ino < y->ino ? -1 : 1;
        return 0;
}

static void free_inode(void *p)
{
        Inode *i = p;
        safe_close(i->dst_dir);
        free(i->name);
        free(i);
}

static int copy_xattrs(int src, int dst)
{
        char list[8192], value[65536];
        char sp[64], dp[64];
        ssize_t n;

        /* O_PATH fds: go through /proc so that every file type works. */
        snprintf(sp, sizeof(sp), "/proc/self/fd/%d", src);
        snprintf(dp, sizeof(dp), "/proc/self/fd/%d", dst);
        n = listxattr(sp, list, sizeof(list));
        if (n <= 0)
                return 0;
        for (char *k = list; k < list + n; k += strlen(k) + 1) {
                ssize_t v = getxattr(sp, k, value, sizeof(value));
                if (v >= 0 && setxattr(dp, k, value, (size_t)v, 0) < 0 && errno != ENOTSUP &&
                    errno != EPERM)
                        return negative_errno();
        }
        return 0;
}

static int copy_data(int src, int dst, off_t size)
{
        while (size > 0) {
                ssize_t n = copy_file_range(src, NULL, dst, NULL, (size_t)size, 0);
                if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
                        n = sendfile(dst, src, NULL, (size_t)size);
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        break;
                size -= n;
        }
        return 0;
}

static int copy_dir(CopyState *c, int src_fd, int dst_fd);

static int copy_entry(CopyState *c, int src_dir, int dst_dir, const char *name)
{
        _cleanup_close_ int sfd = -1, dfd = -1;
        struct stat st;
        int r;

        if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();

        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                Inode key = { .dev = st.st_dev, .ino = st.st_ino };
                Inode **found = tfind(&key, &c->inodes, cmp_inode);
                if (found)
                        return linkat((*found)->dst_dir, (*found)->name, dst_dir, name, 0) < 0
                                       ? negative_errno()
                                       : 0;
        }

        if (S_ISDIR(st.st_mode)) {
                if (mkdirat(dst_dir, name, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                sfd = openat(src_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                dfd = openat(dst_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sfd < 0 || dfd < 0)
                        return negative_errno();
                r = copy_dir(c, sfd, dfd);
                if (r < 0)
                        return r;
        } else if (S_ISREG(st.st_mode)) {
                sfd = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                dfd = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             0600);
                if (sfd < 0 || dfd < 0)
                        return negative_errno();
                r = copy_data(sfd, dfd, st.st_size);
                if (r < 0)
                        return r;
        } else if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX + 1];
                ssize_t n = readlinkat(src_dir, name, target, PATH_MAX);
                if (n < 0)
                        return negative_errno();
                target[n] = 0;
                if (symlinkat(target, dst_dir, name) < 0)
                        return negative_errno();
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
                if (mknodat(dst_dir, name, st.st_mode, st.st_rdev) < 0)
                        return negative_errno();
        } else
                return 0;

        if (sfd < 0)
                sfd = openat(src_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                dfd = openat(dst_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0 || dfd < 0)
                return negative_errno();
        if (fchownat(dfd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISLNK(st.st_mode)) {
                r = copy_xattrs(sfd, dfd);
                if (r < 0)
                        return r;
                if (fchmodat(dst_dir, name, st.st_mode & 07777, 0) < 0)
                        return negative_errno();
        }
        struct timespec ts[2] = { st.st_atim, st.st_mtim };
        (void)utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW);

        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                Inode *i = calloc(1, sizeof(*i));
                if (!i)
                        return -ENOMEM;
                *i = (Inode){ .dev = st.st_dev, .ino = st.st_ino,
                              .dst_dir = fcntl(dst_dir, F_DUPFD_CLOEXEC, 3),
                              .name = strdup(name) };
                if (i->dst_dir < 0 || !i->name || !tsearch(i, &c->inodes, cmp_inode)) {
                        free_inode(i);
                        return -ENOMEM;
                }
        }
        return 0;
}

static int copy_dir(CopyState *c, int src_fd, int dst_fd)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int fd, r;

        fd = openat(src_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                r = copy_entry(c, src_fd, dst_fd, de->d_name);
                if (r < 0)
                        return r;
        }
        return 0;
}

int copy_tree(int src_fd, int dst_fd)
{
        CopyState c = {};
        struct stat st;
        int r;

        r = copy_dir(&c, src_fd, dst_fd);
        if (r >= 0 && fstat(src_fd, &st) >= 0) {
                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                (void)fchown(dst_fd, st.st_uid, st.st_gid);
                (void)fchmod(dst_fd, st.st_mode & 07777);
                (void)futimens(dst_fd, ts);
        }
        tdestroy(c.inodes, free_inode);
        return r;
}
