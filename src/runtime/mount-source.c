/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "basic/string-util.h"
#include "runtime/mount-options.h"
#include "runtime/mount-source.h"
#include "runtime/mount-util.h"
#include "runtime/namespaces.h"
#include "runtime/sync.h"

int mount_source_request(int sync_fd, size_t index, int *ret_tree, BerthError **err)
{
        SyncMsg m = {};
        int fd = -1;

        int r = sync_send(sync_fd, SYNC_MOUNT_SOURCE, (int32_t)index, NULL, -1);
        if (r < 0)
                return berth_error(err, r, "ask the runtime for the source");
        r = sync_recv(sync_fd, &m, &fd);
        if (r < 0)
                return berth_error(err, r, "receive the source from the runtime");
        _cleanup_free_ char *text = m.text;
        if (m.type != SYNC_MOUNT_SOURCE || m.value < 0 || fd < 0) {
                safe_close(fd);
                if (m.type == SYNC_MOUNT_SOURCE && text && *text)
                        return berth_error_plain(err, m.value < 0 ? -m.value : EINVAL, "%s",
                                                 text);
                return berth_error(err, 0, "unexpected answer %u from the runtime", m.type);
        }
        *ret_tree = fd;
        return 0;
}

/* In a child of the runtime that has joined the init's mount namespace. */
static int make_tree(const MountOptions *o, const char *src, int userns, int *ret,
                     BerthError **err)
{
        int r = userns >= 0 ? mount_idmapped_tree(src, o->recursive_bind, userns,
                                                  o->recursive_idmap, ret)
                            : mount_clone_tree(src, o->recursive_bind, ret);
        if (r < 0)
                return berth_error(err, r, "open source `%s` in the container's mount namespace%s",
                                   src,
                                   userns >= 0 && r == -EINVAL
                                           ? " (does its filesystem support idmapped mounts?)"
                                           : "");
        return 0;
}

int mount_source_serve(const Spec *spec, const char *bundle, pid_t init, int sync_fd,
                       int32_t index, BerthError **err)
{
        _cleanup_error_ BerthError *why = NULL;
        _cleanup_(mount_options_done) MountOptions o = {};
        _cleanup_free_ char *src = NULL;
        _cleanup_close_ int userns = -1, mntns = -1;
        char what[32], ns[64];
        int r = 0;

        snprintf(what, sizeof(what), "mounts[%d]", index);
        const SpecMount *m = index >= 0 && (size_t)index < spec->n_mounts ? &spec->mounts[index]
                                                                           : NULL;
        const SpecLinux *l = spec->linux_;
        if (!m || !m->source || mount_options_parse(m->options, &o) < 0)
                r = berth_error(&why, 0, "%s: no bind mount source to open", what);
        else if (m->source[0] != '/' && asprintf(&src, "%s/%s", bundle, m->source) < 0)
                r = berth_error(&why, ENOMEM, "%s", what);
        else if (m->n_uid_mappings > 0)
                r = namespaces_userns_fd(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
                                         m->n_gid_mappings, what, &userns, &why);
        else if (mount_options_is_idmapped(m, &o) && l)
                r = namespaces_userns_fd(l->uid_mappings, l->n_uid_mappings, l->gid_mappings,
                                         l->n_gid_mappings, what, &userns, &why);
        if (r >= 0) {
                snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", init);
                mntns = open(ns, O_RDONLY | O_CLOEXEC);
                if (mntns < 0)
                        r = berth_error(&why, errno, "%s: open the container's mount namespace",
                                        what);
        }
        if (r >= 0) {
                pid_t pid = fork();
                if (pid < 0)
                        r = berth_error(&why, errno, "%s: fork", what);
                else if (pid == 0) {
                        int tree = -1;
                        /* setns() puts us at the root of the init's namespace, where host paths
                         * and the container's mounts so far are as the init sees them. */
                        if (setns(mntns, CLONE_NEWNS) < 0)
                                berth_error(&why, errno, "%s: join the container's mount "
                                                         "namespace",
                                            what);
                        else if (make_tree(&o, src ? src : m->source, userns, &tree, &why) >= 0)
                                _exit(sync_send(sync_fd, SYNC_MOUNT_SOURCE, 0, NULL, tree) < 0);
                        berth_error_prefix(&why, "%s (`%s`)", what, m->destination);
                        _exit(sync_send(sync_fd, SYNC_MOUNT_SOURCE, -berth_error_code(why) > 0
                                                                            ? berth_error_code(why)
                                                                            : -EINVAL,
                                        why->msg, -1) < 0);
                } else {
                        int status;
                        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                                return 0;
                        r = berth_error(&why, 0, "%s: the runtime's helper failed", what);
                }
        }
        r = sync_send(sync_fd, SYNC_MOUNT_SOURCE, r, why->msg, -1);
        if (r < 0)
                return berth_error(err, r, "send a mount source to the init");
        return 0;
}
