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
#include "runtime/hooks.h"
#include "runtime/mount-options.h"
#include "runtime/mount-util.h"
#include "runtime/mount-source.h"
#include "runtime/namespaces.h"
#include "runtime/process.h"
#include "runtime/seccomp/seccomp.h"
#include "runtime/sync.h"
#include "runtime/sync-wire.h"
#include "runtime/terminal.h"

void create_result_done(CreateResult *r)
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
        int r = fs_write_file_atomic(path, buf, (size_t)n, 0644);
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

/* Everything the runtime must undo when a create fails half way. */
typedef struct Undo {
        pid_t pid;
        Cgroup *cgroup;
        int rootfd;
        const char *id;
} Undo;

static void undo(Undo *u)
{
        if (u->pid > 0) {
                kill(u->pid, SIGKILL);
                while (waitpid(u->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (u->cgroup) {
                cgroup_destroy(u->cgroup, NULL);
                cgroup_free(u->cgroup);
        }
        if (u->rootfd >= 0) {
                fs_rm_rf_at(u->rootfd, u->id);
                safe_close(u->rootfd);
        }
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
        flags &= ~(unsigned long)(CLONE_NEWCGROUP | namespace_clone_flag(SPEC_NS_TIME));
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
                process_close_fds_except(3 + (int)(args->n_listen_fds + args->opts->preserve_fds),
                                         keep, ELEMENTSOF(keep));
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
                if (mount_options_parse(m->options, &o) < 0 || !mount_is_idmapped(m, &o))
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
                        r = seccomp_send_listener(sc->listener_path, sc->listener_metadata, fd,
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

int container_create(const CreateOptions *o, bool foreground, CreateResult *ret, BerthError **err)
{
        _cleanup_free_ char *bundle = NULL, *rootfs = NULL, *config = NULL, *state = NULL;
        _cleanup_spec_ Spec *spec = NULL;
        _cleanup_close_pair_ int sp[2] = { -1, -1 };
        _cleanup_close_ int listen_fd = -1, statedir = -1, console = -1;
        Undo u = { .rootfd = -1, .id = o->id };
        Container *c = NULL;
        unsigned n_listen = 0;
        size_t config_len;
        _cleanup_free_ SpecDeviceCgroup *rules = NULL;
        _cleanup_free_ char *owner = NULL;
        _cleanup_close_ int config_fd = -1, cgroup_fd = -1;
        SpecResources res;
        CapSets caps;
        char path[PATH_MAX], created[64];
        pid_t spawned = 0;
        int r;

        r = container_id_validate(o->id, err);
        if (r < 0)
                return r;
        bundle = realpath(o->bundle ? o->bundle : ".", NULL);
        if (!bundle)
                return berth_error(err, errno, "bundle `%s`", o->bundle ? o->bundle : ".");
        if (o->config)
                snprintf(path, sizeof(path), "%s", o->config);
        else
                snprintf(path, sizeof(path), "%s/config.json", bundle);
        r = fs_read_full_file_limited(AT_FDCWD, path, READ_LIMIT_JSON, &config, &config_len, err);
        if (r < 0)
                return r;
        r = spec_parse(config, config_len, &spec, err);
        if (r < 0)
                return o->config ? berth_error_prefix(err, "%s", path)
                                 : berth_error_prefix(err, "bundle `%s`", bundle);
        if (!spec->process)
                return berth_error(err, 0, "%s: process: missing", path);
        if (spec->root_path[0] == '/')
                snprintf(path, sizeof(path), "%s", spec->root_path);
        else
                snprintf(path, sizeof(path), "%s/%s", bundle, spec->root_path);
        rootfs = realpath(path, NULL);
        struct stat st;
        if (!rootfs || stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return berth_error(err, rootfs ? ENOTDIR : errno, "root.path: rootfs `%s`", path);
        /* A security profile that cannot be applied is an error, never silently dropped. */
        if (spec->process->apparmor_profile && *spec->process->apparmor_profile)
                return berth_error(err, 0, "process.apparmorProfile \"%s\": %s",
                                   spec->process->apparmor_profile,
                                   apparmor_enabled() ? "AppArmor is not supported by this build"
                                                      : "AppArmor is not enabled on this host");
        if (spec->process->terminal && !foreground && !o->console_socket)
                return berth_error(err, 0, "process.terminal is true: --console-socket is "
                                           "required to create a detached container");
        r = caps_resolve(spec->process->capabilities, &caps, err);
        if (r < 0)
                return r;
        const char *lf = getenv("LISTEN_FDS");
        int nl;
        if (lf && string_safe_atoi(lf, &nl) >= 0 && nl > 0)
                n_listen = (unsigned)nl;
        r = check_preserved_fds(n_listen + o->preserve_fds, err);
        if (r < 0)
                return r;

        r = container_state_create_dir(o->root, o->id, &statedir, err);
        if (r < 0)
                return r;
        u.rootfd = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        /* Nobody reads the copy before state.json exists. */
        r = fs_write_file_new_at(statedir, STATE_CONFIG, config, config_len, 0600);
        if (r < 0) {
                berth_error(err, r, "save the config of container `%s`", o->id);
                goto fail;
        }
        const SpecLinux *l = spec->linux_;
        c = calloc(1, sizeof(*c));
        if (!c) {
                r = berth_error(err, ENOMEM, "create");
                goto fail;
        }
        time_format_rfc3339_now(created, sizeof(created));
        if (passwd_lookup_uid("/etc/passwd", geteuid(), &owner, NULL) < 0 &&
            asprintf(&owner, "%u", geteuid()) < 0)
                owner = NULL;
        c->root = strdup(o->root);
        c->id = strdup(o->id);
        c->dirfd = TAKE_FD(statedir);
        c->bundle = strdup(bundle);
        c->rootfs = strdup(rootfs);
        c->created = strdup(created);
        c->owner = TAKE_PTR(owner);
        c->systemd_cgroup = o->systemd_cgroup;
        struct json_object *ann;
        if (json_object_object_get_ex(spec->json, "annotations", &ann))
                c->annotations = json_object_get(ann);
        /* Recorded before anything is made, the cgroup's directories as planned: a runtime
         * killed from here on (the init and the intermediate die with it) leaves what
         * `delete --force` removes. The init's pid follows once it has one. */
        c->cgroup = cgroup_plan(o->id, l ? l->cgroups_path : NULL, o->systemd_cgroup);
        c->creating = true;
        r = container_state_save(c, err);
        if (r < 0)
                goto fail;
        if (!foreground && (listen_fd = bind_exec_socket(c->dirfd, err)) < 0) {
                r = listen_fd;
                goto fail;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
                r = berth_error(err, errno, "create the sync socket");
                goto fail;
        }
        config_fd = openat(c->dirfd, STATE_CONFIG, O_RDONLY | O_CLOEXEC);
        if (config_fd < 0) {
                r = berth_error(err, errno, "open the config copy of container `%s`", o->id);
                goto fail;
        }

        const InitArgs args = {
                .opts = o,
                .spec = spec,
                .bundle = bundle,
                .rootfs = rootfs,
                .sync_fd = sp[1],
                .listen_fd = listen_fd,
                .n_listen_fds = n_listen,
                .config_fd = config_fd,
                .exec_stub_fd = -1,
        };
        bool intermediate = namespaces_need_intermediate(spec->linux_);
        debug_log_create(o->id, spec, rootfs, o->no_pivot, intermediate);
        if (device_rules_effective(spec, &res, &rules) < 0) {
                r = berth_error(err, ENOMEM, "device rules");
                goto fail;
        }
        /* With a unified hierarchy the cgroup comes first and the init is cloned into it; on
         * pure v1 the init sets up its namespaces and mounts while the cgroup is made, and
         * joins it by itself (cgroup/cgroup-join.c). */
        CgroupLayout layout;
        bool cgroup_made = false;
        if (!intermediate && cgroup_detect_layout(&layout) >= 0 && layout != CGROUP_LAYOUT_V1) {
                r = make_cgroup(o, spec, &res, &u.cgroup, err);
                if (r < 0)
                        goto fail;
                cgroup_made = true;
                if (u.cgroup)
                        cgroup_fd = cgroup_unified_dir_fd(u.cgroup);
        }
        bool cloned_into = false;
        r = spawn_init(&args, intermediate, cgroup_fd, &spawned, &cloned_into, err);
        if (r < 0)
                goto fail;
        cgroup_fd = safe_close(cgroup_fd);
        sp[1] = safe_close(sp[1]);
        listen_fd = safe_close(listen_fd);
        config_fd = safe_close(config_fd);
        if (intermediate) {
                pid_t mid = spawned;
                SyncMsg m = {};
                _cleanup_free_ char *ierr = NULL;
                int q = sync_expect(sp[0], SYNC_PID, &m, NULL, &ierr);
                while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
                        ;
                if (q < 0) {
                        r = berth_error(err, q, "%s", ierr ? ierr : "join namespaces");
                        goto fail;
                }
                u.pid = m.value;
                sync_msg_done(&m);
        } else
                u.pid = spawned;
        c->pid = u.pid;

        if (l && l->namespaces[SPEC_NS_USER].present && !l->namespaces[SPEC_NS_USER].path) {
                if (idmap_by_fds(l) && !intermediate) {
                        int fds[3];
                        size_t n_fds = 0;
                        SyncMsg m = {};
                        r = sync_recv_fds(sp[0], &m, fds, ELEMENTSOF(fds), &n_fds);
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
                        r = namespaces_write_id_maps(u.pid, l, err);
                if (r < 0)
                        goto fail;
                /* The init becomes the namespace's root before it executes the runtime's copy,
                 * so it keeps its capabilities there. */
                r = sync_send(sp[0], SYNC_MAPPED, 0, NULL, -1);
                if (r < 0) {
                        berth_error(err, r, "tell the init its ids are mapped");
                        goto fail;
                }
        }
        state = container_state_string(c, STATUS_CREATING);
        r = idmap_check(spec, err);
        if (r < 0)
                goto fail;
        /* A failed send means the init died: serve_init() then reads why it did. */
        (void)sync_send(sp[0], SYNC_GO, 0, state, -1);
        if (!cgroup_made) {
                r = make_cgroup(o, spec, &res, &u.cgroup, err);
                if (r < 0)
                        goto fail;
        }
        /* The init joins by itself, and only where it needs its cgroup (cgroup-join.c). */
        {
                int fds[SYNC_MAX_FDS];
                size_t n_fds = 0;
                _cleanup_free_ char *names = NULL;
                r = u.cgroup ? cgroup_join_fds(u.cgroup, cloned_into, fds, ELEMENTSOF(fds),
                                               &n_fds, &names, err) :
                               0;
                if (r < 0)
                        goto fail;
                /* A failed send means the init died: serve_init() then reads why it did. */
                (void)sync_send_fds(sp[0], SYNC_CGROUP, 0, names, fds, n_fds);
                for (size_t i = 0; i < n_fds; i++)
                        safe_close(fds[i]);
        }
        free(c->cgroup);
        c->cgroup = u.cgroup ? cgroup_serialize(u.cgroup) : NULL;
        log_debug("create %s: init pid %d in cgroup %s (%s)", o->id, u.pid,
                  u.cgroup ? cgroup_path(u.cgroup) : "(none: rootless)",
                  cloned_into ? "cloned into it" : "it joins by itself");
        /* The init's pid and its cgroup as made replace what was planned; the "creating"
         * marker goes when the init is ready. */
        bool zombie;
        r = process_start_time(u.pid, &c->pid_start, &zombie);
        if (r < 0 || zombie) {
                /* Already dead: what it sent before it died says why. */
                r = serve_init(c, spec, o, sp[0], foreground, &console, err);
                if (r >= 0)
                        r = berth_error(err, 0, "the container's init died during create");
                goto fail;
        }
        r = container_state_save(c, err);
        if (r < 0)
                goto fail;
        if (spec->process->has_oom_score_adj) {
                char p[64], v[16];
                snprintf(p, sizeof(p), "/proc/%d/oom_score_adj", u.pid);
                snprintf(v, sizeof(v), "%d", spec->process->oom_score_adj);
                r = fs_write_string_file(p, v);
                if (r < 0) {
                        berth_error(err, r, "process.oomScoreAdj: set %s%s", v,
                                    r == -EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
                        goto fail;
                }
        }
        r = serve_init(c, spec, o, sp[0], foreground, &console, err);
        if (r < 0)
                goto fail;

        uint64_t start;
        if (process_start_time(u.pid, &start, &zombie) < 0 || zombie || start != c->pid_start) {
                r = berth_error(err, 0, "the container's init died during create");
                goto fail;
        }
        r = container_state_created(c, err);
        if (r < 0)
                goto fail;
        if (o->pid_file && (r = write_pid_file(o->pid_file, u.pid, err)) < 0)
                goto fail;

        c->spec = TAKE_PTR(spec);
        cgroup_free(u.cgroup);
        safe_close(u.rootfd);
        ret->container = c;
        ret->start_fd = foreground ? TAKE_FD(sp[0]) : -1;
        ret->console_master = TAKE_FD(console);
        return 0;

fail:
        undo(&u);
        if (c)
                container_free(c);
        return r;
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
