/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Snapshot keys and the copy snapshotter's life cycle (no mount: that needs root and is the
 * integration tests'). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "snapshot/snapshot.h"
#include "tap.h"

#define K1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define K2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

TEST(key_names)
{
        ASSERT_STREQ(snapshot_key_name(K1), &K1[7]);
        ASSERT_STREQ(snapshot_key_name("x:abc_D9"), "abc_D9");
        ASSERT_NULL(snapshot_key_name(NULL));
        ASSERT_NULL(snapshot_key_name("abc"));
        ASSERT_NULL(snapshot_key_name(":abc"));
        ASSERT_NULL(snapshot_key_name("sha256:"));
        ASSERT_NULL(snapshot_key_name("sha256:../x"));
        ASSERT_NULL(snapshot_key_name("sha256:a/b"));
        ASSERT_NULL(snapshot_key_name("sha256:.."));
        ASSERT_NULL(snapshot_key_name("sha256:tmp-1"));
        ASSERT_NULL(snapshot_key_name("SHA:abc"));
        ASSERT_NULL(snapshot_key_name("a/b:abc"));
        return 0;
}

TEST(names)
{
        ASSERT_STREQ(snapshotter_name_at(0), "overlay");
        ASSERT_STREQ(snapshotter_name_at(1), "copy");
        ASSERT_NULL(snapshotter_name_at(2));
        ASSERT_TRUE(snapshotter_name_is_valid("copy"));
        ASSERT_FALSE(snapshotter_name_is_valid("zfs"));
        ASSERT_FALSE(snapshotter_name_is_valid(NULL));
        ASSERT_TRUE(snapshotter_name_is_valid(snapshotter_default_name()));
        return 0;
}

static int write_file(int dfd, const char *name, const char *s)
{
        _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return -1;
        return fs_write_all_fd(fd, s, strlen(s));
}

TEST(copy_life_cycle)
{
        char root[] = "/tmp/berth-snapshot-XXXXXX";
        const StoreModule *const mods[] = { &snapshot_store_module, NULL };
        const SnapshotterOptions opts = { .name = "copy" };
        _cleanup_free_ char *p = NULL, *f = NULL;
        char **keys = NULL;
        Store *st = NULL;
        Snapshotter *s = NULL, *flat = NULL;
        SnapshotTx *tx = NULL;
        BerthError *err = NULL;

        ASSERT_NOT_NULL(mkdtemp(root));
        ASSERT_OK(store_open(root, mods, &st, &err));
        ASSERT_OK(snapshotter_open(st, root, &opts, &s, &err));
        ASSERT_STREQ(snapshotter_name(s), "copy");
        ASSERT_FALSE(snapshotter_stacks_layers(s));
        ASSERT_FAIL(snapshot_prepare(s, "sha256:../evil", NULL, &tx, &err));
        berth_error_free(&err);

        ASSERT_OK(snapshot_prepare(s, K1, NULL, &tx, &err));
        ASSERT_OK(write_file(tx->fd, "one", "1"));
        ASSERT_EQ(snapshot_exists(s, K1), 0);
        ASSERT_OK(snapshot_commit(tx, K1, &err));
        snapshot_tx_free(tx);
        ASSERT_EQ(snapshot_exists(s, K1), 1);
        /* a copy snapshot starts as its parent's whole tree */
        ASSERT_OK(snapshot_prepare(s, K2, K1, &tx, &err));
        ASSERT_OK(write_file(tx->fd, "two", "2"));
        ASSERT_OK(snapshot_commit(tx, K2, &err));
        snapshot_tx_free(tx);
        /* on disk as always: <root>/snapshots/copy/<hex> */
        ASSERT_OK(snapshot_path(s, K2, &p));
        ASSERT_OK(asprintf(&f, "%s/snapshots/copy/%s/one", root, &K2[7]));
        ASSERT_EQ(strncmp(p, f, strlen(p)), 0);
        ASSERT_OK(access(f, F_OK));
        ASSERT_TRUE(snapshot_usage(s, K2) > 0);

        ASSERT_OK(snapshot_list(s, &keys, &err));
        ASSERT_EQ(strv_length(keys), 2);
        strv_free(keys);
        ASSERT_OK(snapshot_remove(s, K1, &err));
        ASSERT_EQ(snapshot_exists(s, K1), 0);
        ASSERT_OK(snapshot_list(s, &keys, &err));
        ASSERT_EQ(strv_length(keys), 1);
        ASSERT_STREQ(keys[0], K2);
        strv_free(keys);

        /* an abandoned prepare leaves nothing */
        ASSERT_OK(snapshot_prepare(s, K1, NULL, &tx, &err));
        snapshot_tx_free(tx);
        ASSERT_OK(snapshot_clean_tmp(s));
        ASSERT_EQ(snapshot_exists(s, K1), 0);

        ASSERT_OK(snapshotter_open_flat(s, &flat, &err));
        ASSERT_STREQ(snapshotter_name(flat), "copy");
        snapshotter_free(flat);
        snapshotter_free(s);
        store_free(st);
        ASSERT_NULL(err);
        ASSERT_OK(fs_rm_rf(root));
        return 0;
}
