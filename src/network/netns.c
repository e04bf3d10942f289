/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Network namespaces held by a bind-mounted nsfs file: see netns.h. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/macro.h"
#include "network/netns.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static bool name_is_safe(const char *name)
{
        if (!*name || strlen(name) > 128 || streq(name, ".") || streq(name, ".."))
                return false;
        for (const char *p = name; *p; p++)
                if (*p == '/')
                        return false;
        return true;
}

/* lo up in the namespace the caller is in: a container's namespace made by its runtime has it
 * up, one made here has to match (the only link no CNI plugin of ours sets up). */
static int loopback_up(void)
{
        struct ifreq ifr = { .ifr_name = "lo" };
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

        if (fd < 0)
                return -errno;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                r = -errno;
        else {
                ifr.ifr_flags |= IFF_UP;
                if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                        r = -errno;
        }
        close(fd);
        return r;
}

bool netns_is_held(const char *path)
{
        struct statfs fs;
        return statfs(path, &fs) == 0 && fs.f_type == NSFS_MAGIC;
}

int netns_create(const char *dir, const char *name, char **ret_path, BerthError **err)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int status;
        pid_t pid;

        if (!name_is_safe(name))
                return berth_error_plain(err, EINVAL, "network namespace name `%s`", name);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return berth_error(err, errno, "create `%s`", dir);
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return berth_error(err, ENOMEM, "network namespace");
        fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                return berth_error(err, errno, "create `%s`", path);

        /* A child makes the namespace and pins it on the file; it shares our mount namespace,
         * so the mount is ours. Threads of the caller are untouched. */
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                (void)unlink(path);
                return berth_error(err, -r, "fork");
        }
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                if (loopback_up() < 0)
                        _exit(3);
                if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        _exit(2);
                _exit(0);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = -1;
                        break;
                }
        if (status != 0) {
                (void)unlink(path);
                return berth_error_plain(err, EPERM, "create the network namespace `%s`: %s",
                                         path, WIFEXITED(status) && WEXITSTATUS(status) == 1
                                                       ? "unshare failed"
                                                 : WIFEXITED(status) && WEXITSTATUS(status) == 3
                                                       ? "its loopback did not come up"
                                                       : "its bind mount failed");
        }
        *ret_path = TAKE_PTR(path);
        return 0;
}

int netns_remove(const char *path, BerthError **err)
{
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return berth_error(err, errno, "unmount `%s`", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return berth_error(err, errno, "remove `%s`", path);
        return 0;
}
