/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "basic/confine.h"
#include "basic/dir-fd.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/layer-stream.h"
#include "image/libarchive-dl.h"
#include "image/unpack.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define READ_BLOCK (1 << 20)

typedef struct DirTime {
        char *path;
        struct timespec mtime;
} DirTime;

typedef struct Unpacker {
        int rootfd;
        UnpackFlags flags;
        const char *name;
        LayerStream *stream;
        BerthError **err;
        char *buf;
        void *seen; /* tsearch tree of paths this layer wrote: opaque dirs keep those */
        DirTime *dirs;
        size_t n_dirs;
        /* The parent directory of the last entry: tars list a directory's files together, so
         * this saves resolving the same path again. Dropped whenever anything is removed or a
         * symlink is made, which could change what a path resolves to. */
        char *parent_path;
        int parent_fd;
        bool parent_setgid; /* new files there take the directory's group, not ours */
} Unpacker;

static void parent_cache_drop(Unpacker *u)
{
        free(u->parent_path);
        u->parent_path = NULL;
        u->parent_fd = safe_close(u->parent_fd);
}

/* Like confine_open_parent(), through the cache; the fd belongs to the cache. */
static int open_parent_cached(Unpacker *u, const char *path, const char **ret_name)
{
        const char *slash = strrchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : 0;
        int fd;

        if (u->parent_path && strlen(u->parent_path) == len &&
            strncmp(u->parent_path, path, len) == 0) {
                *ret_name = slash ? slash + 1 : path;
                return u->parent_fd;
        }
        parent_cache_drop(u);
        fd = confine_open_parent(u->rootfd, path, true, ret_name);
        if (fd < 0)
                return fd;
        u->parent_path = strndup(path, len);
        if (!u->parent_path) {
                safe_close(fd);
                return -ENOMEM;
        }
        u->parent_fd = fd;
        struct stat st;
        u->parent_setgid = fstat(fd, &st) < 0 || (st.st_mode & S_ISGID);
        return fd;
}

static ssize_t archive_read_cb(struct archive *a, void *data, const void **ret)
{
        Unpacker *u = data;
        ssize_t n = layer_stream_read(u->stream, u->buf, READ_BLOCK, u->err);
        if (n < 0) {
                sym_archive_set_error(a, EIO, "layer read failed");
                return -1;
        }
        *ret = u->buf;
        return n;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(a, b);
}

static void free_node(void *p)
{
        free(p);
}

static int mark_seen(Unpacker *u, const char *path)
{
        char *c = strdup(path);
        if (!c)
                return -ENOMEM;
        char **found = tsearch(c, &u->seen, cmp_str);
        if (!found) {
                free(c);
                return -ENOMEM;
        }
        if (*found != c)
                free(c);
        return 0;
}

static bool was_seen(Unpacker *u, const char *path)
{
        return tfind(path, &u->seen, cmp_str) != NULL;
}

/* Removes what is at name unless both old and new are directories (then it is kept and
 * merged). Returns 1 when a directory was kept. */
static int make_room(Unpacker *u, int parentfd, const char *name, mode_t new_type)
{
        struct stat st;

        if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (S_ISDIR(st.st_mode) && new_type == S_IFDIR)
                return 1;
        /* parentfd stays valid: only what is below it goes */
        if (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) {
                free(u->parent_path);
                u->parent_path = NULL;
        }
        return fs_rm_rf_at(parentfd, name);
}

/* Opaque dir in flattened mode: drop children that lower layers left, keep this layer's. */
static int clear_dir_except_seen(Unpacker *u, int parentfd, const char *dirpath)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r = 0;

        r = dir_fd_opendir(parentfd, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *p = NULL;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (asprintf(&p, "%s%s%s", dirpath, *dirpath ? "/" : "", de->d_name) < 0)
                        return -ENOMEM;
                if (was_seen(u, p))
                        continue;
                int q = fs_rm_rf_at(dirfd(d), de->d_name);
                if (q < 0)
                        r = q;
        }
        return r;
}

static int apply_whiteout(Unpacker *u, const char *path, int parentfd, const char *name)
{
        const char *target = name + strlen(WHITEOUT_PREFIX);
        int r;

        if (streq(name, WHITEOUT_OPAQUE)) {
                if (u->flags & UNPACK_OVERLAY_WHITEOUTS) {
                        _cleanup_close_ int dfd = openat(parentfd, ".",
                                                         O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (dfd < 0 || fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                                return berth_error(u->err, errno,
                                                   "layer `%s`: mark `%s` opaque", u->name,
                                                   path);
                        return 0;
                }
                _cleanup_free_ char *dir = strndup(path, (size_t)(name - path));
                if (!dir)
                        return berth_error(u->err, ENOMEM, "unpack");
                if (*dir)
                        dir[strlen(dir) - 1] = 0;
                r = clear_dir_except_seen(u, parentfd, dir);
                if (r < 0)
                        return berth_error(u->err, r, "layer `%s`: clear opaque `%s`",
                                           u->name, dir);
                return 0;
        }
        if (!*target || streq(target, ".") || streq(target, "..") || strchr(target, '/'))
                return berth_error_plain(u->err, EINVAL, "layer `%s`: invalid whiteout `%s`", u->name,
                                   path);
        r = fs_rm_rf_at(parentfd, target);
        if (r < 0)
                return berth_error(u->err, r, "layer `%s`: apply whiteout `%s`", u->name,
                                   path);
        if (u->flags & UNPACK_OVERLAY_WHITEOUTS) {
                if (mknodat(parentfd, target, S_IFCHR | 0, makedev(0, 0)) < 0)
                        return berth_error(u->err, errno,
                                           "layer `%s`: create whiteout for `%s`",
                                           u->name, path);
        }
        return 0;
}

static int write_file(Unpacker *u, struct archive *a, int fd, const char *path, int64_t size)
{
        const void *block;
        size_t len;
        la_int64_t offset;
        int64_t end = 0;
        int r;

        for (;;) {
                r = sym_archive_read_data_block(a, &block, &len, &offset);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
                        return berth_error_plain(u->err, EBADMSG, "layer `%s`: read `%s`: %s",
                                           u->name, path, sym_archive_error_string(a) ?: "?");
                while (len > 0) {
                        ssize_t n = pwrite(fd, block, len, offset);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return berth_error(u->err, errno, "layer `%s`: write `%s`",
                                                   u->name, path);
                        }
                        block = (const char *)block + n;
                        len -= (size_t)n;
                        offset += n;
                }
                end = MAX(end, (int64_t)offset);
        }
        /* Sparse files end in a hole that no block covered. */
        if (end != size && ftruncate(fd, size) < 0)
                return berth_error(u->err, errno, "layer `%s`: size `%s`", u->name, path);
        return 0;
}

static int set_xattrs(Unpacker *u, struct archive_entry *e, int fd, const char *path)
{
        const char *xname;
        const void *value;
        size_t size;

        if (sym_archive_entry_xattr_reset(e) == 0)
                return 0;
        while (sym_archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
                char proc[64];
                snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
                /* An O_PATH fd: setxattr through /proc works on any file type. */
                if (setxattr(proc, xname, value, size, 0) < 0) {
                        if (errno == ENOTSUP || errno == EPERM)
                                continue; /* e.g. security.selinux on a file system without it */
                        return berth_error(u->err, errno,
                                           "layer `%s`: set xattr %s on `%s`", u->name,
                                           xname, path);
                }
        }
        return 0;
}

static bool root_fd_is_parent(int root_fd)
{
        return root_fd >= 0;
}

/* One tar entry on its way into the tree. */
typedef struct Entry {
        struct archive_entry *e;
        const char *src;  /* the path as the tar has it, for messages */
        char *path;       /* cleaned, relative to the root */
        const char *name; /* its last component, in parentfd */
        int parentfd;     /* the cache's, or root_fd's */
        int root_fd;      /* the root itself, when the entry is "." */
        mode_t type;
        bool fresh;       /* created now rather than merged into an existing directory */
} Entry;

static void entry_done(Entry *x)
{
        free(x->path);
        safe_close(x->root_fd);
}

/* Cleans the entry's path and opens its parent inside the root. 0 to go on, 1 to skip. */
static int entry_resolve(Unpacker *u, Entry *x)
{
        x->src = sym_archive_entry_pathname(x->e);
        if (!x->src)
                return berth_error_plain(u->err, EINVAL, "layer `%s`: entry without a path",
                                         u->name);
        x->path = strdup(x->src);
        if (!x->path)
                return berth_error(u->err, ENOMEM, "unpack");
        confine_clean_path(x->path);

        if (!*x->path) {
                /* The root itself: only its metadata. */
                if (x->type != AE_IFDIR)
                        return 1;
                x->name = ".";
                x->parentfd = x->root_fd = openat(u->rootfd, ".",
                                                  O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (x->root_fd < 0)
                        x->parentfd = negative_errno();
        } else
                x->parentfd = open_parent_cached(u, x->path, &x->name);
        if (x->parentfd < 0)
                return berth_error(u->err, x->parentfd, "layer `%s`: open the parent of `%s`",
                                   u->name, x->src);
        return 0;
}

static int entry_hardlink(Unpacker *u, Entry *x, const char *link)
{
        _cleanup_free_ char *target = strdup(link);
        _cleanup_close_ int tparent = -1;
        const char *tname;
        int r;

        if (!target)
                return berth_error(u->err, ENOMEM, "unpack");
        confine_clean_path(target);
        if (!*target || streq(target, x->path))
                return berth_error_plain(u->err, EINVAL, "layer `%s`: bad hardlink `%s` -> `%s`",
                                         u->name, x->src, link);
        tparent = confine_open_parent(u->rootfd, target, false, &tname);
        if (tparent < 0)
                return berth_error(u->err, tparent,
                                   "layer `%s`: hardlink target of `%s` not found: `%s`",
                                   u->name, x->src, target);
        r = make_room(u, x->parentfd, x->name, S_IFREG);
        if (r < 0)
                return berth_error(u->err, r, "layer `%s`: replace `%s`", u->name, x->path);
        if (linkat(tparent, tname, x->parentfd, x->name, 0) < 0)
                return berth_error(u->err, errno, "layer `%s`: link `%s` to `%s`", u->name,
                                   x->path, target);
        return 0;
}

/* Creates the file, directory, symlink or node and opens it; *ret_fd stays -1 for entries
 * that are skipped. */
static int entry_create(Unpacker *u, struct archive *a, Entry *x, int *ret_fd)
{
        struct archive_entry *e = x->e;
        int fd = -1, r;

        r = make_room(u, x->parentfd, x->name, x->type);
        if (r < 0)
                return berth_error(u->err, r, "layer `%s`: replace `%s`", u->name, x->path);

        switch (x->type) {
        case AE_IFDIR:
                x->fresh = r == 0;
                if (r == 0 && mkdirat(x->parentfd, x->name, 0700) < 0)
                        return berth_error(u->err, errno, "layer `%s`: create `%s`", u->name,
                                           x->path);
                fd = openat(x->parentfd, x->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                break;
        case AE_IFREG:
                fd = openat(x->parentfd, x->name,
                            O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        break;
                r = write_file(u, a, fd, x->path, sym_archive_entry_size(e));
                if (r < 0) {
                        safe_close(fd);
                        return r;
                }
                break;
        case AE_IFLNK: {
                const char *target = sym_archive_entry_symlink(e);
                /* Stored verbatim and never followed by us: confine_open resolves it in the
                 * root whenever a later entry goes through it. */
                if (!target || symlinkat(target, x->parentfd, x->name) < 0)
                        return berth_error(u->err, target ? errno : EINVAL,
                                           "layer `%s`: create symlink `%s`", u->name, x->path);
                fd = openat(x->parentfd, x->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                break;
        }
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                if ((u->flags & UNPACK_PLAIN_FILES) && x->type != AE_IFIFO)
                        return 0;
                if (mknodat(x->parentfd, x->name, x->type | 0600,
                            makedev(sym_archive_entry_rdevmajor(e), sym_archive_entry_rdevminor(e))) < 0)
                        return berth_error(u->err, errno, "layer `%s`: create node `%s`", u->name,
                                           x->path);
                fd = openat(x->parentfd, x->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                break;
        default:
                /* sockets and unknown types are not part of an image */
                return 0;
        }
        if (fd < 0)
                return berth_error(u->err, errno, "layer `%s`: create `%s`", u->name, x->path);
        *ret_fd = fd;
        return 0;
}

/* Owner, xattrs and mode, in that order (chown clears set-id bits). */
static int entry_set_owner_mode(Unpacker *u, Entry *x, int fd)
{
        struct archive_entry *e = x->e;
        uid_t uid = (uid_t)sym_archive_entry_uid(e);
        gid_t gid = (gid_t)sym_archive_entry_gid(e);
        mode_t mode = sym_archive_entry_perm(e);
        int r;

        /* a fresh file already has our owner: skip the chown when the tar wants that one */
        if ((u->flags & UNPACK_CHOWN) &&
            !(x->fresh && !root_fd_is_parent(x->root_fd) && !u->parent_setgid &&
              uid == geteuid() && gid == getegid()) &&
            fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return berth_error(u->err, errno, "layer `%s`: chown `%s`", u->name, x->path);
        if (!(u->flags & UNPACK_PLAIN_FILES)) {
                r = set_xattrs(u, e, fd, x->path);
                if (r < 0)
                        return r;
        }
        if (x->type == AE_IFLNK)
                return 0;
        if (x->type == AE_IFDIR || x->type == AE_IFREG)
                r = fchmod(fd, mode);
        else
                r = fchmodat(x->parentfd, x->name, mode, 0);
        if (r < 0)
                return berth_error(u->err, errno, "layer `%s`: chmod `%s`", u->name, x->path);
        return 0;
}

/* A directory's times are set at the end: entries created inside would change them again. */
static int entry_set_times(Unpacker *u, Entry *x)
{
        struct archive_entry *e = x->e;
        struct timespec ts[2] = {
                { .tv_sec = sym_archive_entry_atime(e), .tv_nsec = sym_archive_entry_atime_nsec(e) },
                { .tv_sec = sym_archive_entry_mtime(e), .tv_nsec = sym_archive_entry_mtime_nsec(e) },
        };

        if (!sym_archive_entry_atime_is_set(e))
                ts[0] = ts[1];
        if (x->type != AE_IFDIR) {
                (void)utimensat(x->parentfd, x->name, ts, AT_SYMLINK_NOFOLLOW);
                return 0;
        }
        DirTime *n = realloc(u->dirs, (u->n_dirs + 1) * sizeof(DirTime));
        if (!n)
                return berth_error(u->err, ENOMEM, "unpack");
        u->dirs = n;
        n[u->n_dirs].path = TAKE_PTR(x->path);
        n[u->n_dirs++].mtime = ts[1];
        return 0;
}

static int apply_entry(Unpacker *u, struct archive *a, struct archive_entry *e)
{
        _cleanup_(entry_done) Entry x = {
                .e = e, .type = sym_archive_entry_filetype(e), .root_fd = -1, .fresh = true,
        };
        _cleanup_close_ int fd = -1;
        int r;

        r = entry_resolve(u, &x);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!(u->flags & UNPACK_NO_WHITEOUTS) && startswith(x.name, WHITEOUT_PREFIX)) {
                r = apply_whiteout(u, x.path, x.parentfd, x.name);
                /* removals: resolve the next path afresh */
                free(u->parent_path);
                u->parent_path = NULL;
                return r;
        }
        r = mark_seen(u, x.path);
        if (r < 0)
                return berth_error(u->err, r, "unpack");
        if (sym_archive_entry_hardlink(e))
                return entry_hardlink(u, &x, sym_archive_entry_hardlink(e));

        r = entry_create(u, a, &x, &fd);
        if (r < 0 || fd < 0)
                return r;
        r = entry_set_owner_mode(u, &x, fd);
        if (r < 0)
                return r;
        return entry_set_times(u, &x);
}

static void fix_dir_times(Unpacker *u)
{
        for (size_t i = u->n_dirs; i > 0; i--) {
                DirTime *d = &u->dirs[i - 1];
                _cleanup_close_ int fd = confine_open(u->rootfd, d->path,
                                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
                struct timespec ts[2] = { d->mtime, d->mtime };
                if (fd >= 0)
                        (void)futimens(fd, ts);
        }
}

int unpack_layer(int fd, const char *name, int rootfd, UnpackFlags flags, UnpackStats *ret_stats,
                 BerthError **err)
{
        _cleanup_layer_stream_ LayerStream *stream = NULL;
        _cleanup_free_ char *buf = NULL;
        struct archive *a = NULL;
        struct archive_entry *e;
        Unpacker u = {
                .rootfd = rootfd,
                .flags = flags,
                .name = name,
                .err = err,
                .parent_fd = -1,
        };
        uint64_t entries = 0;
        int r;

        r = layer_stream_open(fd, name, &stream, err);
        if (r < 0)
                return r;
        buf = malloc(READ_BLOCK);
        if (!buf)
                return berth_error(err, ENOMEM, "unpack");
        u.stream = stream;
        u.buf = buf;

        r = libarchive_load(err);
        if (r < 0)
                return r;
        a = sym_archive_read_new();
        if (!a)
                return berth_error(err, ENOMEM, "unpack");
        sym_archive_read_support_format_tar(a);
        sym_archive_read_support_format_gnutar(a);
        if (sym_archive_read_open(a, &u, NULL, archive_read_cb, NULL) != ARCHIVE_OK) {
                r = berth_error_plain(err, EBADMSG, "layer `%s` is not a tar archive: %s", name,
                                sym_archive_error_string(a) ?: "?");
                goto finish;
        }
        for (;;) {
                r = sym_archive_read_next_header(a, &e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
                        r = berth_error_plain(err, EBADMSG, "layer `%s`: bad tar header: %s", name,
                                        sym_archive_error_string(a) ?: "?");
                        goto finish;
                }
                r = apply_entry(&u, a, e);
                if (r < 0)
                        goto finish;
                entries++;
        }
        r = layer_stream_drain(stream, err);
        if (r < 0)
                goto finish;
        fix_dir_times(&u);
        if (ret_stats) {
                ret_stats->entries = entries;
                ret_stats->bytes = (uint64_t)sym_archive_filter_bytes(a, -1);
                layer_stream_diff_id(stream, ret_stats->diff_id);
        }
        r = 0;
finish:
        if (r < 0 && err && !*err)
                r = berth_error(err, r, "unpack layer `%s`", name);
        sym_archive_read_free(a);
        parent_cache_drop(&u);
        tdestroy(u.seen, free_node);
        for (size_t i = 0; i < u.n_dirs; i++)
                free(u.dirs[i].path);
        free(u.dirs);
        return r;
}
