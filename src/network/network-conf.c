/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Subnets and the conflist of a bridge network (network-conf.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "network/network-conf.h"

static size_t addr_len(int family)
{
        return family == AF_INET ? 4 : 16;
}

static bool prefix_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
        for (unsigned i = 0; i < bits; i++) {
                uint8_t m = (uint8_t)(0x80 >> (i % 8));
                if ((a[i / 8] & m) != (b[i / 8] & m))
                        return false;
        }
        return true;
}

int network_subnet_parse(const char *s, NetworkSubnet *ret, BerthError **err)
{
        char buf[64], *slash, *end;
        unsigned long prefix;
        NetworkSubnet n = {};

        if (strlen(s) >= sizeof(buf) || !(slash = strchr(s, '/')))
                return berth_error_plain(err, EINVAL, "subnet `%.64s`: ADDRESS/PREFIX expected",
                                         s);
        memcpy(buf, s, (size_t)(slash - s));
        buf[slash - s] = 0;
        if (inet_pton(AF_INET, buf, n.addr) == 1)
                n.family = AF_INET;
        else if (inet_pton(AF_INET6, buf, n.addr) == 1)
                n.family = AF_INET6;
        else
                return berth_error_plain(err, EINVAL, "subnet `%s`: `%s` is no IP address", s,
                                         buf);
        errno = 0;
        prefix = strtoul(slash + 1, &end, 10);
        if (errno || *end || end == slash + 1 || prefix > addr_len(n.family) * 8 ||
            prefix < (n.family == AF_INET ? 8u : 16u) ||
            prefix > (n.family == AF_INET ? 30u : 126u))
                return berth_error_plain(err, EINVAL, "subnet `%s`: prefix length `%s` out of "
                                         "range (IPv4 8-30, IPv6 16-126)", s, slash + 1);
        n.prefix = (unsigned)prefix;
        for (unsigned i = n.prefix; i < addr_len(n.family) * 8; i++)
                if (n.addr[i / 8] & (0x80 >> (i % 8)))
                        return berth_error_plain(err, EINVAL, "subnet `%s`: host bits are set "
                                                 "(the network's address has them 0)", s);
        *ret = n;
        return network_subnet_set_gateway(ret, NULL, err);
}

int network_subnet_set_gateway(NetworkSubnet *n, const char *gw, BerthError **err)
{
        uint8_t a[16] = {};

        if (!gw) {
                memcpy(n->gateway, n->addr, sizeof(a));
                n->gateway[addr_len(n->family) - 1] |= 1;
                return 0;
        }
        if (inet_pton(n->family, gw, a) != 1 || !prefix_equal(a, n->addr, n->prefix) ||
            memcmp(a, n->addr, addr_len(n->family)) == 0) {
                char sub[64];
                network_subnet_format(n, sub, sizeof(sub));
                return berth_error_plain(err, EINVAL, "gateway `%s` is no host address of "
                                         "subnet `%s`", gw, sub);
        }
        memcpy(n->gateway, a, sizeof(a));
        return 0;
}

bool network_subnets_overlap(const NetworkSubnet *a, const NetworkSubnet *b)
{
        if (a->family != b->family)
                return false;
        return prefix_equal(a->addr, b->addr, a->prefix < b->prefix ? a->prefix : b->prefix);
}

bool network_subnet_contains(const NetworkSubnet *n, const char *s)
{
        uint8_t a[16] = {};

        return inet_pton(n->family, s, a) == 1 && prefix_equal(a, n->addr, n->prefix);
}

void network_subnet_format(const NetworkSubnet *n, char *buf, size_t size)
{
        char a[INET6_ADDRSTRLEN] = "";

        (void)inet_ntop(n->family, n->addr, a, sizeof(a));
        snprintf(buf, size, "%s/%u", a, n->prefix);
}

void network_gateway_format(const NetworkSubnet *n, char *buf, size_t size)
{
        char a[INET6_ADDRSTRLEN] = "";

        (void)inet_ntop(n->family, n->gateway, a, sizeof(a));
        snprintf(buf, size, "%s", a);
}

static void add(struct json_object *o, const char *k, struct json_object *v)
{
        json_object_object_add(o, k, v);
}

int network_conflist_build(const NetworkConf *c, char **ret, BerthError **err)
{
        struct json_object *doc = json_object_new_object(), *plugins = json_object_new_array(),
                           *bridge = json_object_new_object(), *ipam = json_object_new_object(),
                           *ranges = json_object_new_array(), *routes = json_object_new_array(),
                           *p;
        bool v4 = false, v6 = false;

        add(doc, "cniVersion", json_object_new_string("1.0.0"));
        add(doc, "name", json_object_new_string(c->name));
        add(bridge, "type", json_object_new_string("bridge"));
        add(bridge, "bridge", json_object_new_string(c->bridge));
        add(bridge, "isGateway", json_object_new_boolean(!c->internal));
        /* Masquerade and forwarding are the network's static rules (firewall.h), made once:
         * the bridge plugin's ipMasq and the firewall plugin would make them per container,
         * some 15 iptables calls each way. */
        add(bridge, "ipMasq", json_object_new_boolean(false));
        add(bridge, "hairpinMode", json_object_new_boolean(true));
        /* --ip through host-local, --mac-address set by the bridge plugin itself (1.1 and
         * later): no tuning plugin, one exec less each way. */
        p = json_object_new_object();
        add(p, "ips", json_object_new_boolean(true));
        add(p, "mac", json_object_new_boolean(true));
        add(bridge, "capabilities", p);
        add(ipam, "type", json_object_new_string("host-local"));
        for (unsigned i = 0; i < c->n_subnets; i++) {
                const NetworkSubnet *s = &c->subnets[i];
                struct json_object *set = json_object_new_array(), *r = json_object_new_object();
                char sub[64], gw[INET6_ADDRSTRLEN];
                network_subnet_format(s, sub, sizeof(sub));
                network_gateway_format(s, gw, sizeof(gw));
                add(r, "subnet", json_object_new_string(sub));
                add(r, "gateway", json_object_new_string(gw));
                json_object_array_add(set, r);
                json_object_array_add(ranges, set);
                if (s->family == AF_INET)
                        v4 = true;
                else
                        v6 = true;
        }
        /* Internal: only the subnet's own route (the kernel's), none out of it. */
        if (!c->internal) {
                if (v4) {
                        p = json_object_new_object();
                        add(p, "dst", json_object_new_string("0.0.0.0/0"));
                        json_object_array_add(routes, p);
                }
                if (v6) {
                        p = json_object_new_object();
                        add(p, "dst", json_object_new_string("::/0"));
                        json_object_array_add(routes, p);
                }
        }
        add(ipam, "ranges", ranges);
        add(ipam, "routes", routes);
        add(bridge, "ipam", ipam);
        json_object_array_add(plugins, bridge);
        if (!c->internal) {
                p = json_object_new_object();
                add(p, "type", json_object_new_string("portmap"));
                struct json_object *caps = json_object_new_object();
                add(caps, "portMappings", json_object_new_boolean(true));
                add(p, "capabilities", caps);
                /* 127.0.0.1 and hairpin traffic to published ports are masqueraded by the
                 * network's static rules (firewall.h) */
                add(p, "snat", json_object_new_boolean(false));
                json_object_array_add(plugins, p);
        }
        add(doc, "plugins", plugins);
        *ret = strdup(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(doc);
        return *ret ? 0 : berth_error(err, ENOMEM, "network `%s`", c->name);
}
