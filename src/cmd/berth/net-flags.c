/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* run and create's network flags (net-flags.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/net-flags.h"

#define NET_FLAG_VALUES_MAX 256

bool net_flags_owns(int c)
{
        return c == 'p' || c == 'P' || (c >= OPT_NET_NETWORK && c <= OPT_NET_DNS_OPTION);
}

static int push(char ***v, const char *s, const char *flag, BerthError **err)
{
        if (strv_length(*v) >= NET_FLAG_VALUES_MAX)
                return berth_error_plain(err, E2BIG, "%s: more than %d given", flag,
                                         NET_FLAG_VALUES_MAX);
        return strv_extend(v, s) < 0 ? berth_error(err, ENOMEM, "%s", flag) : 0;
}

static bool mac_is_valid(const char *s)
{
        unsigned b[6];
        char tail;

        return strlen(s) == 17 &&
               sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                      &tail) == 6 &&
               !(b[0] & 1); /* not a multicast address */
}

int net_flags_take(NetFlags *f, int c, const char *arg, BerthError **err)
{
        struct in6_addr a;

        f->given = true;
        switch (c) {
        case OPT_NET_NETWORK:
                if (streq(arg, "host") || streq(arg, "none") || startswith(arg, "container:")) {
                        if (f->o.mode || f->o.n_endpoints)
                                return berth_error_plain(err, EINVAL, "--network %s goes with no "
                                                         "other --network", arg);
                        if (startswith(arg, "container:") && !arg[strlen("container:")])
                                return berth_error_plain(err, EINVAL, "--network container:NAME "
                                                         "needs a container");
                        f->o.mode = arg;
                        f->host = streq(arg, "host");
                        return 0;
                }
                if (f->o.mode)
                        return berth_error_plain(err, EINVAL, "--network %s goes with no other "
                                                 "--network", f->o.mode);
                if (f->o.n_endpoints >= 16)
                        return berth_error_plain(err, E2BIG, "--network: at most 16");
                EngineEndpointRequest *n = realloc(f->o.endpoints,
                                                   (f->o.n_endpoints + 1) * sizeof(*n));
                if (!n)
                        return berth_error(err, ENOMEM, "--network");
                f->o.endpoints = n;
                /* docker's names for its default network */
                n[f->o.n_endpoints++] = (EngineEndpointRequest){
                        .network = streq(arg, "bridge") || streq(arg, "default")
                                           ? ENGINE_NETWORK_DEFAULT : arg,
                };
                return 0;
        case 'p':
                return ports_parse(arg, &f->o.ports, &f->o.n_ports, err);
        case 'P':
                f->o.publish_all = true;
                return 0;
        case OPT_NET_IP:
                if (inet_pton(AF_INET, arg, &a) != 1)
                        return berth_error_plain(err, EINVAL, "--ip `%s`: not an IPv4 address",
                                                 arg);
                f->ip = arg;
                return 0;
        case OPT_NET_IP6:
                if (inet_pton(AF_INET6, arg, &a) != 1)
                        return berth_error_plain(err, EINVAL, "--ip6 `%s`: not an IPv6 address",
                                                 arg);
                f->ip6 = arg;
                return 0;
        case OPT_NET_MAC:
                if (!mac_is_valid(arg))
                        return berth_error_plain(err, EINVAL, "--mac-address `%s`: not a unicast "
                                                 "MAC address (xx:xx:xx:xx:xx:xx)", arg);
                f->mac = arg;
                return 0;
        case OPT_NET_ALIAS:
                if (!*arg || strlen(arg) > 253 || strcspn(arg, " \t\n#:") != strlen(arg))
                        return berth_error_plain(err, EINVAL, "--network-alias `%.64s`: not a "
                                                 "host name", arg);
                return push(&f->aliases, arg, "--network-alias", err);
        case OPT_NET_ADD_HOST:
                return push(&f->o.add_hosts, arg, "--add-host", err);
        case OPT_NET_DNS:
                if (inet_pton(AF_INET, arg, &a) != 1 && inet_pton(AF_INET6, arg, &a) != 1)
                        return berth_error_plain(err, EINVAL, "--dns `%s`: not an IP address",
                                                 arg);
                return push(&f->o.dns, arg, "--dns", err);
        case OPT_NET_DNS_SEARCH:
                if (strlen(arg) > 253 || strcspn(arg, " \t\n") != strlen(arg))
                        return berth_error_plain(err, EINVAL, "--dns-search `%.64s`: not a "
                                                 "domain", arg);
                return push(&f->o.dns_search, arg, "--dns-search", err);
        case OPT_NET_DNS_OPTION:
                if (strlen(arg) > 253 || strcspn(arg, " \t\n") != strlen(arg))
                        return berth_error_plain(err, EINVAL, "--dns-option `%.64s`: not an "
                                                 "option", arg);
                return push(&f->o.dns_options, arg, "--dns-option", err);
        }
        return berth_error_plain(err, EINVAL, "unknown network option");
}

int net_flags_finish(NetFlags *f, BerthError **err)
{
        if ((f->ip || f->ip6 || f->mac || f->aliases) && f->o.mode)
                return berth_error_plain(err, EINVAL, "--ip, --ip6, --mac-address and "
                                         "--network-alias need a network (not --network %s)",
                                         f->o.mode);
        if ((f->ip || f->ip6 || f->aliases) && !f->o.n_endpoints)
                return berth_error_plain(err, EINVAL, "--ip, --ip6 and --network-alias need a "
                                         "user network (--network NAME)");
        if (f->o.n_endpoints) {
                f->o.endpoints[0].ip = f->ip;
                f->o.endpoints[0].ip6 = f->ip6;
                f->o.endpoints[0].mac = f->mac;
                f->o.endpoints[0].aliases = f->aliases;
        } else if (f->mac) {
                EngineEndpointRequest *n = calloc(1, sizeof(*n));
                if (!n)
                        return berth_error(err, ENOMEM, "--mac-address");
                n->network = ENGINE_NETWORK_DEFAULT;
                n->mac = f->mac;
                f->o.endpoints = n;
                f->o.n_endpoints = 1;
        }
        return 0;
}

void net_flags_done(NetFlags *f)
{
        free(f->o.endpoints);
        free(f->o.ports);
        strv_free(f->o.add_hosts);
        strv_free(f->o.dns);
        strv_free(f->o.dns_search);
        strv_free(f->o.dns_options);
        strv_free(f->aliases);
}
