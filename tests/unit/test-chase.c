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
        ASSERT_OK(rm_rf(tmpl));
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
        ASSERT_OK(rm_rf(tmpl));
        return 0;
}
