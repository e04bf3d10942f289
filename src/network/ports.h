/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Published ports as Docker's -p spells them, and as the portmap plugin takes them (its
 * "portMappings" capability argument): [IP:][HOSTPORT[-END]:]CTRPORT[-END][/tcp|/udp], an IPv6
 * address in brackets. A range maps port by port; a host port of 0 is chosen at create time
 * among the free ones.
 */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "basic/error.h"

#define PORTS_MAX 4096          /* mappings of one container, after ranges are expanded */

typedef struct PortMapping {
        char host_ip[46];       /* "" : every address */
        uint16_t host_port;     /* 0: a free one, chosen by ports_choose_free() */
        uint16_t container_port;
        char proto[4];          /* "tcp" or "udp" */
} PortMapping;

/* Appends the mappings of one -p argument to *list (n of them). */
int ports_parse(const char *spec, PortMapping **list, size_t *n, BerthError **err);
/* An image's ExposedPorts key ("80/tcp", "53/udp", "8080") as a mapping to a free port. */
int ports_parse_exposed(const char *key, PortMapping *ret, BerthError **err);
/* A free host port for m (bound once to ask the kernel, then released), in m->host_port. */
int ports_choose_free(PortMapping *m, BerthError **err);
/* portmap's [{"hostPort":..,"containerPort":..,"protocol":..,"hostIP":..}] */
struct json_object *ports_to_json(const PortMapping *list, size_t n);
/* Back from the same document; entries of the wrong shape are refused. */
int ports_from_json(struct json_object *a, PortMapping **ret, size_t *ret_n, BerthError **err);
