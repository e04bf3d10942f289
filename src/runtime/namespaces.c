/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>

#include "basic/fs-util.h"
#include "runtime/clone.h"
#include "runtime/namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const int clone_flags[_SPEC_NS_MAX] = {
        [SPEC_NS_PID] = CLONE_NEWPID,   [SPEC_NS_NETWORK] = CLONE_NEWNET,
        [SPEC_NS_MOUNT] = CLONE_NEWNS,  [SPEC_NS_IPC] = CLONE_NEWIPC,
        [SPEC_NS_UTS] = CLONE_NEWUTS,   [SPEC_NS_USER] = CLONE_NEWUSER,
        [SPEC_NS_CGROUP] = CLONE_NEWCGROUP, [SPEC_NS_TIME] = CLONE_NEWTIME,
};

int namespaces_clone_flag(SpecNamespaceType t)
{
        return clone_flags[t];
}

static bool ns_new(const SpecLinux *l, SpecNamespaceType t)
{
        return l && l->namespaces[t].present && !l->namespaces[t].path;
}

static bool ns_joined(const SpecLinux *l, SpecNamespaceType t)
{
        return l && l->namespaces[t].present && l->namespaces[t].path;
}

unsigned long namespaces_new_flags(const SpecLinux *l)
{
        unsigned long f = 0;
        for (int t = 0; t < _SPEC_NS_MAX; t++)
                if (ns_new(l, t))
                        f |= (unsigned long)clone_flags[t];
        return f;
}

bool namespaces_need_intermediate(const SpecLinux *l)
{
        if (ns_joined(l, SPEC_NS_PID) || ns_joined(l, SPEC_NS_USER))
                return true;
        if (ns_new(l, SPEC_NS_USER))
                for (int t = 0; t < _SPEC_NS_MAX; t++)
                        if (ns_joined(l, t))
                                return true;
        return false;
}

int namespaces_join(const SpecLinux *l, const SpecNamespaceType *types, size_t n, BerthError **err)
{
        for (size_t i = 0; i < n; i++) {
                SpecNamespaceType t = types[i];
                if (!ns_joined(l, t))
                        continue;
                const char *path = l->namespaces[t].path;
                _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return berth_error(err, errno, "open %s namespace `%s`",
                                           spec_namespace_name(t), path);
                if (setns(fd, clone_flags[t]) < 0)
                        return berth_error(err, errno, "join %s namespace `%s`",
                                           spec_namespace_name(t), path);
        }
        return 0;
}

/* what: the config field the mappings come from, "linux" or "mounts[3]". */
/* Writes the mappings to fd, an open uid_map or gid_map (file) of path. */
static int write_map_fd(int fd, const char *path, const char *file, const SpecIdMapping *m,
                        size_t n, const char *what, BerthError **err)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return berth_error(err, errno, "write %s", file);
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
        fclose(f);
        if (write(fd, buf, size) != (ssize_t)size)
                return berth_error(err, errno, "write %s.%s to `%s` (\"%s\")", what,
                                   streq(file, "uid_map") ? "uidMappings" : "gidMappings", path,
                                   buf);
        return 0;
}

static int write_map(pid_t pid, const char *file, const SpecIdMapping *m, size_t n,
                     const char *what, BerthError **err)
{
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return berth_error(err, errno, "open `%s`", path);
        return write_map_fd(fd, path, file, m, n, what, err);
}

int namespaces_write_id_maps(pid_t pid, const SpecLinux *l, BerthError **err)
{
        int r;

        if (l->n_uid_mappings == 0 || l->n_gid_mappings == 0)
                return berth_error(err, 0, "linux.uidMappings and linux.gidMappings are required "
                                           "for a new user namespace");
        r = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, "linux", err);
        if (r < 0)
                return r;
        return write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, "linux", err);
}

int namespaces_write_id_maps_fds(const int fds[3], const SpecLinux *l, BerthError **err)
{
        int r;

        if (l->n_uid_mappings == 0 || l->n_gid_mappings == 0)
                return berth_error(err, 0, "linux.uidMappings and linux.gidMappings are required "
                                           "for a new user namespace");
        /* Without CAP_SETGID over the parent namespace a gid_map needs setgroups denied. */
        if (write(fds[2], "deny", 4) != 4)
                return berth_error(err, errno, "write \"deny\" to the init's setgroups");
        r = write_map_fd(fds[0], "the init's uid_map", "uid_map", l->uid_mappings,
                         l->n_uid_mappings, "linux", err);
        if (r < 0)
                return r;
        return write_map_fd(fds[1], "the init's gid_map", "gid_map", l->gid_mappings,
                            l->n_gid_mappings, "linux", err);
}

int namespaces_userns_fd(const SpecIdMapping *uids, size_t n_uids, const SpecIdMapping *gids,
                         size_t n_gids, const char *what, int *ret, BerthError **err)
{
        _cleanup_close_pair_ int p[2] = { -1, -1 };
        char path[64];
        int r;

        if (pipe2(p, O_CLOEXEC) < 0)
                return berth_error(err, errno, "%s: user namespace for the mappings", what);
        pid_t pid = clone_child(CLONE_NEWUSER, -1, NULL);
        if (pid < 0)
                return berth_error(err, -pid, "%s: create a user namespace for the mappings", what);
        if (pid == 0) {
                char c;
                p[1] = safe_close(p[1]);
                (void)!read(p[0], &c, 1); /* until the maps are written and the ns is open */
                _exit(0);
        }
        p[0] = safe_close(p[0]);
        r = write_map(pid, "uid_map", uids, n_uids, what, err);
        if (r >= 0)
                r = write_map(pid, "gid_map", gids, n_gids, what, err);
        if (r >= 0) {
                snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
                *ret = open(path, O_RDONLY | O_CLOEXEC);
                if (*ret < 0)
                        r = berth_error(err, errno, "%s: open `%s`", what, path);
        }
        p[1] = safe_close(p[1]);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r;
}

int namespaces_enter_new_time(const SpecLinux *l, BerthError **err)
{
        char buf[128];
        size_t n = 0;

        if (unshare(CLONE_NEWTIME) < 0)
                return berth_error(err, errno, "create time namespace");
        if (l->time_offsets.has_monotonic)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "monotonic %lld %u\n",
                                      (long long)l->time_offsets.monotonic_secs,
                                      l->time_offsets.monotonic_nanosecs);
        if (l->time_offsets.has_boottime)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "boottime %lld %u\n",
                                      (long long)l->time_offsets.boottime_secs,
                                      l->time_offsets.boottime_nanosecs);
        if (n > 0) {
                /* One write per clock: the kernel takes one line at a time reliably. */
                for (char *line = buf, *nl; *line; line = nl + 1) {
                        nl = strchr(line, '\n');
                        *nl = 0;
                        int r = fs_write_string_file("/proc/self/timens_offsets", line);
                        if (r < 0)
                                return berth_error(err, r, "write linux.timeOffsets (`%s`)", line);
                }
        }
        _cleanup_close_ int fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return berth_error(err, errno, "open the new time namespace");
        if (setns(fd, CLONE_NEWTIME) < 0)
                return berth_error(err, errno, "enter the new time namespace");
        return 0;
}
