/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and caching the VM's kernel and initramfs (vm-assets.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "isolation/vm/vm-assets.h"

#ifndef BERTH_LIBEXECDIR
#define BERTH_LIBEXECDIR "/usr/local/libexec"
#endif

/* The modules the agent needs, beyond what Debian's kernel builds in; their dependencies are
 * added from modules.dep. */
static const char *const wanted_modules[] = {
        "virtio_mmio", "virtio_console", "9pnet_virtio", "9p", "virtio_balloon",
};

typedef struct Config {
        char *qemu, *kernel, *modules, *agent, *cache;
} Config;

static void config_done(Config *c)
{
        free(c->qemu);
        free(c->kernel);
        free(c->modules);
        free(c->agent);
        free(c->cache);
}

static int config_load(Config *c, BerthError **err)
{
        _cleanup_fclose_ FILE *f = fopen(VM_CONFIG_FILE, "re");
        char line[PATH_MAX + 32];
        unsigned n = 0;

        if (!f)
                return errno == ENOENT ? 0 : berth_error(err, errno, "%s", VM_CONFIG_FILE);
        while (fgets(line, sizeof(line), f)) {
                n++;
                line[strcspn(line, "\n")] = 0;
                char *s = line + strspn(line, " \t");
                if (!*s || *s == '#')
                        continue;
                char *eq = strchr(s, '=');
                if (!eq)
                        return berth_error(err, 0, "%s:%u: expected key=value", VM_CONFIG_FILE, n);
                *eq = 0;
                char **slot = streq(s, "qemu")      ? &c->qemu
                              : streq(s, "kernel")  ? &c->kernel
                              : streq(s, "modules") ? &c->modules
                              : streq(s, "agent")   ? &c->agent
                              : streq(s, "cache")   ? &c->cache
                                                    : NULL;
                if (!slot)
                        return berth_error(err, 0, "%s:%u: unknown key `%s`", VM_CONFIG_FILE, n, s);
                free(*slot);
                *slot = strdup(eq + 1);
                if (!*slot)
                        return -ENOMEM;
        }
        return 0;
}

static char *find_in_path(const char *path, const char *name)
{
        _cleanup_free_ char *copy = strdup(path);
        char *save = NULL;
        if (!copy)
                return NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *p = NULL;
                if (asprintf(&p, "%s/%s", d, name) < 0)
                        return NULL;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

/* The newest /boot/vmlinuz-<version>, by version order. */
static char *find_kernel(void)
{
        _cleanup_closedir_ DIR *d = opendir("/boot");
        struct dirent *de;
        char *best = NULL;
        if (!d)
                return NULL;
        while ((de = readdir(d))) {
                if (!startswith(de->d_name, "vmlinuz-"))
                        continue;
                if (!best || strverscmp(de->d_name, best) > 0) {
                        free(best);
                        best = strdup(de->d_name);
                }
        }
        if (!best)
                return NULL;
        char *p = NULL;
        int r = asprintf(&p, "/boot/%s", best);
        free(best);
        return r < 0 ? NULL : p;
}

static char *find_agent(void)
{
        char self[PATH_MAX], *p = NULL;
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = 0;
                char *slash = strrchr(self, '/');
                if (slash) {
                        *slash = 0;
                        /* In the build tree: build/src/cmd/berth-runtime/berth-runtime and
                         * build/src/isolation/vm/berth-vm-agent. */
                        if (asprintf(&p, "%s/../../isolation/vm/berth-vm-agent", self) >= 0 &&
                            access(p, X_OK) == 0)
                                return p;
                        free(p);
                        p = NULL;
                }
        }
        if (asprintf(&p, "%s/berth/berth-vm-agent", BERTH_LIBEXECDIR) >= 0 && access(p, X_OK) == 0)
                return p;
        free(p);
        return NULL;
}

static bool endswith_ko(const char *s)
{
        size_t n = strlen(s);
        return n > 3 && streq(s + n - 3, ".ko");
}

/* The host's own files (kernel, modules, agent): regular files only, at most 256 MiB. */
static int slurp(const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > (256 << 20))
                return -EFBIG;
        _cleanup_free_ char *buf = malloc((size_t)st.st_size + 1);
        size_t done = 0;
        if (!buf)
                return -ENOMEM;
        while (done < (size_t)st.st_size) {
                ssize_t k = read(fd, buf + done, (size_t)st.st_size - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EIO;
                done += (size_t)k;
        }
        buf[done] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = done;
        return 0;
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
        const unsigned char *p = data;
        for (size_t i = 0; i < len; i++)
                h = (h ^ p[i]) * 0x100000001b3ULL;
        return h;
}

static uint64_t fnv_stat(uint64_t h, const char *path)
{
        struct stat st;
        char buf[PATH_MAX + 96];
        if (stat(path, &st) < 0)
                return fnv(h, path, strlen(path));
        int n = snprintf(buf, sizeof(buf), "%s %lld %lld.%09ld %llu", path, (long long)st.st_size,
                         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                         (unsigned long long)st.st_ino);
        return fnv(h, buf, (size_t)n);
}

/* Runs argv with stdin from in_fd at in_off and stdout to out_fd; its exit status or -errno. */
static int run_filter(char *const argv[], int in_fd, off_t in_off, int out_fd)
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (lseek(in_fd, in_off, SEEK_SET) < 0 || dup2(in_fd, 0) < 0 ||
                    dup2(out_fd, 1) < 0 || (devnull >= 0 && dup2(devnull, 2) < 0))
                        _exit(126);
                execvp(argv[0], argv);
                _exit(127);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * The uncompressed kernel inside a bzImage: its payload starts at a compression magic; the
 * decompressor stops at the end of that stream. Checked to be an ELF file before it is used.
 */
static int extract_vmlinux(const char *bzimage, const char *dest)
{
        static const struct {
                const char *magic;
                size_t len;
                const char *argv[5];
        } codecs[] = {
                { "\xfd" "7zXZ\0", 6, { "xz", "-dc", "--single-stream", NULL } },
                { "\x28\xb5\x2f\xfd", 4, { "zstd", "-dcq", NULL } },
                { "\x1f\x8b\x08", 3, { "gzip", "-dcq", NULL } },
        };
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r;

        r = slurp(bzimage, &data, &size);
        if (r < 0)
                return r;
        _cleanup_close_ int in = open(bzimage, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return -errno;
        for (size_t c = 0; c < ELEMENTSOF(codecs); c++) {
                char *at = memmem(data, size, codecs[c].magic, codecs[c].len);
                if (!at)
                        continue;
                _cleanup_free_ char *tmp = NULL;
                if (asprintf(&tmp, "%s.tmp.%d", dest, (int)getpid()) < 0)
                        return -ENOMEM;
                _cleanup_close_ int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (out < 0)
                        return -errno;
                r = run_filter((char *const *)codecs[c].argv, in, at - data, out);
                char elf[4] = "";
                int fd = open(tmp, O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                        if (pread(fd, elf, 4, 0) != 4)
                                elf[0] = 0;
                        close(fd);
                }
                /* gzip and zstd complain about the rest of the bzImage after the stream. */
                if (memcmp(elf, "\x7f" "ELF", 4) == 0 && fsync(out) == 0 &&
                    rename(tmp, dest) == 0)
                        return 0;
                (void)unlink(tmp);
                (void)r;
        }
        return -ENOEXEC;
}

/* --- the initramfs: a newc cpio archive written by hand (no cpio binary needed) --- */

typedef struct Cpio {
        int fd;
        unsigned ino;
        off_t off;
} Cpio;

static int cpio_write(Cpio *c, const void *data, size_t len)
{
        int r = fs_write_all_fd(c->fd, data, len);
        if (r < 0)
                return r;
        c->off += (off_t)len;
        return 0;
}

static int cpio_pad(Cpio *c)
{
        static const char zeros[4];
        size_t pad = (4 - (c->off & 3)) & 3;
        return pad ? cpio_write(c, zeros, pad) : 0;
}

static int cpio_entry(Cpio *c, const char *name, mode_t mode, dev_t rdev, const void *data,
                      size_t len)
{
        char hdr[128];
        size_t nl = strlen(name) + 1;
        snprintf(hdr, sizeof(hdr),
                 "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", ++c->ino,
                 (unsigned)mode, 0U, 0U, 1U, 0U, len, 0U, 0U, major(rdev), minor(rdev), nl, 0U);
        int r = cpio_write(c, hdr, 110);
        if (r >= 0)
                r = cpio_write(c, name, nl);
        if (r >= 0)
                r = cpio_pad(c);
        if (r >= 0 && len)
                r = cpio_write(c, data, len);
        if (r >= 0)
                r = cpio_pad(c);
        return r;
}

/*
 * A module's appended signature: the module, the signature, a struct module_signature (12
 * bytes, the signature's length big-endian in its last 4) and this magic. The guest kernel
 * would check it with RSA and SHA-256, which under TCG costs about 10 ms a module; the modules
 * are the host's own files, trusted as much as the kernel beside them, and the guest's kernel
 * does not enforce signatures (no lockdown, no module.sig_enforce), so they go in unsigned and
 * the guest loads them with taint flag E. Returns the size without the signature.
 */
static size_t module_unsigned_size(const char *data, size_t size)
{
        static const char magic[] = "~Module signature appended~\n";
        const size_t ml = sizeof(magic) - 1, sl = 12;

        if (size < ml + sl || memcmp(data + size - ml, magic, ml) != 0)
                return size;
        const unsigned char *ms = (const unsigned char *)data + size - ml - sl;
        uint64_t sig = (uint64_t)ms[8] << 24 | ms[9] << 16 | ms[10] << 8 | ms[11];
        uint64_t extra = ml + sl + sig + ms[3] + ms[4]; /* signer and key id: 0 with PKCS#7 */
        return extra <= size ? size - (size_t)extra : size;
}

static int cpio_file(Cpio *c, const char *name, const char *path, mode_t mode, bool module)
{
        _cleanup_free_ char *data = NULL;
        size_t size;
        int r = slurp(path, &data, &size);
        if (r < 0)
                return r;
        if (module)
                size = module_unsigned_size(data, size);
        return cpio_entry(c, name, S_IFREG | mode, 0, data, size);
}

typedef struct ModList {
        char **names; /* file names, load order */
        char **paths;
} ModList;

/* Adds module `name` after its dependencies, from modules.dep (the host's own files). */
static int add_module(const char *moddir, const char *dep_data, const char *name, ModList *l,
                      unsigned depth)
{
        char key[128];
        if (depth > 16)
                return -ELOOP;
        /* modules.dep lines: "kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko ..." */
        snprintf(key, sizeof(key), "/%s.ko:", name);
        const char *line = strstr(dep_data, key);
        if (!line)
                return -ENOENT;
        while (line > dep_data && line[-1] != '\n')
                line--;
        const char *eol = strchrnul(line, '\n');
        _cleanup_free_ char *copy = strndup(line, (size_t)(eol - line));
        if (!copy)
                return -ENOMEM;
        char *colon = strchr(copy, ':');
        *colon = 0;
        /* Dependencies first: the list after the colon, loaded last-to-first as modprobe does. */
        _cleanup_strv_free_ char **deps = NULL;
        char *save = NULL;
        for (char *d = strtok_r(colon + 1, " ", &save); d; d = strtok_r(NULL, " ", &save))
                if (strv_extend(&deps, d) < 0)
                        return -ENOMEM;
        for (size_t i = strv_length(deps); i > 0; i--) {
                const char *base = strrchr(deps[i - 1], '/');
                base = base ? base + 1 : deps[i - 1];
                _cleanup_free_ char *dn = strndup(base, strcspn(base, "."));
                if (!dn)
                        return -ENOMEM;
                int r = add_module(moddir, dep_data, dn, l, depth + 1);
                if (r < 0)
                        return r;
        }
        const char *base = strrchr(copy, '/');
        base = base ? base + 1 : copy;
        if (strv_contains(l->names, base))
                return 0;
        if (!endswith_ko(base))
                return -EPROTONOSUPPORT; /* compressed modules: not packed (see vm README) */
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", moddir, copy) < 0)
                return -ENOMEM;
        if (strv_extend(&l->names, base) < 0 || strv_extend(&l->paths, path) < 0)
                return -ENOMEM;
        return 0;
}

/* 2: modules without their signatures. */
#define VM_INITRD_FORMAT "2"

static int build_initrd(const char *agent, const char *moddir, const char *dest, BerthError **err)
{
        _cleanup_free_ char *tmp = NULL, *dep_path = NULL, *dep_data = NULL, *list = NULL;
        ModList mods = {};
        size_t dep_size, list_len = 0;
        int r;

        if (asprintf(&dep_path, "%s/modules.dep", moddir) < 0 ||
            asprintf(&tmp, "%s.tmp.%d", dest, (int)getpid()) < 0)
                return -ENOMEM;
        r = slurp(dep_path, &dep_data, &dep_size);
        if (r < 0)
                return berth_error(err, r, "vm: read %s (the guest kernel's modules)", dep_path);
        for (size_t i = 0; i < ELEMENTSOF(wanted_modules); i++) {
                r = add_module(moddir, dep_data, wanted_modules[i], &mods, 0);
                if (r == -ENOENT)
                        continue; /* built into this kernel */
                if (r < 0) {
                        strv_free(mods.names);
                        strv_free(mods.paths);
                        return berth_error(err, r, "vm: module %s of %s", wanted_modules[i],
                                           moddir);
                }
        }
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                r = -errno;
        Cpio c = { .fd = fd };
        static const char *const dirs[] = { "dev", "proc", "sys", "run", "modules", "tmp" };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(dirs); i++)
                r = cpio_entry(&c, dirs[i], S_IFDIR | 0755, 0, NULL, 0);
        if (r >= 0) /* the kernel opens it for init's stdio before devtmpfs is mounted */
                r = cpio_entry(&c, "dev/console", S_IFCHR | 0600, makedev(5, 1), NULL, 0);
        if (r >= 0)
                r = cpio_file(&c, "init", agent, 0755, false);
        for (size_t i = 0; r >= 0 && mods.names && mods.names[i]; i++) {
                _cleanup_free_ char *name = NULL;
                if (asprintf(&name, "modules/%s", mods.names[i]) < 0)
                        r = -ENOMEM;
                else
                        r = cpio_file(&c, name, mods.paths[i], 0644, true);
                size_t nl = strlen(mods.names[i]);
                char *nlist = realloc(list, list_len + nl + 2);
                if (!nlist) {
                        r = -ENOMEM;
                        break;
                }
                list = nlist;
                memcpy(list + list_len, mods.names[i], nl);
                list[list_len + nl] = '\n';
                list_len += nl + 1;
        }
        if (r >= 0)
                r = cpio_entry(&c, "modules.list", S_IFREG | 0644, 0, list ? list : "", list_len);
        if (r >= 0)
                r = cpio_entry(&c, "TRAILER!!!", 0, 0, NULL, 0);
        strv_free(mods.names);
        strv_free(mods.paths);
        if (r >= 0 && (fsync(fd) < 0 || rename(tmp, dest) < 0))
                r = -errno;
        if (r < 0) {
                (void)unlink(tmp);
                return berth_error(err, r, "vm: write the initramfs %s", dest);
        }
        return 0;
}

static char *host_tsc_khz(void)
{
        /* The guest's early TSC calibration hangs under TCG; the host's frequency avoids it.
         * /proc/cpuinfo's "cpu MHz" is close enough for a guest that only needs a clock. */
        _cleanup_fclose_ FILE *f = fopen("/proc/cpuinfo", "re");
        char line[256];
        double mhz = 0;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "cpu MHz : %lf", &mhz) == 1)
                        break;
        char *s = NULL;
        if (mhz > 0 && asprintf(&s, "%llu", (unsigned long long)(mhz * 1000)) < 0)
                return NULL;
        return s;
}

int vm_assets_get(const char *search_path, VmAssets *ret, BerthError **err)
{
        _cleanup_(config_done) Config cfg = {};
        _cleanup_free_ char *moddir = NULL, *vmlinux = NULL, *initrd = NULL;
        VmAssets a = {};
        int r;

        r = config_load(&cfg, err);
        if (r < 0)
                return r;
        a.qemu = cfg.qemu ? strdup(cfg.qemu) : find_in_path(search_path, "qemu-system-x86_64");
        if (!a.qemu)
                return berth_error(err, 0, "vm: qemu-system-x86_64 not found (apt-get install "
                                           "qemu-system-x86, or qemu= in " VM_CONFIG_FILE ")");
        _cleanup_free_ char *kernel = cfg.kernel ? strdup(cfg.kernel) : find_kernel();
        _cleanup_free_ char *agent = cfg.agent ? strdup(cfg.agent) : find_agent();
        if (!kernel || access(kernel, R_OK) < 0) {
                vm_assets_done(&a);
                return berth_error(err, 0, "vm: no guest kernel (apt-get install "
                                           "linux-image-amd64, or kernel= in " VM_CONFIG_FILE ")");
        }
        if (!agent || access(agent, R_OK) < 0) {
                vm_assets_done(&a);
                return berth_error(err, 0, "vm: berth-vm-agent not found (agent= in "
                                           VM_CONFIG_FILE ")");
        }
        const char *kbase = strrchr(kernel, '/');
        kbase = kbase ? kbase + 1 : kernel;
        const char *kver = startswith(kbase, "vmlinuz-");
        if (cfg.modules)
                moddir = strdup(cfg.modules);
        else if (kver && asprintf(&moddir, "/lib/modules/%s", kver) < 0)
                moddir = NULL;
        if (!moddir) {
                vm_assets_done(&a);
                return berth_error(err, 0, "vm: where are the modules of %s? (modules= in "
                                           VM_CONFIG_FILE ")", kernel);
        }
        const char *cache = cfg.cache ? cfg.cache : VM_CACHE_DIR;
        r = fs_mkdir_p(cache, 0700);
        if (r < 0) {
                vm_assets_done(&a);
                return berth_error(err, r, "vm: cache directory %s", cache);
        }
        uint64_t kh = fnv_stat(0xcbf29ce484222325ULL, kernel);
        /* The version of what build_initrd() writes: a new one packs a new initramfs. */
        uint64_t ih = fnv(fnv_stat(fnv_stat(kh, agent), moddir), VM_INITRD_FORMAT,
                          strlen(VM_INITRD_FORMAT));
        if (asprintf(&vmlinux, "%s/vmlinux-%016llx", cache, (unsigned long long)kh) < 0 ||
            asprintf(&initrd, "%s/initrd-%016llx.cpio", cache, (unsigned long long)ih) < 0) {
                vm_assets_done(&a);
                return -ENOMEM;
        }
        if (access(vmlinux, R_OK) < 0 && extract_vmlinux(kernel, vmlinux) < 0) {
                /* Boots all the same, only slower under TCG. */
                free(vmlinux);
                vmlinux = strdup(kernel);
        }
        if (access(initrd, R_OK) < 0 && (r = build_initrd(agent, moddir, initrd, err)) < 0) {
                vm_assets_done(&a);
                return r;
        }
        a.kernel = TAKE_PTR(vmlinux);
        a.initrd = TAKE_PTR(initrd);
        a.tsc_khz = host_tsc_khz();
        if (!a.kernel || !a.initrd) {
                vm_assets_done(&a);
                return -ENOMEM;
        }
        *ret = a;
        return 0;
}

void vm_assets_done(VmAssets *a)
{
        free(a->qemu);
        free(a->kernel);
        free(a->initrd);
        free(a->tsc_khz);
        *a = (VmAssets){};
}
