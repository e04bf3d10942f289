/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/dir-fd.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/content-store.h"

struct ContentStore {
        char *root;
        int blobs_fd;  /* root/blobs/sha256 */
        int ingest_fd; /* root/ingest */
};

struct ContentWriter {
        ContentStore *store;
        char *name; /* in ingest_fd */
        char *expected;
        int64_t expected_size;
        int fd;
        uint64_t offset;
        Sha256 *hash;
        bool resumable;
        bool committed;
        bool corrupt;
};

/* mkostemp relative to a directory fd: glibc has no mkostempat. tmpl ends in XXXXXX. */
static int mkostempat_compat(int dfd, char *tmpl)
{
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        size_t l = strlen(tmpl);

        for (int attempt = 0; attempt < 100; attempt++) {
                unsigned char rnd[6];
                if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                        return -EIO;
                for (int i = 0; i < 6; i++)
                        tmpl[l - 6 + i] = chars[rnd[i] % (sizeof(chars) - 1)];
                int fd = openat(dfd, tmpl, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd >= 0)
                        return fd;
                if (errno != EEXIST)
                        return negative_errno();
        }
        return -EEXIST;
}

/* root/sub, made when missing, opened. */
static int open_dir_p(const char *root, const char *sub, int *ret)
{
        _cleanup_free_ char *p = NULL;
        int fd;

        if (asprintf(&p, "%s/%s", root, sub) < 0)
                return -ENOMEM;
        fd = dir_fd_create_open(AT_FDCWD, p, 0700);
        if (fd < 0)
                return fd;
        *ret = fd;
        return 0;
}

int content_store_open(const char *root, ContentStore **ret, BerthError **err)
{
        ContentStore *s;
        int r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error(err, ENOMEM, "open content store");
        s->blobs_fd = s->ingest_fd = -1;
        s->root = strdup(root);
        if (!s->root) {
                content_store_free(s);
                return berth_error(err, ENOMEM, "open content store");
        }
        r = open_dir_p(root, "blobs/sha256", &s->blobs_fd);
        if (r >= 0)
                r = open_dir_p(root, "ingest", &s->ingest_fd);
        if (r < 0) {
                content_store_free(s);
                return berth_error(err, r, "open content store in `%s`", root);
        }
        *ret = s;
        return 0;
}

void content_store_free(ContentStore *s)
{
        if (!s)
                return;
        safe_close(s->blobs_fd);
        safe_close(s->ingest_fd);
        free(s->root);
        free(s);
}

const char *content_store_root(const ContentStore *s)
{
        return s->root;
}

int content_store_has(ContentStore *s, const char *digest, uint64_t *ret_size)
{
        struct stat st;
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        if (fstatat(s->blobs_fd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISREG(st.st_mode))
                return -EUCLEAN;
        if (ret_size)
                *ret_size = (uint64_t)st.st_size;
        return 1;
}

int content_store_blob_path(ContentStore *s, const char *digest, char **ret)
{
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        return asprintf(ret, "%s/blobs/sha256/%s", s->root, hex) < 0 ? -ENOMEM : 0;
}

int content_store_open_blob(ContentStore *s, const char *digest, int *ret_fd, BerthError **err)
{
        const char *hex = digest_hex(digest);
        int fd;

        if (!hex)
                return berth_error_plain(err, EINVAL, "invalid digest `%s`", digest);
        fd = openat(s->blobs_fd, hex, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return berth_error(err, errno, "open blob `%s`", digest);
        *ret_fd = fd;
        return 0;
}

int content_store_read_blob(ContentStore *s, const char *digest, char **ret, size_t *ret_size,
                            BerthError **err)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        char actual[DIGEST_STRING_MAX];
        size_t n = 0;
        int r;

        r = content_store_open_blob(s, digest, &fd, err);
        if (r < 0)
                return r;
        r = fs_read_full_regular_fd(fd, digest, READ_LIMIT_BLOB, &data, &n, err);
        if (r < 0)
                return berth_error_prefix(err, "blob");
        digest_sha256_buffer(data, n, actual);
        if (!streq(actual, digest))
                return berth_error_plain(err, EUCLEAN,
                                         "blob `%s` is corrupt: its content hashes to %s", digest,
                                         actual);
        *ret = TAKE_PTR(data);
        if (ret_size)
                *ret_size = n;
        return 0;
}

int content_store_put(ContentStore *s, const void *data, size_t len, const char *expected,
                      char **ret_digest, BerthError **err)
{
        _cleanup_content_writer_ ContentWriter *w = NULL;
        char digest[DIGEST_STRING_MAX];
        int r;

        if (!expected) {
                digest_sha256_buffer(data, len, digest);
                expected = digest;
        }
        r = content_store_has(s, expected, NULL);
        if (r > 0)
                goto done;
        r = content_writer_open(s, expected, (int64_t)len, false, &w, err);
        if (r < 0)
                return r;
        r = content_writer_write(w, data, len, err);
        if (r < 0)
                return r;
        r = content_writer_commit(w, digest, err);
        if (r < 0)
                return r;
done:
        if (ret_digest) {
                *ret_digest = strdup(expected);
                if (!*ret_digest)
                        return berth_error(err, ENOMEM, "digest");
        }
        return 0;
}

int content_store_delete(ContentStore *s, const char *digest)
{
        const char *hex = digest_hex(digest);

        if (!hex)
                return -EINVAL;
        if (unlinkat(s->blobs_fd, hex, 0) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

int content_store_list(ContentStore *s, char ***ret)
{
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        r = dir_fd_opendir(s->blobs_fd, &d);
        if (r < 0)
                return r;
        l = calloc(1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        while ((de = readdir(d))) {
                _cleanup_free_ char *dg = NULL;
                if (de->d_name[0] == '.')
                        continue;
                if (asprintf(&dg, "sha256:%s", de->d_name) < 0)
                        return -ENOMEM;
                if (!digest_is_valid(dg))
                        continue;
                r = strv_push(&l, TAKE_PTR(dg));
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int dir_usage(int dfd, uint64_t *ret)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        struct stat st;
        uint64_t total = 0;
        int r;

        r = dir_fd_opendir(dfd, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' &&
                    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
                        total += (uint64_t)st.st_size;
        *ret = total;
        return 0;
}

int content_store_usage(ContentStore *s, uint64_t *ret_blobs, uint64_t *ret_ingest)
{
        int r = dir_usage(s->blobs_fd, ret_blobs);
        if (r < 0)
                return r;
        return dir_usage(s->ingest_fd, ret_ingest);
}

int content_store_clean_ingest(ContentStore *s)
{
        _cleanup_closedir_ DIR *d = NULL;
        struct dirent *de;
        int r;

        r = dir_fd_opendir(s->ingest_fd, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                _cleanup_close_ int f = -1;
                if (de->d_name[0] == '.')
                        continue;
                f = openat(s->ingest_fd, de->d_name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (f < 0)
                        continue;
                /* A writer holds its ingest locked: leave live ones alone. */
                if (flock(f, LOCK_EX | LOCK_NB) < 0)
                        continue;
                (void)unlinkat(s->ingest_fd, de->d_name, 0);
        }
        return 0;
}

static int writer_rehash(ContentWriter *w, BerthError **err)
{
        char buf[1 << 16];
        uint64_t total = 0;
        ssize_t n;

        if (lseek(w->fd, 0, SEEK_SET) < 0)
                return berth_error(err, errno, "seek ingest `%s`", w->name);
        while ((n = read(w->fd, buf, sizeof(buf))) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return berth_error(err, errno, "read ingest `%s`", w->name);
                }
                digest_sha256_update(w->hash, buf, (size_t)n);
                total += (uint64_t)n;
        }
        w->offset = total;
        return 0;
}

int content_writer_open(ContentStore *s, const char *expected_digest, int64_t expected_size,
                        bool resume, ContentWriter **ret, BerthError **err)
{
        _cleanup_content_writer_ ContentWriter *w = NULL;
        int r;

        w = calloc(1, sizeof(*w));
        if (!w)
                return berth_error(err, ENOMEM, "open content writer");
        w->fd = -1;
        w->store = s;
        w->expected_size = expected_size;
        w->hash = digest_sha256_new();
        if (!w->hash)
                return berth_error(err, ENOMEM, "sha256");

        if (expected_digest) {
                if (!digest_is_valid(expected_digest))
                        return berth_error_plain(err, EINVAL, "invalid digest `%s`",
                                                 expected_digest);
                w->expected = strdup(expected_digest);
                if (!w->expected || asprintf(&w->name, "%s.partial",
                                             digest_hex(expected_digest)) < 0)
                        return berth_error(err, ENOMEM, "open content writer");
                /* Two pulls of the same blob: the second waits for the lock and then finds
                 * the blob. The first may have renamed the file we locked into the store, so
                 * the lock only counts while our fd is still what the ingest name points to. */
                for (;;) {
                        struct stat a, b;
                        w->fd = openat(s->ingest_fd, w->name,
                                       O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                        if (w->fd < 0)
                                return berth_error(err, errno, "open ingest for `%s`",
                                                   expected_digest);
                        if (flock(w->fd, LOCK_EX) < 0)
                                return berth_error(err, errno, "lock ingest for `%s`",
                                                   expected_digest);
                        if (fstat(w->fd, &a) == 0 &&
                            fstatat(s->ingest_fd, w->name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
                            a.st_ino == b.st_ino && a.st_dev == b.st_dev)
                                break;
                        w->fd = safe_close(w->fd);
                }
                w->resumable = true;
                if (resume) {
                        r = writer_rehash(w, err);
                        if (r < 0)
                                return r;
                        if (expected_size >= 0 && w->offset > (uint64_t)expected_size) {
                                r = content_writer_restart(w, err);
                                if (r < 0)
                                        return r;
                        }
                } else if (ftruncate(w->fd, 0) < 0)
                        return berth_error(err, errno, "truncate ingest for `%s`",
                                           expected_digest);
        } else {
                char tmpl[] = "tmp-XXXXXX";
                int fd = mkostempat_compat(s->ingest_fd, tmpl);
                if (fd < 0)
                        return berth_error(err, fd, "create ingest file");
                w->fd = fd;
                w->name = strdup(tmpl);
                if (!w->name)
                        return berth_error(err, ENOMEM, "open content writer");
                if (flock(w->fd, LOCK_EX) < 0)
                        return berth_error(err, errno, "lock ingest");
        }
        if (lseek(w->fd, (off_t)w->offset, SEEK_SET) < 0)
                return berth_error(err, errno, "seek ingest `%s`", w->name);
        *ret = TAKE_PTR(w);
        return 0;
}

uint64_t content_writer_offset(const ContentWriter *w)
{
        return w->offset;
}

int content_writer_restart(ContentWriter *w, BerthError **err)
{
        if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
                return berth_error(err, errno, "truncate ingest `%s`", w->name);
        digest_sha256_reset(w->hash);
        w->offset = 0;
        return 0;
}

int content_writer_write(ContentWriter *w, const void *data, size_t len, BerthError **err)
{
        int r;

        if (w->expected_size >= 0 && w->offset + len > (uint64_t)w->expected_size) {
                w->corrupt = true;
                return berth_error_plain(err, EMSGSIZE,
                                   "blob `%s` is larger than the %" PRIi64 " bytes expected",
                                   w->expected ?: "(unnamed)", w->expected_size);
        }
        r = fs_write_all_fd(w->fd, data, len);
        if (r < 0)
                return berth_error(err, r, "write blob `%s`", w->expected ?: "(unnamed)");
        digest_sha256_update(w->hash, data, len);
        w->offset += len;
        return 0;
}

int content_writer_commit(ContentWriter *w, char ret_digest[DIGEST_STRING_MAX], BerthError **err)
{
        ContentStore *s = w->store;
        char actual[DIGEST_STRING_MAX];
        const char *hex;
        int r;

        digest_sha256_final(w->hash, actual);
        if (w->expected_size >= 0 && w->offset != (uint64_t)w->expected_size) {
                w->corrupt = w->offset > (uint64_t)w->expected_size;
                return berth_error_plain(err, EIO, "blob `%s` is truncated: %" PRIu64 " of %" PRIi64
                                   " bytes", w->expected ?: actual, w->offset, w->expected_size);
        }
        if (w->expected && !streq(actual, w->expected)) {
                w->corrupt = true;
                return berth_error_plain(err, EUCLEAN, "digest mismatch: expected %s, got %s",
                                   w->expected, actual);
        }
        hex = digest_hex(actual);
        r = content_store_has(s, actual, NULL);
        if (r < 0)
                return berth_error(err, r, "look up blob `%s`", actual);
        if (r == 0) {
                if (fchmod(w->fd, 0644) < 0 || fsync(w->fd) < 0)
                        return berth_error(err, errno, "sync blob `%s`", actual);
                if (renameat(s->ingest_fd, w->name, s->blobs_fd, hex) < 0)
                        return berth_error(err, errno, "commit blob `%s`", actual);
                (void)fsync(s->blobs_fd);
        } else
                (void)unlinkat(s->ingest_fd, w->name, 0);
        w->committed = true;
        if (ret_digest)
                memcpy(ret_digest, actual, DIGEST_STRING_MAX);
        return 0;
}

void content_writer_discard(ContentWriter *w)
{
        if (w)
                w->corrupt = true;
}

void content_writer_free(ContentWriter *w)
{
        if (!w)
                return;
        if (!w->committed && w->name && (!w->resumable || w->corrupt))
                (void)unlinkat(w->store->ingest_fd, w->name, 0);
        safe_close(w->fd);
        digest_sha256_free(w->hash);
        free(w->name);
        free(w->expected);
        free(w);
}
