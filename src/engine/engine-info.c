/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `info` and the runtime's version: Docker's system info document from the store (containers
 * by state, images), the engine's settings and the host (kernel, OS, CPUs, memory, cgroups). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "image/image-store.h"

#define OS_RELEASE_MAX (64 * 1024)
#define VERSION_MAX (64 * 1024)

static void add(struct json_object *o, const char *key, struct json_object *v)
{
        json_object_object_add(o, key, v);
}

/* PRETTY_NAME of /etc/os-release. */
static char *os_name(void)
{
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (fs_read_full_file_limited(AT_FDCWD, "/etc/os-release", OS_RELEASE_MAX, &text, &len,
                                      NULL) < 0 &&
            fs_read_full_file_limited(AT_FDCWD, "/usr/lib/os-release", OS_RELEASE_MAX, &text,
                                      &len, NULL) < 0)
                return strdup("Linux");
        for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *v = startswith(l, "PRETTY_NAME=");
                if (!v)
                        continue;
                size_t n = strcspn(v, "\n");
                if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
                        return strndup(v + 1, n - 2);
                return strndup(v, n);
        }
        return strdup("Linux");
}

int engine_info(Engine *e, struct json_object **ret, BerthError **err)
{
        _cleanup_(jwalk_putp) struct json_object *doc = json_object_new_object();
        _cleanup_image_record_list_ ImageRecord **images = NULL;
        _cleanup_free_ char *os = os_name();
        EngineContainer **list = NULL;
        size_t n = 0, n_images = 0, running = 0, paused = 0;
        struct utsname u;
        struct sysinfo si;
        struct statfs fs;
        int r;

        r = engine_container_list(e, true, &list, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                running += list[i]->state == ENGINE_STATE_RUNNING ||
                           list[i]->state == ENGINE_STATE_RESTARTING;
                paused += list[i]->state == ENGINE_STATE_PAUSED;
        }
        engine_container_list_free(list, n);
        r = image_store_list(e->store, &images, err);
        if (r < 0)
                return r;
        for (ImageRecord **i = images; i && *i; i++)
                n_images++;
        if (uname(&u) < 0)
                return berth_error(err, errno, "uname");
        if (sysinfo(&si) < 0)
                return berth_error(err, errno, "sysinfo");
        bool v2 = statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;

        add(doc, "ID", json_object_new_string(""));
        add(doc, "Containers", json_object_new_int64((int64_t)n));
        add(doc, "ContainersRunning", json_object_new_int64((int64_t)running));
        add(doc, "ContainersPaused", json_object_new_int64((int64_t)paused));
        add(doc, "ContainersStopped", json_object_new_int64((int64_t)(n - running - paused)));
        add(doc, "Images", json_object_new_int64((int64_t)n_images));
        add(doc, "Driver", json_object_new_string(snapshotter_name(e->sn)));
        add(doc, "LoggingDriver", json_object_new_string("json-file"));
        add(doc, "CgroupDriver", json_object_new_string("cgroupfs"));
        add(doc, "CgroupVersion", json_object_new_string(v2 ? "2" : "1"));
        add(doc, "DefaultRuntime", json_object_new_string("berth-runtime"));
        add(doc, "KernelVersion", json_object_new_string(u.release));
        add(doc, "OperatingSystem", json_object_new_string(os ? os : "Linux"));
        add(doc, "OSType", json_object_new_string("linux"));
        add(doc, "Architecture", json_object_new_string(u.machine));
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        add(doc, "NCPU", json_object_new_int64(cpus > 0 ? cpus : 1));
        add(doc, "MemTotal", json_object_new_int64((int64_t)si.totalram * si.mem_unit));
        add(doc, "DockerRootDir", json_object_new_string(e->root));
        add(doc, "Name", json_object_new_string(u.nodename));
        add(doc, "ServerVersion", json_object_new_string(BERTH_VERSION));
        *ret = TAKE_PTR(doc);
        return 0;
}

int engine_runtime_version(Engine *e, const char *runtime, char **ret, BerthError **err)
{
        _cleanup_free_ char *out = NULL, *msg = NULL;
        int r = engine_runtime_output(e, runtime, (char *[]){ "--version", NULL }, NULL,
                                      VERSION_MAX, &out, &msg);

        if (r != 0)
                return berth_error_plain(err, r < 0 ? -r : EIO, "runtime `%s`: %s",
                                         runtime ? runtime : "berth-runtime",
                                         msg && *msg ? msg : "--version failed");
        *ret = out ? TAKE_PTR(out) : strdup("");
        return *ret ? 0 : berth_error(err, ENOMEM, "version");
}
