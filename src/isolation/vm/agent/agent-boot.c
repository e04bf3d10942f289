/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the guest needs before any container: /proc, /sys, /dev, the kernel modules the host
 * packed (virtio transport, console, 9p; listed in load order in /modules.list), cgroup2, and
 * the virtio-serial port named AGENT_PORT_NAME that carries the frames to the host.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "isolation/vm/agent/agent.h"

static int load_modules(void)
{
        FILE *f = fopen("/modules.list", "re");
        char line[256];

        if (!f)
                return errno == ENOENT ? 0 : -errno;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                if (!line[0] || strchr(line, '/'))
                        continue;
                char path[300];
                snprintf(path, sizeof(path), "/modules/%s", line);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        agent_log("module %s: %m", line);
                        continue;
                }
                if (syscall(SYS_finit_module, fd, "", 0) < 0 && errno != EEXIST)
                        agent_log("load module %s: %m", line);
                close(fd);
        }
        fclose(f);
        return 0;
}

int agent_boot(void)
{
        static const struct {
                const char *src, *dst, *type;
                unsigned long flags;
                const char *data;
        } mounts[] = {
                { "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
                { "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
                { "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
                { "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755" },
                { "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
        };
        int r = load_modules();
        if (r < 0)
                return r;
        /* pivot_root(2) cannot leave the initramfs: the guest's root becomes a tmpfs first, so
         * the container's mount namespace can pivot away from it as on any host. */
        if (mkdir("/newroot", 0755) < 0 ||
            mount("tmpfs", "/newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0 ||
            chdir("/newroot") < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0 ||
            chdir("/") < 0) {
                agent_log("move onto a tmpfs root: %m");
                return -errno;
        }
        for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
                mkdir(mounts[i].dst, 0755); /* /sys/fs/cgroup comes with sysfs */
                if (mount(mounts[i].src, mounts[i].dst, mounts[i].type, mounts[i].flags,
                          mounts[i].data) < 0) {
                        agent_log("mount %s: %m", mounts[i].dst);
                        return -errno;
                }
        }
        return 0;
}

/* The port's device node: /sys/class/virtio-ports/vportNpM/name holds the name qemu gave it. */
static int find_port(char *buf, size_t size)
{
        DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *de;
        int r = -ENOENT;

        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char p[300], name[64] = "";
                if (de->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof(p), "/sys/class/virtio-ports/%s/name", de->d_name);
                FILE *f = fopen(p, "re");
                if (!f)
                        continue;
                if (fgets(name, sizeof(name), f))
                        name[strcspn(name, "\n")] = 0;
                fclose(f);
                if (strcmp(name, AGENT_PORT_NAME) == 0) {
                        snprintf(buf, size, "/dev/%s", de->d_name);
                        r = 0;
                        break;
                }
        }
        closedir(d);
        return r;
}

int agent_open_port(void)
{
        char path[300];

        /* The port shows up when the device's control queue has announced it: wait a little. */
        for (int i = 0; i < 500; i++) {
                if (find_port(path, sizeof(path)) == 0) {
                        int fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
                        if (fd >= 0)
                                return fd;
                }
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
        agent_log("no virtio-serial port named %s", AGENT_PORT_NAME);
        return -ENOENT;
}
