/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The runtime-spec parser for Linux: runtime-spec.c walks config.json, spec-linux.c walks
 * its "linux" object. Internal to src/spec/.
 */
#pragma once

#include "spec/runtime-spec.h"
#include "spec/spec-json.h"

/* The uidMappings or gidMappings member key of obj, used by mounts and by linux. */
int spec_parse_id_mappings(struct json_object *obj, const JsonPath *p, const char *key,
                           SpecIdMapping **ret, size_t *ret_n, BerthError **err);
int spec_parse_linux(struct json_object *v, const JsonPath *p, SpecLinux *l, BerthError **err);
void spec_linux_free(SpecLinux *l);
