/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whether the kernel's OOM killer killed anything in the container: the oom_kill count of its
 * memory cgroup (cgroup v2 memory.events, v1 memory.oom_control), taken once the container
 * runs (0 for the fresh cgroup of a `run`) and again when its init has exited, before the
 * runtime deletes the cgroup. The file is found from the cgroupsPath the engine gave the
 * container (relative to each hierarchy's root, as the OCI spec has it for the cgroupfs driver),
 * or else by following /proc/<init>/cgroup.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "shim/shim-internal.h"

/* Whether word is one of the comma-separated names of list ("cpu,cpuacct"). */
static bool list_has(const char *list, const char *word)
{
        size_t len = strlen(word);

        for (const char *p = list; p; p = strchr(p, ','), p = p ? p + 1 : NULL)
                if (strncmp(p, word, len) == 0 && (p[len] == ',' || p[len] == 0))
                        return true;
        return false;
}

/* The file that counts OOM kills for the memory cgroup of pid, or NULL. */
char *shim_oom_events_path(pid_t pid)
{
        _cleanup_free_ char *proc = NULL, *data = NULL;
        size_t n = 0;

        if (asprintf(&proc, "/proc/%d/cgroup", (int)pid) < 0 ||
            fs_read_full_file(proc, &data, &n) < 0)
                return NULL;
        for (char *line = data, *next; line && *line; line = next) {
                char *ctrl, *path, *file = NULL;

                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                ctrl = strchr(line, ':');
                path = ctrl ? strchr(ctrl + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = 0;
                ctrl++;
                if (streq(ctrl, "")) {
                        static const char *const roots[] = { "/sys/fs/cgroup",
                                                             "/sys/fs/cgroup/unified" };
                        for (size_t i = 0; i < ELEMENTSOF(roots) && !file; i++) {
                                if (asprintf(&file, "%s%s/memory.events", roots[i], path) < 0)
                                        return NULL;
                                if (access(file, R_OK) < 0) {
                                        free(file);
                                        file = NULL;
                                }
                        }
                } else if (list_has(ctrl, "memory")) {
                        if (asprintf(&file, "/sys/fs/cgroup/memory%s/memory.oom_control", path) < 0)
                                return NULL;
                        if (access(file, R_OK) < 0) {
                                free(file);
                                file = NULL;
                        }
                }
                if (file)
                        return file;
        }
        return NULL;
}

/* The file that counts OOM kills for the cgroup at cgroupsPath path, or NULL. */
char *shim_oom_events_path_of_cgroup(const char *path)
{
        static const struct { const char *root, *file; } files[] = {
                { "/sys/fs/cgroup/memory", "memory.oom_control" },      /* v1 */
                { "/sys/fs/cgroup", "memory.events" },                  /* v2 */
                { "/sys/fs/cgroup/unified", "memory.events" },          /* hybrid, memory on v2 */
        };

        if (!path || path[0] != '/' || strstr(path, "/..") || strlen(path) > 4096)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char *file;

                if (asprintf(&file, "%s%s/%s", files[i].root, path, files[i].file) < 0)
                        return NULL;
                if (access(file, R_OK) == 0)
                        return file;
                free(file);
        }
        return NULL;
}

/* The oom_kill count in path (both files name it so), 0 when it cannot be read. */
uint64_t shim_oom_count(const char *path)
{
        _cleanup_free_ char *data = NULL;
        uint64_t v = 0;
        size_t n = 0;
        const char *p;

        if (!path || fs_read_full_file(path, &data, &n) < 0)
                return 0;
        for (p = data; (p = strstr(p, "oom_kill ")); p++)
                if (p == data || p[-1] == '\n') {
                        char num[32];
                        size_t len = strcspn(p + 9, "\n");
                        if (len < sizeof(num)) {
                                memcpy(num, p + 9, len);
                                num[len] = 0;
                                (void)string_safe_atou64(num, &v);
                        }
                        break;
                }
        return v;
}
