/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading /proc/self/mountinfo: see mountinfo.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/mountinfo.h"

void mountinfo_unescape(char *s)
{
        char *o = s;
        for (; *s; s++) {
                if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
                    s[3] >= '0' && s[3] <= '7') {
                        *o++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
                        s += 3;
                } else
                        *o++ = *s;
        }
        *o = 0;
}

static char *next_field(char **p)
{
        char *s = *p + strspn(*p, " \n");
        if (!*s)
                return NULL;
        char *e = s + strcspn(s, " \n");
        if (*e)
                *e++ = 0;
        *p = e;
        return s;
}

int mountinfo_parse_line(char *line, MountInfo *ret)
{
        char *p = line, *f[6], *t;
        MountInfo m = {};

        for (int i = 0; i < 6; i++)
                if (!(f[i] = next_field(&p)))
                        return -EBADMSG;
        while ((t = next_field(&p)) && strcmp(t, "-") != 0)
                ; /* optional fields */
        if (!t || !(m.fstype = next_field(&p)) || !(m.source = next_field(&p)) ||
            !(m.super_options = next_field(&p)))
                return -EBADMSG;
        if (sscanf(f[0], "%d", &m.id) != 1 || sscanf(f[1], "%d", &m.parent) != 1 ||
            sscanf(f[2], "%u:%u", &m.major, &m.minor) != 2)
                return -EBADMSG;
        mountinfo_unescape(f[3]);
        mountinfo_unescape(f[4]);
        mountinfo_unescape((char *)m.source);
        m.root = f[3];
        m.mount_point = f[4];
        m.options = f[5];
        *ret = m;
        return 0;
}

int mountinfo_open(MountInfoIter *it, const char *path)
{
        *it = (MountInfoIter){ .f = fopen(path ? path : "/proc/self/mountinfo", "re") };
        return it->f ? 0 : -errno;
}

int mountinfo_next(MountInfoIter *it, MountInfo *ret)
{
        while (getline(&it->line, &it->size, it->f) > 0)
                if (mountinfo_parse_line(it->line, ret) >= 0)
                        return 1;
        return ferror(it->f) ? -EIO : 0;
}

void mountinfo_close(MountInfoIter *it)
{
        if (it->f)
                fclose(it->f);
        free(it->line);
        *it = (MountInfoIter){};
}
