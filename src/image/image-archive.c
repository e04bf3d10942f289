/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which archive a path is, and the temporary directories around the backends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "image/archive-tar.h"
#include "image/blob-io.h"
#include "image/image-archive.h"

static const char *const format_names[_ARCHIVE_FORMAT_MAX] = {
        [ARCHIVE_OCI_DIR] = "oci-dir",
        [ARCHIVE_OCI_TAR] = "oci-archive",
        [ARCHIVE_DOCKER_TAR] = "docker-archive",
        [ARCHIVE_DOCKER_DIR] = "docker-dir",
};

int image_archive_format_from_string(const char *s, ArchiveFormat *ret)
{
        for (ArchiveFormat f = 0; f < _ARCHIVE_FORMAT_MAX; f++)
                if (streq(s, format_names[f])) {
                        *ret = f;
                        return 0;
                }
        if (streq(s, "oci")) {
                *ret = ARCHIVE_OCI_TAR;
                return 0;
        }
        if (streq(s, "docker")) {
                *ret = ARCHIVE_DOCKER_TAR;
                return 0;
        }
        return -EINVAL;
}

static int load_dir(ContentStore *cs, Store *md, Snapshotter *sn, const char *dir,
                    const char *what, const LoadOptions *opts, char ***names, BerthError **err)
{
        _cleanup_close_ int dfd = -1;

        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error(err, errno, "open `%s`", dir);
        if (faccessat(dfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return oci_layout_load(cs, md, sn, dfd, what, opts, names, err);
        if (faccessat(dfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return docker_archive_load(cs, md, sn, dfd, what, names, err);
        return berth_error_plain(err, EINVAL,
                           "`%s` is neither an OCI image layout (index.json) nor a docker save "
                           "archive (manifest.json)",
                           what);
}

int image_load(ContentStore *cs, Store *md, Snapshotter *sn, const char *path,
               const LoadOptions *opts, char ***ret_names, BerthError **err)
{
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *tmp = NULL;
        struct stat st;
        int r;

        if (stat(path, &st) < 0)
                return berth_error(err, errno, "open `%s`", path);
        (void)snapshot_clean_tmp(sn);
        names = calloc(1, sizeof(char *));
        if (!names)
                return berth_error(err, ENOMEM, "load");
        if (S_ISDIR(st.st_mode))
                r = load_dir(cs, md, sn, path, path, opts, &names, err);
        else {
                r = blob_mkdtemp(cs, "load", &tmp, err);
                if (r < 0)
                        return r;
                r = archive_tar_extract(path, tmp, err);
                if (r >= 0)
                        r = load_dir(cs, md, sn, tmp, path, opts, &names, err);
                (void)fs_rm_rf(tmp);
        }
        if (r < 0)
                return r;
        *ret_names = TAKE_PTR(names);
        return 0;
}

int image_save(ContentStore *cs, const SaveItem *items, size_t n, ArchiveFormat format,
               const char *out, BerthError **err)
{
        _cleanup_free_ char *tmp = NULL;
        struct stat st;
        int r;

        if (format == ARCHIVE_OCI_DIR || format == ARCHIVE_DOCKER_DIR) {
                if (stat(out, &st) == 0 && (!S_ISDIR(st.st_mode) || rmdir(out) < 0) &&
                    errno != ENOENT)
                        return berth_error_plain(err, EEXIST,
                                                 "`%s` exists and is not an empty directory", out);
                if (asprintf(&tmp, "%s.tmp-%d", out, getpid()) < 0)
                        return berth_error(err, ENOMEM, "save");
                r = format == ARCHIVE_OCI_DIR ? oci_layout_save(cs, items, n, tmp, err)
                                              : docker_archive_save(cs, items, n, tmp, err);
                if (r >= 0 && rename(tmp, out) < 0)
                        r = berth_error(err, errno, "rename `%s` to `%s`", tmp, out);
                if (r < 0)
                        (void)fs_rm_rf(tmp);
                return r;
        }
        r = blob_mkdtemp(cs, "save", &tmp, err);
        if (r < 0)
                return r;
        r = format == ARCHIVE_OCI_TAR ? oci_layout_save(cs, items, n, tmp, err)
                                      : docker_archive_save(cs, items, n, tmp, err);
        if (r >= 0)
                r = archive_tar_create(tmp, out, err);
        (void)fs_rm_rf(tmp);
        return r;
}

int image_archive_mkdir(const char *dir, BerthError **err)
{
        int r, fd;

        r = fs_mkdir_p(dir, 0755);
        if (r < 0)
                return berth_error(err, r, "create `%s`", dir);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return berth_error(err, errno, "open `%s`", dir);
        return fd;
}
