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

#include "basic/dir-stack.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/copy-tree.h"

typedef struct Inode {
        dev_t dev;
        ino_t ino;
        char *path; /* of the first copy, relative to the copy's top */
} Inode;

typedef struct CopyState {
        void *inodes; /* hardlinked files copied so far: by path, not by fd, so that a tree
                       * of many of them costs no fd each */
        int dst_top;
        char *dst_path; /* of the directory being filled, relative to dst_top ("" at the top) */
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
        free(i->path);
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

/* Owner, xattrs, mode and times of name, copied once its contents are: a directory's mode
 * may not let us write into it, and every entry made inside changes its mtime. Hardlinked
 * files are remembered for their next name. */
static int copy_meta(CopyState *c, int src_dir, int dst_dir, const char *name,
                     const struct stat *st)
{
        _cleanup_close_ int sfd = -1, dfd = -1;
        int r;

        sfd = openat(src_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        dfd = openat(dst_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (sfd < 0 || dfd < 0)
                return negative_errno();
        if (fchownat(dfd, "", st->st_uid, st->st_gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISLNK(st->st_mode)) {
                r = copy_xattrs(sfd, dfd);
                if (r < 0)
                        return r;
                if (fchmodat(dst_dir, name, st->st_mode & 07777, 0) < 0)
                        return negative_errno();
        }
        struct timespec ts[2] = { st->st_atim, st->st_mtim };
        (void)utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW);

        if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
                Inode *i = calloc(1, sizeof(*i));
                if (!i)
                        return -ENOMEM;
                *i = (Inode){ .dev = st->st_dev, .ino = st->st_ino };
                if (asprintf(&i->path, "%s%s%s", c->dst_path, *c->dst_path ? "/" : "",
                             name) < 0)
                        i->path = NULL;
                if (!i->path || !tsearch(i, &c->inodes, cmp_inode)) {
                        free_inode(i);
                        return -ENOMEM;
                }
        }
        return 0;
}

/* Links name in dst_dir to the first copy at path (below the copy's top), reached one
 * component at a time: in a deep tree the path is longer than one call takes. */
static int link_copied(CopyState *c, const char *path, int dst_dir, const char *name)
{
        _cleanup_free_ char *p = strdup(path);
        int fd = -1, r = 0;
        char *s, *slash;

        if (!p)
                return -ENOMEM;
        fd = fcntl(c->dst_top, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return negative_errno();
        for (s = p; (slash = strchr(s, '/')); s = slash + 1) {
                *slash = 0;
                int sub = openat(fd, s, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        r = negative_errno();
                        break;
                }
                safe_close(fd);
                fd = sub;
        }
        if (r >= 0 && linkat(fd, s, dst_dir, name, 0) < 0)
                r = negative_errno();
        safe_close(fd);
        return r;
}

/* Copies one entry, all but the contents of a directory: 1 when name is a directory, made
 * and waiting for its contents and then copy_meta(). */
static int copy_entry(CopyState *c, int src_dir, int dst_dir, const char *name, struct stat *st)
{
        if (fstatat(src_dir, name, st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();

        if (!S_ISDIR(st->st_mode) && st->st_nlink > 1) {
                Inode key = { .dev = st->st_dev, .ino = st->st_ino };
                Inode **found = tfind(&key, &c->inodes, cmp_inode);
                if (found)
                        return link_copied(c, (*found)->path, dst_dir, name);
        }

        if (S_ISDIR(st->st_mode)) {
                if (mkdirat(dst_dir, name, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                return 1;
        } else if (S_ISREG(st->st_mode)) {
                _cleanup_close_ int sfd = -1, dfd = -1;
                int r;
                sfd = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                dfd = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             0600);
                if (sfd < 0 || dfd < 0)
                        return negative_errno();
                r = copy_data(sfd, dfd, st->st_size);
                if (r < 0)
                        return r;
        } else if (S_ISLNK(st->st_mode)) {
                char target[PATH_MAX + 1];
                ssize_t n = readlinkat(src_dir, name, target, PATH_MAX);
                if (n < 0)
                        return negative_errno();
                target[n] = 0;
                if (symlinkat(target, dst_dir, name) < 0)
                        return negative_errno();
        } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISFIFO(st->st_mode)) {
                if (mknodat(dst_dir, name, st->st_mode, st->st_rdev) < 0)
                        return negative_errno();
        } else
                return 0;
        return copy_meta(c, src_dir, dst_dir, name, st);
}

static int open_dir_at(int dfd, const char *name)
{
        int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

/* Depth first without recursion (basic/dir-stack.h): the source and the copy each keep one
 * directory open and their stack of names on the heap, however deep the tree. */
static int copy_dirs(CopyState *c, int src_fd, int dst_fd)
{
        DirStack ss = {}, ds = {};
        int sfd = -1, dfd = -1, r;

        sfd = fcntl(src_fd, F_DUPFD_CLOEXEC, 3);
        dfd = fcntl(dst_fd, F_DUPFD_CLOEXEC, 3);
        if (sfd < 0 || dfd < 0) {
                r = negative_errno();
                goto finish;
        }
        r = dir_stack_push(&ss, sfd, NULL, true);
        if (r >= 0)
                r = dir_stack_push(&ds, dfd, NULL, false);
        while (r >= 0) {
                const char *name = dir_stack_next(&ss);
                struct stat st;

                if (!name) {
                        if (ss.depth == 1)
                                break;
                        _cleanup_free_ char *sub = TAKE_PTR(dir_stack_top(&ss)->name);
                        st = dir_stack_top(&ss)->st;
                        char *slash = strrchr(c->dst_path, '/');
                        *(slash ?: c->dst_path) = 0;
                        r = dir_stack_pop(&ss, &sfd);
                        if (r >= 0)
                                r = dir_stack_pop(&ds, &dfd);
                        if (r >= 0)
                                r = copy_meta(c, sfd, dfd, sub, &st);
                        continue;
                }
                r = copy_entry(c, sfd, dfd, name, &st);
                if (r <= 0)
                        continue;
                int s = open_dir_at(sfd, name), d = open_dir_at(dfd, name);
                if (s < 0 || d < 0) {
                        r = s < 0 ? s : d;
                        safe_close(s);
                        safe_close(d);
                        break;
                }
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s%s%s", c->dst_path, *c->dst_path ? "/" : "", name) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = dir_stack_push(&ss, s, name, true);
                if (r >= 0)
                        r = dir_stack_push(&ds, d, name, false);
                if (r < 0) {
                        safe_close(s);
                        safe_close(d);
                        break;
                }
                free(c->dst_path);
                c->dst_path = TAKE_PTR(path);
                safe_close(sfd);
                safe_close(dfd);
                sfd = s;
                dfd = d;
        }
finish:
        safe_close(sfd);
        safe_close(dfd);
        dir_stack_done(&ss);
        dir_stack_done(&ds);
        return r;
}

int copy_tree(int src_fd, int dst_fd)
{
        CopyState c = { .dst_top = dst_fd, .dst_path = strdup("") };
        struct stat st;
        int r;

        if (!c.dst_path)
                return -ENOMEM;
        r = copy_dirs(&c, src_fd, dst_fd);
        if (r >= 0 && fstat(src_fd, &st) >= 0) {
                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                (void)fchown(dst_fd, st.st_uid, st.st_gid);
                (void)fchmod(dst_fd, st.st_mode & 07777);
                (void)futimens(dst_fd, ts);
        }
        tdestroy(c.inodes, free_inode);
        free(c.dst_path);
        return r;
}
