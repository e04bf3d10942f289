/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* -u and --group-add resolved in an image's passwd and group files, and those files treated
 * as the outside input they are. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/macro.h"
#include "engine/engine-user.h"
#include "tap.h"

static char root[] = "/tmp/test-engine-user.XXXXXX";

static int rootfd(void)
{
        return open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void put(const char *name, const char *text)
{
        char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", root, name);
        unlink(path);
        f = fopen(path, "we");
        if (f) {
                fputs(text, f);
                fclose(f);
        }
}

static int setup(void)
{
        char path[256];

        if (!mkdtemp(root))
                return -errno;
        snprintf(path, sizeof(path), "%s/etc", root);
        mkdir(path, 0755);
        put("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                          "# a comment\n"
                          "short:x:5\n"
                          "app:x:1000:1000:App:/home/app:/bin/sh\n"
                          "nohome:x:1001:1001::\n");
        put("etc/group", "root:x:0:\n"
                         "app:x:1000:\n"
                         "audio:x:29:app,other\n"
                         "video:x:44:other\n"
                         "staff:x:50:app\n");
        return 0;
}

TEST(users_as_docker_resolves_them)
{
        _cleanup_close_ int fd = -1;
        ExecUser u;

        ASSERT_OK(setup());
        fd = rootfd();
        ASSERT_OK(engine_user_resolve(fd, NULL, NULL, &u, NULL));
        ASSERT_EQ(u.uid, 0);
        ASSERT_EQ(u.gid, 0);
        ASSERT_STREQ(u.home, "/root");
        engine_user_done(&u);

        ASSERT_OK(engine_user_resolve(fd, "app", NULL, &u, NULL));
        ASSERT_EQ(u.uid, 1000);
        ASSERT_EQ(u.gid, 1000);
        ASSERT_STREQ(u.home, "/home/app");
        ASSERT_EQ(u.n_additional_gids, 2);
        ASSERT_EQ(u.additional_gids[0], 29);
        ASSERT_EQ(u.additional_gids[1], 50);
        engine_user_done(&u);

        /* By number, found or not; a group by name or number. */
        ASSERT_OK(engine_user_resolve(fd, "1000:audio", (char *[]){ "video", "7", NULL }, &u,
                                      NULL));
        ASSERT_EQ(u.uid, 1000);
        ASSERT_EQ(u.gid, 29);
        ASSERT_EQ(u.n_additional_gids, 3); /* staff (audio is the primary), video, 7 */
        engine_user_done(&u);
        ASSERT_OK(engine_user_resolve(fd, "4242:4343", NULL, &u, NULL));
        ASSERT_EQ(u.uid, 4242);
        ASSERT_EQ(u.gid, 4343);
        ASSERT_STREQ(u.home, "/");
        engine_user_done(&u);
        ASSERT_OK(engine_user_resolve(fd, "4242", NULL, &u, NULL));
        ASSERT_EQ(u.gid, 0);
        engine_user_done(&u);
        ASSERT_OK(engine_user_resolve(fd, "nohome", NULL, &u, NULL));
        ASSERT_STREQ(u.home, "");
        engine_user_done(&u);
        return 0;
}

TEST(unknown_names_are_errors)
{
        _cleanup_close_ int fd = rootfd();
        BerthError *err = NULL;
        ExecUser u;

        ASSERT_EQ(engine_user_resolve(fd, "nobody", NULL, &u, &err), -ENOENT);
        ASSERT_STREQ(err->msg, "-u: no user `nobody` in the image's /etc/passwd");
        berth_error_free(&err);
        ASSERT_EQ(engine_user_resolve(fd, "app:wheel", NULL, &u, &err), -ENOENT);
        ASSERT_STREQ(err->msg, "-u: no group `wheel` in the image's /etc/group");
        berth_error_free(&err);
        ASSERT_EQ(engine_user_resolve(fd, "app", (char *[]){ "nogroup", NULL }, &u, &err),
                  -ENOENT);
        ASSERT_STREQ(err->msg, "--group-add: no group `nogroup` in the image's /etc/group");
        berth_error_free(&err);
        ASSERT_EQ(engine_user_resolve(fd, ":0", NULL, &u, &err), -EINVAL);
        berth_error_free(&err);
        ASSERT_EQ(engine_user_resolve(fd, "app:", NULL, &u, &err), -EINVAL);
        berth_error_free(&err);
        return 0;
}

TEST(hostile_files)
{
        _cleanup_close_ int fd = rootfd();
        BerthError *err = NULL;
        char path[256];
        ExecUser u;

        /* A link out of the rootfs is resolved inside it: the image's own /etc/group... */
        snprintf(path, sizeof(path), "%s/etc/passwd", root);
        unlink(path);
        ASSERT_OK(symlink("/etc/group", path));
        ASSERT_EQ(engine_user_resolve(fd, "app", NULL, &u, &err), -ENOENT);
        berth_error_free(&err);
        /* ...a FIFO does not hang, /dev/zero does not eat the memory. */
        unlink(path);
        ASSERT_OK(mkfifo(path, 0644));
        ASSERT_TRUE(engine_user_resolve(fd, "app", NULL, &u, &err) < 0);
        ASSERT_CONTAINS(err->msg, "the image's");
        berth_error_free(&err);
        unlink(path);
        ASSERT_OK(symlink("../../../../dev/zero", path));
        ASSERT_TRUE(engine_user_resolve(fd, "app", NULL, &u, &err) < 0);
        berth_error_free(&err);
        /* No passwd at all: numbers still work, names do not. */
        unlink(path);
        ASSERT_OK(engine_user_resolve(fd, "12", NULL, &u, NULL));
        ASSERT_EQ(u.uid, 12);
        engine_user_done(&u);
        ASSERT_EQ(engine_user_resolve(fd, "app", NULL, &u, &err), -ENOENT);
        berth_error_free(&err);

        snprintf(path, sizeof(path), "rm -rf '%s'", root);
        ASSERT_OK(system(path));
        return 0;
}
