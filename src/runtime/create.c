/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The runtime's side of create and start: spawn the init, serve its requests, record state. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "basic/fs-util.h"
#include "basic/passwd.h"
#include "basic/time-util.h"
#include "basic/log.h"
#include "basic/process-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "runtime/caps.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/clone.h"
#include "runtime/container.h"
#include "runtime/debug-log.h"
#include "runtime/device-rules.h"
#include "runtime/exec-stub.h"
#include "runtime/hooks.h"
#include "runtime/mount-options.h"
#include "runtime/mount-util.h"
#include "runtime/mount-source.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/seccomp/syscall-filter.h"
#include "runtime/sync.h"
#include "runtime/sync-wire.h"
#include "runtime/terminal.h"

void container_create_result_done(CreateResult *r)
{
        if (r->container)
                container_free(r->container);
        r->container = NULL;
        r->start_fd = safe_close(r->start_fd);
        r->console_master = safe_close(r->console_master);
}

static int bind_exec_socket(int dirfd, BerthError **err)
{
        /* Through the directory's fd: the state path may be longer than sun_path. */
        int fd = socket_listen_unix_at(SOCK_SEQPACKET | SOCK_CLOEXEC, dirfd, STATE_EXEC_SOCKET, 1);
        if (fd < 0)
                return berth_error(err, fd, "listen on the exec socket");
        return fd;
}

static int write_pid_file(const char *path, pid_t pid, BerthError **err)
{
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d", pid);
        int r = fs_write_file_replace(path, buf, (size_t)n, 0644);
        if (r < 0)
                return berth_error(err, r, "--pid-file `%s`", path);
        return 0;
}

static bool apparmor_enabled(void)
{
        _cleanup_free_ char *v = NULL;
        return fs_read_full_file("/sys/module/apparmor/parameters/enabled", &v, NULL) >= 0 &&
               v[0] == 'Y';
}

static int check_preserved_fds(unsigned n, BerthError **err)
{
        for (unsigned i = 0; i < n; i++) {
                int fd = 3 + (int)i;
                if (fcntl(fd, F_GETFD) < 0)
                        return berth_error(err, 0, "--preserve-fds/LISTEN_FDS: fd %d is not open",
                                           fd);
                if (fd == log_get_fd())
                        return berth_error(err, 0, "--preserve-fds: fd %d is the --log file", fd);
        }
        return 0;
}

/* As runc's "rootless": not root, or root of a user namespace that is not the initial one. */
static bool rootless(void)
{
        _cleanup_free_ char *map = NULL;
        unsigned long a, b, n;

        if (geteuid() != 0)
                return true;
        if (fs_read_full_file("/proc/self/uid_map", &map, NULL) < 0)
                return false;
        return sscanf(map, " %lu %lu %lu", &a, &b, &n) != 3 || a != 0 || b != 0 ||
               n != 4294967295UL;
}

/*
 * The container's cgroup. Rootless on a host whose hierarchies it cannot write (v1 and hybrid
 * ones nothing was delegated on) it goes on without one when the config names no cgroupsPath
 * and asks for no limit, as runc does; asked for limits, it says why it cannot give them.
 * *ret stays NULL then.
 */
static int make_cgroup(const CreateOptions *o, const Spec *spec, const SpecResources *res,
                       Cgroup **ret, BerthError **err)
{
        const SpecLinux *l = spec->linux_;
        _cleanup_error_ BerthError *e = NULL;
        int r;

        r = cgroup_create(o->id, l ? l->cgroups_path : NULL, o->systemd_cgroup, res, 0, ret, &e);
        if (r >= 0)
                return r;
        if ((r == -EACCES || r == -EPERM || r == -EROFS) && rootless() && !o->systemd_cgroup &&
            !(l && l->cgroups_path)) {
                if (!cgroup_resources_requested(l ? l->resources : NULL)) {
                        log_debug("rootless container `%s` runs without a cgroup: %s", o->id,
                                  e->msg);
                        *ret = NULL;
                        return 0;
                }
                return berth_error(err, -r,
                                   "rootless container `%s`: linux.resources asks for limits, "
                                   "but its cgroup cannot be created (%s); delegate a cgroup to "
                                   "this user, or remove the limits",
                                   o->id, e->msg);
        }
        *err = TAKE_PTR(e);
        return r;
}

/* Whether the runtime maps the init's new user namespace through fds the init opened
 * (namespaces_write_id_maps_fds()): rootless, it lacks CAP_SETUID over its own namespace. */
static bool idmap_by_fds(const SpecLinux *l)
{
        return l && l->namespaces[SPEC_NS_USER].present && !l->namespaces[SPEC_NS_USER].path &&
               geteuid() != 0;
}

/* In the init, first thing, while it is still dumpable (its /proc files its own): opens its
 * id map files for the runtime. A failure is sent as it is; the runtime reports it. */
static void send_idmap_fds(int sync_fd)
{
        static const char *const files[] = { "/proc/self/uid_map", "/proc/self/gid_map",
                                             "/proc/self/setgroups" };
        int fds[ELEMENTSOF(files)];
        _cleanup_error_ BerthError *e = NULL;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                fds[i] = open(files[i], O_WRONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        berth_error(&e, errno, "open `%s` of the init", files[i]);
                        sync_fail(sync_fd, e, 1);
                }
        }
        (void)sync_send_fds(sync_fd, SYNC_IDMAP_FDS, 0, NULL, fds, ELEMENTSOF(fds));
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                close(fds[i]);
}

/* cgroup_fd: the init's cgroup on the unified hierarchy to clone it into, or -1; *ret_into
 * tells whether that happened (a kernel without clone3 or CLONE_INTO_CGROUP says no, and the
 * init then joins that hierarchy like the others). */
static int spawn_init(const InitArgs *args, bool intermediate, int cgroup_fd, pid_t *ret_pid,
                      bool *ret_into, BerthError **err)
{
        const SpecLinux *l = args->spec->linux_;
        unsigned long flags = namespaces_new_flags(l);

        *ret_into = false;
        /* A cgroup namespace is made after the init joined its cgroup; a time namespace can
         * only be made by unshare(). */
        flags &= ~(unsigned long)(CLONE_NEWCGROUP | namespaces_clone_flag(SPEC_NS_TIME));
        if (!intermediate) {
                /* Decided here: in the new user namespace the child's euid is the overflow id. */
                bool by_fds = idmap_by_fds(l);
                pid_t pid = clone_child(flags, cgroup_fd, ret_into);
                if (pid < 0)
                        return berth_error(err, -pid, "clone the container's init");
                if (pid == 0) {
                        if (by_fds)
                                send_idmap_fds(args->sync_fd);
                        container_init_start(args);
                }
                *ret_pid = pid;
                return 0;
        }

        /* Joining a pid or user namespace takes effect for children only: join in an
         * intermediate process, which clones the init as our child and exits. */
        pid_t mid = fork();
        if (mid < 0)
                return berth_error(err, errno, "fork");
        if (mid == 0) {
                _cleanup_error_ BerthError *e = NULL;
                /* What the init needs and no more (container_init_start() says why); dies
                 * with the runtime, like the init. */
                const int keep[] = { args->sync_fd, args->listen_fd, args->config_fd };
                process_close_fds_except(3 + (int)(args->n_listen_fds + args->opts->preserve_fds), keep,
                                 ELEMENTSOF(keep));
                sync_die_with_runtime(args->sync_fd);
                /* Like the init it clones (which inherits this), nothing in the namespaces it
                 * joins may look into the runtime's image. */
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                static const SpecNamespaceType order[] = {
                        SPEC_NS_USER, SPEC_NS_PID, SPEC_NS_IPC,    SPEC_NS_UTS,
                        SPEC_NS_NETWORK, SPEC_NS_CGROUP, SPEC_NS_TIME, SPEC_NS_MOUNT,
                };
                if (namespaces_join(l, order, ELEMENTSOF(order), &e) < 0)
                        sync_fail(args->sync_fd, e, 1);
                sync_die_with_runtime(args->sync_fd); /* a user namespace may have cleared it */
                pid_t pid = clone_child(flags | CLONE_PARENT, -1, NULL);
                if (pid < 0) {
                        berth_error(&e, -pid, "clone the container's init");
                        sync_fail(args->sync_fd, e, 1);
                }
                if (pid == 0) {
                        InitArgs a = *args;
                        a.joined_early = true;
                        container_init_start(&a);
                }
                sync_send(args->sync_fd, SYNC_PID, pid, NULL, -1);
                _exit(0);
        }
        *ret_pid = mid; /* the init's pid comes by message */
        return 0;
}

/* What idmapped mounts need, checked before the init starts. Their trees are made when the
 * init comes to them (mount-source.h). */
static int idmap_check(const Spec *spec, BerthError **err)
{
        const SpecLinux *l = spec->linux_;
        bool own_userns = l && l->namespaces[SPEC_NS_USER].present &&
                          !l->namespaces[SPEC_NS_USER].path && l->n_uid_mappings > 0;
        bool joined_mntns = l && l->namespaces[SPEC_NS_MOUNT].path;

        for (size_t i = 0; i < spec->n_mounts; i++) {
                const SpecMount *m = &spec->mounts[i];
                _cleanup_(mount_options_done) MountOptions o = {};
                char what[32];
                if (mount_options_parse(m->options, &o) < 0 || !mount_options_is_idmapped(m, &o))
                        continue; /* a bad option list is the init's to report */
                snprintf(what, sizeof(what), "mounts[%zu]", i);
                bool uids = m->n_uid_mappings > 0, gids = m->n_gid_mappings > 0;
                if (!o.bind && !(m->type && streq(m->type, "bind")))
                        return berth_error(err, 0, "%s (`%s`): idmapped mounts are supported for "
                                                   "bind mounts only",
                                           what, m->destination);
                if (uids != gids)
                        return berth_error(err, 0, "%s (`%s`): uidMappings and gidMappings go "
                                                   "together",
                                           what, m->destination);
                if (!uids && !own_userns)
                        return berth_error(err, 0, "%s (`%s`): idmap needs uidMappings and "
                                                   "gidMappings, or a user namespace of the "
                                                   "container's own",
                                           what, m->destination);
                if (joined_mntns)
                        return berth_error(err, 0, "%s (`%s`): idmapped mounts in a joined mount "
                                                   "namespace are not supported",
                                           what, m->destination);
                if (!m->source)
                        return berth_error(err, 0, "%s (`%s`): a bind mount needs a source", what,
                                           m->destination);
        }
        return 0;
}

static int serve_init(Container *c, const Spec *spec, const CreateOptions *o, int sync_fd,
                      bool foreground, int *ret_console, BerthError **err)
{
        for (;;) {
                SyncMsg m = {};
                _cleanup_close_ int fd = -1;
                int r = sync_recv(sync_fd, &m, &fd);
                if (r == -EPIPE)
                        return berth_error(err, 0, "the container's init exited during setup");
                if (r < 0)
                        return berth_error(err, r, "read from the container's init");
                _cleanup_free_ char *text = TAKE_PTR(m.text);

                switch (m.type) {
                case SYNC_ERROR:
                        /* The init's text already carries its errno's message. */
                        return berth_error_plain(err, m.value, "%s", text);
                case SYNC_HOOKS: {
                        _cleanup_free_ char *st = container_state_string(c, STATUS_CREATING);
                        if ((r = hooks_run(spec, SPEC_HOOK_PRESTART, st, err)) < 0 ||
                            (r = hooks_run(spec, SPEC_HOOK_CREATE_RUNTIME, st, err)) < 0) {
                                sync_send(sync_fd, SYNC_ERROR, EINVAL, (*err)->msg, -1);
                                return r;
                        }
                        sync_send(sync_fd, SYNC_HOOKS_DONE, 0, NULL, -1);
                        break;
                }
                case SYNC_CONSOLE:
                        if (fd < 0)
                                return berth_error(err, 0, "the init sent no pty");
                        if (o->console_socket) {
                                r = terminal_send_to_socket(o->console_socket, fd, err);
                                if (r < 0)
                                        return r;
                        } else if (foreground) {
                                terminal_clear_onlcr(fd); /* before the process can write */
                                *ret_console = TAKE_FD(fd);
                        }
                        break;
                case SYNC_SECCOMP: {
                        const SpecSeccomp *sc = spec->linux_ ? spec->linux_->seccomp : NULL;
                        if (fd < 0 || !sc || !sc->listener_path)
                                break;
                        _cleanup_free_ char *st = container_state_string(c, STATUS_CREATING);
                        r = syscall_filter_send_listener(sc->listener_path, sc->listener_metadata, fd,
                                                  st, err);
                        if (r < 0)
                                return berth_error_prefix(err, "linux.seccomp.listenerPath");
                        break;
                }
                case SYNC_MOUNT_SOURCE:
                        r = mount_source_serve(spec, c->bundle, c->pid, sync_fd, m.value, err);
                        if (r < 0)
                                return r;
                        break;
                case SYNC_READY:
                        return 0;
                default:
                        return berth_error(err, 0, "unexpected message %u from the init", m.type);
                }
        }
}

/*
 * One create, step by step. Everything it holds is released by create_done(); what it made on
 * the host (the init, the cgroup, the state directory) is undone by create_rollback() when a
 * step fails, and handed to the caller when all of them succeed.
 */
typedef struct Create {
        const CreateOptions *o;
        bool foreground;
        char *bundle, *rootfs, *config, *state;
        size_t config_len;
        Spec *spec;
        unsigned n_listen;
        Container *c;
        int statedir;
        int rootfd; /* the state root, once the state directory is ours to remove */
        int sync[2]; /* [0] the runtime's end, [1] the init's */
        int listen_fd, config_fd, cgroup_fd, console;
        SpecResources res;
        SpecDeviceCgroup *rules;
        bool intermediate, cgroup_made, cloned_into;
        Cgroup *cgroup;
        pid_t pid; /* the init */
} Create;

static void create_done(Create *x)
{
        free(x->bundle);
        free(x->rootfs);
        free(x->config);
        free(x->state);
        spec_free(x->spec);
        if (x->c)
                container_free(x->c);
        safe_close(x->statedir);
        safe_close(x->rootfd);
        close_pairp(&x->sync);
        safe_close(x->listen_fd);
        safe_close(x->config_fd);
        safe_close(x->cgroup_fd);
        safe_close(x->console);
        free(x->rules);
        cgroup_free(x->cgroup);
}

static void create_rollback(Create *x)
{
        if (x->pid > 0) {
                kill(x->pid, SIGKILL);
                while (waitpid(x->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (x->cgroup)
                cgroup_destroy(x->cgroup, NULL);
        if (x->rootfd >= 0)
                fs_rm_rf_at(x->rootfd, x->o->id);
}

/* The bundle, its config and everything about them that can be refused before anything is
 * made. */
static int create_load_bundle(Create *x, BerthError **err)
{
        const CreateOptions *o = x->o;
        char path[PATH_MAX];
        CapSets caps;
        struct stat st;
        int r;

        r = container_id_validate(o->id, err);
        if (r < 0)
                return r;
        x->bundle = realpath(o->bundle ? o->bundle : ".", NULL);
        if (!x->bundle)
                return berth_error(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
        if (o->config)
                snprintf(path, sizeof(path), "%s", o->config);
        else
                snprintf(path, sizeof(path), "%s/config.json", x->bundle);
        r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &x->config, &x->config_len,
                                   err);
        if (r < 0)
                return r;
        r = spec_parse(x->config, x->config_len, &x->spec, err);
        if (r < 0)
                return o->config ? berth_error_prefix(err, "%s", path)
                                 : berth_error_prefix(err, "bundle `%s`", x->bundle);
        const SpecProcess *p = x->spec->process;
        if (!p)
                return berth_error(err, 0, "%s: process: missing", path);
        if (x->spec->root_path[0] == '/')
                snprintf(path, sizeof(path), "%s", x->spec->root_path);
        else
                snprintf(path, sizeof(path), "%s/%s", x->bundle, x->spec->root_path);
        x->rootfs = realpath(path, NULL);
        if (!x->rootfs || stat(x->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return berth_error(err, x->rootfs ? ENOTDIR : errno, "root.path: rootfs `%s`",
                                   path);
        /* A security profile that cannot be applied is an error, never silently dropped. */
        if (p->apparmor_profile && *p->apparmor_profile)
                return berth_error(err, 0, "process.apparmorProfile \"%s\": %s",
                                   p->apparmor_profile,
                                   apparmor_enabled() ? "AppArmor is not supported by this build"
                                                      : "AppArmor is not enabled on this host");
        if (p->terminal && !x->foreground && !o->console_socket)
                return berth_error(err, 0, "process.terminal is true: --console-socket is "
                                           "required to create a detached container");
        r = caps_resolve(p->capabilities, &caps, err);
        if (r < 0)
                return r;
        x->n_listen = o->listen_fds;
        return check_preserved_fds(x->n_listen + o->preserve_fds, err);
}

/* The state directory with the config's copy and a state.json that says "creating". */
static int create_record_state(Create *x, BerthError **err)
{
        const CreateOptions *o = x->o;
        const SpecLinux *l = x->spec->linux_;
        _cleanup_free_ char *owner = NULL;
        char created[64];
        int r;

        r = container_state_create_dir(o->root, o->id, &x->statedir, err);
        if (r < 0)
                return r;
        x->rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        /* Nobody reads the copy before state.json exists. */
        r = fs_write_file_new_at(x->statedir, STATE_CONFIG, x->config, x->config_len, 0600);
        if (r < 0)
                return berth_error(err, r, "save the config of container `%s`", o->id);
        Container *c = x->c = calloc(1, sizeof(*c));
        if (!c)
                return berth_error(err, ENOMEM, "create");
        time_format_rfc3339_now(created, sizeof(created));
        if (passwd_lookup_uid("/etc/passwd", geteuid(), &owner, NULL) < 0 &&
            asprintf(&owner, "%u", geteuid()) < 0)
                owner = NULL;
        c->root = strdup(o->root);
        c->id = strdup(o->id);
        c->dirfd = TAKE_FD(x->statedir);
        c->bundle = strdup(x->bundle);
        c->rootfs = strdup(x->rootfs);
        c->created = strdup(created);
        c->owner = TAKE_PTR(owner);
        c->systemd_cgroup = o->systemd_cgroup;
        struct json_object *ann;
        if (json_object_object_get_ex(x->spec->json, "annotations", &ann))
                c->annotations = json_object_get(ann);
        /* Recorded before anything is made, the cgroup's directories as planned: a runtime
         * killed from here on (the init and the intermediate die with it) leaves what
         * `delete --force` removes. The init's pid follows once it has one. */
        c->cgroup = cgroup_plan(o->id, l ? l->cgroups_path : NULL, o->systemd_cgroup);
        c->creating = true;
        return container_state_save(c, err);
}

/* exec.sock (create), the sync socket and the config's copy for the init. */
static int create_open_channels(Create *x, BerthError **err)
{
        if (!x->foreground && (x->listen_fd = bind_exec_socket(x->c->dirfd, err)) < 0)
                return x->listen_fd;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
                return berth_error(err, errno, "create the sync socket");
        x->config_fd = openat(x->c->dirfd, STATE_CONFIG, O_RDONLY | O_CLOEXEC);
        if (x->config_fd < 0)
                return berth_error(err, errno, "open the config copy of container `%s`",
                                   x->o->id);
        return 0;
}

/* The init, in its cgroup already where the layout allows it; its pid in x->pid. */
static int create_spawn(Create *x, const InitArgs *args, BerthError **err)
{
        const Spec *spec = x->spec;
        pid_t spawned = 0;
        int r;

        debug_log_create(x->o->id, spec, x->rootfs, x->o->no_pivot, x->intermediate);
        if (device_rules_effective(spec, &x->res, &x->rules) < 0)
                return berth_error(err, ENOMEM, "device rules");
        /* With a unified hierarchy the cgroup comes first and the init is cloned into it; on
         * pure v1 the init sets up its namespaces and mounts while the cgroup is made, and
         * joins it by itself (cgroup/cgroup-join.c). */
        CgroupLayout layout;
        if (!x->intermediate && cgroup_detect_layout(&layout) >= 0 &&
            layout != CGROUP_LAYOUT_V1) {
                r = make_cgroup(x->o, spec, &x->res, &x->cgroup, err);
                if (r < 0)
                        return r;
                x->cgroup_made = true;
                if (x->cgroup)
                        x->cgroup_fd = cgroup_unified_dir_fd(x->cgroup);
        }
        r = spawn_init(args, x->intermediate, x->cgroup_fd, &spawned, &x->cloned_into, err);
        if (r < 0)
                return r;
        x->cgroup_fd = safe_close(x->cgroup_fd);
        x->sync[1] = safe_close(x->sync[1]);
        x->listen_fd = safe_close(x->listen_fd);
        x->config_fd = safe_close(x->config_fd);
        if (!x->intermediate) {
                x->c->pid = x->pid = spawned;
                return 0;
        }
        SyncMsg m = {};
        _cleanup_free_ char *ierr = NULL;
        int q = sync_expect(x->sync[0], SYNC_PID, &m, NULL, &ierr);
        while (waitpid(spawned, NULL, 0) < 0 && errno == EINTR)
                ;
        if (q < 0)
                return berth_error(err, q, "%s", ierr ? ierr : "join namespaces");
        x->c->pid = x->pid = m.value;
        sync_msg_done(&m);
        return 0;
}

/* A new user namespace: its id maps, written for the init, and SYNC_MAPPED. */
static int create_map_ids(Create *x, BerthError **err)
{
        const SpecLinux *l = x->spec->linux_;
        int r;

        if (!l || !l->namespaces[SPEC_NS_USER].present || l->namespaces[SPEC_NS_USER].path)
                return 0;
        if (idmap_by_fds(l) && !x->intermediate) {
                int fds[3];
                size_t n_fds = 0;
                SyncMsg m = {};
                r = sync_recv_fds(x->sync[0], &m, fds, ELEMENTSOF(fds), &n_fds);
                _cleanup_free_ char *t = m.text;
                if (r >= 0 && m.type == SYNC_ERROR)
                        r = berth_error_plain(err, m.value, "%s", t);
                else if (r < 0 || m.type != SYNC_IDMAP_FDS || n_fds != 3)
                        r = berth_error(err, r < 0 ? r : EPROTO,
                                        "receive the init's id map files");
                else
                        r = namespaces_write_id_maps_fds(fds, l, err);
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
        } else
                r = namespaces_write_id_maps(x->pid, l, err);
        if (r < 0)
                return r;
        /* The init becomes the namespace's root before it executes the runtime's copy, so it
         * keeps its capabilities there. */
        r = sync_send(x->sync[0], SYNC_MAPPED, 0, NULL, -1);
        if (r < 0)
                return berth_error(err, r, "tell the init its ids are mapped");
        return 0;
}

/* SYNC_GO, then the cgroup (made now on v1) and the fds the init joins it by. */
static int create_join_cgroup(Create *x, BerthError **err)
{
        const CreateOptions *o = x->o;
        int fds[SYNC_MAX_FDS];
        size_t n_fds = 0;
        _cleanup_free_ char *names = NULL;
        int r;

        x->state = container_state_string(x->c, STATUS_CREATING);
        r = idmap_check(x->spec, err);
        if (r < 0)
                return r;
        /* A failed send means the init died: serve_init() then reads why it did. */
        (void)sync_send(x->sync[0], SYNC_GO, 0, x->state, -1);
        if (!x->cgroup_made) {
                r = make_cgroup(o, x->spec, &x->res, &x->cgroup, err);
                if (r < 0)
                        return r;
        }
        /* The init joins by itself, and only where it needs its cgroup (cgroup-join.c). */
        r = x->cgroup ? cgroup_join_fds(x->cgroup, x->cloned_into, fds, ELEMENTSOF(fds), &n_fds,
                                        &names, err)
                      : 0;
        if (r < 0)
                return r;
        /* A failed send means the init died: serve_init() then reads why it did. */
        (void)sync_send_fds(x->sync[0], SYNC_CGROUP, 0, names, fds, n_fds);
        for (size_t i = 0; i < n_fds; i++)
                safe_close(fds[i]);
        free(x->c->cgroup);
        x->c->cgroup = x->cgroup ? cgroup_serialize(x->cgroup) : NULL;
        log_debug("create %s: init pid %d in cgroup %s (%s)", o->id, x->pid,
                  x->cgroup ? cgroup_path(x->cgroup) : "(none: rootless)",
                  x->cloned_into ? "cloned into it" : "it joins by itself");
        return 0;
}

static int set_oom_score_adj(pid_t pid, int value, BerthError **err)
{
        char p[64], v[16];

        snprintf(p, sizeof(p), "/proc/%d/oom_score_adj", pid);
        snprintf(v, sizeof(v), "%d", value);
        int r = fs_write_string_file(p, v);
        if (r < 0)
                return berth_error(err, r, "process.oomScoreAdj: set %s%s", v,
                                   r == -EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
        return 0;
}

/* The init's pid and cgroup as made replace what was planned; the init is served until it is
 * ready, and then the "creating" marker goes. */
static int create_finish(Create *x, BerthError **err)
{
        Container *c = x->c;
        uint64_t start;
        bool zombie;
        int r;

        r = process_start_time(x->pid, &c->pid_start, &zombie);
        if (r < 0 || zombie) {
                /* Already dead: what it sent before it died says why. */
                r = serve_init(c, x->spec, x->o, x->sync[0], x->foreground, &x->console, err);
                return r < 0 ? r : berth_error(err, 0, "the container's init died during create");
        }
        r = container_state_save(c, err);
        if (r < 0)
                return r;
        if (x->spec->process->has_oom_score_adj &&
            (r = set_oom_score_adj(x->pid, x->spec->process->oom_score_adj, err)) < 0)
                return r;
        r = serve_init(c, x->spec, x->o, x->sync[0], x->foreground, &x->console, err);
        if (r < 0)
                return r;
        if (process_start_time(x->pid, &start, &zombie) < 0 || zombie || start != c->pid_start)
                return berth_error(err, 0, "the container's init died during create");
        r = container_state_created(c, err);
        if (r < 0)
                return r;
        if (x->o->pid_file)
                return write_pid_file(x->o->pid_file, x->pid, err);
        return 0;
}

int container_create(const CreateOptions *o, bool foreground, CreateResult *ret, BerthError **err)
{
        _cleanup_(create_done) Create x = {
                .o = o, .foreground = foreground, .statedir = -1, .rootfd = -1,
                .sync = { -1, -1 }, .listen_fd = -1, .config_fd = -1, .cgroup_fd = -1,
                .console = -1,
        };
        int r;

        r = create_load_bundle(&x, err);
        if (r < 0)
                return r;
        r = create_record_state(&x, err);
        if (r >= 0)
                r = create_open_channels(&x, err);
        if (r >= 0) {
                x.intermediate = namespaces_need_intermediate(x.spec->linux_);
                const InitArgs args = {
                        .opts = o,
                        .spec = x.spec,
                        .bundle = x.bundle,
                        .rootfs = x.rootfs,
                        .sync_fd = x.sync[1],
                        .listen_fd = x.listen_fd,
                        .joined_early = x.intermediate,
                        .n_listen_fds = x.n_listen,
                        .config_fd = x.config_fd,
                        .exec_stub_fd = -1,
                        .reexec = !exec_stub_usable(x.spec),
                };
                r = create_spawn(&x, &args, err);
                if (r >= 0)
                        r = create_map_ids(&x, err);
                /* An init that re-executes the runtime's copy reads its settings first. A
                 * failed send means the init died: serve_init() then reads why it did. */
                if (r >= 0 && args.reexec) {
                        r = container_init_send_settings(x.sync[0], &args);
                        if (r == -EPIPE || r == -ECONNRESET)
                                r = 0;
                        else if (r < 0)
                                berth_error(err, r, "send the init its settings");
                }
        }
        if (r >= 0)
                r = create_join_cgroup(&x, err);
        if (r >= 0)
                r = create_finish(&x, err);
        if (r < 0) {
                create_rollback(&x);
                return r;
        }
        x.c->spec = TAKE_PTR(x.spec);
        ret->container = TAKE_PTR(x.c);
        ret->start_fd = foreground ? TAKE_FD(x.sync[0]) : -1;
        ret->console_master = TAKE_FD(x.console);
        return 0;
}

/* After a failed execve() the init exits at once; start returns only once it has, so that
 * the caller (containerd's shim, which reaps it) sees the container stopped, not created,
 * when it hears of the failure: Docker deletes the task right away and a shim that still
 * says "created" refuses, leaving shim, state and cgroup behind. Bounded. */
static void wait_init_gone(Container *c)
{
        _cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (pidfd < 0)
                return;
        while (poll(&p, 1, 2000) < 0 && errno == EINTR)
                ;
}

int container_start_fd(Container *c, int start_fd, BerthError **err)
{
        int r;

        r = sync_send(start_fd, SYNC_START, 0, NULL, -1);
        if (r < 0)
                return berth_error(err, r, "start container `%s`", c->id);
        /* The channel closes on a successful execve(); otherwise the init says why. */
        SyncMsg m = {};
        r = sync_recv(start_fd, &m, NULL);
        if (r >= 0) {
                _cleanup_free_ char *t = m.text;
                if (m.type == SYNC_EXEC_FAILED) /* from the exec stub: errno and the path */
                        process_exec_error(err, m.value > 0 ? m.value : EINVAL, t);
                else
                        berth_error_plain(err, m.value, "%s", t);
                wait_init_gone(c);
                return berth_error_prefix(err, "start container `%s`", c->id);
        }
        if (r != -EPIPE && r != -ECONNRESET)
                return berth_error(err, r, "start container `%s`", c->id);
        if (container_load_spec(c, NULL) >= 0) {
                _cleanup_free_ char *st = container_state_string(c, STATUS_RUNNING);
                hooks_run_warn(c->spec, SPEC_HOOK_POSTSTART, st);
        }
        return 0;
}

int container_start(Container *c, BerthError **err)
{
        ContainerStatus st = container_status(c);

        if (st != STATUS_CREATED)
                return berth_error(err, 0, "container `%s` is %s, not created", c->id,
                                   container_status_name(st));
        _cleanup_close_ int fd =
                socket_connect_unix_at(SOCK_SEQPACKET | SOCK_CLOEXEC, c->dirfd, STATE_EXEC_SOCKET);
        if (fd < 0)
                return berth_error(err, fd, "start container `%s`: reach its init", c->id);
        /* Whoever connected first starts it; the socket going away marks it running. */
        if (unlinkat(c->dirfd, STATE_EXEC_SOCKET, 0) < 0)
                return berth_error(err, errno == ENOENT ? 0 : errno,
                                   "container `%s` is already being started", c->id);
        return container_start_fd(c, fd, err);
}
