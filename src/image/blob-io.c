/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "image/blob-io.h"

int blob_ingest_fd(ContentStore *cs, int fd, const char *expected, int64_t size,
                   char ret_digest[DIGEST_STRING_MAX], BerthError **err)
{
        _cleanup_content_writer_ ContentWriter *w = NULL;
        _cleanup_free_ char *buf = NULL;
        char digest[DIGEST_STRING_MAX];
        ssize_t n;
        int r;

        if (expected && content_store_has(cs, expected, NULL) > 0) {
                if (ret_digest)
                        snprintf(ret_digest, DIGEST_STRING_MAX, "%s", expected);
                return 0;
        }
        r = content_writer_open(cs, expected, size, false, &w, err);
        if (r < 0)
                return r;
        buf = malloc(1 << 20);
        if (!buf)
                return berth_error(err, ENOMEM, "ingest");
        while ((n = read(fd, buf, 1 << 20)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_error(err, errno, "read blob `%s`",
                                           expected ?: "(unnamed)");
                }
                r = content_writer_write(w, buf, (size_t)n, err);
                if (r < 0)
                        return r;
        }
        r = content_writer_commit(w, digest, err);
        if (r < 0)
                return r;
        if (ret_digest)
                memcpy(ret_digest, digest, DIGEST_STRING_MAX);
        return 0;
}

int blob_export(ContentStore *cs, const char *digest, int dirfd, const char *name,
                BerthError **err)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int src = -1, dst = -1;
        struct stat st;

        if (content_store_blob_path(cs, digest, &path) < 0)
                return berth_error_plain(err, EINVAL, "invalid digest `%s`", digest);
        if (linkat(AT_FDCWD, path, dirfd, name, 0) == 0)
                return 0;
        if (errno == EEXIST)
                return 0;
        src = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (src < 0 || fstat(src, &st) < 0)
                return berth_error(err, errno, "open blob `%s`", digest);
        dst = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (dst < 0)
                return berth_error(err, errno, "create `%s`", name);
        for (off_t left = st.st_size; left > 0;) {
                ssize_t n = copy_file_range(src, NULL, dst, NULL, (size_t)left, 0);
                if (n <= 0)
                        return berth_error(err, n < 0 ? errno : EIO, "copy blob `%s`",
                                           digest);
                left -= n;
        }
        return 0;
}

int blob_mkdtemp(ContentStore *cs, const char *prefix, char **ret, BerthError **err)
{
        _cleanup_free_ char *dir = NULL, *t = NULL;
        int r;

        if (asprintf(&dir, "%s/tmp", content_store_root(cs)) < 0 ||
            asprintf(&t, "%s/%s-XXXXXX", dir, prefix) < 0)
                return berth_error(err, ENOMEM, "tmp");
        r = fs_mkdir_p(dir, 0700);
        if (r < 0)
                return berth_error(err, r, "create `%s`", dir);
        if (!mkdtemp(t))
                return berth_error(err, errno, "create a directory in `%s`", dir);
        *ret = TAKE_PTR(t);
        return 0;
}
