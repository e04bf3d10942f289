/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/dir-stack.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/archive-tar.h"
#include "image/libarchive-dl.h"
#include "image/unpack.h"

static int add_file(struct archive *a, int dfd, const char *name, const char *path,
                    BerthError **err)
{
        _cleanup_close_ int f = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        char buf[1 << 16];
        ssize_t k;

        if (f < 0)
                return berth_error(err, errno, "open `%s`", path);
        while ((k = read(f, buf, sizeof(buf))) > 0)
                if (sym_archive_write_data(a, buf, (size_t)k) != k)
                        return berth_error_plain(err, EIO, "write `%s` to tar: %s", path,
                                                 sym_archive_error_string(a) ?: "?");
        if (k < 0)
                return berth_error(err, errno, "read `%s`", path);
        return 0;
}

/* Directories and regular files below dfd, sorted by name (the same tree gives the same
 * archive), depth first without recursion (basic/dir-stack.h). */
static int add_tree(struct archive *a, int dfd, BerthError **err)
{
        _cleanup_free_ char *prefix = strdup("");
        DirStack s = {};
        int fd = -1, r;

        fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        if (!prefix || fd < 0) {
                safe_close(fd);
                return berth_error(err, prefix ? errno : ENOMEM, "tar");
        }
        r = dir_stack_push(&s, fd, NULL, true);
        if (r < 0)
                r = berth_error(err, r, "read the directory to archive");
        while (r >= 0) {
                _cleanup_free_ char *path = NULL;
                struct archive_entry *e;
                struct stat st;
                const char *n = dir_stack_next(&s);

                if (!n) {
                        if (s.depth == 1)
                                break;
                        r = dir_stack_pop(&s, &fd);
                        if (r < 0) {
                                r = berth_error(err, r, "go back up from `%s`", prefix);
                                break;
                        }
                        char *slash = strrchr(prefix, '/');
                        *(slash ?: prefix) = 0;
                        continue;
                }
                if (asprintf(&path, "%s%s%s", prefix, *prefix ? "/" : "", n) < 0) {
                        r = berth_error(err, ENOMEM, "tar");
                        break;
                }
                if (fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = berth_error(err, errno, "stat `%s`", path);
                        break;
                }
                if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
                        continue;
                e = sym_archive_entry_new();
                if (!e) {
                        r = berth_error(err, ENOMEM, "tar");
                        break;
                }
                sym_archive_entry_set_pathname(e, path);
                sym_archive_entry_set_mode(e, st.st_mode);
                sym_archive_entry_set_mtime(e, st.st_mtim.tv_sec, 0);
                sym_archive_entry_set_size(e, S_ISREG(st.st_mode) ? st.st_size : 0);
                if (sym_archive_write_header(a, e) != ARCHIVE_OK) {
                        sym_archive_entry_free(e);
                        r = berth_error_plain(err, EIO, "write tar header of `%s`: %s",
                                              path, sym_archive_error_string(a) ?: "?");
                        break;
                }
                sym_archive_entry_free(e);
                if (S_ISREG(st.st_mode)) {
                        r = add_file(a, fd, n, path, err);
                        continue;
                }
                int sub = openat(fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        r = berth_error(err, errno, "open `%s`", path);
                        break;
                }
                r = dir_stack_push(&s, sub, n, true);
                if (r < 0) {
                        safe_close(sub);
                        r = berth_error(err, r, "read `%s`", path);
                        break;
                }
                safe_close(fd);
                fd = sub;
                free(prefix);
                prefix = TAKE_PTR(path);
        }
        safe_close(fd);
        dir_stack_done(&s);
        return r < 0 ? r : 0;
}

int archive_tar_create(const char *dir, const char *out_path, BerthError **err)
{
        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int dfd = -1, out = -1;
        struct archive *a;
        int r;

        if (asprintf(&tmp, "%s.tmp-%d", out_path, getpid()) < 0)
                return berth_error(err, ENOMEM, "tar");
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", dir);
        out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
                return berth_error(err, errno, "create `%s`", tmp);
        r = libarchive_load(err);
        if (r < 0)
                return r;
        a = sym_archive_write_new();
        if (!a)
                return berth_error(err, ENOMEM, "tar");
        sym_archive_write_set_format_pax_restricted(a);
        sym_archive_write_set_bytes_in_last_block(a, 1);
        if (sym_archive_write_open_fd(a, out) != ARCHIVE_OK) {
                r = berth_error_plain(err, EIO, "write `%s`: %s", tmp,
                                sym_archive_error_string(a) ?: "?");
                goto fail;
        }
        r = add_tree(a, dfd, err);
        if (r < 0)
                goto fail;
        if (sym_archive_write_close(a) != ARCHIVE_OK) {
                r = berth_error_plain(err, EIO, "finish `%s`: %s", tmp,
                                sym_archive_error_string(a) ?: "?");
                goto fail;
        }
        sym_archive_write_free(a);
        if (fsync(out) < 0 || rename(tmp, out_path) < 0) {
                r = berth_error(err, errno, "write `%s`", out_path);
                unlink(tmp);
                return r;
        }
        return 0;
fail:
        sym_archive_write_free(a);
        unlink(tmp);
        return r;
}

int archive_tar_extract(const char *path, const char *dir, BerthError **err)
{
        _cleanup_close_ int fd = -1, dfd = -1;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return berth_error(err, errno, "open `%s`", path);
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", dir);
        return unpack_layer(fd, path, dfd, UNPACK_PLAIN_FILES, NULL, err);
}
