/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Networks (engine-network.h): the `networks` table, each network's conflist beside it, the
 * default network made on first use, and Docker's network verbs over them. A subnet that
 * overlaps another network's or a route of the host is refused, as Docker refuses it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "basic/fs-util.h"
#include "basic/json-walk.h"
#include "basic/macro.h"
#include "basic/string-util.h"
#include "basic/time-util.h"
#include "engine/engine-internal.h"
#include "engine/network-internal.h"

#define NETWORK_LABELS_MAX 256
#define ROUTES_MAX (1U << 20)

/* The network module's tables. container_networks: how a container is networked (its mode,
 * its namespace file, published ports, extra hosts); network_endpoints: one interface per
 * container and network, its addresses while attached (NULL once a stop released them), what
 * --ip, --ip6 and --mac-address asked for (req_*, for the next start). Both go with the
 * container's row. */
static const StoreStep network_store_steps[] = {
        { .sql = "CREATE TABLE networks("
                 "  name TEXT PRIMARY KEY,"
                 "  id TEXT NOT NULL UNIQUE,"
                 "  driver TEXT NOT NULL DEFAULT 'bridge',"
                 "  bridge TEXT NOT NULL,"
                 "  created TEXT NOT NULL,"
                 "  subnets TEXT NOT NULL,"
                 "  internal INTEGER NOT NULL DEFAULT 0,"
                 "  labels TEXT NOT NULL DEFAULT '{}');"
                 "CREATE TABLE container_networks("
                 "  container TEXT PRIMARY KEY,"
                 "  mode TEXT NOT NULL,"
                 "  netns TEXT,"
                 "  hostname TEXT,"
                 "  ports TEXT NOT NULL DEFAULT '[]',"
                 "  add_hosts TEXT NOT NULL DEFAULT '[]');"
                 "CREATE TABLE network_endpoints("
                 "  container TEXT NOT NULL,"
                 "  network TEXT NOT NULL,"
                 "  ifname TEXT NOT NULL,"
                 "  ip TEXT, ip_prefix INTEGER, gateway TEXT,"
                 "  ip6 TEXT, ip6_prefix INTEGER, gateway6 TEXT,"
                 "  mac TEXT,"
                 "  aliases TEXT NOT NULL DEFAULT '[]',"
                 "  req_ip TEXT, req_ip6 TEXT, req_mac TEXT,"
                 "  PRIMARY KEY(container, network));"
                 "CREATE INDEX network_endpoints_network ON network_endpoints(network);"
                 "CREATE TRIGGER containers_networks AFTER DELETE ON containers BEGIN"
                 "  DELETE FROM container_networks WHERE container = OLD.id;"
                 "  DELETE FROM network_endpoints WHERE container = OLD.id;"
                 " END;" },
};
STORE_MODULE_DEFINE(engine_network_store_module, "network", network_store_steps);

void engine_network_row_done(EngineNetworkRow *n)
{
        free(n->name);
        free(n->id);
        free(n->bridge);
        free(n->created);
        free(n->labels);
        free(n->driver);
        *n = (EngineNetworkRow){};
}

char *engine_network_conflist_path(const Engine *e, const char *name)
{
        char *p = NULL;
        return asprintf(&p, "%s/networks/%s.conflist", e->root, name) < 0 ? NULL : p;
}

int engine_network_plugin_dirs(const char *path, char ***ret)
{
        _cleanup_free_ char *copy = NULL;
        char *save = NULL;

        *ret = NULL;
        if (!path || !*path)
                return 0;
        if (strlen(path) > 4096)
                return -E2BIG;
        copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
                if (strv_extend(ret, d) < 0)
                        return -ENOMEM;
        return 0;
}

void engine_network_cni_options(const Engine *e, CniOptions *o, char **cache_dir)
{
        static const char *const dirs[] = { "/usr/lib/cni", "/usr/libexec/cni", "/opt/cni/bin",
                                            NULL };

        if (asprintf(cache_dir, "%s/networks/cache", e->root) < 0)
                *cache_dir = NULL;
        *o = (CniOptions){ .plugin_dirs = e->cni_plugin_dirs ? (const char *const *)e->cni_plugin_dirs
                                                             : dirs,
                           .cache_dir = *cache_dir };
}

static bool name_is_valid(const char *n)
{
        size_t len = strlen(n);

        return len > 0 && len <= 64 && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                              "0123456789", n[0]) &&
               strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == len;
}

/* The subnets column: [{"Subnet": "10.88.0.0/16", "Gateway": "10.88.0.1"}]. */
static int subnets_parse(const char *text, NetworkConf *c)
{
        _cleanup_(jwalk_putp) struct json_object *a = jwalk_parse_object(text, strlen(text));
        struct json_object *list = NULL;

        /* Kept as {"Config": [...]}, Docker's IPAM shape. */
        if (!a || !json_object_object_get_ex(a, "Config", &list) ||
            !json_object_is_type(list, json_type_array) ||
            json_object_array_length(list) > NETWORK_SUBNETS_MAX)
                return -EINVAL;
        c->n_subnets = 0;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *o = json_object_array_get_idx(list, i), *s, *g;
                NetworkSubnet n;
                if (!json_object_object_get_ex(o, "Subnet", &s) ||
                    !json_object_is_type(s, json_type_string) ||
                    network_subnet_parse(json_object_get_string(s), &n, NULL) < 0)
                        return -EINVAL;
                if (json_object_object_get_ex(o, "Gateway", &g) &&
                    json_object_is_type(g, json_type_string) &&
                    network_subnet_set_gateway(&n, json_object_get_string(g), NULL) < 0)
                        return -EINVAL;
                c->subnets[c->n_subnets++] = n;
        }
        return 0;
}

static char *subnets_text(const NetworkConf *c)
{
        struct json_object *doc = json_object_new_object(), *list = json_object_new_array();
        char *s;

        for (unsigned i = 0; i < c->n_subnets; i++) {
                struct json_object *o = json_object_new_object();
                char sub[64], gw[64];
                network_subnet_format(&c->subnets[i], sub, sizeof(sub));
                network_gateway_format(&c->subnets[i], gw, sizeof(gw));
                json_object_object_add(o, "Subnet", json_object_new_string(sub));
                json_object_object_add(o, "Gateway", json_object_new_string(gw));
                json_object_array_add(list, o);
        }
        json_object_object_add(doc, "Config", list);
        s = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN));
        json_object_put(doc);
        return s;
}

#define NETWORK_COLUMNS "name, id, driver, bridge, created, subnets, internal, labels"

static int row_load(sqlite3_stmt *st, EngineNetworkRow *n)
{
        n->name = store_column_strdup(st, 0);
        n->id = store_column_strdup(st, 1);
        n->driver = store_column_strdup(st, 2);
        n->bridge = store_column_strdup(st, 3);
        n->created = store_column_strdup(st, 4);
        n->internal = sqlite3_column_int(st, 6) != 0;
        n->labels = store_column_strdup(st, 7);
        if (!n->name || !n->id || !n->driver || !n->bridge || !n->created || !n->labels)
                return -ENOMEM;
        if (subnets_parse((const char *)sqlite3_column_text(st, 5), &n->conf) < 0)
                return -EINVAL;
        n->conf.name = n->name;
        n->conf.bridge = n->bridge;
        n->conf.internal = n->internal;
        return 0;
}

int engine_network_conflist_write(Engine *e, const NetworkConf *c, BerthError **err)
{
        _cleanup_free_ char *path = engine_network_conflist_path(e, c->name), *json = NULL,
                            *dir = NULL;
        int r;

        if (!path || asprintf(&dir, "%s/networks", e->root) < 0)
                return berth_error(err, ENOMEM, "network `%s`", c->name);
        r = fs_mkdir_p(dir, 0700);
        if (r < 0)
                return berth_error(err, -r, "create `%s`", dir);
        r = network_conflist_build(c, &json, err);
        if (r < 0)
                return r;
        r = fs_write_file_atomic(path, json, strlen(json), 0600);
        return r < 0 ? berth_error(err, -r, "write `%s`", path) : 0;
}

static int network_remove_row(Engine *e, const EngineNetworkRow *n, BerthError **err);

static void make_id(char id[static 65])
{
        uint8_t b[32] = {};

        (void)getrandom(b, sizeof(b), 0);
        for (size_t i = 0; i < sizeof(b); i++)
                sprintf(id + 2 * i, "%02x", b[i]);
}

/* The host's IPv4 routes (/proc/net/route) as subnets, but those through bridge (the
 * network's own, when it exists already). */
static bool overlaps_host_route(const NetworkSubnet *s, const char *bridge, char *dev, size_t size)
{
        _cleanup_free_ char *data = NULL;
        size_t len;

        if (s->family != AF_INET ||
            fs_read_full_file_limited(AT_FDCWD, "/proc/net/route", ROUTES_MAX, &data, &len,
                                      NULL) < 0)
                return false;
        for (char *line = strchr(data, '\n'); line && *++line; line = strchr(line, '\n')) {
                char ifname[32];
                unsigned dest, mask;
                if (sscanf(line, "%31s %x %*x %*x %*d %*d %*d %x", ifname, &dest, &mask) != 3)
                        continue;
                if (mask == 0 || streq(ifname, bridge))
                        continue; /* the default route overlaps everything */
                NetworkSubnet r = { .family = AF_INET };
                memcpy(r.addr, &dest, 4);
                r.prefix = (unsigned)__builtin_popcount(mask);
                if (network_subnets_overlap(s, &r)) {
                        snprintf(dev, size, "%s", ifname);
                        return true;
                }
        }
        return false;
}

/* A subnet that no network of this store and no route of the host use. */
static int subnet_check_free(Engine *e, const NetworkSubnet *s, const char *bridge,
                             BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char text[64], dev[32];
        int r;

        network_subnet_format(s, text, sizeof(text));
        r = store_prepare(e->store, "SELECT name, subnets FROM networks", &st, err);
        if (r < 0)
                return r;
        while (sqlite3_step(st) == SQLITE_ROW) {
                NetworkConf c = {};
                if (subnets_parse((const char *)sqlite3_column_text(st, 1), &c) < 0)
                        continue;
                for (unsigned i = 0; i < c.n_subnets; i++)
                        if (network_subnets_overlap(s, &c.subnets[i]))
                                return berth_error_plain(err, EEXIST, "subnet `%s` overlaps "
                                                         "network `%s`", text,
                                                         (const char *)sqlite3_column_text(st, 0));
        }
        if (overlaps_host_route(s, bridge, dev, sizeof(dev)))
                return berth_error_plain(err, EEXIST, "subnet `%s` overlaps a route of the host "
                                         "(through `%s`)", text, dev);
        return 0;
}

static int labels_text(char **labels, char **ret, BerthError **err)
{
        struct json_object *o = json_object_new_object();

        if (strv_length(labels) > NETWORK_LABELS_MAX) {
                json_object_put(o);
                return berth_error_plain(err, E2BIG, "more than %d labels", NETWORK_LABELS_MAX);
        }
        STRV_FOREACH(l, labels) {
                const char *eq = strchr(*l, '=');
                _cleanup_free_ char *k = strndup(*l, eq ? (size_t)(eq - *l) : strlen(*l));
                if (!k || !*k) {
                        json_object_put(o);
                        return berth_error_plain(err, EINVAL, "label `%s`: KEY[=VALUE] expected",
                                                 *l);
                }
                json_object_object_add(o, k, json_object_new_string(eq ? eq + 1 : ""));
        }
        *ret = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return *ret ? 0 : berth_error(err, ENOMEM, "labels");
}

static int network_insert(Engine *e, const NetworkConf *c, const char *driver, const char *labels,
                          char id[static 65], BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *subnets = subnets_text(c);
        char created[64];
        int r;

        if (!subnets)
                return berth_error(err, ENOMEM, "network `%s`", c->name);
        time_format_rfc3339_now(created, sizeof(created));
        r = store_prepare(e->store, "INSERT INTO networks(" NETWORK_COLUMNS ") "
                                    "VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, driver, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->bridge, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, created, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, subnets, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, c->internal);
        sqlite3_bind_text(st, 8, labels, -1, SQLITE_STATIC);
        r = sqlite3_step(st);
        if (r == SQLITE_CONSTRAINT)
                return berth_error_plain(err, EEXIST, "network with name `%s` already exists",
                                         c->name);
        if (r != SQLITE_DONE)
                return store_error(e->store, "create network", err);
        return 0;
}

/* The default network: the same bridge and subnet in every store of the host (their leases are
 * host-local's, one directory per network name, so two stores never hand out one address). */
static int default_network_ensure(Engine *e, BerthError **err)
{
        NetworkConf c = { .name = ENGINE_NETWORK_DEFAULT, .bridge = ENGINE_NETWORK_DEFAULT_BRIDGE };
        _cleanup_free_ char *path = engine_network_conflist_path(e, ENGINE_NETWORK_DEFAULT);
        char id[65];
        int r;

        if (!path)
                return berth_error(err, ENOMEM, "default network");
        r = network_subnet_parse(ENGINE_NETWORK_DEFAULT_SUBNET, &c.subnets[0], err);
        if (r < 0)
                return r;
        c.n_subnets = 1;
        make_id(id);
        r = engine_network_conflist_write(e, &c, err);
        if (r < 0)
                return r;
        r = network_insert(e, &c, "bridge", "{}", id, err);
        return r == -EEXIST ? 0 : r;
}

static int row_query(Engine *e, const char *ref, EngineNetworkRow *ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r, found = 0;

        r = store_prepare(e->store,
                          "SELECT " NETWORK_COLUMNS ", 0 FROM networks WHERE name = ?1 OR id = ?1 "
                          "UNION ALL SELECT " NETWORK_COLUMNS ", 1 FROM networks WHERE "
                          "length(?1) >= 3 AND substr(id, 1, length(?1)) = ?1 AND id != ?1 "
                          "ORDER BY 9",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
                bool prefix = sqlite3_column_int(st, 8) != 0;
                if (found && prefix)
                        return berth_error_plain(err, EINVAL, "network `%s` is ambiguous", ref);
                if (found)
                        break;
                r = row_load(st, ret);
                if (r < 0) {
                        engine_network_row_done(ret);
                        return berth_error(err, -r, "network `%s`", ref);
                }
                found = 1;
                if (!prefix)
                        break;
        }
        if (!found)
                return berth_error_plain(err, ENOENT, "network `%s` not found", ref);
        return 0;
}

int engine_network_row_get(Engine *e, const char *ref, EngineNetworkRow *ret, BerthError **err)
{
        _cleanup_error_ BerthError *miss = NULL;
        int r;

        *ret = (EngineNetworkRow){};
        if (strlen(ref) > 128)
                return berth_error_plain(err, EINVAL, "network `%.32s...`: name too long", ref);
        r = row_query(e, ref, ret, streq(ref, ENGINE_NETWORK_DEFAULT) ? &miss : err);
        if (r != -ENOENT || !streq(ref, ENGINE_NETWORK_DEFAULT))
                return r;
        r = default_network_ensure(e, err);
        if (r < 0)
                return r;
        return row_query(e, ref, ret, err);
}

/* A free /24 in 10.89.0.0/16 for a network given no subnet. */
static int subnet_pick(Engine *e, NetworkSubnet *ret, BerthError **err)
{
        for (unsigned i = 0; i < 256; i++) {
                char text[32];
                snprintf(text, sizeof(text), "10.89.%u.0/24", i);
                if (network_subnet_parse(text, ret, NULL) < 0)
                        continue;
                if (subnet_check_free(e, ret, "", NULL) == 0)
                        return 0;
        }
        return berth_error_plain(err, ENOSPC, "no free subnet left in 10.89.0.0/16: give one "
                                 "with --subnet");
}

int engine_network_create(Engine *e, const EngineNetworkCreateOptions *o, char **ret_id,
                          BerthError **err)
{
        _cleanup_free_ char *labels = NULL;
        NetworkConf c = { .name = o->name, .internal = o->internal };
        char id[65], bridge[16];
        size_t n_sub = strv_length(o->subnets);
        int r;

        if (!o->name || !name_is_valid(o->name))
                return berth_error_plain(err, EINVAL, "invalid network name `%s`: at most 64 of "
                                         "[a-zA-Z0-9][a-zA-Z0-9_.-]", o->name ?: "");
        if (streq(o->name, ENGINE_NETWORK_DEFAULT) || streq(o->name, "bridge") ||
            streq(o->name, "host") || streq(o->name, "none"))
                return berth_error_plain(err, EINVAL, "network name `%s` is reserved", o->name);
        if (o->driver && !streq(o->driver, "bridge"))
                return berth_error_plain(err, ENOTSUP, "network driver `%s`: only bridge is "
                                         "supported", o->driver);
        if (n_sub > NETWORK_SUBNETS_MAX)
                return berth_error_plain(err, E2BIG, "more than %d subnets", NETWORK_SUBNETS_MAX);
        if (strv_length(o->gateways) > n_sub)
                return berth_error_plain(err, EINVAL, "--gateway: one per --subnet at most");
        make_id(id);
        snprintf(bridge, sizeof(bridge), "br-%.12s", id);
        c.bridge = bridge;
        for (size_t i = 0; i < n_sub; i++) {
                r = network_subnet_parse(o->subnets[i], &c.subnets[i], err);
                if (r >= 0 && i < strv_length(o->gateways))
                        r = network_subnet_set_gateway(&c.subnets[i], o->gateways[i], err);
                if (r < 0)
                        return berth_error_prefix(err, "--subnet");
                for (size_t j = 0; j < i; j++)
                        if (network_subnets_overlap(&c.subnets[i], &c.subnets[j]))
                                return berth_error_plain(err, EINVAL, "--subnet `%s` overlaps "
                                                         "`%s`", o->subnets[i], o->subnets[j]);
                r = subnet_check_free(e, &c.subnets[i], bridge, err);
                if (r < 0)
                        return r;
        }
        c.n_subnets = (unsigned)n_sub;
        bool has4 = false, has6 = false;
        for (unsigned i = 0; i < c.n_subnets; i++) {
                has4 |= c.subnets[i].family == AF_INET;
                has6 |= c.subnets[i].family == AF_INET6;
        }
        if (!has4) {
                if (c.n_subnets == NETWORK_SUBNETS_MAX)
                        return berth_error_plain(err, E2BIG, "too many subnets");
                r = subnet_pick(e, &c.subnets[c.n_subnets], err);
                if (r < 0)
                        return r;
                c.n_subnets++;
        }
        if (o->ipv6 && !has6)
                return berth_error_plain(err, EINVAL, "--ipv6 needs an IPv6 --subnet");
        r = labels_text(o->labels, &labels, err);
        if (r < 0)
                return r;
        r = engine_network_conflist_write(e, &c, err);
        if (r < 0)
                return r;
        r = network_insert(e, &c, "bridge", labels, id, err);
        if (r < 0) {
                /* The name is taken: its conflist was the other's, written again as it was. */
                if (r == -EEXIST) {
                        EngineNetworkRow old = {};
                        if (row_query(e, o->name, &old, NULL) >= 0)
                                (void)engine_network_conflist_write(e, &old.conf, NULL);
                        engine_network_row_done(&old);
                }
                return r;
        }
        /* Its static rules now, so that its first container finds them. */
        EngineNetworkRow row = {};
        r = row_query(e, o->name, &row, err);
        if (r >= 0)
                r = engine_network_prepare(e, &row, err);
        if (r < 0) {
                if (row.name)
                        (void)network_remove_row(e, &row, NULL);
                engine_network_row_done(&row);
                return r;
        }
        engine_network_row_done(&row);
        *ret_id = strdup(id);
        return *ret_id ? 0 : berth_error(err, ENOMEM, "network");
}

/* Docker's network inspect document. */
static struct json_object *row_json(Engine *e, const EngineNetworkRow *n)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct json_object *doc = json_object_new_object(), *ipam = json_object_new_object(),
                           *config = json_object_new_array(), *containers = json_object_new_object(),
                           *opts = json_object_new_object();
        bool v6 = false;

        json_object_object_add(doc, "Name", json_object_new_string(n->name));
        json_object_object_add(doc, "Id", json_object_new_string(n->id));
        json_object_object_add(doc, "Created", json_object_new_string(n->created));
        json_object_object_add(doc, "Scope", json_object_new_string("local"));
        json_object_object_add(doc, "Driver", json_object_new_string(n->driver));
        for (unsigned i = 0; i < n->conf.n_subnets; i++) {
                struct json_object *o = json_object_new_object();
                char sub[64], gw[64];
                network_subnet_format(&n->conf.subnets[i], sub, sizeof(sub));
                network_gateway_format(&n->conf.subnets[i], gw, sizeof(gw));
                json_object_object_add(o, "Subnet", json_object_new_string(sub));
                if (!n->internal)
                        json_object_object_add(o, "Gateway", json_object_new_string(gw));
                json_object_array_add(config, o);
                v6 |= n->conf.subnets[i].family == AF_INET6;
        }
        json_object_object_add(doc, "EnableIPv6", json_object_new_boolean(v6));
        json_object_object_add(ipam, "Driver", json_object_new_string("default"));
        json_object_object_add(ipam, "Options", NULL);
        json_object_object_add(ipam, "Config", config);
        json_object_object_add(doc, "IPAM", ipam);
        json_object_object_add(doc, "Internal", json_object_new_boolean(n->internal));
        json_object_object_add(doc, "Attachable", json_object_new_boolean(false));
        json_object_object_add(doc, "Ingress", json_object_new_boolean(false));
        if (store_prepare(e->store,
                          "SELECT c.id, c.name, n.mac, n.ip, n.ip_prefix, n.ip6, n.ip6_prefix "
                          "FROM network_endpoints n JOIN containers c ON c.id = n.container "
                          "WHERE n.network = ? ORDER BY c.name",
                          &st, NULL) >= 0) {
                sqlite3_bind_text(st, 1, n->name, -1, SQLITE_STATIC);
                while (sqlite3_step(st) == SQLITE_ROW) {
                        struct json_object *o = json_object_new_object();
                        char buf[80];
                        const char *ip = (const char *)sqlite3_column_text(st, 3),
                                   *ip6 = (const char *)sqlite3_column_text(st, 5),
                                   *mac = (const char *)sqlite3_column_text(st, 2);
                        json_object_object_add(o, "Name", json_object_new_string(
                                (const char *)sqlite3_column_text(st, 1)));
                        json_object_object_add(o, "EndpointID", json_object_new_string(""));
                        json_object_object_add(o, "MacAddress", json_object_new_string(mac ?: ""));
                        snprintf(buf, sizeof(buf), "%s/%d", ip ?: "", sqlite3_column_int(st, 4));
                        json_object_object_add(o, "IPv4Address", json_object_new_string(ip ? buf : ""));
                        snprintf(buf, sizeof(buf), "%s/%d", ip6 ?: "", sqlite3_column_int(st, 6));
                        json_object_object_add(o, "IPv6Address", json_object_new_string(ip6 ? buf : ""));
                        json_object_object_add(containers, (const char *)sqlite3_column_text(st, 0), o);
                }
        }
        json_object_object_add(doc, "Containers", containers);
        json_object_object_add(opts, "com.docker.network.bridge.name",
                               json_object_new_string(n->bridge));
        json_object_object_add(doc, "Options", opts);
        json_object_object_add(doc, "Labels",
                               jwalk_parse_object(n->labels, strlen(n->labels)) ?: json_object_new_object());
        return doc;
}

int engine_network_inspect(Engine *e, const char *ref, struct json_object **ret, BerthError **err)
{
        EngineNetworkRow n = {};
        int r = engine_network_row_get(e, ref, &n, err);

        if (r < 0)
                return r;
        *ret = row_json(e, &n);
        engine_network_row_done(&n);
        return 0;
}

int engine_network_list(Engine *e, struct json_object **ret, BerthError **err)
{
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        struct json_object *list;
        EngineNetworkRow n = {};
        int r;

        /* The default network shows before it was first used, as docker's bridge does. */
        r = engine_network_row_get(e, ENGINE_NETWORK_DEFAULT, &n, err);
        if (r < 0)
                return r;
        engine_network_row_done(&n);
        r = store_prepare(e->store, "SELECT name FROM networks ORDER BY name", &st, err);
        if (r < 0)
                return r;
        while (sqlite3_step(st) == SQLITE_ROW)
                if (strv_extend(&names, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return berth_error(err, ENOMEM, "list networks");
        list = json_object_new_array();
        STRV_FOREACH(name, names) {
                if (engine_network_row_get(e, *name, &n, NULL) < 0)
                        continue;
                json_object_array_add(list, row_json(e, &n));
                engine_network_row_done(&n);
        }
        *ret = list;
        return 0;
}

static int users_of(Engine *e, const char *network, char ***ret, BerthError **err)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        *ret = NULL;
        r = store_prepare(e->store, "SELECT c.name FROM network_endpoints n JOIN containers c "
                                    "ON c.id = n.container WHERE n.network = ? ORDER BY c.name",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, network, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
                if (strv_extend(ret, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return berth_error(err, ENOMEM, "network `%s`", network);
        return 0;
}

/* The bridge a network's plugins made stays after their last DEL (the bridge plugin never
 * removes it): it goes with the network. */
static void bridge_remove(const char *bridge)
{
        char *const argv[] = { (char *)"ip", (char *)"link", (char *)"delete", (char *)bridge,
                               NULL };
        _cleanup_free_ char *out = NULL;
        char path[64];

        snprintf(path, sizeof(path), "/sys/class/net/%s", bridge);
        if (access(path, F_OK) == 0)
                (void)engine_program_output(argv, 4096, &out);
}

static int network_remove_row(Engine *e, const EngineNetworkRow *n, BerthError **err)
{
        _cleanup_strv_free_ char **users = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *path = engine_network_conflist_path(e, n->name);
        int r;

        r = users_of(e, n->name, &users, err);
        if (r < 0)
                return r;
        if (users) {
                _cleanup_free_ char *list = NULL;
                size_t len = 0;
                STRV_FOREACH(u, users)
                        len += strlen(*u) + 2;
                list = calloc(1, len + 1);
                if (!list)
                        return berth_error(err, ENOMEM, "network `%s`", n->name);
                STRV_FOREACH(u, users) {
                        if (*list)
                                strcat(list, ", ");
                        strcat(list, *u);
                }
                return berth_error_plain(err, EBUSY, "network `%s` is in use by container%s %s: "
                                         "remove %s or disconnect %s first", n->name,
                                         users[1] ? "s" : "", list, users[1] ? "them" : "it",
                                         users[1] ? "them" : "it");
        }
        r = store_prepare(e->store, "DELETE FROM networks WHERE name = ?", &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, n->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
                return store_error(e->store, "remove network", err);
        if (path)
                (void)unlink(path);
        /* The default network's bridge and rules are shared by every store of the host: they
         * stay. */
        if (!streq(n->name, ENGINE_NETWORK_DEFAULT)) {
                bridge_remove(n->bridge);
                r = engine_network_unprepare(e, n, err);
                if (r < 0)
                        return berth_error_prefix(err, "removed, but its firewall rules stay");
        }
        return 0;
}

int engine_network_remove(Engine *e, const char *ref, BerthError **err)
{
        EngineNetworkRow n = {};
        int r;

        if (streq(ref, ENGINE_NETWORK_DEFAULT) || streq(ref, "bridge") || streq(ref, "host") ||
            streq(ref, "none"))
                return berth_error_plain(err, EPERM, "`%s` is a pre-defined network and cannot "
                                         "be removed", ref);
        r = row_query(e, ref, &n, err);
        if (r < 0)
                return r;
        r = network_remove_row(e, &n, err);
        engine_network_row_done(&n);
        return r;
}

int engine_network_prune(Engine *e, char ***ret, BerthError **err)
{
        _cleanup_strv_free_ char **names = NULL, **gone = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int r;

        r = store_prepare(e->store, "SELECT name FROM networks WHERE name != ? AND name NOT IN "
                                    "(SELECT network FROM network_endpoints) ORDER BY name",
                          &st, err);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, ENGINE_NETWORK_DEFAULT, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
                if (strv_extend(&names, (const char *)sqlite3_column_text(st, 0)) < 0)
                        return berth_error(err, ENOMEM, "prune networks");
        STRV_FOREACH(name, names) {
                EngineNetworkRow n = {};
                if (row_query(e, *name, &n, NULL) < 0)
                        continue;
                if (network_remove_row(e, &n, NULL) >= 0 && strv_extend(&gone, *name) < 0) {
                        engine_network_row_done(&n);
                        return berth_error(err, ENOMEM, "prune networks");
                }
                engine_network_row_done(&n);
        }
        *ret = TAKE_PTR(gone);
        return 0;
}
