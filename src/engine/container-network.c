/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's networking (engine-network.h): its namespace file and one CNI attachment per
 * network at create, their DEL at removal (and at the repair of a command that died between
 * the two: the rows are written before each ADD, so the repair knows what to delete), the
 * hosts and resolv.conf files, and what inspect and `port` show.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "engine/engine-internal.h"
#include "engine/network-internal.h"
#include "image/image-config.h"
#include "network/firewall.h"
#include "network/netns.h"

#define HOSTS_MAX (1U << 20)
#define RESOLV_MAX (64U * 1024)
#define ALIASES_MAX 64
#define ENDPOINTS_MAX 16

static char *netns_dir(const Engine *e)
{
        char *p = NULL;
        return asprintf(&p, "%s/netns", e->run_dir) < 0 ? NULL : p;
}

static int exec_sql(Engine *e, const char *sql, const char *const *args, size_t n,
                    BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r = store_prepare(e->store, sql, &st, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                sqlite3_bind_text(st, (int)i + 1, args[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "network", err);
        return 0;
}

static struct json_object *strv_to_json(char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (char *const *s = v; s && *s; s++)
                json_object_array_add(a, json_object_new_string(*s));
        return a;
}

/* A JSON array of strings from a column, with a size limit; NULL entries skipped. */
static char **json_to_strv(const char *text, size_t max)
{
        struct json_object *a = text ? json_tokener_parse(text) : NULL;
        char **v = NULL;

        if (json_object_is_type(a, json_type_array))
                for (size_t i = 0; i < json_object_array_length(a) && i < max; i++) {
                        struct json_object *s = json_object_array_get_idx(a, i);
                        if (json_object_is_type(s, json_type_string))
                                (void)strv_extend(&v, json_object_get_string(s));
                }
        json_object_put(a);
        return v;
}

/* ---- the files: hosts and resolv.conf ---- */

/* Written in place: the container has the file bound, a rename would leave it the old one. */
static int write_in_place(const char *dir, const char *name, const char *data)
{
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;

        if (dfd < 0)
                return -errno;
        fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return fs_write_all_fd(fd, data, strlen(data));
}

typedef struct Buf {
        char *s;
        size_t n;
        bool failed;
} Buf;

static void _printf_(2, 3) buf_printf(Buf *b, const char *fmt, ...)
{
        va_list ap;
        char *add = NULL;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&add, fmt, ap);
        va_end(ap);
        if (n < 0 || b->n + (size_t)n > HOSTS_MAX) {
                free(add);
                b->failed = true;
                return;
        }
        char *s = realloc(b->s, b->n + (size_t)n + 1);
        if (!s) {
                free(add);
                b->failed = true;
                return;
        }
        memcpy(s + b->n, add, (size_t)n + 1);
        b->n += (size_t)n;
        b->s = s;
        free(add);
}

/* One line per address: the address, then the names, aliases joined by spaces. */
static void hosts_line(Buf *b, const char *ip, const char *names, const char *aliases_json)
{
        _cleanup_strv_free_ char **aliases = json_to_strv(aliases_json, ALIASES_MAX);

        if (!ip || !*ip)
                return;
        buf_printf(b, "%s\t%s", ip, names);
        STRV_FOREACH(a, aliases)
                buf_printf(b, " %s", *a);
        buf_printf(b, "\n");
}

/* The hosts file of container id from the rows: localhost, itself, its peers on user
 * networks, --add-host. */
static int hosts_render(Engine *e, const char *id, char **ret)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *hostname = NULL, *name = NULL, *self = NULL;
        _cleanup_strv_free_ char **extra = NULL;
        Buf b = {};
        int r;

        r = store_prepare(e->store, "SELECT n.hostname, n.add_hosts, c.name FROM "
                                    "container_networks n JOIN containers c ON c.id = n.container "
                                    "WHERE n.container = ?", &st, NULL);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return -ENOENT;
        hostname = store_column_strdup(st, 0);
        extra = json_to_strv((const char *)sqlite3_column_text(st, 1), 4096);
        name = store_column_strdup(st, 2);
        sqlite3_finalize(TAKE_PTR(st));
        if (!name)
                return -ENOMEM;
        if (hostname && !streq(hostname, name)) {
                if (asprintf(&self, "%s %s", hostname, name) < 0)
                        return -ENOMEM;
        } else if (!(self = strdup(name)))
                return -ENOMEM;
        buf_printf(&b, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                       "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n"
                       "ff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        r = store_prepare(e->store, "SELECT ip, ip6, aliases FROM network_endpoints WHERE "
                                    "container = ? ORDER BY ifname", &st, NULL);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        size_t before = b.n;
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *aliases = (const char *)sqlite3_column_text(st, 2);
                hosts_line(&b, (const char *)sqlite3_column_text(st, 0), self, aliases);
                hosts_line(&b, (const char *)sqlite3_column_text(st, 1), self, aliases);
        }
        sqlite3_finalize(TAKE_PTR(st));
        /* No address of its own (--network none, or stopped): its names still resolve, as
         * create's file had them. */
        if (b.n == before)
                buf_printf(&b, "127.0.1.1\t%s\n", self);
        /* Peers: on user networks only (the default network resolves no names, as docker's
         * bridge). */
        r = store_prepare(e->store,
                          "SELECT c.name, p.ip, p.ip6, p.aliases FROM network_endpoints me "
                          "JOIN network_endpoints p ON p.network = me.network AND "
                          "p.container != me.container JOIN containers c ON c.id = p.container "
                          "WHERE me.container = ?1 AND me.network != ?2 ORDER BY c.name, p.ifname",
                          &st, NULL);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ENGINE_NETWORK_DEFAULT, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                const char *peer = (const char *)sqlite3_column_text(st, 0),
                           *aliases = (const char *)sqlite3_column_text(st, 3);
                hosts_line(&b, (const char *)sqlite3_column_text(st, 1), peer, aliases);
                hosts_line(&b, (const char *)sqlite3_column_text(st, 2), peer, aliases);
        }
        /* --add-host NAME:IP */
        STRV_FOREACH(h, extra) {
                const char *colon = strchr(*h, ':');
                if (colon)
                        buf_printf(&b, "%s\t%.*s\n", colon + 1, (int)(colon - *h), *h);
        }
        if (b.failed) {
                free(b.s);
                return -ENOMEM;
        }
        *ret = b.s ?: strdup("");
        return *ret ? 0 : -ENOMEM;
}

static int hosts_refresh(Engine *e, const char *id)
{
        _cleanup_free_ char *text = NULL, *dir = engine_container_dir(e, id);
        int r;

        if (!dir)
                return -ENOMEM;
        r = hosts_render(e, id, &text);
        if (r < 0)
                return r;
        return write_in_place(dir, "hosts", text);
}

/* The containers that share a user network with id (their hosts files name it). */
static char **peers_of(Engine *e, const char *id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char **v = NULL;

        if (store_prepare(e->store,
                          "SELECT DISTINCT p.container FROM network_endpoints me "
                          "JOIN network_endpoints p ON p.network = me.network AND "
                          "p.container != me.container WHERE me.container = ?1 AND "
                          "me.network != ?2", &st, NULL) < 0)
                return NULL;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ENGINE_NETWORK_DEFAULT, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
                (void)strv_extend(&v, (const char *)sqlite3_column_text(st, 0));
        return v;
}

static void peers_refresh(Engine *e, char *const *peers)
{
        for (char *const *p = peers; p && *p; p++)
                (void)hosts_refresh(e, *p);
}

static int resolv_write(const char *dir, const EngineNetOptions *o, BerthError **err)
{
        Buf b = {};
        int r;

        if (!o || (!o->dns && !o->dns_search && !o->dns_options))
                return 0; /* create's copy of the host's stays */
        _cleanup_free_ char *host = NULL;
        size_t len = 0;
        /* What is not given comes from the host's file, its loopback resolvers left out. */
        (void)fs_read_full_file_limited(AT_FDCWD, "/etc/resolv.conf", RESOLV_MAX, &host, &len,
                                        NULL);
        /* --dns-search . : no search domains at all */
        bool any_search = false;
        STRV_FOREACH(s, o->dns_search)
                any_search |= !streq(*s, ".");
        if (any_search) {
                buf_printf(&b, "search");
                STRV_FOREACH(s, o->dns_search)
                        if (!streq(*s, "."))
                                buf_printf(&b, " %s", *s);
                buf_printf(&b, "\n");
        }
        STRV_FOREACH(s, o->dns) {
                struct in6_addr a;
                if (inet_pton(AF_INET, *s, &a) != 1 && inet_pton(AF_INET6, *s, &a) != 1) {
                        free(b.s);
                        return berth_error_plain(err, EINVAL, "--dns `%s`: not an IP address",
                                                 *s);
                }
                buf_printf(&b, "nameserver %s\n", *s);
        }
        if (o->dns_options) {
                buf_printf(&b, "options");
                STRV_FOREACH(s, o->dns_options)
                        buf_printf(&b, " %s", *s);
                buf_printf(&b, "\n");
        }
        for (char *line = host, *next; line && *line; line = next) {
                next = strchrnul(line, '\n');
                int l = (int)(next - line);
                if (*next)
                        next++;
                char ns[64];
                bool is_ns = sscanf(line, "nameserver %63s", ns) == 1;
                if ((is_ns && (o->dns || startswith(ns, "127.") || streq(ns, "::1"))) ||
                    (o->dns_search && (startswith(line, "search") || startswith(line, "domain"))) ||
                    (o->dns_options && startswith(line, "options")) || startswith(line, "#"))
                        continue;
                buf_printf(&b, "%.*s\n", l, line);
        }
        if (b.failed) {
                free(b.s);
                return berth_error(err, ENOMEM, "resolv.conf");
        }
        r = write_in_place(dir, "resolv.conf", b.s ?: "");
        free(b.s);
        return r < 0 ? berth_error(err, -r, "write resolv.conf") : 0;
}

/* ---- CNI ---- */

typedef struct EndpointResult {
        char ip[64], gw[64], ip6[64], gw6[64], mac[32];
        int prefix, prefix6;
} EndpointResult;

/* The addresses and the MAC of interface ifname in a CNI result. */
static void result_parse(struct json_object *res, const char *ifname, EndpointResult *ret)
{
        struct json_object *ifs = jwalk_member(res, "interfaces"), *ips = jwalk_member(res, "ips");
        size_t n_ifs = json_object_is_type(ifs, json_type_array) ? json_object_array_length(ifs) : 0;

        *ret = (EndpointResult){};
        for (size_t i = 0; i < n_ifs; i++) {
                struct json_object *f = json_object_array_get_idx(ifs, i), *n, *m;
                n = jwalk_member(f, "name");
                m = jwalk_member(f, "mac");
                if (json_object_is_type(n, json_type_string) &&
                    streq(json_object_get_string(n), ifname) &&
                    json_object_is_type(m, json_type_string))
                        snprintf(ret->mac, sizeof(ret->mac), "%s", json_object_get_string(m));
        }
        if (!json_object_is_type(ips, json_type_array))
                return;
        for (size_t i = 0; i < json_object_array_length(ips) && i < 64; i++) {
                struct json_object *o = json_object_array_get_idx(ips, i), *a, *g;
                char addr[64], *slash;
                a = jwalk_member(o, "address");
                g = jwalk_member(o, "gateway");
                if (!json_object_is_type(a, json_type_string) ||
                    strlen(json_object_get_string(a)) >= sizeof(addr))
                        continue;
                strcpy(addr, json_object_get_string(a));
                slash = strchr(addr, '/');
                if (!slash)
                        continue;
                *slash = 0;
                bool v6 = strchr(addr, ':') != NULL;
                if (*(v6 ? ret->ip6 : ret->ip))
                        continue;
                snprintf(v6 ? ret->ip6 : ret->ip, sizeof(ret->ip), "%s", addr);
                *(v6 ? &ret->prefix6 : &ret->prefix) = atoi(slash + 1);
                if (json_object_is_type(g, json_type_string))
                        snprintf(v6 ? ret->gw6 : ret->gw, sizeof(ret->gw), "%.63s",
                                 json_object_get_string(g));
        }
}

/* The network for ADD or DEL: its conflist; for DEL of a network whose conflist is gone, a
 * stand-in (cni_del uses the configuration cached at ADD). */
static int network_for(Engine *e, const char *name, bool stand_in, CniNetwork **ret,
                       BerthError **err)
{
        _cleanup_free_ char *path = engine_network_conflist_path(e, name), *doc = NULL;

        if (!path)
                return berth_error(err, ENOMEM, "network `%s`", name);
        if (cni_network_load(path, ret, stand_in ? NULL : err) >= 0 || !stand_in)
                return *ret ? 0 : -ENOENT;
        if (asprintf(&doc, "{\"cniVersion\":\"1.0.0\",\"name\":\"%s\",\"plugins\":"
                           "[{\"type\":\"bridge\"}]}", name) < 0)
                return -ENOMEM;
        return cni_network_parse(doc, strlen(doc), "network", ret, err);
}

/* The capability arguments of one attachment: the ports go with the first interface. */
static struct json_object *capability_args(const char *ports_json, bool first, const char *ip,
                                           const char *ip6, const char *mac)
{
        struct json_object *c = json_object_new_object();

        if (first && ports_json) {
                struct json_object *p = json_tokener_parse(ports_json);
                if (json_object_is_type(p, json_type_array) && json_object_array_length(p) > 0)
                        json_object_object_add(c, "portMappings", p);
                else
                        json_object_put(p);
        }
        if (ip || ip6) {
                struct json_object *ips = json_object_new_array();
                if (ip)
                        json_object_array_add(ips, json_object_new_string(ip));
                if (ip6)
                        json_object_array_add(ips, json_object_new_string(ip6));
                json_object_object_add(c, "ips", ips);
        }
        if (mac)
                json_object_object_add(c, "mac", json_object_new_string(mac));
        return c;
}

static char *ports_json_of(Engine *e, const char *id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        if (store_prepare(e->store, "SELECT ports FROM container_networks WHERE container = ?",
                          &st, NULL) < 0)
                return NULL;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        return sqlite3_step(st) == SQLITE_ROW ? store_column_strdup(st, 0) : NULL;
}

/* The endpoint row first (so a repair knows of it; again: it is there already), then ADD,
 * then what ADD gave. */
static int endpoint_add(Engine *e, const char *id, const char *netns, const char *ifname,
                        const EngineEndpointRequest *r, const char *ports_json, bool again,
                        BerthError **err)
{
        _cleanup_(engine_network_row_done) EngineNetworkRow n = {};
        _cleanup_cni_network_ CniNetwork *cni = NULL;
        _cleanup_free_ char *cache = NULL, *aliases = NULL;
        _cleanup_(jwalk_putp) struct json_object *caps = NULL, *res = NULL, *al = NULL;
        EndpointResult out;
        CniOptions co;
        char p4[16], p6[16];
        int k;

        k = engine_network_row_get(e, r->network, &n, err);
        if (k < 0)
                return k;
        k = engine_network_prepare(e, &n, err);
        if (k < 0)
                return k;
        for (int fam = 0; fam < 2; fam++) {
                const char *want = fam ? r->ip6 : r->ip;
                bool ok = false;
                if (!want)
                        continue;
                for (unsigned i = 0; i < n.conf.n_subnets; i++)
                        ok |= network_subnet_contains(&n.conf.subnets[i], want);
                if (!ok)
                        return berth_error_plain(err, EINVAL, "%s `%s` is in no subnet of "
                                                 "network `%s`", fam ? "--ip6" : "--ip", want,
                                                 n.name);
        }
        if (strv_length(r->aliases) > ALIASES_MAX)
                return berth_error_plain(err, E2BIG, "more than %d --network-alias", ALIASES_MAX);
        /* The ports go with eth0; an internal network has no portmap to take them. */
        if (n.internal && streq(ifname, "eth0") && ports_json && !streq(ports_json, "[]"))
                return berth_error_plain(err, EINVAL, "network `%s` is internal: -p and -P "
                                         "publish nothing on it", n.name);
        al = strv_to_json(r->aliases);
        aliases = strdup(json_object_to_json_string_ext(al, JSON_C_TO_STRING_PLAIN));
        if (!aliases)
                return berth_error(err, ENOMEM, "network `%s`", n.name);
        if (!again) {
                k = exec_sql(e, "INSERT INTO network_endpoints(container, network, ifname, "
                                "aliases, req_ip, req_ip6, req_mac) VALUES(?, ?, ?, ?, ?, ?, ?)",
                             (const char *[]){ id, n.name, ifname, aliases, r->ip, r->ip6,
                                               r->mac }, 7, err);
                if (k < 0)
                        return k;
        }
        k = network_for(e, n.name, false, &cni, err);
        if (k < 0)
                return k;
        engine_network_cni_options(e, &co, &cache);
        if (!cache)
                return berth_error(err, ENOMEM, "network `%s`", n.name);
        caps = capability_args(ports_json, streq(ifname, "eth0"), r->ip, r->ip6, r->mac);
        CniAttachment a = { .container_id = id, .netns = netns, .ifname = ifname,
                            .capability_args = caps };
        k = cni_add(cni, &a, &co, &res, err);
        if (k < 0)
                return berth_error_prefix(err, "network `%s`", n.name);
        if (json_object_object_get_ex(caps, "portMappings", NULL)) {
                k = network_bridge_route_localnet(n.bridge);
                if (k < 0)
                        return berth_error(err, k, "network `%s`: route_localnet on `%s`",
                                           n.name, n.bridge);
        }
        result_parse(res, ifname, &out);
        if (!*out.mac && r->mac)
                snprintf(out.mac, sizeof(out.mac), "%s", r->mac);
        snprintf(p4, sizeof(p4), "%d", out.prefix);
        snprintf(p6, sizeof(p6), "%d", out.prefix6);
        return exec_sql(e, "UPDATE network_endpoints SET ip = nullif(?3, ''), ip_prefix = ?4, "
                           "gateway = nullif(?5, ''), ip6 = nullif(?6, ''), ip6_prefix = ?7, "
                           "gateway6 = nullif(?8, ''), mac = nullif(?9, '') "
                           "WHERE container = ?1 AND network = ?2",
                        (const char *[]){ id, n.name, out.ip, p4, out.gw, out.ip6, p6, out.gw6,
                                          out.mac }, 9, err);
}

static int endpoint_del(Engine *e, const char *id, const char *netns, const char *network,
                        const char *ifname, const char *ports_json, BerthError **err)
{
        _cleanup_cni_network_ CniNetwork *cni = NULL;
        _cleanup_free_ char *cache = NULL;
        _cleanup_(jwalk_putp) struct json_object *caps = NULL;
        CniOptions co;
        int r;

        r = network_for(e, network, true, &cni, err);
        if (r < 0)
                return r;
        engine_network_cni_options(e, &co, &cache);
        if (!cache)
                return berth_error(err, ENOMEM, "network `%s`", network);
        caps = capability_args(ports_json, streq(ifname, "eth0"), NULL, NULL, NULL);
        CniAttachment a = { .container_id = id, .netns = netns, .ifname = ifname,
                            .capability_args = caps };
        return cni_del(cni, &a, &co, err);
}

/* ---- setup and teardown ---- */

static bool ports_clash(const PortMapping *a, const PortMapping *b)
{
        return a->host_port == b->host_port && streq(a->proto, b->proto) &&
               (!*a->host_ip || !*b->host_ip || streq(a->host_ip, b->host_ip));
}

/* The published ports: -p as given, -P's for the image's ExposedPorts, host ports chosen,
 * and no host port another container of this store publishes already. */
static int ports_resolve(Engine *e, const EngineNetOptions *o, const ImageRunConfig *image,
                         char **ret, BerthError **err)
{
        _cleanup_free_ PortMapping *list = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t n = 0;
        int r;

        if (o->n_ports > PORTS_MAX)
                return berth_error_plain(err, E2BIG, "more than %d published ports", PORTS_MAX);
        if (o->n_ports) {
                list = calloc(o->n_ports, sizeof(*list));
                if (!list)
                        return berth_error(err, ENOMEM, "-p");
                memcpy(list, o->ports, o->n_ports * sizeof(*list));
                n = o->n_ports;
        }
        if (o->publish_all && image)
                STRV_FOREACH(x, image->exposed_ports) {
                        PortMapping m;
                        bool given = false;
                        r = ports_parse_exposed(*x, &m, err);
                        if (r < 0)
                                return berth_error_prefix(err, "-P");
                        for (size_t i = 0; i < n; i++)
                                given |= list[i].container_port == m.container_port &&
                                         streq(list[i].proto, m.proto);
                        if (given)
                                continue;
                        PortMapping *l = realloc(list, (n + 1) * sizeof(*l));
                        if (!l || n >= PORTS_MAX)
                                return berth_error(err, l ? E2BIG : ENOMEM, "-P");
                        list = l;
                        list[n++] = m;
                }
        /* What the other containers of this store publish: portmap holds no socket, so the
         * kernel would hand out their ports as free ones. */
        _cleanup_free_ PortMapping *taken = NULL;
        _cleanup_strv_free_ char **owners = NULL;
        size_t n_taken = 0;
        r = store_prepare(e->store, "SELECT c.name, n.ports FROM container_networks n JOIN "
                                    "containers c ON c.id = n.container WHERE n.ports != '[]'",
                          &st, err);
        if (r < 0)
                return r;
        while (sqlite3_step(st) == SQLITE_ROW) {
                _cleanup_free_ PortMapping *other = NULL;
                size_t m = 0;
                struct json_object *a = json_tokener_parse((const char *)sqlite3_column_text(st, 1));
                r = ports_from_json(a, &other, &m, NULL);
                json_object_put(a);
                if (r < 0 || m == 0)
                        continue;
                PortMapping *t = realloc(taken, (n_taken + m) * sizeof(*t));
                if (!t)
                        return berth_error(err, ENOMEM, "-p");
                taken = t;
                for (size_t j = 0; j < m; j++) {
                        taken[n_taken++] = other[j];
                        if (strv_extend(&owners, (const char *)sqlite3_column_text(st, 0)) < 0)
                                return berth_error(err, ENOMEM, "-p");
                }
        }
        for (size_t i = 0; i < n; i++) {
                bool chosen = list[i].host_port == 0;
                for (int attempt = 0;; attempt++) {
                        ssize_t clash = -1;
                        if (chosen) {
                                r = ports_choose_free(&list[i], err);
                                if (r < 0)
                                        return r;
                        }
                        for (size_t j = 0; j < n_taken && clash < 0; j++)
                                if (ports_clash(&list[i], &taken[j]))
                                        clash = (ssize_t)j;
                        for (size_t j = 0; j < i && clash < 0; j++) {
                                if (!ports_clash(&list[i], &list[j]))
                                        continue;
                                if (!chosen)
                                        return berth_error_plain(err, EINVAL, "-p: host port "
                                                                 "%u/%s is given twice",
                                                                 list[i].host_port, list[i].proto);
                                clash = (ssize_t)n_taken; /* ours: choose again */
                        }
                        if (clash < 0)
                                break;
                        if (!chosen || attempt > 50) {
                                if ((size_t)clash < n_taken)
                                        return berth_error_plain(err, EADDRINUSE, "-p: host port "
                                                                 "%u/%s is published by container "
                                                                 "`%s` already", list[i].host_port,
                                                                 list[i].proto, owners[clash]);
                                return berth_error_plain(err, EADDRINUSE, "-p: no free host port "
                                                         "found");
                        }
                        list[i].host_port = 0;
                }
        }
        struct json_object *j = ports_to_json(list, n);
        *ret = j ? strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN)) : NULL;
        json_object_put(j);
        return *ret ? 0 : berth_error(err, ENOMEM, "-p");
}

static int add_hosts_check(char *const *hosts, BerthError **err)
{
        for (char *const *h = hosts; h && *h; h++) {
                const char *colon = strchr(*h, ':');
                struct in6_addr a;
                if (strlen(*h) > 300 || !colon || colon == *h ||
                    strcspn(*h, " \t\n#") < (size_t)(colon - *h) ||
                    (inet_pton(AF_INET, colon + 1, &a) != 1 &&
                     inet_pton(AF_INET6, colon + 1, &a) != 1))
                        return berth_error_plain(err, EINVAL, "--add-host `%.64s`: NAME:IP "
                                                 "expected", *h);
        }
        return 0;
}

static int row_insert(Engine *e, const char *id, const char *mode, const char *netns,
                      const char *hostname, const char *ports, char *const *add_hosts,
                      BerthError **err)
{
        struct json_object *h = strv_to_json(add_hosts);
        int r = exec_sql(e, "INSERT INTO container_networks(container, mode, netns, hostname, "
                            "ports, add_hosts) VALUES(?, ?, ?, ?, ?, ?)",
                         (const char *[]){ id, mode, netns, hostname, ports,
                                           json_object_to_json_string_ext(h, JSON_C_TO_STRING_PLAIN) },
                         6, err);
        json_object_put(h);
        return r;
}

/* The namespace of container:NAME: its held file, or its running init's. */
static int shared_netns(Engine *e, const char *ref, char **ret_id, char **ret, BerthError **err)
{
        _cleanup_engine_container_ EngineContainer *c = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = engine_container_lookup(e, ref, &c, err);
        if (r < 0)
                return berth_error_prefix(err, "--network container:%s", ref);
        *ret_id = strdup(c->id);
        r = store_prepare(e->store, "SELECT netns FROM container_networks WHERE container = ? "
                                    "AND netns IS NOT NULL", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
                *ret = store_column_strdup(st, 0);
        else if (c->pid > 0 && c->state == ENGINE_STATE_RUNNING) {
                if (asprintf(ret, "/proc/%d/ns/net", c->pid) < 0)
                        *ret = NULL;
        } else
                return berth_error_plain(err, EINVAL, "--network container:%s: it has no network "
                                         "namespace of its own and is not running", ref);
        return *ret && *ret_id ? 0 : berth_error(err, ENOMEM, "--network");
}

static int copy_etc_file(Engine *e, const char *from_id, const char *dir, const char *name)
{
        _cleanup_free_ char *from = engine_container_dir(e, from_id), *data = NULL;
        _cleanup_close_ int dfd = -1;
        size_t len;
        int r;

        if (!from)
                return -ENOMEM;
        dfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        r = fs_read_full_file_limited(dfd, name, HOSTS_MAX, &data, &len, NULL);
        if (r < 0)
                return r;
        return write_in_place(dir, name, data);
}

int engine_network_setup(Engine *e, const char *id, const char *name, const char *hostname,
                         const EngineNetOptions *o, const ImageRunConfig *image, char **ret_netns,
                         BerthError **err)
{
        static const EngineNetOptions none = {};
        _cleanup_free_ char *dir = engine_container_dir(e, id), *ports = NULL, *nsdir = NULL,
                            *netns = NULL, *other = NULL;
        _cleanup_strv_free_ char **peers = NULL;
        const char *mode;
        int r;

        *ret_netns = NULL;
        if (!o)
                o = &none;
        mode = o->mode ?: "bridge";
        if (!dir)
                return berth_error(err, ENOMEM, "network");
        r = add_hosts_check(o->add_hosts, err);
        if (r < 0)
                return r;
        if (!streq(mode, "bridge") && (o->n_ports || o->publish_all) && !streq(mode, "host"))
                return berth_error_plain(err, EINVAL, "-p and -P need a network of the "
                                         "container's own (not --network %s)", mode);
        if (!streq(mode, "bridge") && o->n_endpoints)
                return berth_error_plain(err, EINVAL, "--network %s goes with no other "
                                         "--network", mode);
        if (o->n_endpoints > ENDPOINTS_MAX)
                return berth_error_plain(err, E2BIG, "more than %d networks", ENDPOINTS_MAX);
        if (streq(mode, "host") || streq(mode, "none")) {
                r = row_insert(e, id, mode, NULL, hostname, "[]", o->add_hosts, err);
                if (r >= 0 && streq(mode, "none"))
                        r = hosts_refresh(e, id) < 0 ? berth_error(err, EIO, "write hosts") : 0;
                return r < 0 ? r : resolv_write(dir, o, err);
        }
        if (startswith(mode, "container:")) {
                _cleanup_free_ char *mode_id = NULL, *other_id = NULL;
                r = shared_netns(e, mode + strlen("container:"), &other_id, &other, err);
                if (r < 0)
                        return r;
                if (asprintf(&mode_id, "container:%s", other_id) < 0)
                        return berth_error(err, ENOMEM, "network");
                r = row_insert(e, id, mode_id, NULL, hostname, "[]", o->add_hosts, err);
                if (r < 0)
                        return r;
                /* Its names and resolvers, as docker shares them. */
                (void)copy_etc_file(e, other_id, dir, "hosts");
                (void)copy_etc_file(e, other_id, dir, "resolv.conf");
                *ret_netns = TAKE_PTR(other);
                return 0;
        }
        if (!streq(mode, "bridge"))
                return berth_error_plain(err, EINVAL, "--network `%s`: unknown mode", mode);
        nsdir = netns_dir(e);
        if (!nsdir || asprintf(&netns, "%s/%s", nsdir, id) < 0)
                return berth_error(err, ENOMEM, "network");
        /* The host ports chosen and recorded in one transaction: two creates at once do not
         * both take a port that was free when each looked. The row names the namespace before
         * it exists: a command killed from here on leaves what the repair needs. */
        r = store_begin(e->store, err);
        if (r < 0)
                return r;
        r = ports_resolve(e, o, image, &ports, err);
        if (r >= 0)
                r = row_insert(e, id, "bridge", netns, hostname, ports, o->add_hosts, err);
        if (r >= 0)
                r = store_commit(e->store, err);
        if (r < 0) {
                store_rollback(e->store);
                return r;
        }
        free(netns);
        netns = NULL;
        r = fs_mkdir_p(nsdir, 0700);
        if (r < 0)
                return berth_error(err, -r, "create `%s`", nsdir);
        r = netns_create(nsdir, id, &netns, err);
        if (r < 0)
                return r;
        EngineEndpointRequest def = { .network = ENGINE_NETWORK_DEFAULT };
        size_t n = o->n_endpoints ?: 1;
        for (size_t i = 0; i < n; i++) {
                const EngineEndpointRequest *req = o->n_endpoints ? &o->endpoints[i] : &def;
                char ifname[16];
                for (size_t j = 0; j < i; j++)
                        if (streq(o->endpoints[j].network, req->network))
                                return berth_error_plain(err, EINVAL, "--network `%s` given "
                                                         "twice", req->network);
                snprintf(ifname, sizeof(ifname), "eth%u", (unsigned)(i % 100));
                r = endpoint_add(e, id, netns, ifname, req, ports, false, err);
                if (r < 0)
                        return r;
        }
        r = hosts_refresh(e, id);
        if (r < 0)
                return berth_error(err, -r, "write the hosts file of `%s`", name);
        r = resolv_write(dir, o, err);
        if (r < 0)
                return r;
        peers = peers_of(e, id);
        peers_refresh(e, peers);
        *ret_netns = TAKE_PTR(netns);
        return 0;
}

void engine_network_teardown(Engine *e, const char *id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *netns = NULL, *ports = NULL, *mode = NULL;
        _cleanup_strv_free_ char **peers = NULL, **nets = NULL, **ifs = NULL;

        if (store_prepare(e->store, "SELECT mode, netns, ports FROM container_networks WHERE "
                                    "container = ?", &st, NULL) < 0)
                return;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return;
        mode = store_column_strdup(st, 0);
        netns = store_column_strdup(st, 1);
        ports = store_column_strdup(st, 2);
        sqlite3_finalize(TAKE_PTR(st));
        peers = peers_of(e, id);
        if (store_prepare(e->store, "SELECT network, ifname FROM network_endpoints WHERE "
                                    "container = ? ORDER BY ifname DESC", &st, NULL) >= 0) {
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        (void)strv_extend(&nets, (const char *)sqlite3_column_text(st, 0));
                        (void)strv_extend(&ifs, (const char *)sqlite3_column_text(st, 1));
                }
                sqlite3_finalize(TAKE_PTR(st));
        }
        for (size_t i = 0; nets && ifs && nets[i] && ifs[i]; i++)
                (void)endpoint_del(e, id, netns, nets[i], ifs[i], ports, NULL);
        if (netns && mode && streq(mode, "bridge"))
                (void)netns_remove(netns, NULL);
        (void)exec_sql(e, "DELETE FROM network_endpoints WHERE container = ?",
                       (const char *[]){ id }, 1, NULL);
        (void)exec_sql(e, "DELETE FROM container_networks WHERE container = ?",
                       (const char *[]){ id }, 1, NULL);
        peers_refresh(e, peers);
}

/* ---- stop and start ---- */

void engine_network_release(Engine *e, const char *id)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *netns = NULL, *ports = NULL;
        _cleanup_strv_free_ char **peers = NULL, **nets = NULL, **ifs = NULL;

        if (store_prepare(e->store, "SELECT netns, ports FROM container_networks WHERE "
                                    "container = ? AND mode = 'bridge'", &st, NULL) < 0)
                return;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return;
        netns = store_column_strdup(st, 0);
        ports = store_column_strdup(st, 1);
        sqlite3_finalize(TAKE_PTR(st));
        if (store_prepare(e->store, "SELECT network, ifname FROM network_endpoints WHERE "
                                    "container = ? AND (ip IS NOT NULL OR ip6 IS NOT NULL) "
                                    "ORDER BY ifname DESC", &st, NULL) < 0)
                return;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                (void)strv_extend(&nets, (const char *)sqlite3_column_text(st, 0));
                (void)strv_extend(&ifs, (const char *)sqlite3_column_text(st, 1));
        }
        sqlite3_finalize(TAKE_PTR(st));
        if (!nets)
                return;
        peers = peers_of(e, id);
        for (size_t i = 0; nets[i] && ifs && ifs[i]; i++) {
                (void)endpoint_del(e, id, netns, nets[i], ifs[i], ports, NULL);
                /* The MAC is kept for the next start: with the same address (--ip, or
                 * host-local's choice again) a new one would meet the host's neighbour entry
                 * of the old one, and nothing would reach the container for a while. */
                (void)exec_sql(e, "UPDATE network_endpoints SET ip = NULL, ip_prefix = NULL, "
                                  "gateway = NULL, ip6 = NULL, ip6_prefix = NULL, "
                                  "gateway6 = NULL, mac = NULL, req_mac = coalesce(req_mac, mac) "
                                  "WHERE container = ? AND network = ?",
                               (const char *[]){ id, nets[i] }, 2, NULL);
        }
        (void)hosts_refresh(e, id);
        peers_refresh(e, peers);
}

int engine_network_attach(Engine *e, const char *id, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *netns = NULL, *ports = NULL;
        _cleanup_strv_free_ char **peers = NULL, **rows = NULL;
        int r;

        r = store_prepare(e->store, "SELECT netns, ports FROM container_networks WHERE "
                                    "container = ? AND mode = 'bridge'", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return 0;
        netns = store_column_strdup(st, 0);
        ports = store_column_strdup(st, 1);
        sqlite3_finalize(TAKE_PTR(st));
        if (!netns)
                return berth_error(err, ENOMEM, "network");
        /* A namespace gone with the host's /run (a reboot): made again, and every interface
         * added again (after a DEL, which frees what the cache says the old one held). */
        bool all = !netns_is_held(netns);
        if (all) {
                _cleanup_free_ char *dir = netns_dir(e), *made = NULL;
                (void)netns_remove(netns, NULL);
                if (!dir)
                        return berth_error(err, ENOMEM, "network");
                r = fs_mkdir_p(dir, 0700);
                if (r < 0)
                        return berth_error(err, -r, "create `%s`", dir);
                r = netns_create(dir, id, &made, err);
                if (r < 0)
                        return r;
        }
        /* Five columns a row: network, ifname, req_ip, req_ip6, req_mac ("" for NULL). */
        r = store_prepare(e->store, "SELECT network, ifname, ifnull(req_ip, ''), "
                                    "ifnull(req_ip6, ''), ifnull(coalesce(req_mac, mac), '') "
                                    "FROM network_endpoints WHERE container = ?1 AND "
                                    "(?2 OR (ip IS NULL AND ip6 IS NULL)) ORDER BY ifname",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, all);
        while (sqlite3_step(st) == SQLITE_ROW)
                for (int i = 0; i < 5; i++)
                        if (strv_extend(&rows, (const char *)sqlite3_column_text(st, i)) < 0)
                                return berth_error(err, ENOMEM, "network");
        sqlite3_finalize(TAKE_PTR(st));
        if (!rows)
                return 0;
        for (size_t i = 0; rows[i]; i += 5) {
                EngineEndpointRequest req = {
                        .network = rows[i],
                        .ip = *rows[i + 2] ? rows[i + 2] : NULL,
                        .ip6 = *rows[i + 3] ? rows[i + 3] : NULL,
                        .mac = *rows[i + 4] ? rows[i + 4] : NULL,
                };
                /* Whatever a start that died half way had set up goes first. */
                (void)endpoint_del(e, id, netns, rows[i], rows[i + 1], ports, NULL);
                r = endpoint_add(e, id, netns, rows[i + 1], &req, ports, true, err);
                if (r < 0)
                        return r;
        }
        (void)hosts_refresh(e, id);
        peers = peers_of(e, id);
        peers_refresh(e, peers);
        return 0;
}

/* ---- connect, disconnect ---- */

static int bridge_netns_of(Engine *e, EngineContainer *c, char **ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(e->store, "SELECT netns FROM container_networks WHERE container = ? "
                                    "AND mode = 'bridge'", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
                return berth_error_plain(err, EINVAL, "container `%s` has no network namespace "
                                         "of its own (--network none, host or container:)",
                                         c->name);
        *ret = store_column_strdup(st, 0);
        return *ret ? 0 : berth_error(err, ENOMEM, "network");
}

int engine_network_connect(Engine *e, EngineContainer *c, const EngineEndpointRequest *req,
                           BerthError **err)
{
        _cleanup_(engine_network_row_done) EngineNetworkRow n = {};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *netns = NULL, *ports = NULL;
        _cleanup_strv_free_ char **peers = NULL;
        char ifname[16];
        int r, used = 0;

        r = bridge_netns_of(e, c, &netns, err);
        if (r < 0)
                return r;
        r = engine_network_row_get(e, req->network, &n, err);
        if (r < 0)
                return r;
        r = store_prepare(e->store, "SELECT ifname, network FROM network_endpoints WHERE "
                                    "container = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        /* The first free ethN. */
        uint32_t taken = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
                int k;
                if (streq((const char *)sqlite3_column_text(st, 1), n.name))
                        return berth_error_plain(err, EEXIST, "container `%s` is already "
                                                 "connected to network `%s`", c->name, n.name);
                if (sscanf((const char *)sqlite3_column_text(st, 0), "eth%d", &k) == 1 && k >= 0 &&
                    k < 32)
                        taken |= 1u << k;
                used++;
        }
        sqlite3_finalize(TAKE_PTR(st));
        if (used >= ENDPOINTS_MAX)
                return berth_error_plain(err, E2BIG, "container `%s` is on %d networks already",
                                         c->name, used);
        int k = 0;
        while (taken & (1u << k))
                k++;
        snprintf(ifname, sizeof(ifname), "eth%d", k);
        ports = ports_json_of(e, c->id);
        EngineEndpointRequest r2 = *req;
        r2.network = n.name;
        r = endpoint_add(e, c->id, netns, ifname, &r2, ports, false, err);
        if (r < 0) {
                (void)endpoint_del(e, c->id, netns, n.name, ifname, ports, NULL);
                (void)exec_sql(e, "DELETE FROM network_endpoints WHERE container = ? AND "
                                  "network = ?", (const char *[]){ c->id, n.name }, 2, NULL);
                return r;
        }
        (void)hosts_refresh(e, c->id);
        peers = peers_of(e, c->id);
        peers_refresh(e, peers);
        return 0;
}

int engine_network_disconnect(Engine *e, EngineContainer *c, const char *network, bool force,
                              BerthError **err)
{
        _cleanup_(engine_network_row_done) EngineNetworkRow n = {};
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *netns = NULL, *ports = NULL, *ifname = NULL;
        _cleanup_strv_free_ char **peers = NULL;
        int r;

        r = bridge_netns_of(e, c, &netns, err);
        if (r < 0)
                return r;
        r = engine_network_row_get(e, network, &n, err);
        if (r < 0)
                return r;
        r = store_prepare(e->store, "SELECT ifname FROM network_endpoints WHERE container = ? "
                                    "AND network = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, n.name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
                return berth_error_plain(err, ENOENT, "container `%s` is not connected to "
                                         "network `%s`", c->name, n.name);
        ifname = store_column_strdup(st, 0);
        sqlite3_finalize(TAKE_PTR(st));
        if (!ifname)
                return berth_error(err, ENOMEM, "network");
        peers = peers_of(e, c->id);
        ports = ports_json_of(e, c->id);
        r = endpoint_del(e, c->id, netns, n.name, ifname, ports, err);
        if (r < 0 && !force)
                return r;
        r = exec_sql(e, "DELETE FROM network_endpoints WHERE container = ? AND network = ?",
                     (const char *[]){ c->id, n.name }, 2, err);
        if (r < 0)
                return r;
        (void)hosts_refresh(e, c->id);
        peers_refresh(e, peers);
        return 0;
}

/* ---- what inspect and port show ---- */

static int ports_of(Engine *e, const char *id, PortMapping **ret, size_t *n)
{
        _cleanup_free_ char *text = ports_json_of(e, id);
        struct json_object *a;
        int r;

        *ret = NULL;
        *n = 0;
        if (!text)
                return 0;
        a = json_tokener_parse(text);
        r = ports_from_json(a, ret, n, NULL);
        json_object_put(a);
        return r;
}

static struct json_object *ports_inspect(const PortMapping *p, size_t n, bool bindings)
{
        struct json_object *o = json_object_new_object();

        for (size_t i = 0; i < n; i++) {
                char key[16], port[8];
                struct json_object *list, *b = json_object_new_object();
                snprintf(key, sizeof(key), "%u/%s", p[i].container_port, p[i].proto);
                snprintf(port, sizeof(port), "%u", p[i].host_port);
                if (!json_object_object_get_ex(o, key, &list)) {
                        list = json_object_new_array();
                        json_object_object_add(o, key, list);
                }
                json_object_object_add(b, "HostIp", json_object_new_string(
                        *p[i].host_ip ? p[i].host_ip : bindings ? "" : "0.0.0.0"));
                json_object_object_add(b, "HostPort", json_object_new_string(port));
                json_object_array_add(list, b);
        }
        return o;
}

void engine_network_inspect_container(Engine *e, const char *id, struct json_object *doc)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ PortMapping *ports = NULL;
        _cleanup_free_ char *mode = NULL, *netns = NULL;
        struct json_object *ns = json_object_new_object(), *nets = json_object_new_object(),
                           *host = jwalk_member(doc, "HostConfig");
        size_t n_ports = 0;
        bool first = true, attached = false;

        if (store_prepare(e->store, "SELECT mode, netns FROM container_networks WHERE "
                                    "container = ?", &st, NULL) >= 0) {
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                if (sqlite3_step(st) == SQLITE_ROW) {
                        mode = store_column_strdup(st, 0);
                        netns = store_column_strdup(st, 1);
                }
                sqlite3_finalize(TAKE_PTR(st));
        }
        (void)ports_of(e, id, &ports, &n_ports);
        json_object_object_add(ns, "Bridge", json_object_new_string(""));
        json_object_object_add(ns, "SandboxID", json_object_new_string(""));
        json_object_object_add(ns, "SandboxKey", json_object_new_string(netns ?: ""));
        json_object_object_add(ns, "IPAddress", json_object_new_string(""));
        json_object_object_add(ns, "IPPrefixLen", json_object_new_int(0));
        json_object_object_add(ns, "Gateway", json_object_new_string(""));
        json_object_object_add(ns, "GlobalIPv6Address", json_object_new_string(""));
        json_object_object_add(ns, "GlobalIPv6PrefixLen", json_object_new_int(0));
        json_object_object_add(ns, "IPv6Gateway", json_object_new_string(""));
        json_object_object_add(ns, "MacAddress", json_object_new_string(""));
        if (store_prepare(e->store,
                          "SELECT e.network, e.ip, e.ip_prefix, e.gateway, e.ip6, e.ip6_prefix, "
                          "e.gateway6, e.mac, e.aliases, n.id, c.name FROM network_endpoints e "
                          "LEFT JOIN networks n ON n.name = e.network JOIN containers c ON "
                          "c.id = e.container WHERE e.container = ? ORDER BY e.ifname",
                          &st, NULL) >= 0) {
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        struct json_object *o = json_object_new_object();
                        const char *col[11];
                        for (int i = 0; i < 11; i++)
                                col[i] = (const char *)sqlite3_column_text(st, i) ?: "";
                        _cleanup_strv_free_ char **aliases = json_to_strv(col[8], ALIASES_MAX);
                        json_object_object_add(o, "IPAMConfig", NULL);
                        json_object_object_add(o, "Links", NULL);
                        json_object_object_add(o, "Aliases", strv_to_json(aliases));
                        json_object_object_add(o, "MacAddress", json_object_new_string(col[7]));
                        json_object_object_add(o, "NetworkID", json_object_new_string(col[9]));
                        json_object_object_add(o, "EndpointID", json_object_new_string(""));
                        json_object_object_add(o, "Gateway", json_object_new_string(col[3]));
                        json_object_object_add(o, "IPAddress", json_object_new_string(col[1]));
                        json_object_object_add(o, "IPPrefixLen",
                                               json_object_new_int(sqlite3_column_int(st, 2)));
                        json_object_object_add(o, "IPv6Gateway", json_object_new_string(col[6]));
                        json_object_object_add(o, "GlobalIPv6Address", json_object_new_string(col[4]));
                        json_object_object_add(o, "GlobalIPv6PrefixLen",
                                               json_object_new_int(sqlite3_column_int(st, 5)));
                        struct json_object *dns = json_object_new_array();
                        json_object_array_add(dns, json_object_new_string(col[10]));
                        STRV_FOREACH(a, aliases)
                                json_object_array_add(dns, json_object_new_string(*a));
                        json_object_object_add(o, "DNSNames", dns);
                        if (first) {
                                /* The top-level fields: the first network's, as docker fills
                                 * them for its default bridge. */
                                json_object_object_add(ns, "IPAddress", json_object_new_string(col[1]));
                                json_object_object_add(ns, "IPPrefixLen",
                                                       json_object_new_int(sqlite3_column_int(st, 2)));
                                json_object_object_add(ns, "Gateway", json_object_new_string(col[3]));
                                json_object_object_add(ns, "GlobalIPv6Address", json_object_new_string(col[4]));
                                json_object_object_add(ns, "GlobalIPv6PrefixLen",
                                                       json_object_new_int(sqlite3_column_int(st, 5)));
                                json_object_object_add(ns, "IPv6Gateway", json_object_new_string(col[6]));
                                json_object_object_add(ns, "MacAddress", json_object_new_string(col[7]));
                                first = false;
                        }
                        json_object_object_add(nets, col[0], o);
                        attached |= *col[1] || *col[4];
                }
        }
        /* docker's: the ports while the container has its network (a stopped one has none) */
        json_object_object_add(ns, "Ports", ports_inspect(ports, attached ? n_ports : 0, false));
        json_object_object_add(ns, "Networks", nets);
        json_object_object_add(doc, "NetworkSettings", ns);
        if (host && mode) {
                _cleanup_stmt_ sqlite3_stmt *s2 = NULL;
                const char *nm = mode;
                _cleanup_free_ char *first_net = NULL;
                if (streq(mode, "bridge") &&
                    store_prepare(e->store, "SELECT network FROM network_endpoints WHERE "
                                            "container = ? ORDER BY ifname LIMIT 1", &s2, NULL) >= 0) {
                        sqlite3_bind_text(s2, 1, id, -1, SQLITE_STATIC);
                        if (sqlite3_step(s2) == SQLITE_ROW)
                                first_net = store_column_strdup(s2, 0);
                        if (first_net)
                                nm = streq(first_net, ENGINE_NETWORK_DEFAULT) ? "bridge" : first_net;
                }
                json_object_object_add(host, "NetworkMode", json_object_new_string(nm));
                json_object_object_add(host, "PortBindings", ports_inspect(ports, n_ports, true));
        }
}

int engine_network_ports(Engine *e, EngineContainer *c, const char *filter, char ***ret,
                         BerthError **err)
{
        _cleanup_free_ PortMapping *ports = NULL;
        _cleanup_strv_free_ char **lines = NULL;
        size_t n = 0;
        unsigned want = 0;
        char proto[8] = "";

        if (filter) {
                if (strlen(filter) > 16 || sscanf(filter, "%u/%7s", &want, proto) < 1 ||
                    want == 0 || want > 65535)
                        return berth_error_plain(err, EINVAL, "`%s`: PORT[/PROTO] expected",
                                                 filter);
        }
        if (ports_of(e, c->id, &ports, &n) < 0)
                return berth_error_plain(err, EIO, "container `%s`: its port mappings are "
                                         "unreadable", c->name);
        for (size_t i = 0; i < n; i++) {
                char *line;
                if (want && (ports[i].container_port != want ||
                             (*proto && !streq(proto, ports[i].proto))))
                        continue;
                bool v6 = strchr(ports[i].host_ip, ':') != NULL;
                if (want ? asprintf(&line, "%s%s%s:%u", v6 ? "[" : "",
                                    *ports[i].host_ip ? ports[i].host_ip : "0.0.0.0",
                                    v6 ? "]" : "", ports[i].host_port) < 0
                         : asprintf(&line, "%u/%s -> %s%s%s:%u", ports[i].container_port,
                                    ports[i].proto, v6 ? "[" : "",
                                    *ports[i].host_ip ? ports[i].host_ip : "0.0.0.0",
                                    v6 ? "]" : "", ports[i].host_port) < 0)
                        return berth_error(err, ENOMEM, "port");
                if (strv_push(&lines, line) < 0)
                        return berth_error(err, ENOMEM, "port");
        }
        if (want && !lines)
                return berth_error_plain(err, ENOENT, "no public port '%s' published for %s",
                                         filter, c->name);
        *ret = TAKE_PTR(lines);
        return 0;
}

void engine_network_ps_fields(Engine *e, const char *id, struct json_object *o)
{
        _cleanup_free_ PortMapping *ports = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        size_t n = 0;
        Buf p = {}, nets = {};

        (void)ports_of(e, id, &ports, &n);
        /* docker's PORTS: only while the container has its network */
        if (store_prepare(e->store, "SELECT network, ip IS NOT NULL OR ip6 IS NOT NULL FROM "
                                    "network_endpoints WHERE container = ? ORDER BY ifname",
                          &st, NULL) >= 0) {
                bool attached = false;
                sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        buf_printf(&nets, "%s%s", nets.s ? "," : "",
                                   (const char *)sqlite3_column_text(st, 0));
                        attached |= sqlite3_column_int(st, 1) != 0;
                }
                for (size_t i = 0; attached && i < n; i++) {
                        bool v6 = strchr(ports[i].host_ip, ':') != NULL;
                        buf_printf(&p, "%s%s%s%s:%u->%u/%s", p.s ? ", " : "", v6 ? "[" : "",
                                   *ports[i].host_ip ? ports[i].host_ip : "0.0.0.0",
                                   v6 ? "]" : "", ports[i].host_port, ports[i].container_port,
                                   ports[i].proto);
                }
        }
        json_object_object_add(o, "Ports", json_object_new_string(!p.failed && p.s ? p.s : ""));
        json_object_object_add(o, "Networks",
                               json_object_new_string(!nets.failed && nets.s ? nets.s : ""));
        free(p.s);
        free(nets.s);
}
