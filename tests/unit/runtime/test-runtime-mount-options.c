/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/mount.h>
#include <sys/mount.h>

#include "runtime/mount-options.h"
#include "tap.h"

TEST(flags_and_data)
{
        char *opts[] = { "nosuid", "noexec", "ro", "mode=755", "size=65536k", "rw", NULL };
        MountOptions o;

        ASSERT_OK(mount_options_parse(opts, &o));
        ASSERT_EQ(o.flags, MS_NOSUID | MS_NOEXEC);
        ASSERT_STREQ(o.data, "mode=755,size=65536k");
        ASSERT_FALSE(o.bind);
        mount_options_done(&o);
        return 0;
}

TEST(bind_propagation_recursive_attrs)
{
        char *opts[] = { "rbind", "rslave", "rro", "rnosuid", "rrw", NULL };
        MountOptions o;

        ASSERT_OK(mount_options_parse(opts, &o));
        ASSERT_TRUE(o.bind && o.recursive_bind);
        ASSERT_EQ(o.flags, MS_BIND | MS_REC);
        ASSERT_EQ(o.propagation, MS_SLAVE | MS_REC);
        ASSERT_EQ(o.attr_set, MOUNT_ATTR_NOSUID);
        ASSERT_TRUE(o.attr_clr & MOUNT_ATTR_RDONLY);
        ASSERT_NULL(o.data);
        mount_options_done(&o);
        return 0;
}
