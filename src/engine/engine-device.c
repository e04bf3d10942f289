/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* --device: docker's grammar, and the host node's type and numbers. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "basic/macro.h"
#include "engine/engine-device.h"

#define DEVICE_ARG_MAX 4096

void engine_device_done(EngineDevice *d)
{
        free(d->path);
        *d = (EngineDevice){};
}

/* "r", "w", "m" each at most once, at least one. */
static bool permissions_valid(const char *s, size_t len)
{
        bool seen[3] = {};

        if (len == 0 || len > 3)
                return false;
        for (size_t i = 0; i < len; i++) {
                const char *k = strchr("rwm", s[i]);
                if (!s[i] || !k || seen[k - "rwm"])
                        return false;
                seen[k - "rwm"] = true;
        }
        return true;
}

int engine_device_parse(const char *s, EngineDevice *ret, BerthError **err)
{
        const char *host_end, *second = NULL, *third = NULL;
        _cleanup_free_ char *host = NULL, *path = NULL;
        const char *perms = "rwm";
        size_t perms_len = 3;
        struct stat st;

        if (strnlen(s, DEVICE_ARG_MAX + 1) > DEVICE_ARG_MAX)
                return berth_error_plain(err, EINVAL, "--device: longer than %d bytes",
                                         DEVICE_ARG_MAX);
        host_end = strchrnul(s, ':');
        if (*host_end) {
                second = host_end + 1;
                third = strchr(second, ':');
                if (third && strchr(third + 1, ':'))
                        return berth_error_plain(err, EINVAL, "--device `%s`: "
                                                 "HOST[:CONTAINER[:PERMS]] expected", s);
        }
        host = strndup(s, (size_t)(host_end - s));
        if (!host)
                return berth_error(err, ENOMEM, "--device");
        if (third) {
                perms = third + 1;
                perms_len = strlen(perms);
                if (!permissions_valid(perms, perms_len))
                        return berth_error_plain(err, EINVAL, "--device `%s`: invalid "
                                                 "permissions `%s` (of r, w, m)", s, perms);
                path = strndup(second, (size_t)(third - second));
        } else if (second && permissions_valid(second, strlen(second))) {
                /* docker: HOST:PERMS when the second part reads as permissions */
                perms = second;
                perms_len = strlen(second);
        } else if (second)
                path = strdup(second);
        if (!path && !(path = strdup(host)))
                return berth_error(err, ENOMEM, "--device");
        if (host[0] != '/' || path[0] != '/')
                return berth_error_plain(err, EINVAL, "--device `%s`: the paths must be "
                                         "absolute", s);
        if (stat(host, &st) < 0)
                return berth_error(err, errno, "--device: `%s`", host);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return berth_error_plain(err, EINVAL, "--device: `%s` is not a device node "
                                         "(directories of devices are not supported)", host);
        *ret = (EngineDevice){
                .path = TAKE_PTR(path),
                .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
                .major = major(st.st_rdev),
                .minor = minor(st.st_rdev),
                .mode = st.st_mode & 07777,
                .uid = st.st_uid,
                .gid = st.st_gid,
        };
        memcpy(ret->permissions, perms, perms_len);
        ret->permissions[perms_len] = 0;
        return 0;
}
