/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --restart: see restart-policy.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "shared/restart-policy.h"

#define BACKOFF_FIRST_USEC 100000ULL
#define BACKOFF_MAX_USEC 60000000ULL
#define BACKOFF_RESET_USEC 10000000ULL

static const char *const names[] = {
        [RESTART_NO] = "no",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ALWAYS] = "always",
        [RESTART_UNLESS_STOPPED] = "unless-stopped",
};

const char *restart_policy_name(RestartPolicyKind kind)
{
        return kind < ELEMENTSOF(names) ? names[kind] : NULL;
}

const char *restart_policy_format(const RestartPolicy *p, char *buf, size_t size)
{
        const char *name = restart_policy_name(p->kind) ?: "no";

        if (p->kind == RESTART_ON_FAILURE && p->max_retries)
                snprintf(buf, size, "%s:%u", name, p->max_retries);
        else
                snprintf(buf, size, "%s", name);
        return buf;
}

int restart_policy_parse(const char *s, RestartPolicy *ret, BerthError **err)
{
        const char *colon = strchr(s, ':');
        size_t len = colon ? (size_t)(colon - s) : strlen(s);
        RestartPolicy p = { 0 };
        size_t i;

        for (i = 0; i < ELEMENTSOF(names); i++)
                if (strlen(names[i]) == len && strncmp(s, names[i], len) == 0)
                        break;
        if (i == ELEMENTSOF(names))
                return berth_error_plain(err, EINVAL, "--restart: `%s`: the policy is one of no, "
                                         "on-failure[:max-retries], always, unless-stopped", s);
        p.kind = (RestartPolicyKind)i;
        if (colon) {
                int n;
                if (p.kind != RESTART_ON_FAILURE)
                        return berth_error_plain(err, EINVAL, "--restart: `%s`: a maximum retry "
                                                 "count goes only with on-failure", s);
                if (string_safe_atoi(colon + 1, &n) < 0 || n < 0)
                        return berth_error_plain(err, EINVAL, "--restart: `%s`: the maximum "
                                                 "retry count is no number of 0 or more", s);
                p.max_retries = (unsigned)n;
        }
        *ret = p;
        return 0;
}

bool restart_policy_wants(const RestartPolicy *p, int exit_code, unsigned restart_count,
                          bool stopped_by_user)
{
        if (stopped_by_user)
                return false;
        switch (p->kind) {
        case RESTART_NO:
                return false;
        case RESTART_ON_FAILURE:
                return exit_code != 0 && (p->max_retries == 0 || restart_count < p->max_retries);
        case RESTART_ALWAYS:
        case RESTART_UNLESS_STOPPED:
                return true;
        }
        return false;
}

uint64_t restart_policy_backoff_usec(uint64_t previous_usec, uint64_t ran_usec)
{
        if (previous_usec == 0 || ran_usec >= BACKOFF_RESET_USEC)
                return BACKOFF_FIRST_USEC;
        return MIN(previous_usec * 2, BACKOFF_MAX_USEC);
}
