/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VM templating (vm-template.h): the template's place and lock, and the QMP it takes. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/socket-util.h"
#include "isolation/vm/vm-template.h"

static uint64_t fnv(uint64_t h, const char *s)
{
        for (; s && *s; s++)
                h = (h ^ (unsigned char)*s) * 1099511628211ULL;
        return (h ^ 0xff) * 1099511628211ULL;
}

/* The kernel's and initramfs's names already carry hashes of their contents (and the
 * initramfs's of the agent's, vm-assets.c); the layout version changes with the device set
 * that qemu_argv() gives a template. */
#define VM_TEMPLATE_LAYOUT "1"

char *vm_template_dir(const VmAssets *as, unsigned memory_mib, unsigned vcpus)
{
        char shape[64], *dir = NULL;
        uint64_t h = 14695981039346656037ULL;

        snprintf(shape, sizeof(shape), "%u %u " VM_TEMPLATE_LAYOUT, memory_mib, vcpus);
        h = fnv(h, as->qemu);
        h = fnv(h, as->kernel);
        h = fnv(h, as->initrd);
        h = fnv(h, as->tsc_khz);
        h = fnv(h, shape);
        const char *slash = strrchr(as->kernel, '/');
        int n = slash ? (int)(slash - as->kernel) : 1;
        if (asprintf(&dir, "%.*s/template-%016llx", n, slash ? as->kernel : ".",
                     (unsigned long long)h) < 0)
                return NULL;
        return dir;
}

int vm_template_lock(const char *dir)
{
        char path[4096];

        snprintf(path, sizeof(path), "%s.lock", dir);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
        }
        return fd;
}

void vm_template_prune(const char *dir)
{
        const char *slash = strrchr(dir, '/');
        char cache[4096], oldest[300] = "";
        if (!slash || (size_t)(slash - dir) >= sizeof(cache))
                return;
        snprintf(cache, sizeof(cache), "%.*s", (int)(slash - dir), dir);
        for (;;) {
                _cleanup_closedir_ DIR *d = opendir(cache);
                struct dirent *de;
                struct timespec t = {};
                unsigned n = 0;
                if (!d)
                        return;
                oldest[0] = 0;
                while ((de = readdir(d))) {
                        struct stat st;
                        if (strncmp(de->d_name, "template-", 9) != 0 || strchr(de->d_name, '.') ||
                            streq(de->d_name, slash + 1) ||
                            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISDIR(st.st_mode))
                                continue;
                        n++;
                        if (!oldest[0] || st.st_mtim.tv_sec < t.tv_sec) {
                                t = st.st_mtim;
                                snprintf(oldest, sizeof(oldest), "%s", de->d_name);
                        }
                }
                /* The one just made counts too. */
                if (n + 1 <= VM_TEMPLATE_MAX || !oldest[0])
                        return;
                char path[4400];
                snprintf(path, sizeof(path), "%s/%s", cache, oldest);
                /* Not waiting: whoever holds it may be pruning too, and hold ours. */
                char lpath[4500];
                snprintf(lpath, sizeof(lpath), "%s.lock", path);
                _cleanup_close_ int lock = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                                                0600);
                if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) < 0 || fs_rm_rf(path) < 0)
                        return;
        }
}

static long elapsed_ms(const struct timespec *t0)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The next reply (not an event) from qemu: a line into buf. 0, or -EIO for an "error". */
static int qmp_reply(int fd, char *buf, size_t size, int timeout_ms)
{
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                size_t n = 0;
                /* Byte by byte: replies are short, and nothing of the next may be eaten. */
                for (;;) {
                        long left = timeout_ms - elapsed_ms(&t0);
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        if (left <= 0)
                                return -ETIMEDOUT;
                        int r = poll(&p, 1, (int)left);
                        if (r < 0 && errno == EINTR)
                                continue;
                        if (r < 0)
                                return -errno;
                        if (r == 0)
                                return -ETIMEDOUT;
                        char c;
                        ssize_t k = read(fd, &c, 1);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0)
                                return k < 0 ? -errno : -EPIPE;
                        if (c == '\n')
                                break;
                        if (n + 1 < size)
                                buf[n++] = c;
                }
                buf[n] = 0;
                if (strstr(buf, "\"event\""))
                        continue;
                return strstr(buf, "\"error\"") ? -EIO : 0;
        }
}

static int qmp_cmd(int fd, const char *cmd, int pass_fd, char *buf, size_t size, int timeout_ms)
{
        int r = pass_fd >= 0 ? socket_send_fds(fd, cmd, strlen(cmd), &pass_fd, 1)
                             : (write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) ? 0 : -EPIPE);
        if (r < 0)
                return r;
        return qmp_reply(fd, buf, size, timeout_ms);
}

#define QMP(fd, cmd, timeout)                                                                      \
        do {                                                                                       \
                int _r = qmp_cmd((fd), (cmd), -1, buf, sizeof(buf), (timeout));                   \
                if (_r < 0)                                                                        \
                        return _r;                                                                 \
        } while (0)

int vm_qmp_open(int fd, int timeout_ms)
{
        char buf[1024];
        int r = qmp_reply(fd, buf, sizeof(buf), timeout_ms); /* the greeting */
        if (r < 0)
                return r;
        QMP(fd, "{\"execute\":\"qmp_capabilities\"}", timeout_ms);
        /* The guest's RAM is the memory file, shared or mapped: not in the stream. */
        QMP(fd,
            "{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":"
            "[{\"capability\":\"x-ignore-shared\",\"state\":true}]}}",
            timeout_ms);
        return 0;
}

/* Polls query-migrate until the stream is done. */
static int qmp_wait_migration(int fd, int timeout_ms)
{
        char buf[2048];
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (elapsed_ms(&t0) < timeout_ms) {
                QMP(fd, "{\"execute\":\"query-migrate\"}", timeout_ms);
                if (strstr(buf, "\"completed\""))
                        return 0;
                if (strstr(buf, "\"failed\"") || strstr(buf, "\"cancelled\""))
                        return -EIO;
                nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
        }
        return -ETIMEDOUT;
}

int vm_qmp_save(int fd, int state_fd, int timeout_ms)
{
        char buf[1024];
        QMP(fd, "{\"execute\":\"stop\"}", timeout_ms);
        /* qemu 7.2 has no file: migration, and its sandbox forbids exec:; the file is passed. */
        int r = qmp_cmd(fd, "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"state\"}}",
                        state_fd, buf, sizeof(buf), timeout_ms);
        if (r < 0)
                return r;
        QMP(fd, "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"fd:state\"}}", timeout_ms);
        r = qmp_wait_migration(fd, timeout_ms);
        if (r < 0)
                return r;
        QMP(fd, "{\"execute\":\"quit\"}", timeout_ms);
        return 0;
}

int vm_qmp_load(int fd, int qemu_state_fd, int timeout_ms)
{
        char buf[1024], cmd[128];
        snprintf(cmd, sizeof(cmd),
                 "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"fd:%d\"}}",
                 qemu_state_fd);
        QMP(fd, cmd, timeout_ms);
        int r = qmp_wait_migration(fd, timeout_ms);
        if (r < 0)
                return r;
        QMP(fd, "{\"execute\":\"cont\"}", timeout_ms);
        return 0;
}
