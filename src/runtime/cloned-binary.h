/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CVE-2019-5736: a process in the container must never be able to write to the runtime's
 * binary through /proc/<pid>/exe. Before entering a container the runtime re-executes itself
 * from a sealed, read-only memfd copy, so /proc/self/exe is that copy.
 */
#pragma once

/* Returns 0 when already running from a sealed copy; otherwise re-executes (and does not
 * return) or returns -errno. */
int cloned_binary_ensure(char **argv);
/* A sealed, read-only memfd copy of the running binary, to execute a child from. */
int cloned_binary_memfd(int *ret);
/* Executes fd, a sealed memfd made exec-only (mode 0111), without the execve() making the
 * process dumpable again (the init and exec's process must stay so until the container's own
 * program replaces them: their environ, fds and memory are the runtime's). Returns -errno. */
int exec_sealed_nondumpable(int fd, char *const *argv, char *const *envp);
