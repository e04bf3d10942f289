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
typedef struct SyscallFilter SyscallFilter;
int syscall_filter_build(const SpecSeccomp *s, SyscallFilter **ret, BerthError **err);
/* Loads it into the calling process (the container's init, right before execve). With
 * SCMP_ACT_NOTIFY rules, *ret_notify_fd gets the listener fd (else -1). Does not need
 * no_new_privs when the caller has CAP_SYS_ADMIN; sets TSYNC etc. per linux.seccomp.flags. */
int syscall_filter_load(SyscallFilter *f, int *ret_notify_fd, BerthError **err);
void syscall_filter_free(SyscallFilter *f);
/* The compiled classic BPF program, for tests and debugging. */
struct sock_filter;
const struct sock_filter *syscall_filter_program(const SyscallFilter *f, size_t *ret_n);
/* Sends the notify fd and the container state to linux.seccomp.listenerPath, in the shape runc
 * uses (a JSON "ContainerProcessState" with "fds": ["seccompFd"], the fd by SCM_RIGHTS). */
int syscall_filter_send_listener(const char *listener_path, const char *metadata, int notify_fd,
                          const char *state_json, BerthError **err);
/* Whether the profile lets every call of syscall through, whatever its arguments: a rule for
 * it with arguments or another action, or a default that is not ALLOW/LOG, says no. */
bool syscall_filter_spec_allows(const SpecSeccomp *s, const char *syscall);
/* For `features`: NULL-terminated lists of supported actions, operators, archs, flags. */
extern const char *const seccomp_actions[], *const seccomp_operators[], *const seccomp_archs[],
        *const seccomp_flags[];

static inline void syscall_filter_freep(SyscallFilter **f)
{
        if (*f)
                syscall_filter_free(*f);
}
#define _cleanup_syscall_filter_ _cleanup_(syscall_filter_freep)
