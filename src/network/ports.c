/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Docker's -p grammar, free host ports, and portmap's portMappings (ports.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "network/ports.h"

#define PORT_SPEC_MAX 128

/* "N" or "N-M", 1..65535 (0 is allowed for a host port only: none given). */
static int parse_range(const char *s, unsigned *lo, unsigned *hi)
{
        char *end;
        unsigned long a, b;

        if (!*s || !strchr("0123456789", *s))
                return -EINVAL;
        errno = 0;
        a = strtoul(s, &end, 10);
        b = a;
        if (*end == '-') {
                if (!strchr("0123456789", end[1]))
                        return -EINVAL;
                b = strtoul(end + 1, &end, 10);
        }
        if (errno || *end || a < 1 || b > 65535 || a > b)
                return -EINVAL;
        *lo = (unsigned)a;
        *hi = (unsigned)b;
        return 0;
}

static int push(PortMapping **list, size_t *n, const PortMapping *m)
{
        PortMapping *l;

        if (*n >= PORTS_MAX)
                return -E2BIG;
        l = realloc(*list, (*n + 1) * sizeof(*l));
        if (!l)
                return -ENOMEM;
        l[(*n)++] = *m;
        *list = l;
        return 0;
}

int ports_parse(const char *spec, PortMapping **list, size_t *n, BerthError **err)
{
        char buf[PORT_SPEC_MAX + 1], *ip = NULL, *host = NULL, *ctr, *proto, *p;
        unsigned clo, chi, hlo = 0, hhi = 0;
        PortMapping m = {};
        int r;

        if (strlen(spec) > PORT_SPEC_MAX)
                return berth_error_plain(err, EINVAL, "-p `%.32s...`: too long", spec);
        strcpy(buf, spec);
        proto = strchr(buf, '/');
        if (proto)
                *proto++ = 0;
        snprintf(m.proto, sizeof(m.proto), "%s", proto ? proto : "tcp");
        if (proto && !streq(proto, "tcp") && !streq(proto, "udp"))
                return berth_error_plain(err, EINVAL, "-p `%s`: protocol `%s` is not tcp or udp",
                                         spec, proto);
        p = buf;
        if (*p == '[') {
                /* [IPv6]:HOST:CTR */
                char *close = strchr(p, ']');
                if (!close || close[1] != ':')
                        return berth_error_plain(err, EINVAL, "-p `%s`: `]:` expected after an "
                                                 "IPv6 address", spec);
                *close = 0;
                ip = p + 1;
                p = close + 2;
                host = p;
                ctr = strchr(p, ':');
                if (!ctr)
                        return berth_error_plain(err, EINVAL, "-p `%s`: "
                                                 "[IP]:HOSTPORT:CONTAINERPORT expected", spec);
                *ctr++ = 0;
        } else {
                char *c1 = strchr(p, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (c2 && strchr(c2 + 1, ':'))
                        return berth_error_plain(err, EINVAL, "-p `%s`: too many `:` (an IPv6 "
                                                 "address goes in brackets)", spec);
                if (c2) {
                        *c1 = *c2 = 0;
                        ip = p;
                        host = c1 + 1;
                        ctr = c2 + 1;
                } else if (c1) {
                        *c1 = 0;
                        host = p;
                        ctr = c1 + 1;
                } else
                        ctr = p;
        }
        if (ip && *ip) {
                struct in6_addr a6;
                struct in_addr a4;
                if (inet_pton(AF_INET, ip, &a4) != 1 && inet_pton(AF_INET6, ip, &a6) != 1)
                        return berth_error_plain(err, EINVAL, "-p `%s`: `%s` is no IP address",
                                                 spec, ip);
                if (strlen(ip) >= sizeof(m.host_ip))
                        return -EINVAL;
                memcpy(m.host_ip, ip, strlen(ip) + 1);
        }
        if (parse_range(ctr, &clo, &chi) < 0)
                return berth_error_plain(err, EINVAL, "-p `%s`: container port `%s` is not a port "
                                         "(1-65535) or a range of them", spec, ctr);
        if (host && *host) {
                if (parse_range(host, &hlo, &hhi) < 0)
                        return berth_error_plain(err, EINVAL, "-p `%s`: host port `%s` is not a "
                                                 "port (1-65535) or a range of them", spec, host);
                if (hhi - hlo != chi - clo)
                        return berth_error_plain(err, EINVAL, "-p `%s`: the host range and the "
                                                 "container range differ in size", spec);
        }
        for (unsigned i = 0; i <= chi - clo; i++) {
                m.container_port = (uint16_t)(clo + i);
                m.host_port = hlo ? (uint16_t)(hlo + i) : 0;
                r = push(list, n, &m);
                if (r < 0)
                        return berth_error(err, -r, "-p `%s`", spec);
        }
        return 0;
}

int ports_parse_exposed(const char *key, PortMapping *ret, BerthError **err)
{
        char buf[32];
        const char *proto;
        unsigned lo, hi;

        if (strlen(key) >= sizeof(buf))
                return berth_error_plain(err, EINVAL, "exposed port `%.32s`: too long", key);
        strcpy(buf, key);
        proto = "tcp";
        char *slash = strchr(buf, '/');
        if (slash) {
                *slash = 0;
                proto = slash + 1;
        }
        if ((!streq(proto, "tcp") && !streq(proto, "udp")) || parse_range(buf, &lo, &hi) < 0 ||
            lo != hi)
                return berth_error_plain(err, EINVAL, "exposed port `%s`: PORT[/tcp|/udp] "
                                         "expected", key);
        *ret = (PortMapping){ .container_port = (uint16_t)lo };
        snprintf(ret->proto, sizeof(ret->proto), "%s", proto);
        return 0;
}

int ports_choose_free(PortMapping *m, BerthError **err)
{
        struct sockaddr_storage ss = {};
        socklen_t len;
        bool v6 = strchr(m->host_ip, ':') != NULL;
        int fd;

        fd = socket(v6 ? AF_INET6 : AF_INET,
                    (streq(m->proto, "udp") ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berth_error(err, errno, "-p: choose a free port");
        if (v6) {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
                a->sin6_family = AF_INET6;
                (void)inet_pton(AF_INET6, m->host_ip, &a->sin6_addr);
                len = sizeof(*a);
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *)&ss;
                a->sin_family = AF_INET;
                if (*m->host_ip)
                        (void)inet_pton(AF_INET, m->host_ip, &a->sin_addr);
                len = sizeof(*a);
        }
        if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
            getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
                int r = errno;
                close(fd);
                return berth_error(err, r, "-p: choose a free port on `%s`",
                                   *m->host_ip ? m->host_ip : "0.0.0.0");
        }
        close(fd);
        m->host_port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                : ((struct sockaddr_in *)&ss)->sin_port);
        return 0;
}

struct json_object *ports_to_json(const PortMapping *list, size_t n)
{
        struct json_object *a = json_object_new_array();

        for (size_t i = 0; a && i < n; i++) {
                struct json_object *o = json_object_new_object();
                json_object_object_add(o, "hostPort", json_object_new_int(list[i].host_port));
                json_object_object_add(o, "containerPort",
                                       json_object_new_int(list[i].container_port));
                json_object_object_add(o, "protocol", json_object_new_string(list[i].proto));
                if (*list[i].host_ip)
                        json_object_object_add(o, "hostIP",
                                               json_object_new_string(list[i].host_ip));
                json_object_array_add(a, o);
        }
        return a;
}

int ports_from_json(struct json_object *a, PortMapping **ret, size_t *ret_n, BerthError **err)
{
        _cleanup_free_ PortMapping *list = NULL;
        size_t n = 0;

        if (!json_object_is_type(a, json_type_array) || json_object_array_length(a) > PORTS_MAX)
                return berth_error_plain(err, EINVAL, "port mappings: not an array of at most "
                                         "%d", PORTS_MAX);
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                struct json_object *o = json_object_array_get_idx(a, i), *hp, *cp, *pr, *ip;
                PortMapping m = {};
                if (!json_object_is_type(o, json_type_object) ||
                    !json_object_object_get_ex(o, "hostPort", &hp) ||
                    !json_object_is_type(hp, json_type_int) ||
                    !json_object_object_get_ex(o, "containerPort", &cp) ||
                    !json_object_is_type(cp, json_type_int) ||
                    !json_object_object_get_ex(o, "protocol", &pr) ||
                    !json_object_is_type(pr, json_type_string) ||
                    json_object_get_int(hp) < 0 || json_object_get_int(hp) > 65535 ||
                    json_object_get_int(cp) < 1 || json_object_get_int(cp) > 65535 ||
                    strlen(json_object_get_string(pr)) >= sizeof(m.proto))
                        return berth_error_plain(err, EINVAL, "port mappings[%zu]: not a port "
                                                 "mapping", i);
                m.host_port = (uint16_t)json_object_get_int(hp);
                m.container_port = (uint16_t)json_object_get_int(cp);
                snprintf(m.proto, sizeof(m.proto), "%s", json_object_get_string(pr));
                if (json_object_object_get_ex(o, "hostIP", &ip)) {
                        if (!json_object_is_type(ip, json_type_string) ||
                            strlen(json_object_get_string(ip)) >= sizeof(m.host_ip))
                                return berth_error_plain(err, EINVAL, "port mappings[%zu]: "
                                                         "hostIP is no address", i);
                        snprintf(m.host_ip, sizeof(m.host_ip), "%s", json_object_get_string(ip));
                }
                int r = push(&list, &n, &m);
                if (r < 0)
                        return berth_error(err, -r, "port mappings");
        }
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}
