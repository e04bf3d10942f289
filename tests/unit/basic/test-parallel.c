/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parallel worker loop: every index once, the first failure wins and stops new work. */
#include <stdatomic.h>
#include <string.h>

#include "basic/parallel.h"
#include "tap.h"

typedef struct Count {
        atomic_int seen[64];
        size_t fail_at;
} Count;

static int visit(void *userdata, size_t i, BerthError **err)
{
        Count *c = userdata;

        atomic_fetch_add(&c->seen[i], 1);
        if (i == c->fail_at)
                return berth_error_plain(err, EIO, "item %zu failed", i);
        return 0;
}

TEST(every_index_once)
{
        for (size_t threads = 1; threads <= 8; threads *= 2) {
                Count c = { .fail_at = SIZE_MAX };
                BerthError *err = NULL;

                ASSERT_EQ(parallel_for(64, threads, visit, &c, &err), 0);
                ASSERT_NULL(err);
                for (size_t i = 0; i < 64; i++)
                        ASSERT_EQ(atomic_load(&c.seen[i]), 1);
        }
        return 0;
}

TEST(first_failure_is_returned)
{
        Count c = { .fail_at = 3 };
        BerthError *err = NULL;

        ASSERT_EQ(parallel_for(64, 4, visit, &c, &err), -EIO);
        ASSERT_NOT_NULL(err);
        ASSERT_STREQ(err->msg, "item 3 failed");
        berth_error_free(&err);
        /* one item: run in the caller */
        Count one = { .fail_at = SIZE_MAX };
        ASSERT_EQ(parallel_for(1, 4, visit, &one, NULL), 0);
        ASSERT_EQ(atomic_load(&one.seen[0]), 1);
        return 0;
}
