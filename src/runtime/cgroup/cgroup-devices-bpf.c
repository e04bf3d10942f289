/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgroup v2 has no devices.allow: access to device nodes is decided by a BPF_CGROUP_DEVICE
 * program attached to the cgroup. This file writes that program by hand from the spec's rules
 * (no libbpf), loads it with bpf(BPF_PROG_LOAD) and attaches it with BPF_PROG_ATTACH,
 * replacing the program an earlier create or update attached.
 *
 * The rules keep runc's meaning: deny-all first, then each rule in order, a later rule
 * overriding an earlier one. The program walks the rules from last to first and tracks which
 * of the requested access bits (read, write, mknod) are still undecided: an allow rule that
 * matches grants its bits (all granted: allow), a deny rule that matches any undecided bit
 * denies. Whatever is left when the rules run out is denied.
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "basic/string-util.h"
#include "runtime/cgroup/cgroup-internal.h"

#define R0 0
#define R1 1
#define R2 2 /* device type (BPF_DEVCG_DEV_*) */
#define R3 3 /* access bits still undecided (BPF_DEVCG_ACC_*) */
#define R4 4 /* major */
#define R5 5 /* minor */
#define R6 6 /* scratch */

#define INSN(c, d, s, o, i)                                                                        \
        ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_K(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_X(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_K(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define JMP32_K(op, d, i, o) INSN(BPF_JMP32 | (op) | BPF_K, d, 0, o, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static int access_bits(const char *a, int *ret)
{
        int bits = 0;

        for (const char *c = isempty(a) ? "rwm" : a; *c; c++)
                switch (*c) {
                case 'r':
                        bits |= BPF_DEVCG_ACC_READ;
                        break;
                case 'w':
                        bits |= BPF_DEVCG_ACC_WRITE;
                        break;
                case 'm':
                        bits |= BPF_DEVCG_ACC_MKNOD;
                        break;
                default:
                        return -EINVAL;
                }
        *ret = bits;
        return 0;
}

/* Appends one rule's block; every "no match" jump goes to the end of the block. */
static int emit_rule(const SpecDeviceCgroup *d, struct bpf_insn *out, size_t *n)
{
        struct bpf_insn b[12];
        size_t k = 0;
        int type = 0, acc;

        if (access_bits(d->access, &acc) < 0)
                return -EINVAL;
        if (!isempty(d->type) && !streq(d->type, "a")) {
                if (streq(d->type, "c"))
                        type = BPF_DEVCG_DEV_CHAR;
                else if (streq(d->type, "b"))
                        type = BPF_DEVCG_DEV_BLOCK;
                else
                        return -EINVAL;
        }
        /* Jump offsets are fixed below once the block length is known: mark with off = -1. */
        if (type)
                b[k++] = JMP32_K(BPF_JNE, R2, type, -1);
        if (d->has_major && d->major >= 0)
                b[k++] = JMP32_K(BPF_JNE, R4, (int32_t)(uint32_t)d->major, -1);
        if (d->has_minor && d->minor >= 0)
                b[k++] = JMP32_K(BPF_JNE, R5, (int32_t)(uint32_t)d->minor, -1);
        if (d->allow) {
                b[k++] = ALU32_K(BPF_AND, R3, ~acc);
                b[k++] = JMP32_K(BPF_JNE, R3, 0, 2);
                b[k++] = MOV64_K(R0, 1);
                b[k++] = EXIT();
        } else {
                b[k++] = MOV32_X(R6, R3);
                b[k++] = ALU32_K(BPF_AND, R6, acc);
                b[k++] = JMP32_K(BPF_JEQ, R6, 0, 2);
                b[k++] = MOV64_K(R0, 0);
                b[k++] = EXIT();
        }
        for (size_t i = 0; i < k; i++) {
                if (b[i].off == -1)
                        b[i].off = (int16_t)(k - i - 1);
                out[(*n)++] = b[i];
        }
        return 0;
}

int cgroup_bpf_devices_program(const SpecDeviceCgroup *rules, size_t n_rules,
                               struct bpf_insn **ret, size_t *ret_n)
{
        _cleanup_free_ struct bpf_insn *p = calloc(8 + 12 * n_rules, sizeof(struct bpf_insn));
        size_t n = 0;

        if (!p)
                return -ENOMEM;
        /* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }, where
         * access_type is (access << 16) | type. */
        p[n++] = LDX_W(R2, R1, 0);
        p[n++] = ALU32_K(BPF_AND, R2, 0xFFFF);
        p[n++] = LDX_W(R3, R1, 0);
        p[n++] = ALU32_K(BPF_RSH, R3, 16);
        p[n++] = LDX_W(R4, R1, 4);
        p[n++] = LDX_W(R5, R1, 8);
        for (size_t i = n_rules; i > 0; i--) {
                int r = emit_rule(&rules[i - 1], p, &n);
                if (r < 0)
                        return r;
        }
        p[n++] = MOV64_K(R0, 0);
        p[n++] = EXIT();
        *ret = TAKE_PTR(p);
        *ret_n = n;
        return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
        return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
        union bpf_attr attr = {};

        attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        attr.insns = (uint64_t)(uintptr_t)insns;
        attr.insn_cnt = (uint32_t)n;
        attr.license = (uint64_t)(uintptr_t) "GPL";
        if (log) {
                attr.log_buf = (uint64_t)(uintptr_t)log;
                attr.log_size = (uint32_t)log_size;
                attr.log_level = 1;
        }
        int fd = sys_bpf(BPF_PROG_LOAD, &attr);
        return fd < 0 ? -errno : fd;
}

/* The ids of the device programs attached to the cgroup now. */
static int prog_query(int cgfd, uint32_t *ids, uint32_t *n)
{
        union bpf_attr attr = {};

        attr.query.target_fd = (uint32_t)cgfd;
        attr.query.attach_type = BPF_CGROUP_DEVICE;
        attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
        attr.query.prog_cnt = *n;
        if (sys_bpf(BPF_PROG_QUERY, &attr) < 0)
                return -errno;
        *n = MIN(attr.query.prog_cnt, *n);
        return 0;
}

static int prog_detach_id(int cgfd, uint32_t id)
{
        union bpf_attr attr = {};

        attr.prog_id = id;
        _cleanup_close_ int pfd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
        if (pfd < 0)
                return -errno;
        attr = (union bpf_attr){};
        attr.target_fd = (uint32_t)cgfd;
        attr.attach_bpf_fd = (uint32_t)pfd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        return sys_bpf(BPF_PROG_DETACH, &attr) < 0 ? -errno : 0;
}

int cgroup_bpf_devices(Cgroup *cg, CgroupHierarchy *h, const SpecResources *r, BerthError **err)
{
        _cleanup_free_ struct bpf_insn *insns = NULL;
        _cleanup_close_ int cgfd = -1, pfd = -1;
        uint32_t old[64];
        uint32_t n_old = ELEMENTSOF(old);
        size_t n = 0;
        int q;

        for (size_t i = 0; i < r->n_devices; i++) {
                int acc;
                const char *t = r->devices[i].type;
                if (t && !streq(t, "a") && !streq(t, "c") && !streq(t, "b"))
                        return berth_error(err, 0,
                                           "cgroup devices: rule %zu: type `%s` is not a, b or c",
                                           i, t);
                if (access_bits(r->devices[i].access, &acc) < 0)
                        return berth_error(err, 0,
                                           "cgroup devices: rule %zu: access `%s` is not made of "
                                           "r, w and m",
                                           i, r->devices[i].access);
        }
        q = cgroup_bpf_devices_program(r->devices, r->n_devices, &insns, &n);
        if (q < 0)
                return berth_error(err, q, "cgroup devices: build the eBPF device program");
        pfd = prog_load(insns, n, NULL, 0);
        if (pfd < 0) {
                char log[4096] = "";
                (void)prog_load(insns, n, log, sizeof(log));
                log[strcspn(log, "\n")] = 0;
                return berth_error(err, pfd,
                                   "cgroup devices: load the eBPF device program for %s "
                                   "(BPF_PROG_LOAD, %zu instructions%s%s)",
                                   cg->path, n, *log ? ", verifier: " : "", log);
        }
        cgfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cgfd < 0)
                return berth_error(err, errno, "cgroup devices: open %s", h->dir);
        if (prog_query(cgfd, old, &n_old) < 0)
                n_old = 0;

        union bpf_attr attr = {};
        attr.target_fd = (uint32_t)cgfd;
        attr.attach_bpf_fd = (uint32_t)pfd;
        attr.attach_type = BPF_CGROUP_DEVICE;
        attr.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
                return berth_error(err, errno,
                                   "cgroup devices: attach the eBPF device program to %s "
                                   "(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)",
                                   cg->path);
        /* Both programs run until the old one goes, and both must allow: never looser. */
        for (uint32_t i = 0; i < n_old; i++) {
                q = prog_detach_id(cgfd, old[i]);
                if (q < 0 && q != -ENOENT)
                        return berth_error(err, q,
                                           "cgroup devices: detach the previous device program "
                                           "(id %u) from %s",
                                           old[i], cg->path);
        }
        return 0;
}
