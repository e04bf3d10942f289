/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * create and run in VM mode: the config becomes the agent's VM_CREATE request, bind mounts
 * become 9p shares, resources become the VM's size, and a VM monitor is started in the
 * container's cgroup to boot the VM and stand in for the init (vm-monitor.h).
 */
#include <errno.h>
#include <linux/filter.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/process-util.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "runtime/caps.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/seccomp/syscall-filter.h"
#include "isolation/vm/vm-monitor.h"
#include "isolation/vm/vm-template.h"
#include "isolation/vm/vm.h"

#define VM_MEMORY_DEFAULT_MIB 512

static const char *config_path(const CreateOptions *o, char *buf, size_t size)
{
        if (o->config)
                return o->config;
        if ((size_t)snprintf(buf, size, "%s/config.json", o->bundle ? o->bundle : ".") >= size)
                return "config.json: path too long";
        return buf;
}

int vm_wanted(const char *argv0, const CreateOptions *o, bool *ret, BerthError **err)
{
        const char *base = strrchr(argv0, '/');
        char buf[PATH_MAX];
        _cleanup_free_ char *data = NULL;
        size_t len;

        base = base ? base + 1 : argv0;
        if (streq(base, "berth-vm")) {
                *ret = true;
                return 0;
        }
        *ret = false;
        /* Process mode is the common case: a look for the key, no JSON parse, decides it. */
        if (fs_read_full_file_limited(AT_FDCWD, config_path(o, buf, sizeof(buf)), READ_LIMIT_JSON,
                                   &data, &len, NULL) < 0 ||
            !memmem(data, len, VM_ANNOTATION, strlen(VM_ANNOTATION)))
                return 0; /* create reports an unreadable config itself */
        _cleanup_spec_ Spec *spec = NULL;
        if (spec_parse(data, len, &spec, NULL) < 0)
                return 0;
        for (size_t i = 0; i < spec->n_annotations; i++) {
                if (!streq(spec->annotations[i].key, VM_ANNOTATION))
                        continue;
                const char *v = spec->annotations[i].value;
                if (streq(v, "vm"))
                        *ret = true;
                else if (!streq(v, "process"))
                        return berth_error(err, 0,
                                           "annotations.%s: unknown isolation `%s` (vm or process)",
                                           VM_ANNOTATION, v);
        }
        return 0;
}

bool vm_container_is_vm(const Container *c)
{
        return faccessat(c->dirfd, VM_CONTROL_SOCKET, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* What a VM cannot do, refused by name rather than ignored. */
static int check_spec(const Spec *s, const CreateOptions *o, BerthError **err)
{
        if (!s->process)
                return berth_error(err, 0, "vm: config has no process");
        if (o->preserve_fds)
                return berth_error(err, 0, "vm: --preserve-fds: host fds cannot reach a VM");
        if (s->linux_) {
                for (int t = 0; t < _SPEC_NS_MAX; t++)
                        if (s->linux_->namespaces[t].present && s->linux_->namespaces[t].path)
                                return berth_error(err, 0,
                                                   "vm: linux.namespaces: joining the host's %s "
                                                   "namespace is not possible from a VM",
                                                   spec_namespace_name((SpecNamespaceType)t));
                if (s->linux_->n_devices)
                        return berth_error(err, 0, "vm: linux.devices: host devices cannot be "
                                                   "passed into a VM (it has its own /dev)");
        }
        if (s->hooks[SPEC_HOOK_CREATE_CONTAINER].n || s->hooks[SPEC_HOOK_START_CONTAINER].n)
                return berth_error(err, 0, "vm: createContainer and startContainer hooks run in "
                                           "the container's namespaces, which are in the VM: "
                                           "not supported");
        return 0;
}

typedef struct Plan {
        VmKv kv;
        char **shares;
        bool *shares_ro;
        size_t n_shares;
        unsigned memory_mib, vcpus;
} Plan;

static void plan_done(Plan *p)
{
        vm_kv_done(&p->kv);
        strv_free(p->shares);
        free(p->shares_ro);
}

static bool has_option(char **opts, const char *o)
{
        return strv_contains(opts, o);
}

static int add_share(Plan *p, const char *path, bool ro, size_t *ret_index)
{
        bool *n = realloc(p->shares_ro, (p->n_shares + 1) * sizeof(bool));
        if (!n)
                return -ENOMEM;
        p->shares_ro = n;
        if (strv_extend(&p->shares, path) < 0)
                return -ENOMEM;
        p->shares_ro[p->n_shares] = ro;
        *ret_index = p->n_shares++;
        return 0;
}

static int plan_mount(Plan *p, const SpecMount *m, const char *bundle, BerthError **err)
{
        bool bind = (m->type && streq(m->type, "bind")) || has_option(m->options, "bind") ||
                    has_option(m->options, "rbind");
        _cleanup_free_ char *opts = NULL, *src = NULL;
        size_t olen = 0;

        STRV_FOREACH(o, m->options) {
                size_t l = strlen(*o);
                char *n = realloc(opts, olen + l + 2);
                if (!n)
                        return -ENOMEM;
                opts = n;
                if (olen)
                        opts[olen++] = ',';
                memcpy(opts + olen, *o, l + 1);
                olen += l;
        }
        if (!bind)
                return vm_kv_addf(&p->kv, "mount", "%s\x1f%s\x1f%s\x1f%s", m->destination,
                                  m->type ? m->type : "none", m->source ? m->source : "none",
                                  opts ? opts : "");
        if (!m->source)
                return berth_error(err, 0, "vm: mount %s: a bind mount needs a source",
                                   m->destination);
        if (m->source[0] != '/' && asprintf(&src, "%s/%s", bundle, m->source) < 0)
                return -ENOMEM;
        const char *source = src ? src : m->source;
        struct stat st;
        if (stat(source, &st) < 0)
                return berth_error(err, errno, "vm: mount %s: source %s", m->destination, source);
        bool ro = has_option(m->options, "ro");
        size_t idx;
        int r;
        if (S_ISDIR(st.st_mode)) {
                r = add_share(p, source, ro, &idx);
                if (r < 0)
                        return r;
                return vm_kv_addf(&p->kv, "mount", "%s\x1fshare\x1fm%zu\x1f%s", m->destination,
                                  idx, ro ? "ro" : "");
        }
        if (!S_ISREG(st.st_mode))
                return berth_error(err, 0, "vm: mount %s: source %s: only directories and "
                                           "regular files can be shared with a VM",
                                   m->destination, source);
        /* A file: its directory is shared (visible to the agent only, not in the container)
         * and the file bound from there. */
        _cleanup_free_ char *dir = strdup(source);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        const char *name = source + (slash - dir) + 1;
        *slash = 0;
        r = add_share(p, dir[0] ? dir : "/", ro, &idx);
        if (r < 0)
                return r;
        return vm_kv_addf(&p->kv, "mount", "%s\x1fshare\x1fm%zu/%s\x1f%s", m->destination, idx,
                          name, ro ? "ro" : "");
}

static int plan_process(VmKv *kv, const SpecProcess *p)
{
        int r = 0;
        STRV_FOREACH(a, p->args)
                if ((r = vm_kv_add(kv, "arg", *a)) < 0)
                        return r;
        /* Duplicate keys: the last one wins, as in process mode. */
        STRV_FOREACH(e, p->env) {
                size_t kl = strcspn(*e, "=");
                bool later = false;
                for (char **f = e + 1; *f && !later; f++)
                        later = strncmp(*f, *e, kl) == 0 && (*f)[kl] == '=';
                if (!later && (r = vm_kv_add(kv, "env", *e)) < 0)
                        return r;
        }
        if ((r = vm_kv_add(kv, "cwd", p->cwd ? p->cwd : "/")) < 0 ||
            (r = vm_kv_addf(kv, "uid", "%u", p->user.uid)) < 0 ||
            (r = vm_kv_addf(kv, "gid", "%u", p->user.gid)) < 0)
                return r;
        for (size_t i = 0; i < p->user.n_additional_gids; i++)
                if ((r = vm_kv_addf(kv, "gid+", "%u", p->user.additional_gids[i])) < 0)
                        return r;
        if (p->user.has_umask && (r = vm_kv_addf(kv, "umask", "%u", p->user.umask)) < 0)
                return r;
        if (p->terminal && (r = vm_kv_add(kv, "terminal", "1")) < 0)
                return r;
        if (p->has_console_size && (r = vm_kv_addf(kv, "rows", "%u", p->console_height)) >= 0)
                r = vm_kv_addf(kv, "cols", "%u", p->console_width);
        if (r >= 0 && p->no_new_privileges)
                r = vm_kv_add(kv, "nnp", "1");
        if (r >= 0 && p->capabilities) {
                /* A set that is absent is empty (what podman's --cap-drop ALL sends). */
                CapSets cs;
                r = caps_resolve(p->capabilities, &cs, NULL);
                if (r >= 0)
                        r = vm_kv_addf(kv, "caps", "%llx %llx %llx %llx %llx",
                                       (unsigned long long)cs.bounding,
                                       (unsigned long long)cs.effective,
                                       (unsigned long long)cs.permitted,
                                       (unsigned long long)cs.inheritable,
                                       (unsigned long long)cs.ambient);
        }
        return r;
}

int vm_plan_process(VmKv *kv, const SpecProcess *p)
{
        return plan_process(kv, p);
}

/* linux.seccomp: compiled here by the runtime's own compiler, loaded by the agent in the guest
 * (same architecture) as the last step before execve, or before the user switch when the
 * process has no no_new_privs (loading it then needs the capabilities it still has). */
int vm_plan_seccomp(VmKv *kv, const Spec *s, BerthError **err)
{
        const SpecSeccomp *sc = s->linux_ ? s->linux_->seccomp : NULL;
        _cleanup_syscall_filter_ SyscallFilter *f = NULL;
        size_t n;
        int r;

        if (!sc)
                return 0;
        bool notify = sc->default_action && streq(sc->default_action, "SCMP_ACT_NOTIFY");
        for (size_t i = 0; i < sc->n_syscalls && !notify; i++)
                notify = sc->syscalls[i].action && streq(sc->syscalls[i].action, "SCMP_ACT_NOTIFY");
        if (notify || sc->listener_path)
                return berth_error(err, 0, "vm: linux.seccomp: SCMP_ACT_NOTIFY needs a listener "
                                           "on the host for a process in the guest: not "
                                           "supported");
        r = syscall_filter_build(sc, &f, err);
        if (r < 0)
                return r;
        const struct sock_filter *prog = syscall_filter_program(f, &n);
        _cleanup_free_ char *hex = malloc(n * sizeof(*prog) * 2 + 1);
        if (!hex)
                return -ENOMEM;
        const unsigned char *b = (const unsigned char *)prog;
        for (size_t i = 0; i < n * sizeof(*prog); i++)
                sprintf(hex + 2 * i, "%02x", b[i]);
        return vm_kv_add(kv, "seccomp", hex);
}

static int make_plan(const Spec *s, const char *bundle, Plan *p, BerthError **err)
{
        const SpecResources *res = s->linux_ ? s->linux_->resources : NULL;
        int r = plan_process(&p->kv, s->process);

        if (r >= 0)
                r = vm_plan_seccomp(&p->kv, s, err);
        if (r >= 0 && s->hostname)
                r = vm_kv_add(&p->kv, "hostname", s->hostname);
        if (r >= 0 && s->root_readonly)
                r = vm_kv_add(&p->kv, "rootro", "1");
        p->memory_mib = VM_MEMORY_DEFAULT_MIB;
        if (r >= 0 && res && res->memory.has_limit && res->memory.limit > 0) {
                r = vm_kv_addf(&p->kv, "memory", "%lld", (long long)res->memory.limit);
                p->memory_mib = (unsigned)((res->memory.limit + (1 << 20) - 1) >> 20) +
                                VM_MEMORY_OVERHEAD_MIB;
        }
        /* The container's processes are the guest's: their count is limited in there; on the
         * host it would count qemu's threads. */
        if (r >= 0 && res && res->pids.has_limit && res->pids.limit > 0)
                r = vm_kv_addf(&p->kv, "pids", "%lld", (long long)res->pids.limit);
        p->vcpus = 1;
        if (res && res->cpu.has_quota && res->cpu.quota > 0) {
                uint64_t period = res->cpu.has_period && res->cpu.period ? res->cpu.period : 100000;
                uint64_t n = ((uint64_t)res->cpu.quota + period - 1) / period;
                long cpus = sysconf(_SC_NPROCESSORS_ONLN);
                p->vcpus = (unsigned)MAX(1, MIN((long)n, cpus > 0 ? cpus : 1));
        }
        for (size_t i = 0; r >= 0 && i < s->n_mounts; i++)
                r = plan_mount(p, &s->mounts[i], bundle, err);
        if (s->linux_) {
                STRV_FOREACH(m, s->linux_->masked_paths)
                        if (r >= 0)
                                r = vm_kv_add(&p->kv, "mask", *m);
                STRV_FOREACH(m, s->linux_->readonly_paths)
                        if (r >= 0)
                                r = vm_kv_add(&p->kv, "ropath", *m);
        }
        if (r < 0 && !(err && *err))
                return berth_error(err, r, "vm: describe the container to the agent");
        return r;
}

static int write_pid_file(const char *path, pid_t pid, BerthError **err)
{
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d", pid);
        int r = fs_write_file_atomic(path, buf, (size_t)n, 0644);
        return r < 0 ? berth_error(err, r, "write pid file %s", path) : 0;
}

/* One create, from the bundle to a VM whose agent holds the container ready to start. */
typedef struct VmCreate {
        const CreateOptions *o;
        char bundle[PATH_MAX], rootfs[PATH_MAX];
        Spec *spec;
        char *config;
        size_t config_len;
        Plan plan;
        VmAssets assets;
        char *template_dir; /* vm-template.h; NULL: boot cold */
        int statedir;
        int report[2], go[2]; /* the monitor's word back; our word to go on */
        pid_t monitor;
        Cgroup *cg;
        Container *c;
} VmCreate;

static void vm_create_done(VmCreate *x)
{
        for (int i = 0; i < 2; i++) {
                safe_close(x->report[i]);
                safe_close(x->go[i]);
        }
        safe_close(x->statedir);
        spec_free(x->spec);
        free(x->config);
        plan_done(&x->plan);
        vm_assets_done(&x->assets);
        free(x->template_dir);
        cgroup_free(x->cg);
        container_free(x->c);
}

/* What create fails half way leaves: the monitor (and its qemu), the cgroup, the state. */
static void vm_create_rollback(VmCreate *x)
{
        if (x->monitor > 0) {
                kill(x->monitor, SIGKILL);
                while (waitpid(x->monitor, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (x->cg)
                (void)cgroup_destroy(x->cg, NULL);
        if (x->c && x->c->dirfd >= 0)
                (void)container_state_remove(x->c);
        else
                (void)container_state_remove_dir(x->o->root, x->o->id);
}

/* Whether the VM starts from the template of its shape (vm-template.h). Not with bind mounts:
 * each is a 9p device, and a clone's devices must be the template's; nor when the annotation
 * says "off". */
static bool template_wanted(const Spec *s, const Plan *p)
{
        if (p->n_shares > 0)
                return false;
        for (size_t i = 0; i < s->n_annotations; i++)
                if (streq(s->annotations[i].key, VM_TEMPLATE_ANNOTATION) &&
                    streq(s->annotations[i].value, "off"))
                        return false;
        return true;
}

/* The bundle, its config, the rootfs, the plan for the agent and the VM's assets. */
static int vm_create_load(VmCreate *x, BerthError **err)
{
        const CreateOptions *o = x->o;
        char cbuf[PATH_MAX];
        _cleanup_free_ char *joined = NULL;
        int r;

        r = container_id_validate(o->id, err);
        if (r < 0)
                return r;
        if (!realpath(o->bundle ? o->bundle : ".", x->bundle))
                return berth_error(err, errno, "bundle %s", o->bundle ? o->bundle : ".");
        const char *cpath = config_path(o, cbuf, sizeof(cbuf));
        r = fs_read_full_file_limited(AT_FDCWD, cpath, READ_LIMIT_JSON, &x->config,
                                      &x->config_len, err);
        if (r < 0)
                return r;
        r = spec_parse(x->config, x->config_len, &x->spec, err);
        if (r < 0)
                return berth_error_prefix(err, "%s", cpath);
        r = check_spec(x->spec, o, err);
        if (r < 0)
                return r;
        const char *root = x->spec->root_path ? x->spec->root_path : "rootfs";
        if (asprintf(&joined, "%s/%s", x->bundle, root) < 0)
                return -ENOMEM;
        if (!realpath(root[0] == '/' ? root : joined, x->rootfs))
                return berth_error(err, errno, "root.path %s", root);
        r = make_plan(x->spec, x->bundle, &x->plan, err);
        if (r < 0)
                return r;
        r = vm_assets_get(VM_QEMU_SEARCH_PATH, &x->assets, err);
        if (r < 0)
                return r;
        x->template_dir = template_wanted(x->spec, &x->plan)
                                  ? vm_template_dir(&x->assets, x->plan.memory_mib, x->plan.vcpus)
                                  : NULL;
        return 0;
}

/* The monitor, forked: it boots the VM once told to go on. */
static int vm_create_spawn_monitor(VmCreate *x, BerthError **err)
{
        const CreateOptions *o = x->o;
        pid_t self = getpid();

        if (pipe2(x->report, O_CLOEXEC) < 0 || pipe2(x->go, O_CLOEXEC) < 0)
                return berth_error(err, errno, "vm: pipe");
        x->monitor = fork();
        if (x->monitor < 0)
                return berth_error(err, errno, "vm: start the monitor");
        if (x->monitor == 0) {
                close(x->report[0]);
                close(x->go[1]);
                int keep[] = { x->statedir, x->report[1], x->go[0] };
                /* It lives on beside the container: nothing else of ours stays open in it. */
                if (process_close_fds_except(3, keep, ELEMENTSOF(keep)) < 0)
                        _exit(1);
                const VmMonitorArgs a = {
                        .id = o->id,
                        .state_dirfd = x->statedir,
                        .rootfs = x->rootfs,
                        .shares = x->plan.shares,
                        .shares_ro = x->plan.shares_ro,
                        .assets = &x->assets,
                        .create = &x->plan.kv,
                        .memory_mib = x->plan.memory_mib,
                        .vcpus = x->plan.vcpus,
                        .template_dir = x->template_dir,
                        .terminal = x->spec->process->terminal,
                        .console_socket = o->console_socket,
                        .report_fd = x->report[1],
                        .go_fd = x->go[0],
                        .parent = self,
                };
                vm_monitor_main(&a);
        }
        x->report[1] = safe_close(x->report[1]);
        x->go[0] = safe_close(x->go[0]);
        return 0;
}

/* The host's cgroup holds the monitor and qemu: the VM's size plus qemu's own overhead for
 * memory, none of the device rules (the guest's devices are its own). */
static int vm_create_host_cgroup(VmCreate *x, BerthError **err)
{
        const SpecLinux *l = x->spec->linux_;
        const SpecResources *sres = l ? l->resources : NULL;
        SpecResources res = {};

        if (sres) {
                res = *sres;
                res.devices = NULL;
                res.n_devices = 0;
                res.pids.has_limit = false; /* applied in the guest */
                if (res.memory.has_limit && res.memory.limit > 0) {
                        res.memory.limit = ((int64_t)x->plan.memory_mib + 256) << 20;
                        res.memory.has_swap = false;
                        res.memory.has_reservation = false;
                }
        }
        return cgroup_create(x->o->id, l ? l->cgroups_path : NULL, x->o->systemd_cgroup,
                             sres ? &res : NULL, x->monitor, &x->cg, err);
}

/* state.json, marked as being created, before the VM boots. */
static int vm_create_record_state(VmCreate *x, BerthError **err)
{
        const CreateOptions *o = x->o;
        struct json_object *ann;
        char created[64];
        bool zombie;
        Container *c;

        c = x->c = calloc(1, sizeof(*c));
        if (!c)
                return berth_error(err, ENOMEM, "create");
        c->dirfd = -1;
        time_format_rfc3339_now(created, sizeof(created));
        c->root = strdup(o->root);
        c->id = strdup(o->id);
        c->pid = x->monitor;
        c->bundle = strdup(x->bundle);
        c->rootfs = strdup(x->rootfs);
        c->created = strdup(created);
        if (asprintf(&c->owner, "%u", geteuid()) < 0)
                c->owner = NULL;
        c->systemd_cgroup = o->systemd_cgroup;
        c->cgroup = cgroup_serialize(x->cg);
        c->creating = true;
        if (json_object_object_get_ex(x->spec->json, "annotations", &ann))
                c->annotations = json_object_get(ann);
        (void)process_start_time(x->monitor, &c->pid_start, &zombie);
        c->dirfd = TAKE_FD(x->statedir);
        return container_state_save(c, err);
}

/* Lets the monitor boot the VM and waits for its word: "ok ..." or "errno text". */
static int vm_create_wait_ready(VmCreate *x, BerthError **err)
{
        char msg[1024];
        size_t got = 0;

        if (write(x->go[1], "g", 1) != 1)
                return berth_error(err, errno, "vm: the monitor died");
        x->go[1] = safe_close(x->go[1]);
        for (;;) {
                ssize_t k = read(x->report[0], msg + got, sizeof(msg) - 1 - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += (size_t)k;
        }
        msg[got] = 0;
        if (!startswith(msg, "ok ")) {
                const char *text = strchr(msg, ' ');
                berth_error_plain(err, got ? atoi(msg) : 0, "%s",
                                  got && text ? text + 1 : "vm: the monitor died");
                return berth_error_prefix(err, "create container `%s`", x->o->id);
        }
        return 0;
}

static int do_create(const CreateOptions *o, Container **ret, BerthError **err)
{
        _cleanup_(vm_create_done) VmCreate x = {
                .o = o, .statedir = -1, .report = { -1, -1 }, .go = { -1, -1 }, .monitor = -1,
        };
        int r;

        r = vm_create_load(&x, err);
        if (r < 0)
                return r;
        r = container_state_create_dir(o->root, o->id, &x.statedir, err);
        if (r < 0)
                return r;
        r = fs_write_file_new_at(x.statedir, STATE_CONFIG, x.config, x.config_len, 0600);
        if (r < 0)
                r = berth_error(err, r, "save the config of container `%s`", o->id);
        if (r >= 0)
                r = vm_create_spawn_monitor(&x, err);
        if (r >= 0)
                r = vm_create_host_cgroup(&x, err);
        if (r >= 0)
                r = vm_create_record_state(&x, err);
        if (r >= 0)
                r = vm_create_wait_ready(&x, err);
        if (r >= 0)
                r = container_state_created(x.c, err);
        if (r >= 0 && o->pid_file)
                r = write_pid_file(o->pid_file, x.monitor, err);
        if (r < 0) {
                vm_create_rollback(&x);
                return r;
        }
        *ret = TAKE_PTR(x.c);
        return 0;
}

int vm_container_create(const CreateOptions *o, BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        return do_create(o, &c, err);
}

int vm_container_run(const CreateOptions *o, bool detach, bool keep, int *ret_status,
                     BerthError **err)
{
        _cleanup_container_ Container *c = NULL;
        int r = do_create(o, &c, err);
        if (r < 0)
                return r;
        if (!detach)
                process_forward_signals_to(c->pid);
        r = container_start(c, err);
        if (r < 0) {
                process_forward_signals_to(0);
                container_delete(c, true, NULL);
                return r;
        }
        if (detach) {
                *ret_status = 0;
                return 0;
        }
        *ret_status = process_wait_exit_status(c->pid);
        process_forward_signals_to(0);
        if (!keep && container_delete(c, true, err) < 0)
                return berth_error_code(*err);
        return 0;
}
