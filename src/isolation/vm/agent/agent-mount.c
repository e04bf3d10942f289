/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's filesystem inside the guest, in its own mount namespace: the spec's mounts
 * under the rootfs (the host's virtio-9p share), the default device nodes, then pivot_root.
 * Bind mounts arrive as "share" mounts: the agent mounted each 9p share the host made for one
 * under /run/berth/shares/<tag> before the container's namespace was made, and binds from
 * there. Everything here is the guest's: a link that escapes the rootfs reaches only the
 * agent's own initramfs, never the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "isolation/vm/agent/agent.h"

static const struct {
        const char *name;
        bool clear;
        unsigned long flag;
} flag_words[] = {
        { "ro", false, MS_RDONLY },         { "rw", true, MS_RDONLY },
        { "nosuid", false, MS_NOSUID },     { "suid", true, MS_NOSUID },
        { "nodev", false, MS_NODEV },       { "dev", true, MS_NODEV },
        { "noexec", false, MS_NOEXEC },     { "exec", true, MS_NOEXEC },
        { "sync", false, MS_SYNCHRONOUS },  { "async", true, MS_SYNCHRONOUS },
        { "dirsync", false, MS_DIRSYNC },   { "noatime", false, MS_NOATIME },
        { "atime", true, MS_NOATIME },      { "nodiratime", false, MS_NODIRATIME },
        { "diratime", true, MS_NODIRATIME }, { "relatime", false, MS_RELATIME },
        { "norelatime", true, MS_RELATIME }, { "strictatime", false, MS_STRICTATIME },
        { "bind", false, MS_BIND },         { "rbind", false, MS_BIND | MS_REC },
};

static const struct {
        const char *name;
        unsigned long flag;
} propagation_words[] = {
        { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
        { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
        { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
        { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

int agent_parse_mount_options(const char *opts, unsigned long *ret_flags,
                              unsigned long *ret_propagation, char **ret_data, bool *ret_bind)
{
        unsigned long flags = 0, prop = 0;
        char *copy = strdup(opts ? opts : ""), *save = NULL;
        char *data = calloc(1, strlen(opts ? opts : "") + 1);

        if (!copy || !data) {
                free(copy);
                free(data);
                return -ENOMEM;
        }
        for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
                bool known = false;
                for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++)
                        if (strcmp(w, flag_words[i].name) == 0) {
                                if (flag_words[i].clear)
                                        flags &= ~flag_words[i].flag;
                                else
                                        flags |= flag_words[i].flag;
                                known = true;
                        }
                for (size_t i = 0; i < sizeof(propagation_words) / sizeof(propagation_words[0]);
                     i++)
                        if (strcmp(w, propagation_words[i].name) == 0) {
                                prop = propagation_words[i].flag;
                                known = true;
                        }
                if (known)
                        continue;
                if (data[0])
                        strcat(data, ",");
                strcat(data, w);
        }
        free(copy);
        *ret_flags = flags & ~(MS_BIND | MS_REC);
        *ret_propagation = prop;
        *ret_bind = flags & MS_BIND;
        *ret_data = data;
        return 0;
}

/* A bind of a file needs a file to mount on. */
static int make_target(const char *target, bool file)
{
        char parent[PATH_MAX];
        if (!file)
                return fs_mkdir_p(target, 0755);
        snprintf(parent, sizeof(parent), "%s", target);
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
                *slash = 0;
                int r = fs_mkdir_p(parent, 0755);
                if (r < 0)
                        return r;
        }
        int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0 && errno != EISDIR)
                return -errno;
        if (fd >= 0)
                close(fd);
        return 0;
}

static int mount_one(const AgentMount *m)
{
        char target[PATH_MAX], source[PATH_MAX];
        unsigned long flags, prop;
        char *data = NULL;
        bool bind;
        int r;

        if (snprintf(target, sizeof(target), "%s%s", AGENT_ROOTFS, m->destination) >=
            (int)sizeof(target))
                return -ENAMETOOLONG;
        r = agent_parse_mount_options(m->options, &flags, &prop, &data, &bind);
        if (r < 0)
                return r;
        if (strcmp(m->type, "share") == 0) {
                /* source: "<tag>" or "<tag>/<file>" below that share's mount point. */
                struct stat st;
                snprintf(source, sizeof(source), "/run/berth/shares/%s", m->source);
                if (stat(source, &st) < 0) {
                        r = -errno;
                        goto out;
                }
                r = make_target(target, !S_ISDIR(st.st_mode));
                if (r >= 0 && mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                        r = -errno;
                if (r >= 0 && flags &&
                    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | flags, NULL) < 0)
                        r = -errno;
        } else {
                const char *type = m->type;
                if (strcmp(type, "cgroup") == 0)
                        type = "cgroup2"; /* the guest has only the unified hierarchy */
                r = make_target(target, false);
                if (r >= 0 && mount(m->source, target, type, flags, data[0] ? data : NULL) < 0)
                        r = -errno;
        }
        if (r >= 0 && prop && mount(NULL, target, NULL, prop, NULL) < 0)
                r = -errno;
out:
        free(data);
        return r;
}

/* The nodes every container gets when its /dev is a fresh tmpfs, as in process mode. */
static int make_default_devices(void)
{
        static const struct {
                const char *name;
                unsigned maj, min;
        } devs[] = {
                { "null", 1, 3 }, { "zero", 1, 5 },    { "full", 1, 7 },
                { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
        };
        static const struct {
                const char *name, *target;
        } links[] = {
                { "ptmx", "pts/ptmx" },       { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" }, { "core", "/proc/kcore" },
        };
        char p[PATH_MAX];

        for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
                snprintf(p, sizeof(p), "%s/dev/%s", AGENT_ROOTFS, devs[i].name);
                if (mknod(p, S_IFCHR | 0666, makedev(devs[i].maj, devs[i].min)) < 0 &&
                    errno != EEXIST)
                        return -errno;
                (void)chmod(p, 0666);
        }
        for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
                snprintf(p, sizeof(p), "%s/dev/%s", AGENT_ROOTFS, links[i].name);
                if (symlink(links[i].target, p) < 0 && errno != EEXIST)
                        return -errno;
        }
        return 0;
}

int agent_setup_rootfs(const AgentContainer *c, const char **ret_what)
{
        bool dev_tmpfs = false;
        int r;

        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                *ret_what = "make / private";
                return -errno;
        }
        for (size_t i = 0; i < c->n_mounts; i++) {
                r = mount_one(&c->mounts[i]);
                if (r < 0) {
                        *ret_what = c->mounts[i].destination;
                        return r;
                }
                if (strcmp(c->mounts[i].destination, "/dev") == 0)
                        dev_tmpfs = strcmp(c->mounts[i].type, "tmpfs") == 0;
        }
        if (dev_tmpfs && (r = make_default_devices()) < 0) {
                *ret_what = "/dev";
                return r;
        }
        for (size_t i = 0; i < c->n_readonly; i++) {
                char p[PATH_MAX];
                snprintf(p, sizeof(p), "%s%s", AGENT_ROOTFS, c->readonly[i]);
                if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
                        if (errno == ENOENT)
                                continue;
                        *ret_what = c->readonly[i];
                        return -errno;
                }
                if (mount(NULL, p, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
                                             MS_NOEXEC, NULL) < 0) {
                        *ret_what = c->readonly[i];
                        return -errno;
                }
        }
        for (size_t i = 0; i < c->n_masked; i++) {
                char p[PATH_MAX];
                struct stat st;
                snprintf(p, sizeof(p), "%s%s", AGENT_ROOTFS, c->masked[i]);
                if (lstat(p, &st) < 0)
                        continue;
                r = S_ISDIR(st.st_mode) ? mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0")
                                        : mount("/dev/null", p, NULL, MS_BIND, NULL);
                if (r < 0) {
                        *ret_what = c->masked[i];
                        return -errno;
                }
        }
        if (chdir(AGENT_ROOTFS) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
            umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
                *ret_what = "pivot_root";
                return -errno;
        }
        if (c->readonly_root &&
            mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
                *ret_what = "read-only /";
                return -errno;
        }
        return 0;
}
