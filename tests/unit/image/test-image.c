/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the image stack's parsers and the content store. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "basic/confine.h"
#include "basic/dir-stack.h"
#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "content/content-store.h"
#include "content/digest.h"
#include "image/auth.h"
#include "image/compress.h"
#include "image/image-config.h"
#include "image/image-store.h"
#include "image/layer-stream.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "snapshot/copy-tree.h"

#define ASSERT_STREQ_(a, b)                                                                        \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                             \
                        TAP_FAIL("%s == %s: '%s' != '%s'", #a, #b, _a ?: "(null)",                \
                                 _b ?: "(null)");                                                  \
        } while (0)

static int check_ref(const char *in, const char *registry, const char *repo, const char *tag,
                     const char *digest)
{
        Reference *r = NULL;
        BerthError *err = NULL;
        int rc = 0;

        if (reference_parse(in, &r, &err) < 0) {
                printf("# %s: %s\n", in, err ? err->msg : "?");
                berth_error_free(&err);
                return 1;
        }
        if (strcmp(r->registry, registry) || strcmp(r->repository, repo) ||
            (tag ? !r->tag || strcmp(r->tag, tag) : r->tag != NULL) ||
            (digest ? !r->digest || strcmp(r->digest, digest) : r->digest != NULL)) {
                printf("# %s -> %s / %s : %s @ %s\n", in, r->registry, r->repository,
                       r->tag ?: "-", r->digest ?: "-");
                rc = 1;
        }
        reference_free(r);
        return rc;
}

#define D1 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

TEST(reference_parse)
{
        ASSERT_TRUE(!check_ref("busybox", "docker.io", "library/busybox", "latest", NULL));
        ASSERT_TRUE(!check_ref("user/app:1.2", "docker.io", "user/app", "1.2", NULL));
        ASSERT_TRUE(!check_ref("localhost/busybox", "localhost", "busybox", "latest", NULL));
        ASSERT_TRUE(!check_ref("localhost:5000/a/b:c", "localhost:5000", "a/b", "c", NULL));
        ASSERT_TRUE(!check_ref("quay.io/x/y@" D1, "quay.io", "x/y", NULL, D1));
        ASSERT_TRUE(!check_ref("127.0.0.1:5000/x:t@" D1, "127.0.0.1:5000", "x", "t", D1));

        const char *bad[] = { "", "UPPER/case", "a//b", "x:", "x@sha256:abc", "-x", "x:-t",
                              "a/b:c:d" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                Reference *r = NULL;
                BerthError *err = NULL;
                if (reference_parse(bad[i], &r, &err) >= 0) {
                        reference_free(r);
                        TAP_FAIL("accepted '%s'", bad[i]);
                }
                berth_error_free(&err);
        }
        return 0;
}

static int clean(const char *in, const char *want)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", in);
        confine_clean_path(buf);
        if (strcmp(buf, want) != 0) {
                printf("# clean('%s') = '%s', want '%s'\n", in, buf, want);
                return 1;
        }
        return 0;
}

TEST(confine_clean_path)
{
        ASSERT_TRUE(!clean("a/b/c", "a/b/c"));
        ASSERT_TRUE(!clean("./a//b/", "a/b"));
        ASSERT_TRUE(!clean("/etc/passwd", "etc/passwd"));
        ASSERT_TRUE(!clean("../../x", "x"));
        ASSERT_TRUE(!clean("a/../../b", "b"));
        ASSERT_TRUE(!clean("a/b/../c", "a/c"));
        ASSERT_TRUE(!clean("..", ""));
        ASSERT_TRUE(!clean("/", ""));
        ASSERT_TRUE(!clean("a/./b/.", "a/b"));
        ASSERT_TRUE(!clean("..a/b..", "..a/b.."));
        return 0;
}

TEST(confine_open_stays_inside)
{
        char tmpl[] = "/tmp/berth-test-confine-XXXXXX";
        ASSERT_NOT_NULL(mkdtemp(tmpl));
        int root = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root >= 0);
        ASSERT_EQ(symlinkat("/", root, "up"), 0);
        ASSERT_EQ(symlinkat("../../../..", root, "dots"), 0);
        ASSERT_EQ(mkdirat(root, "etc", 0755), 0);
        int fd = confine_open(root, "up/etc/berth-confine-test", O_WRONLY | O_CREAT | O_EXCL,
                              0644);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        ASSERT_TRUE(faccessat(root, "etc/berth-confine-test", F_OK, 0) == 0);
        ASSERT_TRUE(access("/etc/berth-confine-test", F_OK) < 0);
        const char *name;
        fd = confine_open_parent(root, "dots/new/dir/file", true, &name);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        ASSERT_STREQ_(name, "file");
        ASSERT_TRUE(faccessat(root, "new/dir", F_OK, 0) == 0);
        close(root);
        ASSERT_EQ(fs_rm_rf(tmpl), 0);
        return 0;
}

TEST(manifest_parse)
{
        static const char good[] =
                "{\"schemaVersion\":2,\"mediaType\":\"" MT_OCI_MANIFEST "\","
                "\"config\":{\"mediaType\":\"" MT_OCI_CONFIG "\",\"digest\":\"" D1
                "\",\"size\":3},\"layers\":[{\"mediaType\":\"" MT_OCI_LAYER_ZSTD
                "\",\"digest\":\"" D1 "\",\"size\":10}]}";
        static const char idx[] =
                "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" MT_OCI_MANIFEST
                "\",\"digest\":\"" D1 "\",\"size\":1,\"platform\":{\"os\":\"linux\","
                "\"architecture\":\"arm\",\"variant\":\"v6\"}},{\"mediaType\":\"" MT_OCI_MANIFEST
                "\",\"digest\":\"" D1 "\",\"size\":2,\"platform\":{\"os\":\"linux\","
                "\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";
        Manifest *m = NULL;
        BerthError *err = NULL;

        ASSERT_EQ(manifest_parse(good, strlen(good), NULL, &m, &err), 0);
        ASSERT_EQ(m->kind, MANIFEST_IMAGE);
        ASSERT_EQ(m->n_layers, 1);
        ASSERT_EQ(m->layers[0].size, 10);
        manifest_free(m);
        m = NULL;

        ASSERT_EQ(manifest_parse(idx, strlen(idx), NULL, &m, &err), 0);
        ASSERT_EQ(m->kind, MANIFEST_INDEX);
        Platform want = { .os = "linux", .architecture = "arm", .variant = "v7" };
        ASSERT_EQ(manifest_select_platform(m, &want), 1);
        want.variant = NULL;
        ASSERT_EQ(manifest_select_platform(m, &want), 0);
        want.architecture = "s390x";
        ASSERT_EQ(manifest_select_platform(m, &want), -ENOENT);
        manifest_free(m);

        const char *bad[] = {
                "", "[]", "{\"schemaVersion\":2}", "{\"schemaVersion\":1,\"config\":{}}",
                "{\"schemaVersion\":2,\"mediaType\":\"application/x-other\"}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:00\","
                "\"size\":1},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                "\",\"size\":-1},\"layers\":[]}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                "\",\"size\":1},\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D1
                "\",\"size\":1}]}",
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D1
                "\",\"size\":1},\"layers\":{}}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                m = NULL;
                if (manifest_parse(bad[i], strlen(bad[i]), NULL, &m, &err) >= 0) {
                        manifest_free(m);
                        TAP_FAIL("accepted bad manifest %zu", i);
                }
                ASSERT_NOT_NULL(err);
                berth_error_free(&err);
        }
        return 0;
}

TEST(chain_ids)
{
        char *diffs[] = { D1, "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
                          NULL };
        char **chains = NULL;
        char want[DIGEST_STRING_MAX];
        const char *s = D1 " sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba98765"
                           "43210";

        ASSERT_EQ(manifest_chain_ids(diffs, 2, &chains), 0);
        ASSERT_STREQ_(chains[0], D1);
        digest_sha256_buffer(s, strlen(s), want);
        ASSERT_STREQ_(chains[1], want);
        strv_free(chains);
        return 0;
}

TEST(digests)
{
        char d[DIGEST_STRING_MAX];
        digest_sha256_buffer("abc", 3, d);
        ASSERT_STREQ_(d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        ASSERT_TRUE(digest_is_valid(d));
        ASSERT_FALSE(digest_is_valid("sha256:BA7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        ASSERT_FALSE(digest_is_valid("sha512:ba"));
        ASSERT_FALSE(digest_is_valid(D1 "0"));
        return 0;
}

TEST(auth_challenge_and_base64)
{
        AuthChallenge c = {};
        ASSERT_EQ(auth_challenge_parse("Bearer realm=\"https://auth.example/token\","
                                       "service=\"reg\",scope=\"repository:a/b:pull,push\"",
                                       &c),
                  0);
        ASSERT_STREQ_(c.scheme, "Bearer");
        ASSERT_STREQ_(c.realm, "https://auth.example/token");
        ASSERT_STREQ_(c.service, "reg");
        ASSERT_STREQ_(c.scope, "repository:a/b:pull,push");
        auth_challenge_done(&c);
        ASSERT_EQ(auth_challenge_parse("Basic realm=\"x\"", &c), 0);
        ASSERT_STREQ_(c.scheme, "Basic");
        auth_challenge_done(&c);

        char *e = NULL, *dcd = NULL;
        size_t n = 0;
        ASSERT_EQ(auth_base64_encode("user:pässword", strlen("user:pässword"), &e), 0);
        ASSERT_EQ(auth_base64_decode(e, &dcd, &n), 0);
        ASSERT_STREQ_(dcd, "user:pässword");
        ASSERT_EQ(n, strlen("user:pässword"));
        free(e);
        free(dcd);
        ASSERT_TRUE(auth_base64_decode("abc", &dcd, NULL) < 0);
        return 0;
}

TEST(content_store)
{
        char tmpl[] = "/tmp/berth-test-cs-XXXXXX";
        ContentStore *cs = NULL;
        ContentWriter *w = NULL;
        BerthError *err = NULL;
        char d[DIGEST_STRING_MAX], got[DIGEST_STRING_MAX];
        char *data = NULL;
        size_t n = 0;

        ASSERT_NOT_NULL(mkdtemp(tmpl));
        ASSERT_EQ(content_store_open(tmpl, &cs, &err), 0);
        digest_sha256_buffer("hello world", 11, d);

        /* a mismatch: nothing stored, the ingest gone */
        ASSERT_EQ(content_writer_open(cs, d, 11, false, &w, &err), 0);
        ASSERT_EQ(content_writer_write(w, "hello WORLD", 11, &err), 0);
        ASSERT_TRUE(content_writer_commit(w, got, &err) < 0);
        ASSERT_NOT_NULL(strstr(err->msg, "digest mismatch"));
        berth_error_free(&err);
        content_writer_free(w);
        ASSERT_EQ(content_store_has(cs, d, NULL), 0);

        /* an interrupted write is resumed */
        ASSERT_EQ(content_writer_open(cs, d, 11, true, &w, &err), 0);
        ASSERT_EQ(content_writer_write(w, "hello", 5, &err), 0);
        content_writer_free(w);
        ASSERT_EQ(content_writer_open(cs, d, 11, true, &w, &err), 0);
        ASSERT_EQ(content_writer_offset(w), 5);
        ASSERT_EQ(content_writer_write(w, " world", 6, &err), 0);
        ASSERT_EQ(content_writer_commit(w, got, &err), 0);
        content_writer_free(w);
        ASSERT_STREQ_(got, d);
        ASSERT_EQ(content_store_has(cs, d, NULL), 1);

        /* too long */
        ASSERT_EQ(content_writer_open(cs, NULL, 3, false, &w, &err), 0);
        ASSERT_TRUE(content_writer_write(w, "abcd", 4, &err) < 0);
        berth_error_free(&err);
        content_writer_free(w);

        ASSERT_EQ(content_store_read_blob(cs, d, &data, &n, &err), 0);
        ASSERT_EQ(n, 11);
        free(data);
        char **list = NULL;
        ASSERT_EQ(content_store_list(cs, &list), 0);
        ASSERT_EQ(strv_length(list), 1);
        strv_free(list);
        content_store_free(cs);
        ASSERT_EQ(fs_rm_rf(tmpl), 0);
        return 0;
}

TEST(image_run_config)
{
        static const char cfg[] =
                "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/init\"],"
                "\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"Env\":[\"PATH=/bin\",\"A=b\"],"
                "\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\",\"StopSignal\":\"SIGINT\","
                "\"ExposedPorts\":{\"80/tcp\":{}},\"Volumes\":{\"/data\":{}},"
                "\"Labels\":{\"k\":\"v\"}},\"rootfs\":{\"type\":\"layers\","
                "\"diff_ids\":[]}}";
        ImageRunConfig *c = NULL;
        BerthError *err = NULL;

        ASSERT_EQ(image_run_config_parse(cfg, strlen(cfg), &c, &err), 0);
        ASSERT_STREQ_(c->entrypoint[0], "/init");
        ASSERT_EQ(strv_length(c->cmd), 3);
        ASSERT_STREQ_(c->cmd[2], "echo hi");
        ASSERT_STREQ_(c->env[1], "A=b");
        ASSERT_STREQ_(c->working_dir, "/srv");
        ASSERT_STREQ_(c->user, "1000:1000");
        ASSERT_STREQ_(c->stop_signal, "SIGINT");
        ASSERT_STREQ_(c->exposed_ports[0], "80/tcp");
        ASSERT_STREQ_(c->volumes[0], "/data");
        ASSERT_STREQ_(c->labels[0], "k=v");
        image_run_config_free(c);

        /* nothing set: all NULL; a wrong type: an error naming the field */
        ASSERT_EQ(image_run_config_parse("{}", 2, &c, &err), 0);
        ASSERT_NULL(c->cmd);
        ASSERT_NULL(c->working_dir);
        image_run_config_free(c);
        const char *bad = "{\"config\":{\"Cmd\":\"sh\"}}";
        ASSERT_TRUE(image_run_config_parse(bad, strlen(bad), &c, &err) < 0);
        ASSERT_STREQ(err->msg, "image config: `config.Cmd`: expected an array, got string");
        berth_error_free(&err);
        return 0;
}

/* A chain of depth directories "d" below dfd, a file at the bottom and a read-only directory
 * half way; returns 0 or -errno. */
static int make_chain(int dfd, int depth)
{
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        for (int i = 0; i < depth && fd >= 0; i++) {
                if (mkdirat(fd, "d", 0755) < 0)
                        return -errno;
                int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (i == depth / 2)
                        (void)fchmod(sub, 0555); /* copied with its contents first */
                close(fd);
                fd = sub;
        }
        if (fd < 0)
                return -errno;
        int f = openat(fd, "bottom", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (f < 0 || linkat(fd, "bottom", fd, "bottom-link", 0) < 0) {
                int r = -errno;
                safe_close(f);
                close(fd);
                return r;
        }
        close(f);
        close(fd);
        return 0;
}

/* How deep the chain below dfd goes, following "d"; -1 when the bottom file is missing. */
static int chain_depth(int dfd)
{
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3), depth = 0;
        for (;;) {
                int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        break;
                close(fd);
                fd = sub;
                depth++;
        }
        struct stat a, b;
        /* the hardlink at the bottom stays one */
        bool bottom = fstatat(fd, "bottom", &a, AT_SYMLINK_NOFOLLOW) == 0 &&
                      fstatat(fd, "bottom-link", &b, AT_SYMLINK_NOFOLLOW) == 0 &&
                      a.st_ino == b.st_ino;
        close(fd);
        return bottom ? depth : -1;
}

TEST(deep_trees_without_recursion)
{
        /* deeper than the C stack takes by recursion, with fewer fds than levels */
        char tmpl[] = "/tmp/berth-test-deep-XXXXXX";
        struct rlimit old, few = { 64, 64 };
        const int depth = 3000;

        ASSERT_NOT_NULL(mkdtemp(tmpl));
        int root = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(root >= 0);
        ASSERT_EQ(mkdirat(root, "src", 0755), 0);
        ASSERT_EQ(mkdirat(root, "dst", 0755), 0);
        int src = openat(root, "src", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int dst = openat(root, "dst", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_TRUE(src >= 0 && dst >= 0);
        ASSERT_EQ(make_chain(src, depth), 0);
        /* more hardlinked files than fds */
        for (int i = 0; i < 200; i++) {
                char n[32], l[32];
                snprintf(n, sizeof(n), "f%d", i);
                snprintf(l, sizeof(l), "l%d", i);
                int f = openat(src, n, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                ASSERT_TRUE(f >= 0);
                close(f);
                ASSERT_EQ(linkat(src, n, src, l, 0), 0);
        }

        ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
        few.rlim_max = old.rlim_max;
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &few), 0);
        int r = copy_tree(src, dst);
        int q = fs_rm_rf_at(root, "src");
        ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
        ASSERT_EQ(r, 0);
        ASSERT_EQ(q, 0);
        ASSERT_EQ(chain_depth(dst), depth);
        for (int i = 0; i < 200; i += 37) {
                char n[32], l[32];
                struct stat a, b;
                snprintf(n, sizeof(n), "f%d", i);
                snprintf(l, sizeof(l), "l%d", i);
                ASSERT_EQ(fstatat(dst, n, &a, 0), 0);
                ASSERT_EQ(fstatat(dst, l, &b, 0), 0);
                ASSERT_TRUE(a.st_ino == b.st_ino);
        }
        ASSERT_TRUE(faccessat(root, "src", F_OK, AT_SYMLINK_NOFOLLOW) < 0);

        /* the read-only directory was filled before it got its mode */
        int fd = fcntl(dst, F_DUPFD_CLOEXEC, 3);
        for (int i = 0; i <= depth / 2; i++) {
                int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                ASSERT_TRUE(sub >= 0);
                close(fd);
                fd = sub;
        }
        struct stat st;
        ASSERT_EQ(fstat(fd, &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0555);
        close(fd);

        /* a walk that finds its way up moved refuses to go on */
        DirStack s = {};
        int top = fcntl(dst, F_DUPFD_CLOEXEC, 3);
        ASSERT_EQ(dir_stack_push(&s, top, NULL, true), 0);
        int sub = openat(top, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_EQ(dir_stack_push(&s, sub, "d", true), 0);
        ASSERT_EQ(renameat(dst, "d", root, "moved"), 0);
        ASSERT_EQ(dir_stack_pop(&s, &sub), -ESTALE);
        close(sub);
        close(top);
        dir_stack_done(&s);

        close(src);
        close(dst);
        close(root);
        ASSERT_EQ(fs_rm_rf(tmpl), 0);
        return 0;
}

TEST(compress_for_push)
{
        char tmpl[] = "/tmp/berth-test-compress-XXXXXX";
        ContentStore *cs = NULL;
        Store *md = NULL;
        BerthError *err = NULL;
        char plain[DIGEST_STRING_MAX];
        size_t len = 3 << 20; /* more than one read */
        char *data = malloc(len);

        ASSERT_NOT_NULL(data);
        for (size_t i = 0; i < len; i++)
                data[i] = (char)("berth"[i % 5] + (i >> 16));
        ASSERT_NOT_NULL(mkdtemp(tmpl));
        ASSERT_EQ(content_store_open(tmpl, &cs, &err), 0);
        const StoreModule *const modules[] = { &image_store_module, NULL };
        ASSERT_EQ(store_open(tmpl, modules, &md, &err), 0);
        char *stored = NULL;
        ASSERT_EQ(content_store_put(cs, data, len, NULL, &stored, &err), 0);
        snprintf(plain, sizeof(plain), "%s", stored);
        free(stored);

        for (Compression c = 0; c < _COMPRESSION_MAX; c++) {
                char d[DIGEST_STRING_MAX], again[DIGEST_STRING_MAX];
                int64_t size = 0, size2 = 0;
                LayerStream *ls = NULL;
                int fd = -1;

                ASSERT_EQ(compress_blob(cs, md, plain, c, d, &size, &err), 0);
                ASSERT_TRUE(size > 0 && size < (int64_t)len);
                ASSERT_TRUE(!streq(d, plain));
                /* reads back as the same bytes, through the reader pulls use */
                ASSERT_EQ(content_store_open_blob(cs, d, &fd, &err), 0);
                ASSERT_EQ(layer_stream_open(fd, d, &ls, &err), 0);
                ASSERT_EQ(layer_stream_compression(ls),
                          c == COMPRESSION_GZIP ? LAYER_GZIP : LAYER_ZSTD);
                char *back = malloc(len + 1);
                size_t got = 0;
                ssize_t n;
                while ((n = layer_stream_read(ls, back + got, len + 1 - got, &err)) > 0)
                        got += (size_t)n;
                ASSERT_EQ(n, 0);
                ASSERT_EQ(got, len);
                ASSERT_TRUE(memcmp(back, data, len) == 0);
                free(back);
                layer_stream_free(ls);
                close(fd);
                /* remembered: the same blob again */
                ASSERT_EQ(compress_blob(cs, md, plain, c, again, &size2, &err), 0);
                ASSERT_STREQ_(again, d);
                ASSERT_EQ(size2, size);
        }
        ASSERT_EQ(compress_from_string("lz4", &(Compression){ 0 }), -EINVAL);
        store_free(md);
        content_store_free(cs);
        free(data);
        ASSERT_EQ(fs_rm_rf(tmpl), 0);
        return 0;
}
