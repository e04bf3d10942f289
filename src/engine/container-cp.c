/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * berth cp: a tree written as a tar by a walk that opens every entry below its directory with
 * O_NOFOLLOW (so a link in the tree is copied as a link, never followed), unpacked by the image
 * library's layer unpacker below the destination directory (which keeps every entry inside
 * it). Between two places the tar goes through a pipe, written by a thread. The container's
 * paths are resolved inside its rootfs (confine.h): a link pointing at /etc/shadow reaches the
 * container's own.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "basic/confine.h"
#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-cp.h"
#include "image/libarchive-dl.h"
#include "image/unpack.h"

#define DEPTH_MAX 256

/* Where paths are: a container's rootfs (resolved inside it) or the host (rootfd -1). */
typedef struct Place {
        int rootfd;
        const char *container;   /* its name, for messages */
} Place;

/* A path split: its directory part and its last component ("" for a root). */
typedef struct Split {
        char *dir, *base;
        bool contents;           /* it ended in "/.": a directory's contents */
        bool slash;              /* it ended in "/" */
} Split;

static void split_done(Split *s)
{
        free(s->dir);
        free(s->base);
}

static int split_path(const char *path, Split *ret)
{
        _cleanup_free_ char *p = strdup(path);
        size_t n;

        if (!p)
                return -ENOMEM;
        n = strlen(p);
        ret->contents = n >= 2 && streq(p + n - 2, "/.");
        ret->slash = n > 0 && p[n - 1] == '/';
        /* Trailing "/" and "/." say something of the path, not which file it is. */
        while (n > 1 && (p[n - 1] == '/' || (p[n - 1] == '.' && p[n - 2] == '/'))) {
                p[--n] = 0;
        }
        if (streq(p, "."))
                ret->contents = true;
        char *slash = strrchr(p, '/');
        if (!slash) {
                ret->dir = strdup(".");
                ret->base = strdup(p);
        } else {
                ret->base = strdup(slash + 1);
                *slash = 0;
                ret->dir = strdup(slash == p ? "/" : p);
        }
        if (!ret->dir || !ret->base)
                return -ENOMEM;
        if (streq(ret->base, ".") || streq(ret->base, "/"))
                ret->base[0] = 0;
        return 0;
}

static int place_open(const Place *pl, const char *path, int flags)
{
        if (pl->rootfd < 0) {
                int fd = openat(AT_FDCWD, path, flags | O_CLOEXEC);
                return fd < 0 ? -errno : fd;
        }
        _cleanup_free_ char *clean = strdup(path);
        if (!clean)
                return -ENOMEM;
        confine_clean_path(clean);
        return confine_openat(pl->rootfd, clean, flags, 0, 0);
}

static int place_error(const Place *pl, const char *path, int r, BerthError **err)
{
        if (pl->container && r == -ENOENT)
                return berth_error_plain(err, ENOENT, "no `%s` in container `%s`", path,
                                         pl->container);
        if (pl->container)
                return berth_error(err, -r, "`%s` in container `%s`", path, pl->container);
        return berth_error(err, -r, "`%s`", path);
}

/* What is copied: an O_PATH fd of it, and the name it gets. */
typedef struct Source {
        int fd;
        struct stat st;
        char *name;              /* NULL: a directory's contents */
} Source;

static void source_done(Source *s)
{
        safe_close(s->fd);
        free(s->name);
}

static int source_open(const Place *pl, const char *path, bool follow, Source *ret,
                       BerthError **err)
{
        _cleanup_(split_done) Split sp = { 0 };
        int r;

        *ret = (Source){ .fd = -1 };
        if (split_path(path, &sp) < 0)
                return berth_error(err, ENOMEM, "copy");
        if (follow || !*sp.base)
                ret->fd = place_open(pl, path, O_PATH);
        else {
                _cleanup_close_ int dfd = place_open(pl, sp.dir, O_PATH | O_DIRECTORY);
                if (dfd < 0)
                        return place_error(pl, path, dfd, err);
                ret->fd = openat(dfd, sp.base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (ret->fd < 0)
                        ret->fd = -errno;
        }
        if (ret->fd < 0) {
                r = ret->fd;
                ret->fd = -1;
                return place_error(pl, path, r, err);
        }
        if (fstat(ret->fd, &ret->st) < 0)
                return place_error(pl, path, -errno, err);
        if (sp.contents && !S_ISDIR(ret->st.st_mode))
                return berth_error_plain(err, ENOTDIR, "`%s`: not a directory", path);
        if (!(sp.contents || !*sp.base) && !(ret->name = strdup(sp.base)))
                return berth_error(err, ENOMEM, "copy");
        return 0;
}

/* An O_PATH fd opened for real. */
static int reopen(int fd, int flags)
{
        char p[32];

        fs_proc_fd_path(fd, p);
        int r = open(p, flags | O_CLOEXEC);
        return r < 0 ? -errno : r;
}

static int tar_error(struct archive *a, const char *entry, BerthError **err)
{
        return berth_error_plain(err, EIO, "write `%s` to the tar: %s", entry,
                                 sym_archive_error_string(a) ?: "failed");
}

static int tar_data(struct archive *a, int fd, const char *entry, BerthError **err)
{
        _cleanup_close_ int in = reopen(fd, O_RDONLY);
        char buf[65536];
        ssize_t k;

        if (in < 0)
                return berth_error(err, -in, "open `%s`", entry);
        while ((k = read(in, buf, sizeof(buf))) != 0) {
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_error(err, errno, "read `%s`", entry);
                }
                if (sym_archive_write_data(a, buf, (size_t)k) < 0)
                        return tar_error(a, entry, err);
        }
        return 0;
}

/* fd (O_PATH, not followed) as entry and, a directory, everything below it. self false: only
 * what is below, named without entry's prefix. */
static int tar_add(struct archive *a, int fd, const struct stat *st, const char *entry, bool self,
                   unsigned depth, BerthError **err)
{
        int r;

        if (S_ISSOCK(st->st_mode))
                return 0; /* no tar holds one; docker skips them too */
        if (depth > DEPTH_MAX)
                return berth_error_plain(err, ELOOP, "`%s`: more than %d levels deep", entry,
                                         DEPTH_MAX);
        if (self) {
                struct archive_entry *ae = sym_archive_entry_new();
                if (!ae)
                        return berth_error(err, ENOMEM, "copy");
                sym_archive_entry_copy_stat(ae, st);
                sym_archive_entry_set_pathname(ae, entry);
                if (S_ISLNK(st->st_mode)) {
                        char target[4096];
                        ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
                        if (n < 0) {
                                sym_archive_entry_free(ae);
                                return berth_error(err, errno, "read the link `%s`", entry);
                        }
                        target[n] = 0;
                        sym_archive_entry_set_symlink(ae, target);
                }
                if (!S_ISREG(st->st_mode))
                        sym_archive_entry_set_size(ae, 0);
                r = sym_archive_write_header(a, ae);
                sym_archive_entry_free(ae);
                if (r < ARCHIVE_WARN)
                        return tar_error(a, entry, err);
                if (S_ISREG(st->st_mode) && (r = tar_data(a, fd, entry, err)) < 0)
                        return r;
        }
        if (!S_ISDIR(st->st_mode))
                return 0;
        int dfd = reopen(fd, O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return berth_error(err, -dfd, "open `%s`", entry);
        _cleanup_closedir_ DIR *d = fdopendir(dfd);
        if (!d) {
                safe_close(dfd);
                return berth_error(err, errno, "open `%s`", entry);
        }
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_close_ int child = openat(dirfd(d), de->d_name,
                                                   O_PATH | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_free_ char *name = NULL;
                struct stat cst;
                if (self ? asprintf(&name, "%s/%s", entry, de->d_name) < 0
                         : !(name = strdup(de->d_name)))
                        return berth_error(err, ENOMEM, "copy");
                if (child < 0 || fstat(child, &cst) < 0)
                        return berth_error(err, errno, "open `%s`", name);
                r = tar_add(a, child, &cst, name, true, depth + 1, err);
                if (r < 0)
                        return r;
        }
        if (errno)
                return berth_error(err, errno, "read the directory `%s`", entry);
        return 0;
}

/* The source as a tar to fd, its top named name (NULL: its contents only). */
static int tar_write(const Source *s, const char *name, int fd, BerthError **err)
{
        struct archive *a;
        int r;

        r = libarchive_load(err);
        if (r < 0)
                return r;
        a = sym_archive_write_new();
        if (!a)
                return berth_error(err, ENOMEM, "copy");
        if (sym_archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
            sym_archive_write_open_fd(a, fd) != ARCHIVE_OK) {
                r = berth_error_plain(err, EIO, "write the tar: %s",
                                      sym_archive_error_string(a) ?: "failed");
                sym_archive_write_free(a);
                return r;
        }
        r = tar_add(a, s->fd, &s->st, name ?: ".", name != NULL, 0, err);
        if (sym_archive_write_close(a) != ARCHIVE_OK && r >= 0)
                r = berth_error_plain(err, EIO, "write the tar: %s",
                                      sym_archive_error_string(a) ?: "failed");
        sym_archive_write_free(a);
        return r;
}

typedef struct Producer {
        const Source *s;
        const char *name;
        int fd;
        BerthError *err;
        int r;
} Producer;

static void *producer_run(void *userdata)
{
        Producer *p = userdata;
        p->r = tar_write(p->s, p->name, p->fd, &p->err);
        p->fd = safe_close(p->fd);
        return NULL;
}

static int unpack_into(int in_fd, int dirfd, const EngineCpOptions *o, BerthError **err)
{
        _cleanup_close_ int dfd = reopen(dirfd, O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return berth_error(err, -dfd, "open the destination");
        return unpack_layer(in_fd, "the copy", dfd,
                            UNPACK_NO_WHITEOUTS | (o->archive ? UNPACK_CHOWN : 0), NULL, err);
}

/* The source, named name (NULL: its contents), unpacked in the directory dirfd. */
static int copy_into(const Source *s, const char *name, int dirfd, const EngineCpOptions *o,
                     BerthError **err)
{
        Producer p = { .s = s, .name = name };
        pthread_t t;
        int fds[2], r;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return berth_error(err, errno, "copy");
        p.fd = fds[1];
        r = pthread_create(&t, NULL, producer_run, &p);
        if (r != 0) {
                safe_close(fds[0]);
                safe_close(fds[1]);
                return berth_error(err, r, "copy");
        }
        r = unpack_into(fds[0], dirfd, o, err);
        /* The writer ends only once all is read (an early end would stop it with SIGPIPE). */
        char buf[4096];
        while (read(fds[0], buf, sizeof(buf)) > 0)
                ;
        pthread_join(t, NULL);
        safe_close(fds[0]);
        if (p.r < 0) {
                /* The reader's complaint follows from the writer's: the writer's is the one. */
                if (err) {
                        berth_error_free(err);
                        *err = TAKE_PTR(p.err);
                }
                berth_error_free(&p.err);
                return p.r;
        }
        return r;
}

/* Where the source goes at dest: *ret_dirfd the directory it is unpacked in, *ret_name the
 * name it gets there (NULL: its contents go straight in). Docker's rules. */
static int dest_resolve(const Place *pl, const char *dest, const Source *s, int *ret_dirfd,
                        char **ret_name, BerthError **err)
{
        _cleanup_(split_done) Split sp = { 0 };
        _cleanup_close_ int fd = -1;
        struct stat st;
        bool src_dir = S_ISDIR(s->st.st_mode);

        *ret_name = NULL;
        if (split_path(dest, &sp) < 0)
                return berth_error(err, ENOMEM, "copy");
        fd = place_open(pl, dest, O_PATH);
        if (fd >= 0 && fstat(fd, &st) < 0)
                return place_error(pl, dest, -errno, err);
        if (fd >= 0 && S_ISDIR(st.st_mode)) {
                /* An existing directory: the source in it, or a directory's contents. */
                if (s->name && !(*ret_name = strdup(s->name)))
                        return berth_error(err, ENOMEM, "copy");
                *ret_dirfd = TAKE_FD(fd);
                return 0;
        }
        if (fd >= 0 && src_dir)
                return berth_error_plain(err, ENOTDIR, "cannot copy a directory to the file `%s`",
                                         dest);
        if (fd < 0 && fd != -ENOENT)
                return place_error(pl, dest, fd, err);
        if (fd < 0 && sp.slash && !src_dir)
                return berth_error_plain(err, ENOENT, "the destination directory `%s` does not "
                                         "exist", dest);
        if (!*sp.base)
                return place_error(pl, dest, -EISDIR, err);
        /* A new name (or a file replaced): the parent must exist. */
        int dfd = place_open(pl, sp.dir, O_PATH | O_DIRECTORY);
        if (dfd < 0)
                return place_error(pl, sp.dir, dfd, err);
        *ret_name = TAKE_PTR(sp.base);
        *ret_dirfd = dfd;
        return 0;
}

static int copy_places(const Place *from, const char *src, const Place *to, const char *dest,
                       const EngineCpOptions *o, BerthError **err)
{
        _cleanup_(source_done) Source s = { .fd = -1 };
        _cleanup_free_ char *name = NULL;
        _cleanup_close_ int dirfd = -1;
        int r;

        r = source_open(from, src, o->follow_link, &s, err);
        if (r >= 0)
                r = dest_resolve(to, dest, &s, &dirfd, &name, err);
        if (r >= 0)
                r = copy_into(&s, name, dirfd, o, err);
        return r;
}

static int rootfs_open(Engine *e, EngineContainer *c, BerthError **err)
{
        _cleanup_free_ char *dir = engine_container_dir(e, c->id);
        _cleanup_free_ char *rootfs = NULL;

        if (!dir || asprintf(&rootfs, "%s/rootfs", dir) < 0)
                return berth_error(err, ENOMEM, "copy");
        int fd = open(rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berth_error(err, errno, "open `%s`", rootfs);
        return fd;
}

int engine_cp_from_container(Engine *e, EngineContainer *c, const char *src, const char *dest,
                             int out_fd, const EngineCpOptions *o, BerthError **err)
{
        _cleanup_close_ int rootfd = rootfs_open(e, c, err);
        int r;

        if (rootfd < 0)
                return rootfd;
        const Place from = { .rootfd = rootfd, .container = c->name };
        if (dest) {
                const Place to = { .rootfd = -1 };
                return copy_places(&from, src, &to, dest, o, err);
        }
        _cleanup_(source_done) Source s = { .fd = -1 };
        r = source_open(&from, src, o->follow_link, &s, err);
        if (r < 0)
                return r;
        return tar_write(&s, s.name, out_fd, err);
}

/* HostConfig.ReadonlyRootfs of the container's create request. */
static bool rootfs_read_only(const EngineContainer *c)
{
        _cleanup_(jwalk_putp) struct json_object *doc = NULL;
        struct json_object *host, *ro;

        if (!c->config || !(doc = jwalk_parse_object(c->config, strlen(c->config))))
                return false;
        host = jwalk_member(doc, "HostConfig");
        ro = host ? jwalk_member(host, "ReadonlyRootfs") : NULL;
        return ro && json_object_is_type(ro, json_type_boolean) && json_object_get_boolean(ro);
}

int engine_cp_to_container(Engine *e, EngineContainer *c, const char *src, int in_fd,
                           const char *dest, const EngineCpOptions *o, BerthError **err)
{
        struct stat st;

        /* The host sees a writable rootfs; docker keeps --read-only's promise here too. */
        if (rootfs_read_only(c))
                return berth_error_plain(err, EROFS, "the root file system of container `%s` is "
                                         "read-only", c->name);
        _cleanup_close_ int rootfd = rootfs_open(e, c, err);
        if (rootfd < 0)
                return rootfd;
        const Place to = { .rootfd = rootfd, .container = c->name };
        if (src) {
                const Place from = { .rootfd = -1 };
                return copy_places(&from, src, &to, dest, o, err);
        }
        /* A tar: unpacked in dest, which must be a directory. */
        _cleanup_close_ int fd = place_open(&to, dest, O_PATH);
        if (fd < 0)
                return place_error(&to, dest, fd, err);
        if (fstat(fd, &st) < 0)
                return place_error(&to, dest, -errno, err);
        if (!S_ISDIR(st.st_mode))
                return berth_error_plain(err, ENOTDIR, "the destination `%s` in container `%s` "
                                         "is not a directory", dest, c->name);
        return unpack_into(in_fd, fd, o, err);
}
