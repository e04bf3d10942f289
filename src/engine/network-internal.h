/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What network.c and container-network.c share: the networks' rows and files. */
#pragma once

#include <stdbool.h>

#include "engine/engine-network.h"
#include "network/cni.h"
#include "network/network-conf.h"
#include "store/store.h"

extern const StoreModule engine_network_store_module;

typedef struct EngineNetworkRow {
        char *name, *id, *bridge, *created, *labels, *driver;
        bool internal;
        NetworkConf conf;            /* conf.name and conf.bridge point into the row */
} EngineNetworkRow;

void engine_network_row_done(EngineNetworkRow *n);
/* By name, full id or unique id prefix; -ENOENT with "network `x` not found". The default
 * network is made when it is asked for and missing. */
int engine_network_row_get(Engine *e, const char *ref, EngineNetworkRow *ret, BerthError **err);
/* <root>/networks/<name>.conflist */
char *engine_network_conflist_path(const Engine *e, const char *name);
/* A `:`-separated list of directories (NULL: none, *ret NULL) split. */
int engine_network_plugin_dirs(const char *path, char ***ret);
/* Writes the conflist of a network (temporary name, then rename). */
int engine_network_conflist_write(Engine *e, const NetworkConf *c, BerthError **err);
/* Before a network's first ADD since boot (network-prepare.c): its conflist as this berth
 * writes it, and its static firewall rules (network/firewall.h) made or repaired; a mark in
 * <root>/networks says it was done (this boot, this rule set). */
int engine_network_prepare(Engine *e, const EngineNetworkRow *n, BerthError **err);
/* When the network goes: its rules and its mark. */
int engine_network_unprepare(Engine *e, const EngineNetworkRow *n, BerthError **err);
/* The plugin directories and the result cache. */
void engine_network_cni_options(const Engine *e, CniOptions *o, char **cache_dir);
