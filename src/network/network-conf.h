/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bridge network as Berth writes its conflist: the bridge plugin with host-local IPAM (one
 * range per subnet, IPv4 and IPv6; --ip and --mac-address through its "ips" and "mac"
 * capabilities) and portmap (published ports); masquerade (out of the subnet, from 127.0.0.1
 * and hairpin to published ports) and forwarding are the network's static rules (firewall.h),
 * not the plugins'. An internal
 * network gets no gateway, no default route and no portmap: nothing leaves its subnet. Also the
 * address arithmetic that --subnet, --gateway and --ip need.
 */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "basic/error.h"

#define NETWORK_SUBNETS_MAX 4

typedef struct NetworkSubnet {
        int family;                  /* AF_INET or AF_INET6 */
        uint8_t addr[16];            /* the network's address (host bits 0) */
        unsigned prefix;
        uint8_t gateway[16];
} NetworkSubnet;

typedef struct NetworkConf {
        const char *name;
        const char *bridge;          /* the Linux bridge's name, at most 15 characters */
        bool internal;
        NetworkSubnet subnets[NETWORK_SUBNETS_MAX];
        unsigned n_subnets;
} NetworkConf;

/* "10.88.0.0/16", "fd00:88::/64": host bits must be 0. */
int network_subnet_parse(const char *s, NetworkSubnet *ret, BerthError **err);
/* The gateway: gw (an address inside the subnet), or NULL for the first host address. */
int network_subnet_set_gateway(NetworkSubnet *n, const char *gw, BerthError **err);
bool network_subnets_overlap(const NetworkSubnet *a, const NetworkSubnet *b);
/* Whether the text address s is one of n's (family and prefix). */
bool network_subnet_contains(const NetworkSubnet *n, const char *s);
/* "10.88.0.0/16" and "10.88.0.1" */
void network_subnet_format(const NetworkSubnet *n, char *buf, size_t size);
void network_gateway_format(const NetworkSubnet *n, char *buf, size_t size);

/* The conflist document (a JSON text the caller frees). */
int network_conflist_build(const NetworkConf *c, char **ret, BerthError **err);
