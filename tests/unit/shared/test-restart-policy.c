/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --restart: the policies, when each restarts, and Docker's backoff. */
#include <errno.h>

#include "shared/restart-policy.h"
#include "tap.h"

TEST(restart_policies)
{
        BerthError *err = NULL;
        RestartPolicy p;

        ASSERT_OK(restart_policy_parse("no", &p, NULL));
        ASSERT_EQ(p.kind, RESTART_NO);
        ASSERT_FALSE(restart_policy_wants(&p, 1, 0, false));
        ASSERT_OK(restart_policy_parse("on-failure:3", &p, NULL));
        ASSERT_EQ(p.kind, RESTART_ON_FAILURE);
        ASSERT_EQ(p.max_retries, 3);
        ASSERT_TRUE(restart_policy_wants(&p, 1, 2, false));
        ASSERT_FALSE(restart_policy_wants(&p, 1, 3, false));
        ASSERT_FALSE(restart_policy_wants(&p, 0, 0, false));
        ASSERT_OK(restart_policy_parse("always", &p, NULL));
        ASSERT_TRUE(restart_policy_wants(&p, 0, 100, false));
        ASSERT_FALSE(restart_policy_wants(&p, 0, 100, true));
        ASSERT_OK(restart_policy_parse("unless-stopped", &p, NULL));
        ASSERT_STREQ(restart_policy_name(p.kind), "unless-stopped");

        ASSERT_EQ(restart_policy_parse("always:3", &p, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "goes only with on-failure");
        berth_error_free(&err);
        ASSERT_EQ(restart_policy_parse("sometimes", &p, &err), -EINVAL);
        ASSERT_CONTAINS(err->msg, "--restart: `sometimes`: the policy is one of");
        berth_error_free(&err);
        ASSERT_EQ(restart_policy_parse("on-failure:x", &p, &err), -EINVAL);
        berth_error_free(&err);

        ASSERT_EQ(restart_policy_backoff_usec(0, 0), 100000);
        ASSERT_EQ(restart_policy_backoff_usec(100000, 1000), 200000);
        ASSERT_EQ(restart_policy_backoff_usec(40000000, 1000), 60000000);
        ASSERT_EQ(restart_policy_backoff_usec(60000000, 1000), 60000000);
        ASSERT_EQ(restart_policy_backoff_usec(60000000, 10000000), 100000);
        return 0;
}
