/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "linux" object of config.json: id mappings, time offsets, sysctl, resources (devices,
 * memory, cpu, pids, blockIO, hugepages, network, rdma, unified), namespaces, devices, seccomp,
 * propagation, masked and read-only paths, Intel RDT and personality.
 */
#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "basic/string-util.h"
#include "spec/spec-linux.h"

static const char *const seccomp_actions[] = {
        "SCMP_ACT_KILL",        "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
        "SCMP_ACT_ERRNO",       "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW",       "SCMP_ACT_LOG",
        "SCMP_ACT_NOTIFY",      NULL,
};

static const char *const seccomp_ops[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

/* runc accepts the recursive variants too. */
static const char *const propagations[] = {
        "shared", "slave",    "private",     "unbindable", "rshared",
        "rslave", "rprivate", "runbindable", NULL,
};

static const char *const device_types[] = { "c", "b", "u", "p", NULL };
static const char *const device_cgroup_types[] = { "a", "c", "b", NULL };
static const char *const personality_domains[] = { "LINUX", "LINUX32", NULL };

static void resources_free(SpecResources *r)
{
        if (!r)
                return;
        for (size_t i = 0; i < r->n_devices; i++) {
                free(r->devices[i].type);
                free(r->devices[i].access);
        }
        free(r->devices);
        free(r->cpu.cpus);
        free(r->cpu.mems);
        free(r->block_io.weight_device);
        free(r->block_io.throttle_read_bps);
        free(r->block_io.throttle_write_bps);
        free(r->block_io.throttle_read_iops);
        free(r->block_io.throttle_write_iops);
        for (size_t i = 0; i < r->n_hugepage_limits; i++)
                free(r->hugepage_limits[i].page_size);
        free(r->hugepage_limits);
        for (size_t i = 0; i < r->network.n_priorities; i++)
                free(r->network.priorities[i].name);
        free(r->network.priorities);
        for (size_t i = 0; i < r->n_rdma; i++)
                free(r->rdma[i].device);
        free(r->rdma);
        spec_json_free_key_values(r->unified, r->n_unified);
        free(r);
}

static void seccomp_free(SpecSeccomp *s)
{
        if (!s)
                return;
        free(s->default_action);
        strv_free(s->architectures);
        strv_free(s->flags);
        free(s->listener_path);
        free(s->listener_metadata);
        for (size_t i = 0; i < s->n_syscalls; i++) {
                SpecSeccompSyscall *c = &s->syscalls[i];

                strv_free(c->names);
                free(c->action);
                for (size_t j = 0; j < c->n_args; j++)
                        free(c->args[j].op);
                free(c->args);
        }
        free(s->syscalls);
        free(s);
}

void spec_linux_free(SpecLinux *l)
{
        if (!l)
                return;
        free(l->uid_mappings);
        free(l->gid_mappings);
        spec_json_free_key_values(l->sysctl, l->n_sysctl);
        resources_free(l->resources);
        free(l->cgroups_path);
        for (size_t i = 0; i < _SPEC_NS_MAX; i++)
                free(l->namespaces[i].path);
        for (size_t i = 0; i < l->n_devices; i++) {
                free(l->devices[i].type);
                free(l->devices[i].path);
        }
        free(l->devices);
        seccomp_free(l->seccomp);
        free(l->rootfs_propagation);
        strv_free(l->masked_paths);
        strv_free(l->readonly_paths);
        free(l->mount_label);
        free(l->intel_rdt.clos_id);
        free(l->intel_rdt.l3_cache_schema);
        free(l->intel_rdt.mem_bw_schema);
        free(l->personality.domain);
        strv_free(l->personality.flags);
        free(l);
}

/* ---- id mappings ---- */

static const JsonField id_mapping_fields[] = {
        JSON_FIELD_REQ("containerID", JSON_FIELD_U32, SpecIdMapping, container_id),
        JSON_FIELD_REQ("hostID", JSON_FIELD_U32, SpecIdMapping, host_id),
        JSON_FIELD_REQ("size", JSON_FIELD_U32, SpecIdMapping, size),
};

static int parse_id_mapping(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        return spec_json_parse_object(v, p, FIELDS(id_mapping_fields), elem, err);
}

int spec_parse_id_mappings(struct json_object *obj, const JsonPath *p, const char *key,
                           SpecIdMapping **ret, size_t *ret_n, BerthError **err)
{
        struct json_object *v = jwalk_member(obj, key);
        JsonPath c = JSON_PATH_KEY(p, key);

        if (!v)
                return 0;
        return jwalk_parse_array(v, &c, sizeof(SpecIdMapping), parse_id_mapping, (void **)ret,
                                     ret_n, err);
}

/* ---- linux.resources ---- */

static const JsonField device_cgroup_fields[] = {
        JSON_FIELD_REQ("allow", JSON_FIELD_BOOL, SpecDeviceCgroup, allow),
        JSON_FIELD("type", JSON_FIELD_STRING, SpecDeviceCgroup, type),
        JSON_FIELD_HAS("major", JSON_FIELD_I64, SpecDeviceCgroup, major, has_major),
        JSON_FIELD_HAS("minor", JSON_FIELD_I64, SpecDeviceCgroup, minor, has_minor),
        JSON_FIELD("access", JSON_FIELD_STRING, SpecDeviceCgroup, access),
};

static int parse_device_cgroup(struct json_object *v, const JsonPath *p, void *elem,
                               BerthError **err)
{
        SpecDeviceCgroup *d = elem;
        int r;

        r = spec_json_parse_object(v, p, FIELDS(device_cgroup_fields), d, err);
        if (r < 0)
                return r;
        r = spec_json_check_member_one_of(p, "type", d->type, device_cgroup_types, "device type",
                                          err);
        if (r < 0)
                return r;
        /* As runc: no access is refused, rather than taken as "rwm" (an allow rule without
         * one opened every device again) or as nothing. */
        if (isempty(d->access)) {
                JsonPath c = JSON_PATH_KEY(p, "access");
                return jwalk_error(err, &c, "must not be empty: give one or more of r, w "
                                                "and m");
        }
        if (strspn(d->access, "rwm") != strlen(d->access)) {
                JsonPath c = JSON_PATH_KEY(p, "access");
                return jwalk_error(err, &c, "must consist of the letters r, w and m");
        }
        return 0;
}

static const JsonField memory_fields[] = {
        JSON_FIELD_HAS("limit", JSON_FIELD_LIMIT, SpecResources, memory.limit, memory.has_limit),
        JSON_FIELD_HAS("reservation", JSON_FIELD_LIMIT, SpecResources, memory.reservation,
                       memory.has_reservation),
        JSON_FIELD_HAS("swap", JSON_FIELD_LIMIT, SpecResources, memory.swap, memory.has_swap),
        JSON_FIELD_HAS("kernel", JSON_FIELD_LIMIT, SpecResources, memory.kernel, memory.has_kernel),
        JSON_FIELD_HAS("kernelTCP", JSON_FIELD_LIMIT, SpecResources, memory.kernel_tcp,
                       memory.has_kernel_tcp),
        JSON_FIELD_HAS("swappiness", JSON_FIELD_U64, SpecResources, memory.swappiness,
                       memory.has_swappiness),
        JSON_FIELD_HAS("disableOOMKiller", JSON_FIELD_BOOL, SpecResources,
                       memory.disable_oom_killer, memory.has_disable_oom_killer),
        JSON_FIELD_HAS("useHierarchy", JSON_FIELD_BOOL, SpecResources, memory.use_hierarchy,
                       memory.has_use_hierarchy),
        JSON_FIELD("checkBeforeUpdate", JSON_FIELD_BOOL, SpecResources, memory.check_before_update),
};

static const JsonField cpu_fields[] = {
        JSON_FIELD_HAS("shares", JSON_FIELD_U64, SpecResources, cpu.shares, cpu.has_shares),
        JSON_FIELD_HAS("quota", JSON_FIELD_I64, SpecResources, cpu.quota, cpu.has_quota),
        JSON_FIELD_HAS("burst", JSON_FIELD_U64, SpecResources, cpu.burst, cpu.has_burst),
        JSON_FIELD_HAS("period", JSON_FIELD_U64, SpecResources, cpu.period, cpu.has_period),
        JSON_FIELD_HAS("realtimeRuntime", JSON_FIELD_I64, SpecResources, cpu.realtime_runtime,
                       cpu.has_realtime_runtime),
        JSON_FIELD_HAS("realtimePeriod", JSON_FIELD_U64, SpecResources, cpu.realtime_period,
                       cpu.has_realtime_period),
        JSON_FIELD("cpus", JSON_FIELD_STRING, SpecResources, cpu.cpus),
        JSON_FIELD("mems", JSON_FIELD_STRING, SpecResources, cpu.mems),
        JSON_FIELD_HAS("idle", JSON_FIELD_I64, SpecResources, cpu.idle, cpu.has_idle),
};

static const JsonField pids_fields[] = {
        JSON_FIELD_HAS("limit", JSON_FIELD_I64, SpecResources, pids.limit, pids.has_limit),
};

static const JsonField block_io_fields[] = {
        JSON_FIELD_HAS("weight", JSON_FIELD_U16, SpecResources, block_io.weight,
                       block_io.has_weight),
        JSON_FIELD_HAS("leafWeight", JSON_FIELD_U16, SpecResources, block_io.leaf_weight,
                       block_io.has_leaf_weight),
};

static const JsonField weight_device_fields[] = {
        JSON_FIELD_REQ("major", JSON_FIELD_I64, SpecWeightDevice, major),
        JSON_FIELD_REQ("minor", JSON_FIELD_I64, SpecWeightDevice, minor),
        JSON_FIELD_HAS("weight", JSON_FIELD_U16, SpecWeightDevice, weight, has_weight),
        JSON_FIELD_HAS("leafWeight", JSON_FIELD_U16, SpecWeightDevice, leaf_weight,
                       has_leaf_weight),
};

static int parse_weight_device(struct json_object *v, const JsonPath *p, void *elem,
                               BerthError **err)
{
        int r = spec_json_parse_object(v, p, FIELDS(weight_device_fields), elem, err);
        if (r < 0)
                return r;
        return spec_json_require_one_of(v, p, "weight", "leafWeight", err);
}

static const JsonField throttle_device_fields[] = {
        JSON_FIELD_REQ("major", JSON_FIELD_I64, SpecThrottleDevice, major),
        JSON_FIELD_REQ("minor", JSON_FIELD_I64, SpecThrottleDevice, minor),
        JSON_FIELD_REQ("rate", JSON_FIELD_U64, SpecThrottleDevice, rate),
};

static int parse_throttle_device(struct json_object *v, const JsonPath *p, void *elem,
                                 BerthError **err)
{
        return spec_json_parse_object(v, p, FIELDS(throttle_device_fields), elem, err);
}

static const JsonField hugepage_fields[] = {
        JSON_FIELD_REQ("pageSize", JSON_FIELD_STRING, struct SpecHugepageLimit, page_size),
        JSON_FIELD_REQ("limit", JSON_FIELD_U64, struct SpecHugepageLimit, limit),
};

static int parse_hugepage_limit(struct json_object *v, const JsonPath *p, void *elem,
                                BerthError **err)
{
        return spec_json_parse_object(v, p, FIELDS(hugepage_fields), elem, err);
}

static const JsonField network_fields[] = {
        JSON_FIELD_HAS("classID", JSON_FIELD_U32, SpecResources, network.class_id,
                       network.has_class_id),
};

static const JsonField net_priority_fields[] = {
        JSON_FIELD_REQ("name", JSON_FIELD_STRING, struct SpecNetPriority, name),
        JSON_FIELD_REQ("priority", JSON_FIELD_U32, struct SpecNetPriority, priority),
};

static int parse_net_priority(struct json_object *v, const JsonPath *p, void *elem,
                              BerthError **err)
{
        return spec_json_parse_object(v, p, FIELDS(net_priority_fields), elem, err);
}

static const JsonField rdma_fields[] = {
        JSON_FIELD_HAS("hcaHandles", JSON_FIELD_U32, struct SpecRdma, hca_handles, has_hca_handles),
        JSON_FIELD_HAS("hcaObjects", JSON_FIELD_U32, struct SpecRdma, hca_objects, has_hca_objects),
};

static int parse_rdma(struct json_object *v, const JsonPath *p, SpecResources *res,
                      BerthError **err)
{
        size_t n, i = 0;
        int r;

        r = jwalk_object_length(v, p, &n, err);
        if (r < 0)
                return r;
        if (n == 0)
                return 0;
        res->rdma = calloc(n, sizeof(struct SpecRdma));
        if (!res->rdma)
                return berth_error(err, -ENOMEM, "out of memory");
        res->n_rdma = n;
        json_object_object_foreach (v, key, val) {
                JsonPath c = JSON_PATH_MAP(p, key);

                if (i >= n)
                        break;
                res->rdma[i].device = strdup(key);
                if (!res->rdma[i].device)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = spec_json_parse_object(val, &c, FIELDS(rdma_fields), &res->rdma[i], err);
                if (r < 0)
                        return r;
                r = spec_json_require_one_of(val, &c, "hcaHandles", "hcaObjects", err);
                if (r < 0)
                        return r;
                i++;
        }
        return 0;
}

static int parse_resources(struct json_object *v, const JsonPath *p, SpecResources *res,
                           BerthError **err)
{
        struct json_object *m;
        int r;

        r = jwalk_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;

        r = spec_json_parse_member_array(v, p, "devices", sizeof(SpecDeviceCgroup),
                                         parse_device_cgroup, (void **)&res->devices,
                                         &res->n_devices, err);
        if (r < 0)
                return r;

        if ((m = jwalk_member(v, "memory"))) {
                JsonPath c = JSON_PATH_KEY(p, "memory");
                r = spec_json_parse_object(m, &c, FIELDS(memory_fields), res, err);
                if (r < 0)
                        return r;
                if (res->memory.has_swappiness && res->memory.swappiness > 100) {
                        JsonPath e = JSON_PATH_KEY(&c, "swappiness");
                        return jwalk_error(err, &e, "must be between 0 and 100, got %" PRIu64,
                                               res->memory.swappiness);
                }
                res->memory.present = true;
        }

        if ((m = jwalk_member(v, "cpu"))) {
                JsonPath c = JSON_PATH_KEY(p, "cpu");
                r = spec_json_parse_object(m, &c, FIELDS(cpu_fields), res, err);
                if (r < 0)
                        return r;
                res->cpu.present = true;
        }

        if ((m = jwalk_member(v, "pids"))) {
                JsonPath c = JSON_PATH_KEY(p, "pids");
                r = spec_json_parse_object(m, &c, FIELDS(pids_fields), res, err);
                if (r < 0)
                        return r;
                res->pids.present = true;
        }

        if ((m = jwalk_member(v, "blockIO"))) {
                JsonPath c = JSON_PATH_KEY(p, "blockIO");
                r = spec_json_parse_object(m, &c, FIELDS(block_io_fields), res, err);
                if (r < 0)
                        return r;
                r = spec_json_parse_member_array(
                        m, &c, "weightDevice", sizeof(SpecWeightDevice), parse_weight_device,
                        (void **)&res->block_io.weight_device, &res->block_io.n_weight_device, err);
                if (r < 0)
                        return r;
                static const struct {
                        const char *key;
                        size_t offset, n_offset;
                } throttles[] = {
#define THROTTLE(k, m)                                                                             \
        { k, offsetof(SpecResources, block_io.m), offsetof(SpecResources, block_io.n_##m) }
                        THROTTLE("throttleReadBpsDevice", throttle_read_bps),
                        THROTTLE("throttleWriteBpsDevice", throttle_write_bps),
                        THROTTLE("throttleReadIOPSDevice", throttle_read_iops),
                        THROTTLE("throttleWriteIOPSDevice", throttle_write_iops),
#undef THROTTLE
                };
                for (size_t i = 0; i < ELEMENTSOF(throttles); i++) {
                        r = spec_json_parse_member_array(
                                m, &c, throttles[i].key, sizeof(SpecThrottleDevice),
                                parse_throttle_device, (void **)((char *)res + throttles[i].offset),
                                (size_t *)((char *)res + throttles[i].n_offset), err);
                        if (r < 0)
                                return r;
                }
                res->block_io.present = true;
        }

        r = spec_json_parse_member_array(v, p, "hugepageLimits", sizeof(struct SpecHugepageLimit),
                                    parse_hugepage_limit, (void **)&res->hugepage_limits,
                                    &res->n_hugepage_limits, err);
        if (r < 0)
                return r;

        if ((m = jwalk_member(v, "network"))) {
                JsonPath c = JSON_PATH_KEY(p, "network");
                r = spec_json_parse_object(m, &c, FIELDS(network_fields), res, err);
                if (r < 0)
                        return r;
                r = spec_json_parse_member_array(
                    m, &c, "priorities", sizeof(struct SpecNetPriority), parse_net_priority,
                    (void **)&res->network.priorities, &res->network.n_priorities, err);
                if (r < 0)
                        return r;
                res->network.present = true;
        }

        if ((m = jwalk_member(v, "rdma"))) {
                JsonPath c = JSON_PATH_KEY(p, "rdma");
                r = parse_rdma(m, &c, res, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "unified"))) {
                JsonPath c = JSON_PATH_KEY(p, "unified");
                r = spec_json_parse_string_map(m, &c, &res->unified, &res->n_unified, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* `update -r FILE`: a resources object alone, as runc reads it. Errors name the member path
 * below "resources". */
int spec_parse_resources(const char *data, size_t len, SpecResources **ret, BerthError **err)
{
        enum json_tokener_error jerr;
        struct json_tokener *tok;
        struct json_object *doc;
        SpecResources *res;
        int r;

        if (len > INT_MAX)
                return berth_error(err, -EFBIG, "resources: document too large");
        tok = json_tokener_new();
        if (!tok)
                return berth_error(err, -ENOMEM, "resources: out of memory");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        doc = json_tokener_parse_ex(tok, data, (int)len);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_continue) {
                doc = json_tokener_parse_ex(tok, "", 1);
                jerr = json_tokener_get_error(tok);
        }
        if (jerr != json_tokener_success) {
                size_t end = json_tokener_get_parse_end(tok);
                json_tokener_free(tok);
                json_object_put(doc);
                return berth_error(err, 0, "resources: malformed JSON at offset %zu: %s", end,
                                   json_tokener_error_desc(jerr));
        }
        json_tokener_free(tok);
        res = calloc(1, sizeof(SpecResources));
        if (!res) {
                json_object_put(doc);
                return berth_error(err, -ENOMEM, "resources: out of memory");
        }
        JsonPath p = JSON_PATH_KEY(NULL, "resources");
        r = parse_resources(doc, &p, res, err);
        json_object_put(doc);
        if (r < 0) {
                resources_free(res);
                return r;
        }
        *ret = res;
        return 0;
}

void spec_resources_free(SpecResources *r)
{
        resources_free(r);
}

/* ---- linux.seccomp ---- */

static const JsonField seccomp_fields[] = {
        JSON_FIELD_REQ("defaultAction", JSON_FIELD_STRING, SpecSeccomp, default_action),
        JSON_FIELD_HAS("defaultErrnoRet", JSON_FIELD_U32, SpecSeccomp, default_errno_ret,
                       has_default_errno_ret),
        JSON_FIELD("architectures", JSON_FIELD_STRV, SpecSeccomp, architectures),
        JSON_FIELD("flags", JSON_FIELD_STRV, SpecSeccomp, flags),
        JSON_FIELD("listenerPath", JSON_FIELD_STRING, SpecSeccomp, listener_path),
        JSON_FIELD("listenerMetadata", JSON_FIELD_STRING, SpecSeccomp, listener_metadata),
};

static const JsonField seccomp_arg_fields[] = {
        JSON_FIELD_REQ("index", JSON_FIELD_U32, SpecSeccompArg, index),
        JSON_FIELD_REQ("value", JSON_FIELD_U64, SpecSeccompArg, value),
        JSON_FIELD("valueTwo", JSON_FIELD_U64, SpecSeccompArg, value_two),
        JSON_FIELD_REQ("op", JSON_FIELD_STRING, SpecSeccompArg, op),
};

static int parse_seccomp_arg(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecSeccompArg *a = elem;
        int r;

        r = spec_json_parse_object(v, p, FIELDS(seccomp_arg_fields), a, err);
        if (r < 0)
                return r;
        if (a->index >= 6) {
                JsonPath c = JSON_PATH_KEY(p, "index");
                return jwalk_error(err, &c, "must be between 0 and 5, got %" PRIu32, a->index);
        }
        return spec_json_check_member_one_of(p, "op", a->op, seccomp_ops, "seccomp operator", err);
}

static const JsonField syscall_fields[] = {
        JSON_FIELD_REQ("names", JSON_FIELD_STRV, SpecSeccompSyscall, names),
        JSON_FIELD_REQ("action", JSON_FIELD_STRING, SpecSeccompSyscall, action),
        JSON_FIELD_HAS("errnoRet", JSON_FIELD_U32, SpecSeccompSyscall, errno_ret, has_errno_ret),
};

static int parse_syscall(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecSeccompSyscall *s = elem;
        int r;

        r = spec_json_parse_object(v, p, FIELDS(syscall_fields), s, err);
        if (r < 0)
                return r;
        if (!s->names[0]) {
                JsonPath c = JSON_PATH_KEY(p, "names");
                return jwalk_error(err, &c, "must contain at least one element");
        }
        r = spec_json_check_member_one_of(p, "action", s->action, seccomp_actions, "seccomp action",
                                     err);
        if (r < 0)
                return r;
        return spec_json_parse_member_array(v, p, "args", sizeof(SpecSeccompArg), parse_seccomp_arg,
                                       (void **)&s->args, &s->n_args, err);
}

static int parse_seccomp(struct json_object *v, const JsonPath *p, SpecSeccomp *s, BerthError **err)
{
        int r;

        r = spec_json_parse_object(v, p, FIELDS(seccomp_fields), s, err);
        if (r < 0)
                return r;
        r = spec_json_check_member_one_of(p, "defaultAction", s->default_action, seccomp_actions,
                                     "seccomp action", err);
        if (r < 0)
                return r;
        if (s->listener_metadata && !s->listener_path) {
                JsonPath c = JSON_PATH_KEY(p, "listenerMetadata");
                return jwalk_error(err, &c, "must not be set without listenerPath");
        }
        return spec_json_parse_member_array(v, p, "syscalls", sizeof(SpecSeccompSyscall),
                                            parse_syscall, (void **)&s->syscalls, &s->n_syscalls,
                                            err);
}

/* ---- linux ---- */

static int parse_namespaces(struct json_object *v, const JsonPath *p, SpecLinux *l,
                            BerthError **err)
{
        size_t n;
        int r;

        r = jwalk_array_length(v, p, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(v, i), *path;
                JsonPath c = JSON_PATH_INDEX(p, i), ct = JSON_PATH_KEY(&c, "type");
                _cleanup_free_ char *type = NULL;
                int t;

                r = jwalk_expect(e, &c, json_type_object, err);
                if (r < 0)
                        return r;
                if (!jwalk_member(e, "type"))
                        return jwalk_error(err, &ct, "required field is missing");
                r = jwalk_to_string(jwalk_member(e, "type"), &ct, &type, err);
                if (r < 0)
                        return r;
                t = spec_namespace_from_name(type);
                if (t < 0) {
                        char buf[256];
                        string_json_escape(type, buf, sizeof(buf));
                        return jwalk_error(err, &ct, "unknown namespace type \"%s\"", buf);
                }
                if (l->namespaces[t].present)
                        return jwalk_error(err, &ct, "duplicate namespace type \"%s\"", type);
                l->namespaces[t].present = true;
                if ((path = jwalk_member(e, "path"))) {
                        JsonPath cp = JSON_PATH_KEY(&c, "path");
                        r = jwalk_to_string(path, &cp, &l->namespaces[t].path, err);
                        if (r < 0)
                                return r;
                        if (l->namespaces[t].path[0] != '/')
                                return jwalk_error(err, &cp, "must be an absolute path");
                }
        }
        return 0;
}

static const JsonField device_fields[] = {
        JSON_FIELD_REQ("type", JSON_FIELD_STRING, SpecDevice, type),
        JSON_FIELD_REQ("path", JSON_FIELD_ABSPATH, SpecDevice, path),
        JSON_FIELD("major", JSON_FIELD_I64, SpecDevice, major),
        JSON_FIELD("minor", JSON_FIELD_I64, SpecDevice, minor),
        JSON_FIELD_HAS("fileMode", JSON_FIELD_U32, SpecDevice, file_mode, has_file_mode),
        JSON_FIELD_HAS("uid", JSON_FIELD_U32, SpecDevice, uid, has_uid),
        JSON_FIELD_HAS("gid", JSON_FIELD_U32, SpecDevice, gid, has_gid),
};

static int parse_device(struct json_object *v, const JsonPath *p, void *elem, BerthError **err)
{
        SpecDevice *d = elem;
        int r;

        r = spec_json_parse_object(v, p, FIELDS(device_fields), d, err);
        if (r < 0)
                return r;
        r = spec_json_check_member_one_of(p, "type", d->type, device_types, "device type", err);
        if (r < 0)
                return r;
        if (!streq(d->type, "p"))
                for (size_t i = 0; i < 2; i++) {
                        const char *k = i == 0 ? "major" : "minor";
                        JsonPath c = JSON_PATH_KEY(p, k);

                        if (!jwalk_member(v, k))
                                return jwalk_error(
                                        err, &c, "required field is missing (device type \"%s\")",
                                        d->type);
                }
        return 0;
}

static int parse_time_offsets(struct json_object *v, const JsonPath *p, SpecLinux *l,
                              BerthError **err)
{
        int r;

        r = jwalk_expect(v, p, json_type_object, err);
        if (r < 0)
                return r;
        json_object_object_foreach (v, key, val) {
                JsonPath c = JSON_PATH_MAP(p, key);
                struct json_object *m;
                bool mono = streq(key, "monotonic");
                int64_t secs = 0;
                uint64_t nsecs = 0;

                if (!mono && !streq(key, "boottime"))
                        return jwalk_error(err, &c,
                                               "unknown clock, expected \"monotonic\" or "
                                               "\"boottime\"");
                r = jwalk_expect(val, &c, json_type_object, err);
                if (r < 0)
                        return r;
                if ((m = jwalk_member(val, "secs"))) {
                        JsonPath e = JSON_PATH_KEY(&c, "secs");
                        r = jwalk_to_i64(m, &e, INT64_MIN, INT64_MAX, "a 64-bit integer", &secs,
                                        err);
                        if (r < 0)
                                return r;
                }
                if ((m = jwalk_member(val, "nanosecs"))) {
                        JsonPath e = JSON_PATH_KEY(&c, "nanosecs");
                        r = jwalk_to_u64(m, &e, UINT32_MAX, "an unsigned 32-bit integer",
                                             &nsecs, err);
                        if (r < 0)
                                return r;
                }
                if (mono) {
                        l->time_offsets.has_monotonic = true;
                        l->time_offsets.monotonic_secs = secs;
                        l->time_offsets.monotonic_nanosecs = (uint32_t)nsecs;
                } else {
                        l->time_offsets.has_boottime = true;
                        l->time_offsets.boottime_secs = secs;
                        l->time_offsets.boottime_nanosecs = (uint32_t)nsecs;
                }
        }
        return 0;
}

static const JsonField linux_fields[] = {
        JSON_FIELD("cgroupsPath", JSON_FIELD_STRING, SpecLinux, cgroups_path),
        JSON_FIELD("rootfsPropagation", JSON_FIELD_STRING, SpecLinux, rootfs_propagation),
        JSON_FIELD("maskedPaths", JSON_FIELD_STRV, SpecLinux, masked_paths),
        JSON_FIELD("readonlyPaths", JSON_FIELD_STRV, SpecLinux, readonly_paths),
        JSON_FIELD("mountLabel", JSON_FIELD_STRING, SpecLinux, mount_label),
};

static const JsonField intel_rdt_fields[] = {
        JSON_FIELD("closID", JSON_FIELD_STRING, SpecLinux, intel_rdt.clos_id),
        JSON_FIELD("l3CacheSchema", JSON_FIELD_STRING, SpecLinux, intel_rdt.l3_cache_schema),
        JSON_FIELD("memBwSchema", JSON_FIELD_STRING, SpecLinux, intel_rdt.mem_bw_schema),
        JSON_FIELD("enableCMT", JSON_FIELD_BOOL, SpecLinux, intel_rdt.enable_cmt),
        JSON_FIELD("enableMBM", JSON_FIELD_BOOL, SpecLinux, intel_rdt.enable_mbm),
};

static const JsonField personality_fields[] = {
        JSON_FIELD_REQ("domain", JSON_FIELD_STRING, SpecLinux, personality.domain),
        JSON_FIELD("flags", JSON_FIELD_STRV, SpecLinux, personality.flags),
};

int spec_parse_linux(struct json_object *v, const JsonPath *p, SpecLinux *l, BerthError **err)
{
        struct json_object *m;
        int r;

        r = spec_json_parse_object(v, p, FIELDS(linux_fields), l, err);
        if (r < 0)
                return r;
        r = spec_json_check_member_one_of(p, "rootfsPropagation", l->rootfs_propagation,
                                          propagations, "propagation", err);
        if (r < 0)
                return r;
        r = spec_json_check_strv_absolute(l->masked_paths, p, "maskedPaths", err);
        if (r < 0)
                return r;
        r = spec_json_check_strv_absolute(l->readonly_paths, p, "readonlyPaths", err);
        if (r < 0)
                return r;

        r = spec_parse_id_mappings(v, p, "uidMappings", &l->uid_mappings, &l->n_uid_mappings, err);
        if (r < 0)
                return r;
        r = spec_parse_id_mappings(v, p, "gidMappings", &l->gid_mappings, &l->n_gid_mappings, err);
        if (r < 0)
                return r;

        if ((m = jwalk_member(v, "timeOffsets"))) {
                JsonPath c = JSON_PATH_KEY(p, "timeOffsets");
                r = parse_time_offsets(m, &c, l, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "sysctl"))) {
                JsonPath c = JSON_PATH_KEY(p, "sysctl");
                r = spec_json_parse_string_map(m, &c, &l->sysctl, &l->n_sysctl, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "resources"))) {
                JsonPath c = JSON_PATH_KEY(p, "resources");
                l->resources = calloc(1, sizeof(SpecResources));
                if (!l->resources)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_resources(m, &c, l->resources, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "namespaces"))) {
                JsonPath c = JSON_PATH_KEY(p, "namespaces");
                r = parse_namespaces(m, &c, l, err);
                if (r < 0)
                        return r;
        }

        /* As runc: offsets apply to a time namespace made for the container, never silently
         * to none or to one that is joined. */
        if (jwalk_member(v, "timeOffsets")) {
                JsonPath c = JSON_PATH_KEY(p, "timeOffsets");
                if (!l->namespaces[SPEC_NS_TIME].present)
                        return jwalk_error(err, &c, "needs a time namespace in "
                                                        "linux.namespaces");
                if (l->namespaces[SPEC_NS_TIME].path)
                        return jwalk_error(err, &c, "cannot be set for a time namespace "
                                                        "that is joined (it has a path)");
        }

        r = spec_json_parse_member_array(v, p, "devices", sizeof(SpecDevice), parse_device,
                                    (void **)&l->devices, &l->n_devices, err);
        if (r < 0)
                return r;

        if ((m = jwalk_member(v, "seccomp"))) {
                JsonPath c = JSON_PATH_KEY(p, "seccomp");
                l->seccomp = calloc(1, sizeof(SpecSeccomp));
                if (!l->seccomp)
                        return berth_error(err, -ENOMEM, "out of memory");
                r = parse_seccomp(m, &c, l->seccomp, err);
                if (r < 0)
                        return r;
        }

        if ((m = jwalk_member(v, "intelRdt"))) {
                JsonPath c = JSON_PATH_KEY(p, "intelRdt");
                const char *id;

                r = spec_json_parse_object(m, &c, FIELDS(intel_rdt_fields), l, err);
                if (r < 0)
                        return r;
                /* closID names a directory under /sys/fs/resctrl: keep it there. */
                id = l->intel_rdt.clos_id;
                if (id && (isempty(id) || strchr(id, '/') || streq(id, ".") || streq(id, ".."))) {
                        JsonPath e = JSON_PATH_KEY(&c, "closID");
                        return jwalk_error(err, &e, "must be a plain directory name");
                }
                l->intel_rdt.present = true;
        }

        if ((m = jwalk_member(v, "personality"))) {
                JsonPath c = JSON_PATH_KEY(p, "personality");
                r = spec_json_parse_object(m, &c, FIELDS(personality_fields), l, err);
                if (r < 0)
                        return r;
                r = spec_json_check_member_one_of(&c, "domain", l->personality.domain,
                                             personality_domains, "personality domain", err);
                if (r < 0)
                        return r;
                l->personality.present = true;
        }
        return 0;
}
