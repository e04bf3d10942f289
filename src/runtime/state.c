/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "runtime/cgroup/cgroup.h"
#include "runtime/state.h"

static const char *const status_names[] = {
        [STATUS_CREATING] = "creating", [STATUS_CREATED] = "created",
        [STATUS_RUNNING] = "running",   [STATUS_PAUSED] = "paused",
        [STATUS_STOPPED] = "stopped",
};

const char *container_status_name(ContainerStatus s)
{
        return status_names[s];
}

int container_id_validate(const char *id, BerthError **err)
{
        if (isempty(id))
                return berth_error(err, 0, "container id must not be empty");
        if (streq(id, ".") || streq(id, "..") || strlen(id) > 1024)
                return berth_error(err, 0, "invalid container id `%s`", id);
        for (const char *p = id; *p; p++)
                if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
                        return berth_error(err, 0,
                                           "invalid container id `%s`: only letters, digits and "
                                           "`_+-.` are allowed",
                                           id);
        return 0;
}

int container_state_create_dir(const char *root, const char *id, int *ret_dirfd, BerthError **err)
{
        int r;

        r = fs_mkdir_p(root, 0700);
        if (r < 0)
                return berth_error(err, r, "create state root `%s`", root);
        _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return berth_error(err, errno, "open state root `%s`", root);
        if (mkdirat(rootfd, id, 0700) < 0) {
                if (errno == EEXIST)
                        return berth_error(err, 0, "container `%s` already exists", id);
                return berth_error(err, errno, "create state directory `%s/%s`", root, id);
        }
        int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                r = berth_error(err, errno, "open state directory `%s/%s`", root, id);
                unlinkat(rootfd, id, AT_REMOVEDIR);
                return r;
        }
        *ret_dirfd = fd;
        return 0;
}

static void add_string(struct json_object *o, const char *key, const char *v)
{
        if (v)
                json_object_object_add(o, key, json_object_new_string(v));
}

int container_state_save(const Container *c, BerthError **err)
{
        struct json_object *o = json_object_new_object();
        int r;

        add_string(o, "id", c->id);
        json_object_object_add(o, "pid", json_object_new_int(c->pid));
        json_object_object_add(o, "pid_start", json_object_new_uint64(c->pid_start));
        add_string(o, "bundle", c->bundle);
        add_string(o, "rootfs", c->rootfs);
        add_string(o, "created", c->created);
        add_string(o, "owner", c->owner);
        add_string(o, "cgroup", c->cgroup);
        json_object_object_add(o, "systemd_cgroup", json_object_new_boolean(c->systemd_cgroup));
        if (c->annotations)
                json_object_object_add(o, "annotations", json_object_get(c->annotations));
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        /* The marker comes first: whoever finds state.json finds it too. */
        r = c->creating ? fs_write_file_new_at(c->dirfd, STATE_CREATING, "", 0, 0600) : 0;
        if (r >= 0 || r == -EEXIST)
                r = fs_write_file_replace_at(c->dirfd, STATE_FILE, s, strlen(s), 0600);
        json_object_put(o);
        if (r < 0)
                return berth_error(err, r, "write state of container `%s`", c->id);
        return 0;
}

int container_state_created(Container *c, BerthError **err)
{
        if (unlinkat(c->dirfd, STATE_CREATING, 0) < 0 && errno != ENOENT)
                return berth_error(err, errno, "write state of container `%s`", c->id);
        c->creating = false;
        return 0;
}

static char *dup_field(struct json_object *o, const char *key)
{
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

int container_load(const char *root, const char *id, Container **ret, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        char path[PATH_MAX];
        struct json_object *o, *v;
        int r;

        r = container_id_validate(id, err);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%s/%s", root, id);
        _cleanup_close_ int dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dirfd < 0) {
                if (errno == ENOENT) {
                        berth_error(err, 0, "container `%s` does not exist", id);
                        return -ENOENT;
                }
                return berth_error(err, errno, "open state of container `%s`", id);
        }
        _cleanup_error_ BerthError *rerr = NULL;
        r = fs_read_full_file_limited(dirfd, STATE_FILE, READ_LIMIT_JSON, &data, NULL, &rerr);
        if (r == -ENOENT) {
                /* Made by a create that has not got far, or was killed before it did. */
                berth_error(err, 0, "container `%s` has no state yet (it is being created, or "
                                    "its create was killed: delete --force removes it)", id);
                return -ENODATA;
        }
        if (r < 0)
                return berth_error_plain(err, r, "state of container `%s`: %s", id, rerr->msg);
        o = json_tokener_parse(data);
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return berth_error(err, 0, "state of container `%s` is corrupt", id);
        }

        Container *c = calloc(1, sizeof(*c));
        if (!c) {
                json_object_put(o);
                return berth_error(err, ENOMEM, "load container `%s`", id);
        }
        c->root = strdup(root);
        c->id = strdup(id);
        c->creating = faccessat(dirfd, STATE_CREATING, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
        c->dirfd = TAKE_FD(dirfd);
        if (json_object_object_get_ex(o, "pid", &v))
                c->pid = json_object_get_int(v);
        if (json_object_object_get_ex(o, "pid_start", &v))
                c->pid_start = json_object_get_uint64(v);
        c->bundle = dup_field(o, "bundle");
        c->rootfs = dup_field(o, "rootfs");
        c->created = dup_field(o, "created");
        c->owner = dup_field(o, "owner");
        c->cgroup = dup_field(o, "cgroup");
        if (json_object_object_get_ex(o, "systemd_cgroup", &v))
                c->systemd_cgroup = json_object_get_boolean(v);
        if (json_object_object_get_ex(o, "annotations", &v))
                c->annotations = json_object_get(v);
        json_object_put(o);
        if (!c->root || !c->id) {
                container_free(c);
                return berth_error(err, ENOMEM, "load container `%s`", id);
        }
        *ret = c;
        return 0;
}

int container_load_spec(Container *c, BerthError **err)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r;

        if (c->spec)
                return 0;
        r = fs_read_full_file_limited(c->dirfd, STATE_CONFIG, READ_LIMIT_JSON, &data, &len, err);
        if (r < 0)
                return berth_error_prefix(err, "config of container `%s`", c->id);
        r = spec_parse(data, len, &c->spec, err);
        if (r < 0)
                return berth_error_prefix(err, "config of container `%s`", c->id);
        return 0;
}

ContainerStatus container_status(Container *c)
{
        uint64_t start;
        bool zombie;

        if (c->pid <= 0 || process_start_time(c->pid, &start, &zombie) < 0 || zombie ||
            (c->pid_start && start != c->pid_start))
                return STATUS_STOPPED;
        if (c->creating)
                return STATUS_CREATING;
        if (faccessat(c->dirfd, STATE_EXEC_SOCKET, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return STATUS_CREATED;
        if (c->cgroup) {
                _cleanup_cgroup_ Cgroup *cg = NULL;
                bool frozen = false;
                if (cgroup_open(c->cgroup, &cg, NULL) >= 0 && cgroup_is_frozen(cg, &frozen) >= 0 &&
                    frozen)
                        return STATUS_PAUSED;
        }
        return STATUS_RUNNING;
}

struct json_object *container_state_json(Container *c, ContainerStatus status)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "ociVersion", json_object_new_string("1.2.0"));
        add_string(o, "id", c->id);
        json_object_object_add(o, "pid",
                               json_object_new_int(status == STATUS_STOPPED ? 0 : c->pid));
        json_object_object_add(o, "status", json_object_new_string(container_status_name(status)));
        add_string(o, "bundle", c->bundle);
        add_string(o, "rootfs", c->rootfs);
        add_string(o, "created", c->created);
        add_string(o, "owner", c->owner ? c->owner : "");
        if (c->annotations)
                json_object_object_add(o, "annotations", json_object_get(c->annotations));
        return o;
}

char *container_state_string(Container *c, ContainerStatus status)
{
        struct json_object *o = container_state_json(c, status);
        char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return s;
}

int container_state_remove_dir(const char *root, const char *id)
{
        _cleanup_close_ int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return -errno;
        return fs_rm_rf_at(rootfd, id);
}

int container_state_remove(Container *c)
{
        _cleanup_close_ int rootfd = open(c->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return -errno;
        return fs_rm_rf_at(rootfd, c->id);
}

void container_free(Container *c)
{
        if (!c)
                return;
        free(c->root);
        free(c->id);
        safe_close(c->dirfd);
        free(c->bundle);
        free(c->rootfs);
        free(c->created);
        free(c->owner);
        free(c->cgroup);
        json_object_put(c->annotations);
        if (c->spec)
                spec_free(c->spec);
        free(c);
}
