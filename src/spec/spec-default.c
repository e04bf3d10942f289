/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The default config.json of `berth-runtime spec [--rootless]`: the same document runc 1.2's
 * `runc spec` writes (libcontainer/specconv/example.go), with ociVersion 1.2.0.
 */
#include <string.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "basic/string-util.h"
#include "spec/runtime-spec.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

typedef struct DefaultMount {
        const char *destination, *type, *source;
        const char *options[8];
} DefaultMount;

static const DefaultMount default_mounts[] = {
        { "/proc", "proc", "proc", {} },
        { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
        { "/dev/pts",
          "devpts",
          "devpts",
          { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
        { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
        { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
        { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
        { "/sys/fs/cgroup", "cgroup", "cgroup", { "nosuid", "noexec", "nodev", "relatime", "ro" } },
};

/* Without the privilege to mount sysfs, a rootless container gets the host's, read-only. */
static const DefaultMount rootless_sys_mount = {
        "/sys", "none", "/sys", { "rbind", "nosuid", "noexec", "nodev", "ro" }
};

static const char *const default_caps[] = {
        "CAP_AUDIT_WRITE",
        "CAP_KILL",
        "CAP_NET_BIND_SERVICE",
        NULL,
};

static const char *const masked_paths[] = {
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/proc/scsi",
        NULL,
};

static const char *const readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/*
 * json-c's constructors return NULL only on OOM, and json-c asserts on a NULL container. The
 * builders below skip NULLs and note the failure, so that the document is built in straight
 * lines and checked once at the end.
 */
static _Thread_local bool build_failed;

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        if (!o || !v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                build_failed = true;
        }
}

static void push(struct json_object *a, struct json_object *v)
{
        if (!a || !v || json_object_array_add(a, v) < 0) {
                json_object_put(v);
                build_failed = true;
        }
}

static struct json_object *strv_json(const char *const *l)
{
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; a && l[i]; i++)
                push(a, json_object_new_string(l[i]));
        return a;
}

static struct json_object *mount_json(const DefaultMount *m, bool rootless)
{
        struct json_object *o = json_object_new_object(), *opts;
        size_t kept = 0;

        if (!o)
                return NULL;
        add(o, "destination", json_object_new_string(m->destination));
        add(o, "type", json_object_new_string(m->type));
        add(o, "source", json_object_new_string(m->source));
        opts = json_object_new_array();
        for (size_t i = 0; opts && i < ELEMENTSOF(m->options) && m->options[i]; i++) {
                /* A rootless container cannot map gid 5 (tty) or any other id. */
                if (rootless &&
                    (startswith(m->options[i], "gid=") || startswith(m->options[i], "uid=")))
                        continue;
                push(opts, json_object_new_string(m->options[i]));
                kept++;
        }
        if (kept > 0)
                add(o, "options", opts);
        else
                json_object_put(opts);
        return o;
}

static struct json_object *id_mapping_json(uint32_t host_id)
{
        struct json_object *a = json_object_new_array(), *m = json_object_new_object();

        if (!a || !m) {
                json_object_put(a);
                json_object_put(m);
                return NULL;
        }
        add(m, "containerID", json_object_new_int64(0));
        add(m, "hostID", json_object_new_int64(host_id));
        add(m, "size", json_object_new_int64(1));
        push(a, m);
        return a;
}

static struct json_object *namespace_json(const char *type)
{
        struct json_object *o = json_object_new_object();

        add(o, "type", json_object_new_string(type));
        return o;
}

static bool cgroup2_unified(void)
{
        struct statfs fs;

        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static struct json_object *default_spec(bool rootless)
{
        struct json_object *spec, *process, *user, *caps, *rlimits, *rl, *root, *mounts, *linux_,
                *namespaces, *resources, *devices, *dev;
        static const char *const env[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
                NULL,
        };
        static const char *const args[] = { "sh", NULL };

        spec = json_object_new_object();
        if (!spec)
                return NULL;
        add(spec, "ociVersion", json_object_new_string("1.2.0"));

        process = json_object_new_object();
        add(spec, "process", process);
        add(process, "terminal", json_object_new_boolean(1));
        user = json_object_new_object();
        add(process, "user", user);
        add(user, "uid", json_object_new_int64(0));
        add(user, "gid", json_object_new_int64(0));
        add(process, "args", strv_json(args));
        add(process, "env", strv_json(env));
        add(process, "cwd", json_object_new_string("/"));
        /* As runc >= 1.2: no inheritable set and so no ambient set either, since an ambient
         * capability can only be raised when it is also inheritable. */
        caps = json_object_new_object();
        add(process, "capabilities", caps);
        add(caps, "bounding", strv_json(default_caps));
        add(caps, "effective", strv_json(default_caps));
        add(caps, "permitted", strv_json(default_caps));
        rlimits = json_object_new_array();
        add(process, "rlimits", rlimits);
        rl = json_object_new_object();
        push(rlimits, rl);
        add(rl, "type", json_object_new_string("RLIMIT_NOFILE"));
        add(rl, "hard", json_object_new_int64(1024));
        add(rl, "soft", json_object_new_int64(1024));
        add(process, "noNewPrivileges", json_object_new_boolean(1));

        root = json_object_new_object();
        add(spec, "root", root);
        add(root, "path", json_object_new_string("rootfs"));
        add(root, "readonly", json_object_new_boolean(1));

        add(spec, "hostname", json_object_new_string("runc"));

        mounts = json_object_new_array();
        add(spec, "mounts", mounts);
        for (size_t i = 0; i < ELEMENTSOF(default_mounts); i++) {
                const DefaultMount *m = &default_mounts[i];

                if (rootless && streq(m->destination, "/sys"))
                        m = &rootless_sys_mount;
                push(mounts, mount_json(m, rootless));
        }

        linux_ = json_object_new_object();
        add(spec, "linux", linux_);
        if (rootless) {
                add(linux_, "uidMappings", id_mapping_json((uint32_t)geteuid()));
                add(linux_, "gidMappings", id_mapping_json((uint32_t)getegid()));
        } else {
                /* A rootless container gets no cgroup settings: it may not own a cgroup. */
                resources = json_object_new_object();
                add(linux_, "resources", resources);
                devices = json_object_new_array();
                add(resources, "devices", devices);
                dev = json_object_new_object();
                push(devices, dev);
                add(dev, "allow", json_object_new_boolean(0));
                add(dev, "access", json_object_new_string("rwm"));
        }
        namespaces = json_object_new_array();
        add(linux_, "namespaces", namespaces);
        push(namespaces, namespace_json("pid"));
        if (!rootless)
                push(namespaces, namespace_json("network"));
        push(namespaces, namespace_json("ipc"));
        push(namespaces, namespace_json("uts"));
        push(namespaces, namespace_json("mount"));
        if (cgroup2_unified())
                push(namespaces, namespace_json("cgroup"));
        if (rootless)
                push(namespaces, namespace_json("user"));
        add(linux_, "maskedPaths", strv_json(masked_paths));
        add(linux_, "readonlyPaths", strv_json(readonly_paths));
        return spec;
}

char *spec_default_json(bool rootless)
{
        struct json_object *spec;
        const char *s;
        char *ret;

        build_failed = false;
        spec = default_spec(rootless);
        if (!spec || build_failed) {
                json_object_put(spec);
                return NULL;
        }
        s = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                         JSON_C_TO_STRING_PRETTY_TAB |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
        ret = s ? strdup(s) : NULL;
        json_object_put(spec);
        return ret;
}
