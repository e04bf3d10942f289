/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network flags of run and create: --network, -p, -P, --ip, --mac-address, --add-host,
 * --dns... into the engine's EngineNetOptions. */
#pragma once

#include <stdbool.h>

#include "basic/error.h"
#include "engine/engine-network.h"

enum {
        OPT_NET_NETWORK = 0x200, OPT_NET_IP, OPT_NET_IP6, OPT_NET_MAC, OPT_NET_ALIAS,
        OPT_NET_ADD_HOST, OPT_NET_DNS, OPT_NET_DNS_SEARCH, OPT_NET_DNS_OPTION,
};

#define NET_FLAGS_OPTIONS                                                                    \
        { "network", required_argument, NULL, OPT_NET_NETWORK },                             \
        { "net", required_argument, NULL, OPT_NET_NETWORK },                                 \
        { "publish", required_argument, NULL, 'p' },                                         \
        { "publish-all", no_argument, NULL, 'P' },                                           \
        { "ip", required_argument, NULL, OPT_NET_IP },                                       \
        { "ip6", required_argument, NULL, OPT_NET_IP6 },                                     \
        { "mac-address", required_argument, NULL, OPT_NET_MAC },                             \
        { "network-alias", required_argument, NULL, OPT_NET_ALIAS },                         \
        { "net-alias", required_argument, NULL, OPT_NET_ALIAS },                             \
        { "add-host", required_argument, NULL, OPT_NET_ADD_HOST },                           \
        { "dns", required_argument, NULL, OPT_NET_DNS },                                     \
        { "dns-search", required_argument, NULL, OPT_NET_DNS_SEARCH },                       \
        { "dns-option", required_argument, NULL, OPT_NET_DNS_OPTION },                       \
        { "dns-opt", required_argument, NULL, OPT_NET_DNS_OPTION }

typedef struct NetFlags {
        EngineNetOptions o;
        const char *ip, *ip6, *mac;
        char **aliases;
        bool host;              /* --network host: the CLI sets the spec's netns */
        bool given;             /* any network flag at all */
} NetFlags;

/* Whether c is one of these flags; then it is taken (0) or refused (<0 with err set). */
bool net_flags_owns(int c);
int net_flags_take(NetFlags *f, int c, const char *arg, BerthError **err);
/* After the last flag: --ip, --mac-address and aliases go to the first --network. */
int net_flags_finish(NetFlags *f, BerthError **err);
void net_flags_done(NetFlags *f);
