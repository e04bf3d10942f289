/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Networks as Docker's bridge driver offers them, made of CNI plugins (network/cni.h): the
 * default network `berth` (made on first use) and user networks, each a row of the `networks`
 * table and a conflist <root>/networks/<name>.conflist; a container's network namespace held
 * by a file <run>/netns/<id> (network/netns.h), one interface per network (eth0, eth1...),
 * added at create and deleted at removal (and by the repair of a command that died between);
 * a stop deletes them too (the namespace stays) and the next start adds them again.
 *
 * Names: every container's /etc/hosts lists its own addresses and, on user networks, every
 * other container of the network by name and alias; the files are rewritten when a container
 * joins or leaves (see src/network/README.md for why files and not a DNS responder).
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "basic/error.h"
#include "network/ports.h"

typedef struct Engine Engine;
typedef struct EngineContainer EngineContainer;
typedef struct ImageRunConfig ImageRunConfig;

#define ENGINE_NETWORK_DEFAULT "berth"
#define ENGINE_NETWORK_DEFAULT_BRIDGE "berth0"
#define ENGINE_NETWORK_DEFAULT_SUBNET "10.85.0.0/16"

/* One --network NAME and what applies to it (--ip, --ip6, --mac-address, --network-alias). */
typedef struct EngineEndpointRequest {
        const char *network;
        const char *ip, *ip6, *mac;
        char **aliases;
} EngineEndpointRequest;

/* A container's networking as create takes it. */
typedef struct EngineNetOptions {
        const char *mode;                 /* NULL or "bridge": networks (default: berth);
                                           * "none", "host", "container:NAME" */
        EngineEndpointRequest *endpoints; /* the --network NAME flags in order */
        size_t n_endpoints;
        PortMapping *ports;               /* -p */
        size_t n_ports;
        bool publish_all;                 /* -P: every ExposedPorts of the image */
        char **add_hosts;                 /* --add-host NAME:IP */
        char **dns, **dns_search, **dns_options;
} EngineNetOptions;

/* ---- container side (container-network.c) ---- */

/* At create, after the /etc files were written: the network namespace and the interfaces,
 * hosts and resolv.conf. *ret_netns: the namespace's path for config.json (NULL: a new one of
 * the runtime's, loopback only; "host"). */
int engine_network_setup(Engine *e, const char *id, const char *name, const char *hostname,
                         const EngineNetOptions *o, const ImageRunConfig *image, char **ret_netns,
                         BerthError **err);
/* At removal and repair: DEL of every interface, the namespace file, the other containers'
 * hosts files. Goes on past failures. */
void engine_network_teardown(Engine *e, const char *id);
/* At stop: DEL of every interface, their leases and rules released; the namespace stays.
 * At start: ADD again of what a stop released (the same --ip, --mac-address and ports). */
void engine_network_release(Engine *e, const char *id);
int engine_network_attach(Engine *e, const char *id, BerthError **err);
/* NetworkSettings and HostConfig.NetworkMode/PortBindings into Docker's inspect document. */
void engine_network_inspect_container(Engine *e, const char *id, struct json_object *doc);
/* ps's "Ports" ("0.0.0.0:8080->80/tcp, ...") and "Networks" fields into o. */
void engine_network_ps_fields(Engine *e, const char *id, struct json_object *o);
/* `port`: the published ports as "80/tcp -> 0.0.0.0:8080" lines; filter "80" or "80/udp". */
int engine_network_ports(Engine *e, EngineContainer *c, const char *filter, char ***ret,
                         BerthError **err);
int engine_network_connect(Engine *e, EngineContainer *c, const EngineEndpointRequest *r,
                           BerthError **err);
int engine_network_disconnect(Engine *e, EngineContainer *c, const char *network, bool force,
                              BerthError **err);

/* ---- networks (network.c) ---- */

typedef struct EngineNetworkCreateOptions {
        const char *name;
        const char *driver;          /* NULL or "bridge" */
        char **subnets;              /* --subnet, IPv4 and IPv6 */
        char **gateways;             /* --gateway, the n-th for the n-th subnet */
        bool internal, ipv6;
        char **labels;               /* key=value */
} EngineNetworkCreateOptions;

int engine_network_create(Engine *e, const EngineNetworkCreateOptions *o, char **ret_id,
                          BerthError **err);
/* Docker's network inspect document of one network, by name, id or id prefix. */
int engine_network_inspect(Engine *e, const char *ref, struct json_object **ret,
                           BerthError **err);
/* Every network's inspect document, by name. */
int engine_network_list(Engine *e, struct json_object **ret, BerthError **err);
/* Refused with -EBUSY while a container is attached to it. */
int engine_network_remove(Engine *e, const char *ref, BerthError **err);
/* Removes the user networks no container uses; their names. */
int engine_network_prune(Engine *e, char ***ret, BerthError **err);
