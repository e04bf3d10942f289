/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --restart: the policy (no, on-failure[:N], always, unless-stopped) and Docker's backoff
 * between restarts. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "basic/error.h"

typedef enum RestartPolicyKind {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        RESTART_UNLESS_STOPPED,
} RestartPolicyKind;

typedef struct RestartPolicy {
        RestartPolicyKind kind;
        unsigned max_retries;   /* on-failure only; 0: no limit */
} RestartPolicy;

int restart_policy_parse(const char *s, RestartPolicy *ret, BerthError **err);
/* The policy as --restart takes it ("on-failure:3", "always"), into buf. */
const char *restart_policy_format(const RestartPolicy *p, char *buf, size_t size);
/* "no", "on-failure:3", ...: Docker's inspect shows the name and MaximumRetryCount apart. */
const char *restart_policy_name(RestartPolicyKind kind);

/* Whether a container that exited with exit_code after restart_count restarts is started
 * again; stopped_by_user is a stop, kill or the engine stopping it. */
bool restart_policy_wants(const RestartPolicy *p, int exit_code, unsigned restart_count,
                          bool stopped_by_user);
/* Docker's backoff: 100 ms, doubled on each restart up to a minute, back to 100 ms once the
 * container ran for 10 s. Returns the delay before the next start. */
uint64_t restart_policy_backoff_usec(uint64_t previous_usec, uint64_t ran_usec);
