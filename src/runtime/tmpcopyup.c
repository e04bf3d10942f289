/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The tmpcopyup mount option (runc, crun; podman sends it for --read-only, --tmpfs and
 * --mount type=tmpfs): a tmpfs that starts out holding a copy of the directory it covers. The
 * tmpfs is made detached, filled from that directory and only then attached over it, so the
 * container never sees it half copied. The copy walks the tree by fd with an explicit stack: no
 * symlink is followed (links are copied as links, so nothing outside the rootfs is read) and no
 * recursion grows with the input.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "runtime/mount-options.h"
#include "runtime/mount-util.h"
#include "runtime/tmpcopyup.h"

/* Deeper trees are refused: each level holds two fds while it is copied. */
#define COPYUP_MAX_DEPTH 128

typedef struct Level {
        DIR *src;        /* the directory being read */
        int dst;         /* its copy in the tmpfs */
        struct stat st;  /* the source directory's, applied to the copy once it is filled */
        size_t path_len; /* of the relative path below, up to this directory */
} Level;

/* ids the user namespace does not map (shown as the overflow id) cannot be given: the copy then
 * keeps ours, which is what such a file looks like from inside anyway. */
static int copy_owner(int dirfd, const char *name, const struct stat *st, int flags)
{
        if (fchownat(dirfd, name, st->st_uid, st->st_gid, flags) < 0 && errno != EINVAL)
                return -errno;
        return 0;
}

/* Extended attributes where both sides allow them; one the tmpfs refuses (a namespace it does
 * not support, or one we may not set) is left out, as cp -a does. */
static void copy_xattrs(int src, int dst)
{
        char names[4096], value[4096];

        ssize_t n = flistxattr(src, names, sizeof(names));
        for (ssize_t i = 0; i < n; i += (ssize_t)strlen(names + i) + 1) {
                ssize_t v = fgetxattr(src, names + i, value, sizeof(value));
                if (v >= 0)
                        (void)fsetxattr(dst, names + i, value, (size_t)v, 0);
        }
}

/* Owner, then mode (a chown clears set-id bits), xattrs and times of an open copy. */
static int copy_meta_fd(int src, int dst, const struct stat *st)
{
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        if (copy_owner(dst, "", st, AT_EMPTY_PATH) < 0)
                return -errno;
        if (fchmod(dst, st->st_mode & 07777) < 0)
                return -errno;
        copy_xattrs(src, dst);
        if (futimens(dst, ts) < 0)
                return -errno;
        return 0;
}

static int copy_data(int src, int dst)
{
        char buf[65536];

        for (;;) {
                ssize_t n = copy_file_range(src, NULL, dst, NULL, SSIZE_MAX, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                        return -errno;
                break; /* no in-kernel copy between these two: read and write */
        }
        for (;;) {
                ssize_t n = read(src, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : 0;
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(dst, buf + off, (size_t)(n - off));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return -errno;
                        off += w;
                }
        }
}

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st)
{
        struct stat now;

        /* O_NONBLOCK: what was a file when listed may be a FIFO by now; it is checked again. */
        _cleanup_close_ int src = openat(sdir, name,
                                         O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (src < 0)
                return -errno;
        if (fstat(src, &now) < 0)
                return -errno;
        if (!S_ISREG(now.st_mode))
                return -EAGAIN;
        _cleanup_close_ int dst =
                openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (dst < 0)
                return -errno;
        int r = copy_data(src, dst);
        if (r < 0)
                return r;
        return copy_meta_fd(src, dst, &now);
}

static int copy_symlink(int sdir, int ddir, const char *name, const struct stat *st)
{
        char target[PATH_MAX];
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = 0;
        if (symlinkat(target, ddir, name) < 0)
                return -errno;
        if (copy_owner(ddir, name, st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

static int copy_node(int ddir, const char *name, const struct stat *st)
{
        struct timespec ts[2] = { st->st_atim, st->st_mtim };

        if (mknodat(ddir, name, st->st_mode, st->st_rdev) < 0)
                return -errno;
        if (copy_owner(ddir, name, st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
                return -errno;
        if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        return 0;
}

static void path_set(char *path, size_t *len, size_t at, const char *name)
{
        int n = snprintf(path + at, PATH_MAX - at, "/%s", name);
        *len = at + (n < 0 ? 0 : MIN((size_t)n, PATH_MAX - at - 1));
}

static void levels_close(Level *stack, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                closedir(stack[i].src);
                safe_close(stack[i].dst);
        }
}

/* Copies what directory src holds into directory dst (not src's own mode or owner: the tmpfs's
 * options say those). On failure path is the one below src that failed. */
static int copy_tree(int src, int dst, char path[static PATH_MAX])
{
        Level stack[COPYUP_MAX_DEPTH];
        size_t n = 0, len = 0;
        int r;

        path[0] = 0;
        int s = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s < 0)
                return -errno;
        stack[0] = (Level){ .src = fdopendir(s), .dst = fcntl(dst, F_DUPFD_CLOEXEC, 3) };
        if (!stack[0].src || stack[0].dst < 0) {
                r = -errno;
                if (!stack[0].src)
                        safe_close(s);
                else
                        closedir(stack[0].src);
                safe_close(stack[0].dst);
                return r;
        }
        n = 1;
        while (n > 0) {
                Level *top = &stack[n - 1];
                errno = 0;
                struct dirent *de = readdir(top->src);
                if (!de) {
                        if (errno) {
                                r = -errno;
                                goto fail;
                        }
                        /* Filled: now its own metadata, times last. */
                        path[top->path_len] = 0;
                        if (n > 1 && (r = copy_meta_fd(dirfd(top->src), top->dst, &top->st)) < 0)
                                goto fail;
                        closedir(top->src);
                        safe_close(top->dst);
                        n--;
                        continue;
                }
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int sdir = dirfd(top->src);
                struct stat st;
                path_set(path, &len, top->path_len, de->d_name);
                if (fstatat(sdir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        goto fail;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (n >= COPYUP_MAX_DEPTH) {
                                r = -ELOOP;
                                goto fail;
                        }
                        if (mkdirat(top->dst, de->d_name, 0700) < 0) {
                                r = -errno;
                                goto fail;
                        }
                        Level next = { .st = st, .path_len = len, .dst = -1 };
                        int fd = openat(sdir, de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0 && !(next.src = fdopendir(fd)))
                                safe_close(fd);
                        if (next.src)
                                next.dst = openat(top->dst, de->d_name,
                                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (!next.src || next.dst < 0) {
                                r = -errno;
                                if (next.src)
                                        closedir(next.src);
                                goto fail;
                        }
                        stack[n++] = next;
                        continue;
                }
                if (S_ISREG(st.st_mode))
                        r = copy_file(sdir, top->dst, de->d_name, &st);
                else if (S_ISLNK(st.st_mode))
                        r = copy_symlink(sdir, top->dst, de->d_name, &st);
                else
                        r = copy_node(top->dst, de->d_name, &st);
                if (r < 0)
                        goto fail;
        }
        return 0;
fail:
        levels_close(stack, n);
        return r;
}

int tmpcopyup_mount(int dst, const char *dest_name, unsigned long flags, const char *data,
                       BerthError **err)
{
        uint64_t set = 0, clr = 0;
        char path[PATH_MAX];
        int r;

        /* Filled while writable; a read-only tmpfs becomes so before it is attached. */
        mount_options_flags_to_attrs(flags & ~MS_RDONLY, &set, &clr);
        _cleanup_close_ int tmpfs = -1;
        r = mount_new_fs_detached("tmpfs", "tmpfs", data, set, &tmpfs);
        if (r < 0)
                return berth_error(err, r, "create the tmpfs");
        r = copy_tree(dst, tmpfs, path);
        if (r == -ELOOP)
                return berth_error(err, 0,
                                   "copy `%s%s` into the tmpfs: more than %d directory levels",
                                   dest_name, path, COPYUP_MAX_DEPTH);
        if (r < 0)
                return berth_error(err, r, "copy `%s%s` into the tmpfs", dest_name, path);
        if ((flags & MS_RDONLY) &&
            (r = mount_setattr_fd(tmpfs, false, MOUNT_ATTR_RDONLY, 0, 0)) < 0)
                return berth_error(err, r, "make the tmpfs read-only");
        r = mount_attach_fd(tmpfs, dst);
        if (r < 0)
                return berth_error(err, r, "attach the tmpfs");
        return 0;
}
