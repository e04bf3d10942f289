/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "basic/chase.h"
#include "basic/fs-util.h"
#include "tap.h"

static int make_root(char *tmpl)
{
        if (!mkdtemp(tmpl))
                return -errno;
        return open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

TEST(symlink_out_is_clamped)
{
        char tmpl[] = "/tmp/berth-chase-XXXXXX";
        _cleanup_close_ int root = make_root(tmpl);
        struct stat st;

        ASSERT_TRUE(root >= 0);
        ASSERT_OK(symlinkat("/etc", root, "evil"));
        ASSERT_OK(symlinkat("../../../../", root, "up"));
        /* Creating through a link to /etc lands in <root>/etc, never in the host's /etc. */
        int fd = chase_in_root(root, "/evil/berth-chase-test", CHASE_MKDIR, 0755, 0);
        ASSERT_OK(fd);
        close(fd);
        ASSERT_EQ(access("/etc/berth-chase-test", F_OK), -1);
        ASSERT_OK(fstatat(root, "etc/berth-chase-test", &st, 0));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        fd = chase_in_root(root, "up/up/x/file", CHASE_MKDIR_FILE, 0644, 0);
        ASSERT_OK(fd);
        close(fd);
        ASSERT_OK(fstatat(root, "x/file", &st, 0));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_OK(fs_rm_rf(tmpl));
        return 0;
}

TEST(dangling_link_target_is_created_inside)
{
        char tmpl[] = "/tmp/berth-chase-XXXXXX";
        _cleanup_close_ int root = make_root(tmpl);
        struct stat st;

        ASSERT_TRUE(root >= 0);
        ASSERT_OK(symlinkat("/missing/f", root, "file-link"));
        ASSERT_OK(symlinkat("../../gone/d", root, "dir-link"));
        /* The last component a dangling link: its target is made as what was asked for. */
        int fd = chase_in_root(root, "/file-link", CHASE_MKDIR_FILE, 0640, 0);
        ASSERT_OK(fd);
        close(fd);
        ASSERT_OK(fstatat(root, "missing/f", &st, 0));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_EQ(st.st_mode & 0777, 0640);
        fd = chase_in_root(root, "/dir-link", CHASE_MKDIR, 0700, 0);
        ASSERT_OK(fd);
        close(fd);
        ASSERT_OK(fstatat(root, "gone/d", &st, 0));
        ASSERT_TRUE(S_ISDIR(st.st_mode));
        /* and in the middle of a path */
        ASSERT_OK(symlinkat("/mid", root, "mid-link"));
        fd = chase_in_root(root, "/mid-link/a/b", CHASE_MKDIR_FILE, 0644, 0);
        ASSERT_OK(fd);
        close(fd);
        ASSERT_OK(fstatat(root, "mid/a/b", &st, 0));
        ASSERT_TRUE(S_ISREG(st.st_mode));
        ASSERT_OK(fs_rm_rf(tmpl));
        return 0;
}

TEST(missing_without_create)
{
        char tmpl[] = "/tmp/berth-chase-XXXXXX";
        _cleanup_close_ int root = make_root(tmpl);

        ASSERT_TRUE(root >= 0);
        ASSERT_EQ(chase_in_root(root, "/no/such", CHASE_NO_CREATE, 0, 0), -ENOENT);
        int fd = chase_in_root(root, "/", CHASE_NO_CREATE, 0, O_DIRECTORY);
        ASSERT_OK(fd);
        close(fd);
        ASSERT_OK(fs_rm_rf(tmpl));
        return 0;
}
