/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp of the runtime spec: the filter is compiled to BPF with libseccomp at create
 * time, loaded with one seccomp(2) call in the container's init, and the notify listener fd is
 * handed to linux.seccomp.listenerPath the way runc does.
 */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "spec/runtime-spec.h"

/* Builds the filter of linux.seccomp without loading it (so errors surface at create time in the
 * runtime, before the container exists). */
typedef struct SeccompFilter SeccompFilter;
int seccomp_filter_build(const SpecSeccomp *s, SeccompFilter **ret, BerthError **err);
/* Loads it into the calling process (the container's init, right before execve). With
 * SCMP_ACT_NOTIFY rules, *ret_notify_fd gets the listener fd (else -1). Does not need
 * no_new_privs when the caller has CAP_SYS_ADMIN; sets TSYNC etc. per linux.seccomp.flags. */
int seccomp_filter_load(SeccompFilter *f, int *ret_notify_fd, BerthError **err);
void seccomp_filter_free(SeccompFilter *f);
/* The compiled classic BPF program, for tests and debugging. */
struct sock_filter;
const struct sock_filter *seccomp_filter_program(const SeccompFilter *f, size_t *ret_n);
/* Sends the notify fd and the container state to linux.seccomp.listenerPath, in the shape runc
 * uses (a JSON "ContainerProcessState" with "fds": ["seccompFd"], the fd by SCM_RIGHTS). */
int seccomp_send_listener(const char *listener_path, const char *metadata, int notify_fd,
                          const char *state_json, BerthError **err);
/* Whether the profile lets every call of syscall through, whatever its arguments: a rule for
 * it with arguments or another action, or a default that is not ALLOW/LOG, says no. */
bool seccomp_spec_allows(const SpecSeccomp *s, const char *syscall);
/* For `features`: NULL-terminated lists of supported actions, operators, archs, flags. */
extern const char *const seccomp_actions[], *const seccomp_operators[], *const seccomp_archs[],
        *const seccomp_flags[];

static inline void seccomp_filter_freep(SeccompFilter **f)
{
        if (*f)
                seccomp_filter_free(*f);
}
#define _cleanup_seccomp_filter_ _cleanup_(seccomp_filter_freep)
