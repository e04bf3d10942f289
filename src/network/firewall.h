/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The static iptables rules of a bridge network, as Docker's bridge driver has them: made once
 * per network, not per container. In the filter table a chain BERTH-F-<bridge> (hooked from
 * BERTH-FORWARD, itself hooked first in FORWARD) lets the bridge's traffic through a FORWARD
 * policy of DROP: what leaves the bridge, the replies to it, and published ports (what portmap
 * DNATed to it). In the nat table a chain BERTH-N-<bridge> (from BERTH-POSTROUTING, from
 * POSTROUTING) masquerades what leaves the subnet through another interface. An internal
 * network gets no nat chain, and its filter chain lets traffic only within the bridge.
 *
 * The rules are written with iptables-restore --noflush: declaring a network's chain empties
 * it, so applying again rewrites it whole (a repair after a partial flush); only the hooks are
 * looked up first (iptables-save). A host-wide lock keeps two berths from writing at once.
 */
#pragma once

#include "basic/error.h"
#include "network/network-conf.h"

/* Changes with the rule set: a network's rules made by an older one are made again. */
#define NETWORK_FIREWALL_VERSION "berth-firewall-1"

/* The restore input that makes c's rules for family (AF_INET or AF_INET6), given what
 * iptables-save printed; NULL (with 0) when the family has nothing of c's to do. */
int network_firewall_apply_script(const NetworkConf *c, int family, const char *saved,
                                  char **ret);
/* The restore input that removes c's rules (and Berth's hooks once no network's chain is
 * left), given iptables-save's output; *ret NULL when nothing of c's is there. */
int network_firewall_remove_script(const NetworkConf *c, int family, const char *saved,
                                   char **ret);

/* route_localnet on the bridge, so that 127.0.0.1's connections to a published port (DNATed
 * in OUTPUT) may be routed out of it (portmap's snat set it): once the bridge exists. */
int network_bridge_route_localnet(const char *bridge);

/* Makes (or repairs) c's rules, IPv4 always, IPv6 when c has an IPv6 subnet. */
int network_firewall_apply(const NetworkConf *c, BerthError **err);
/* Removes c's rules; what is already gone is no error. */
int network_firewall_remove(const NetworkConf *c, BerthError **err);
