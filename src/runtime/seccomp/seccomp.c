/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp: the profile is compiled to a classic BPF program at create time, so every
 * error (unknown action, architecture, flag, bad rule) is reported before the container exists,
 * and the container's init only makes one seccomp(2) call with the finished program; that also
 * gives every kernel filter flag (WAIT_KILLABLE_RECV needs libseccomp 2.6 otherwise).
 *
 * libseccomp only supplies the syscall tables. Its own filter generator is not used: for a
 * podman-sized profile on x86_64+x86+x32 it takes 20 ms (quadratic list walks in rule adding
 * and BPF generation), and 2.5.4 emits wrong programs for some inputs (64-bit LT/LE/GT/GE, and
 * some architecture mixes where a section compares the arch value as a syscall number). The
 * program here has the same shape and the same rule semantics (runc's, on libseccomp):
 *   load arch; per architecture: load nr; [x32 bit check]; binary search over syscall-number
 *   intervals; a leaf returns an action or tries the argument rules of one syscall in order.
 * The unit tests compare it with a direct evaluation of the profile for every architecture mix
 * and with libseccomp's program where libseccomp is right.
 */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "basic/alloc-util.h"
#include "basic/socket-util.h"
#include "basic/string-util.h"
#include "runtime/seccomp/seccomp.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef SECCOMP_GET_ACTION_AVAIL
#define SECCOMP_GET_ACTION_AVAIL 2
#endif

#define SPEC_PATH "linux.seccomp"
#define N_SYSCALL_ARGS 6
#define X32_SYSCALL_BIT 0x40000000U
/* libseccomp's default for a syscall of an architecture the filter does not list. */
#define ACTION_BADARCH SCMP_ACT_KILL_THREAD

struct SeccompFilter {
        struct sock_filter *insns;
        unsigned short n_insns;
        unsigned long flags; /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
        bool notify;         /* some rule is SCMP_ACT_NOTIFY: load with NEW_LISTENER */
};

typedef enum ActionKind {
        ACTION_PLAIN,
        ACTION_WITH_ERRNO, /* ERRNO and TRACE take errnoRet, EPERM by default (as runc) */
} ActionKind;

/* The SCMP_ACT_* values are the kernel's SECCOMP_RET_* values. */
static const struct {
        const char *name;
        uint32_t action;
        ActionKind kind;
} action_table[] = {
        { "SCMP_ACT_KILL", SCMP_ACT_KILL, ACTION_PLAIN },
        { "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACTION_PLAIN },
        { "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACTION_PLAIN },
        { "SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACTION_PLAIN },
        { "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ACTION_WITH_ERRNO },
        { "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), ACTION_WITH_ERRNO },
        { "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACTION_PLAIN },
        { "SCMP_ACT_LOG", SCMP_ACT_LOG, ACTION_PLAIN },
        { "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACTION_PLAIN },
};

const char *const seccomp_actions[] = {
        "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
        "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
        "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY",
        NULL,
};

static const struct {
        const char *name;
        enum scmp_compare op;
} operator_table[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

const char *const seccomp_operators[] = {
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

/*
 * Architectures that multiplex the socket and SysV IPC calls through socketcall(2) and ipc(2)
 * as well as (on newer kernels) having direct syscalls for them. libseccomp filters both forms
 * for a rule on, say, "socket": socketcall with arg0 == SYS_SOCKET, and the direct number. Its
 * public API only resolves these names to pseudo numbers (__PNR_socket = -101), so the direct
 * numbers are listed here, indexed by the multiplexer's call number; the unit tests check them
 * against libseccomp's tables. 0 means no direct syscall.
 */
typedef struct MuxTable {
        int socketcall, ipc;
        int sock[21];       /* SYS_SOCKET (1) .. SYS_SENDMMSG (20) */
        int ipc_direct[25]; /* SEMOP (1) .. SHMCTL (24) */
} MuxTable;

/* The numbers several architectures share: the socket calls of x86 and s390 (but for
 * recvmmsg and sendmmsg), those of ppc and ppc64, and the SysV IPC calls that Linux 5.1 gave
 * the same numbers everywhere but mips (semtimedop only where it is not time32). */
#define SOCK_X86_S390                                                                         \
        [1] = 359, [2] = 361, [3] = 362, [4] = 363, [6] = 367, [7] = 368, [8] = 360,          \
        [11] = 369, [12] = 371, [13] = 373, [14] = 366, [15] = 365, [16] = 370, [17] = 372,   \
        [18] = 364
#define SOCK_PPC                                                                              \
        [1] = 326, [2] = 327, [3] = 328, [4] = 329, [5] = 330, [6] = 331, [7] = 332, [8] = 333, \
        [9] = 334, [10] = 336, [11] = 335, [12] = 337, [13] = 338, [14] = 339, [15] = 340,     \
        [16] = 341, [17] = 342, [18] = 344, [19] = 343, [20] = 349
#define IPC_DIRECT                                                                            \
        [2] = 393, [3] = 394, [11] = 400, [12] = 401, [13] = 399, [14] = 402, [21] = 397,     \
        [22] = 398, [23] = 395, [24] = 396
#define IPC_SEMTIMEDOP [4] = 392

static const MuxTable mux_x86 = {
        .socketcall = 102, .ipc = 117,
        .sock = { SOCK_X86_S390, [19] = 337, [20] = 345 },
        .ipc_direct = { IPC_DIRECT },
};
static const MuxTable mux_mips = {
        .socketcall = 4102, .ipc = 4117,
        .sock = {
                [1] = 4183, [2] = 4169, [3] = 4170, [4] = 4174, [5] = 4168, [6] = 4172, [7] = 4171,
                [8] = 4184, [9] = 4178, [10] = 4175, [11] = 4180, [12] = 4176, [13] = 4182,
                [14] = 4181, [15] = 4173, [16] = 4179, [17] = 4177, [18] = 4334, [19] = 4335,
                [20] = 4343,
        },
        .ipc_direct = {
                [2] = 4393, [3] = 4394, [11] = 4400, [12] = 4401, [13] = 4399, [14] = 4402,
                [21] = 4397, [22] = 4398, [23] = 4395, [24] = 4396,
        },
};
static const MuxTable mux_ppc = {
        .socketcall = 102, .ipc = 117,
        .sock = { SOCK_PPC },
        .ipc_direct = { IPC_DIRECT },
};
static const MuxTable mux_ppc64 = {
        .socketcall = 102, .ipc = 117,
        .sock = { SOCK_PPC },
        .ipc_direct = { IPC_DIRECT, IPC_SEMTIMEDOP },
};
static const MuxTable mux_s390 = {
        .socketcall = 102, .ipc = 117,
        .sock = { SOCK_X86_S390, [19] = 357, [20] = 358 },
        .ipc_direct = { IPC_DIRECT },
};
static const MuxTable mux_s390x = {
        .socketcall = 102, .ipc = 117,
        .sock = { SOCK_X86_S390, [19] = 357, [20] = 358 },
        .ipc_direct = { IPC_DIRECT, IPC_SEMTIMEDOP },
};

typedef struct ArchInfo {
        const char *name;
        uint32_t token;     /* SCMP_ARCH_* */
        uint32_t token_bpf; /* seccomp_data.arch: x32 shares AUDIT_ARCH_X86_64 */
        bool wide;          /* 64-bit arguments (libseccomp's ARCH_SIZE_64) */
        const MuxTable *mux;
} ArchInfo;

#define ARCH(n, wide, mux) { "SCMP_ARCH_" #n, SCMP_ARCH_##n, SCMP_ARCH_##n, wide, mux }

static const ArchInfo arch_table[] = {
        ARCH(X86, false, &mux_x86),
        ARCH(X86_64, true, NULL),
        { "SCMP_ARCH_X32", SCMP_ARCH_X32, SCMP_ARCH_X86_64, false, NULL },
        ARCH(ARM, false, NULL),
        ARCH(AARCH64, true, NULL),
        ARCH(MIPS, false, &mux_mips),
        ARCH(MIPS64, true, NULL),
        ARCH(MIPS64N32, false, NULL),
        ARCH(MIPSEL, false, &mux_mips), /* byte order does not change the numbers */
        ARCH(MIPSEL64, true, NULL),
        ARCH(MIPSEL64N32, false, NULL),
        ARCH(PPC, false, &mux_ppc),
        ARCH(PPC64, true, &mux_ppc64),
        ARCH(PPC64LE, true, &mux_ppc64),
        ARCH(S390, false, &mux_s390),
        ARCH(S390X, true, &mux_s390x),
        ARCH(PARISC, false, NULL),
        ARCH(PARISC64, true, NULL),
        ARCH(RISCV64, true, NULL),
};

const char *const seccomp_archs[] = {
        "SCMP_ARCH_X86",       "SCMP_ARCH_X86_64",  "SCMP_ARCH_X32",      "SCMP_ARCH_ARM",
        "SCMP_ARCH_AARCH64",   "SCMP_ARCH_MIPS",    "SCMP_ARCH_MIPS64",   "SCMP_ARCH_MIPS64N32",
        "SCMP_ARCH_MIPSEL",    "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
        "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",     "SCMP_ARCH_S390X",
        "SCMP_ARCH_PARISC",    "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL,
};

static const struct {
        const char *name;
        unsigned long flag;
} flag_table[] = {
        { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
        { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
        { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
        { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

const char *const seccomp_flags[] = {
        "SECCOMP_FILTER_FLAG_TSYNC",
        "SECCOMP_FILTER_FLAG_LOG",
        "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
        NULL,
};

static const ArchInfo *arch_by_token(uint32_t token)
{
        for (size_t i = 0; i < ELEMENTSOF(arch_table); i++)
                if (arch_table[i].token == token)
                        return &arch_table[i];
        return NULL;
}

/* ---- the profile, resolved ---- */

typedef struct Cond {
        uint8_t arg;
        uint8_t op; /* enum scmp_compare */
        uint64_t a, b; /* value (mask for MASKED_EQ), valueTwo */
} Cond;

/* One alternative of one syscall number in one section: all conds hold -> action. */
typedef struct Alt {
        uint32_t nr;
        uint32_t seq;  /* profile order, for a stable sort */
        uint32_t action;
        int16_t mux_sub; /* >= 0: arg0 must equal it (socketcall/ipc), arg0 conds dropped */
        bool wide;
        uint8_t n_conds;
        const Cond *conds;
} Alt;

/* The archs sharing one seccomp_data.arch value (x86_64 with x32) and their rules. */
typedef struct Section {
        uint32_t token_bpf;
        const ArchInfo *archs[2];
        size_t n_archs;
        Alt *alts;
        size_t n_alts, cap_alts;
} Section;

typedef struct Compiler {
        uint32_t default_action;
        Section sections[ELEMENTSOF(arch_table)];
        size_t n_sections;
        bool notify;
        uint32_t seq;
} Compiler;

static void compiler_done(Compiler *c)
{
        for (size_t i = 0; i < c->n_sections; i++)
                free(c->sections[i].alts);
}

static int section_add(Section *s, const Alt *a)
{
        if (alloc_grow(&s->alts, &s->cap_alts, s->n_alts, sizeof(Alt), 256) < 0)
                return -ENOMEM;
        s->alts[s->n_alts++] = *a;
        return 0;
}

/* ---- the BPF program ---- */

typedef struct Prog {
        struct sock_filter *insns; /* NULL: only count */
        size_t n;
} Prog;

static void emit(Prog *p, uint16_t code, uint32_t k, uint8_t jt, uint8_t jf)
{
        if (p->insns && p->n < BPF_MAXINSNS)
                p->insns[p->n] = (struct sock_filter){ code, jt, jf, k };
        p->n++;
}

enum { T_NEXT, T_PASS, T_FAIL };

typedef struct Proto {
        uint16_t code;
        uint32_t k;
        uint8_t jt, jf; /* T_* */
} Proto;

#define LD(off) ((Proto){ BPF_LD | BPF_W | BPF_ABS, (off), T_NEXT, T_NEXT })
#define AND(k) ((Proto){ BPF_ALU | BPF_AND | BPF_K, (k), T_NEXT, T_NEXT })
#define JMP(op, k, t, f) ((Proto){ BPF_JMP | (op) | BPF_K, (k), (t), (f) })

/* The instructions of one condition, with symbolic targets: PASS is the instruction after
 * the condition, FAIL the start of the next alternative. Comparisons are unsigned, 64-bit on
 * wide architectures (high word first) and of the low word only on 32-bit ones, as in
 * libseccomp. */
static size_t cond_protos(const Cond *c, bool wide, bool big_endian, Proto out[6])
{
        uint32_t lo_off = 16 + 8 * c->arg + (big_endian ? 4 : 0);
        uint32_t hi_off = 16 + 8 * c->arg + (big_endian ? 0 : 4);
        uint64_t a = c->a, b = c->b;
        uint32_t alo = (uint32_t)a, ahi = (uint32_t)(a >> 32);
        size_t n = 0;

        if (!wide) {
                out[n++] = LD(lo_off);
                switch (c->op) {
                case SCMP_CMP_EQ: out[n++] = JMP(BPF_JEQ, alo, T_PASS, T_FAIL); break;
                case SCMP_CMP_NE: out[n++] = JMP(BPF_JEQ, alo, T_FAIL, T_PASS); break;
                case SCMP_CMP_GT: out[n++] = JMP(BPF_JGT, alo, T_PASS, T_FAIL); break;
                case SCMP_CMP_GE: out[n++] = JMP(BPF_JGE, alo, T_PASS, T_FAIL); break;
                case SCMP_CMP_LT: out[n++] = JMP(BPF_JGE, alo, T_FAIL, T_PASS); break;
                case SCMP_CMP_LE: out[n++] = JMP(BPF_JGT, alo, T_FAIL, T_PASS); break;
                default: /* MASKED_EQ: (arg & a) == (b & a), libseccomp masks the datum too */
                        out[n++] = AND(alo);
                        out[n++] = JMP(BPF_JEQ, (uint32_t)(b & a), T_PASS, T_FAIL);
                        break;
                }
                return n;
        }

        out[n++] = LD(hi_off);
        switch (c->op) {
        case SCMP_CMP_EQ:
                out[n++] = JMP(BPF_JEQ, ahi, T_NEXT, T_FAIL);
                out[n++] = LD(lo_off);
                out[n++] = JMP(BPF_JEQ, alo, T_PASS, T_FAIL);
                break;
        case SCMP_CMP_NE:
                out[n++] = JMP(BPF_JEQ, ahi, T_NEXT, T_PASS);
                out[n++] = LD(lo_off);
                out[n++] = JMP(BPF_JEQ, alo, T_FAIL, T_PASS);
                break;
        case SCMP_CMP_GT:
        case SCMP_CMP_GE:
                out[n++] = JMP(BPF_JGT, ahi, T_PASS, T_NEXT);
                out[n++] = JMP(BPF_JEQ, ahi, T_NEXT, T_FAIL);
                out[n++] = LD(lo_off);
                out[n++] = JMP(c->op == SCMP_CMP_GT ? BPF_JGT : BPF_JGE, alo, T_PASS, T_FAIL);
                break;
        case SCMP_CMP_LT:
        case SCMP_CMP_LE:
                out[n++] = JMP(BPF_JGT, ahi, T_FAIL, T_NEXT);
                out[n++] = JMP(BPF_JEQ, ahi, T_NEXT, T_PASS);
                out[n++] = LD(lo_off);
                out[n++] = JMP(c->op == SCMP_CMP_LT ? BPF_JGE : BPF_JGT, alo, T_FAIL, T_PASS);
                break;
        default: {
                uint64_t v = b & a;
                out[n++] = AND(ahi);
                out[n++] = JMP(BPF_JEQ, (uint32_t)(v >> 32), T_NEXT, T_FAIL);
                out[n++] = LD(lo_off);
                out[n++] = AND(alo);
                out[n++] = JMP(BPF_JEQ, (uint32_t)v, T_PASS, T_FAIL);
                break;
        }
        }
        return n;
}

/* One alternative: its conditions, then its action. At most 7 conditions of at most 6
 * instructions, so every jump is short. */
static void emit_alt(Prog *p, const Alt *a, bool big_endian)
{
        Proto protos[N_SYSCALL_ARGS + 1][6];
        size_t sizes[N_SYSCALL_ARGS + 1], n = 0, total = 0, done = 0;
        Cond mux;

        if (a->mux_sub >= 0) {
                mux = (Cond){ .arg = 0, .op = SCMP_CMP_EQ, .a = (uint64_t)a->mux_sub };
                sizes[n] = cond_protos(&mux, a->wide, big_endian, protos[n]);
                n++;
        }
        for (size_t i = 0; i < a->n_conds; i++) {
                if (a->mux_sub >= 0 && a->conds[i].arg == 0)
                        continue;
                sizes[n] = cond_protos(&a->conds[i], a->wide, big_endian, protos[n]);
                n++;
        }
        for (size_t i = 0; i < n; i++)
                total += sizes[i];

        for (size_t i = 0; i < n; i++) {
                for (size_t j = 0; j < sizes[i]; j++) {
                        const Proto *q = &protos[i][j];
                        uint8_t to_pass = sizes[i] - j - 1;
                        /* FAIL: past the rest of the conditions and the RET. */
                        uint8_t to_fail = total - done - j - 1 + 1;
                        uint8_t t[3] = { 0, to_pass, to_fail };
                        emit(p, q->code, q->k, t[q->jt], t[q->jf]);
                }
                done += sizes[i];
        }
        emit(p, BPF_RET | BPF_K, a->action, 0, 0);
}

/* A run of syscall numbers [lo, hi) with one outcome: an action, or the alternatives
 * alts[0..n_alts) tried in order and then the default. */
typedef struct Interval {
        uint64_t lo, hi;
        uint32_t action;
        const Alt *alts;
        size_t n_alts;
        size_t size; /* instructions of the leaf */
} Interval;

static size_t tree_size(const Interval *iv, size_t l, size_t r)
{
        if (r - l == 1)
                return iv[l].size;
        size_t m = l + (r - l) / 2, left = tree_size(iv, l, m);
        return 1 + (left > 255) + left + tree_size(iv, m, r);
}

static void emit_leaf(Prog *p, const Interval *iv, uint32_t default_action, bool big_endian)
{
        if (!iv->alts) {
                emit(p, BPF_RET | BPF_K, iv->action, 0, 0);
                return;
        }
        for (size_t i = 0; i < iv->n_alts; i++)
                emit_alt(p, &iv->alts[i], big_endian);
        emit(p, BPF_RET | BPF_K, default_action, 0, 0);
}

/* A binary search over the syscall number in A: conditional jumps reach 255 instructions, so
 * a far right half is reached through a JA. */
static void emit_tree(Prog *p, const Interval *iv, size_t l, size_t r, uint32_t default_action,
                      bool big_endian)
{
        if (r - l == 1) {
                emit_leaf(p, &iv[l], default_action, big_endian);
                return;
        }
        size_t m = l + (r - l) / 2, left = tree_size(iv, l, m);
        if (left <= 255)
                emit(p, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)iv[m].lo, (uint8_t)left, 0);
        else {
                emit(p, BPF_JMP | BPF_JGE | BPF_K, (uint32_t)iv[m].lo, 0, 1);
                emit(p, BPF_JMP | BPF_JA, (uint32_t)left, 0, 0);
        }
        emit_tree(p, iv, l, m, default_action, big_endian);
        emit_tree(p, iv, m, r, default_action, big_endian);
}

/* Sorts by number, keeping profile order among equal numbers: an LSD radix sort, as qsort
 * was most of the build time with a few hundred names on three architectures. */
static int sort_alts(Section *s)
{
        _cleanup_free_ Alt *tmp = NULL;
        Alt *from = s->alts, *to;

        if (s->n_alts < 2)
                return 0;
        tmp = malloc(s->n_alts * sizeof(Alt));
        if (!tmp)
                return -ENOMEM;
        to = tmp;
        for (unsigned shift = 0; shift < 32; shift += 8) {
                size_t count[257] = {};

                for (size_t i = 0; i < s->n_alts; i++)
                        count[((from[i].nr >> shift) & 0xff) + 1]++;
                if (count[((from[0].nr >> shift) & 0xff) + 1] == s->n_alts)
                        continue; /* one digit for all: nothing to move */
                for (size_t d = 1; d < 257; d++)
                        count[d] += count[d - 1];
                for (size_t i = 0; i < s->n_alts; i++)
                        to[count[(from[i].nr >> shift) & 0xff]++] = from[i];
                Alt *t = from;
                from = to;
                to = t;
        }
        if (from != s->alts)
                memcpy(s->alts, from, s->n_alts * sizeof(Alt));
        return 0;
}

/* The intervals of one section, from its alternatives sorted by number. Like libseccomp, an
 * unconditional rule decides a syscall alone: the first one wins and conditional rules for the
 * same number are dropped. */
static int section_intervals(Section *s, uint32_t default_action, bool big_endian,
                             Interval **ret, size_t *ret_n)
{
        _cleanup_free_ Interval *iv = NULL;
        size_t n = 0;
        uint64_t cur = 0;

        if (sort_alts(s) < 0)
                return -ENOMEM;
        iv = malloc((2 * s->n_alts + 1) * sizeof(Interval));
        if (!iv)
                return -ENOMEM;

#define PUSH_SIMPLE(l, h, act)                                                                     \
        do {                                                                                       \
                if (n > 0 && !iv[n - 1].alts && iv[n - 1].action == (act) &&                       \
                    iv[n - 1].hi == (l))                                                           \
                        iv[n - 1].hi = (h);                                                        \
                else                                                                               \
                        iv[n++] = (Interval){ .lo = (l), .hi = (h), .action = (act), .size = 1 };  \
        } while (0)

        for (size_t i = 0; i < s->n_alts;) {
                size_t j = i;
                const Alt *uncond = NULL;

                while (j < s->n_alts && s->alts[j].nr == s->alts[i].nr) {
                        if (!uncond && s->alts[j].n_conds == 0 && s->alts[j].mux_sub < 0)
                                uncond = &s->alts[j];
                        j++;
                }
                uint64_t nr = s->alts[i].nr;
                if (nr > cur)
                        PUSH_SIMPLE(cur, nr, default_action);
                if (uncond)
                        PUSH_SIMPLE(nr, nr + 1, uncond->action);
                else {
                        Prog count = {};
                        iv[n] = (Interval){ .lo = nr, .hi = nr + 1, .alts = &s->alts[i],
                                            .n_alts = j - i };
                        emit_leaf(&count, &iv[n], default_action, big_endian);
                        iv[n++].size = count.n;
                }
                cur = nr + 1;
                i = j;
        }
        if (cur < (UINT64_C(1) << 32))
                PUSH_SIMPLE(cur, UINT64_C(1) << 32, default_action);
#undef PUSH_SIMPLE

        *ret = TAKE_PTR(iv);
        *ret_n = n;
        return 0;
}

/* The instructions of a section: load nr, the x32 check, the search tree. */
static void emit_section(Prog *p, const Section *s, const Interval *iv, size_t n,
                         uint32_t default_action)
{
        bool big_endian = !(s->token_bpf & __AUDIT_ARCH_LE);
        bool has_x86_64 = false, has_x32 = false;

        for (size_t i = 0; i < s->n_archs; i++) {
                has_x86_64 |= s->archs[i]->token == SCMP_ARCH_X86_64;
                has_x32 |= s->archs[i]->token == SCMP_ARCH_X32;
        }

        emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), 0, 0);
        /* x86_64 and x32 share the arch value; the x32 bit tells them apart. As libseccomp
         * does, let -1 through (a tracer skipping the syscall). */
        if (has_x86_64 && !has_x32) {
                emit(p, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 2);
                emit(p, BPF_JMP | BPF_JEQ | BPF_K, UINT32_MAX, 1, 0);
                emit(p, BPF_RET | BPF_K, ACTION_BADARCH, 0, 0);
        } else if (has_x32 && !has_x86_64) {
                emit(p, BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 1, 0);
                emit(p, BPF_RET | BPF_K, ACTION_BADARCH, 0, 0);
        }
        emit_tree(p, iv, 0, n, default_action, big_endian);
}

/* The whole program: dispatch on the arch, one section each, bad-arch action last. */
static int compile(Compiler *c, Prog *p)
{
        emit(p, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), 0, 0);
        for (size_t i = 0; i < c->n_sections; i++) {
                Section *s = &c->sections[i];
                _cleanup_free_ Interval *iv = NULL;
                Prog count = {};
                size_t n;
                int r;

                r = section_intervals(s, c->default_action, !(s->token_bpf & __AUDIT_ARCH_LE),
                                      &iv, &n);
                if (r < 0)
                        return r;
                /* The jump over a section must know its length: count first. */
                emit_section(&count, s, iv, n, c->default_action);
                if (count.n <= 255)
                        emit(p, BPF_JMP | BPF_JEQ | BPF_K, s->token_bpf, 0, (uint8_t)count.n);
                else {
                        emit(p, BPF_JMP | BPF_JEQ | BPF_K, s->token_bpf, 1, 0);
                        emit(p, BPF_JMP | BPF_JA, (uint32_t)count.n, 0, 0);
                }
                emit_section(p, s, iv, n, c->default_action);
        }
        emit(p, BPF_RET | BPF_K, ACTION_BADARCH, 0, 0);
        return 0;
}

/* ---- from linux.seccomp ---- */

/* Whether the kernel knows the action: KILL_PROCESS and LOG need 4.14, NOTIFY 5.0. Without
 * the check an old kernel would treat them as KILL at run time. */
static bool action_available(uint32_t action)
{
        static int cache[3] = { -1, -1, -1 };
        int *slot;
        uint32_t act = action & SECCOMP_RET_ACTION_FULL;

        switch (act) {
        case SCMP_ACT_KILL_PROCESS: slot = &cache[0]; break;
        case SCMP_ACT_LOG: slot = &cache[1]; break;
        case SCMP_ACT_NOTIFY: slot = &cache[2]; break;
        default: return true;
        }
        if (*slot < 0)
                /* Anything but "not supported" (EPERM under a filter, say) is left to the load. */
                *slot = !(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &act) < 0 &&
                          (errno == EOPNOTSUPP || errno == EINVAL));
        return *slot;
}

/* The action of name with its errno: path names the action member, errno_path the errnoRet. */
static int parse_action(const char *name, bool has_errno_ret, uint32_t errno_ret,
                        const char *path, const char *errno_path, uint32_t *ret,
                        BerthError **err)
{
        if (!name)
                return berth_error(err, 0, "%s: missing seccomp action", path);
        for (size_t i = 0; i < ELEMENTSOF(action_table); i++) {
                uint32_t action = action_table[i].action;

                if (!streq(name, action_table[i].name))
                        continue;
                if (!action_available(action))
                        return berth_error(err, 0, "%s: %s is not supported by this kernel",
                                           path, name);
                if (action_table[i].kind == ACTION_PLAIN) {
                        /* runc ignores errnoRet on actions without one; so do we. */
                        *ret = action;
                        return 0;
                }
                if (!has_errno_ret)
                        errno_ret = EPERM;
                /* The kernel has 16 bits for it; masking would turn 65537 into 1 silently. */
                if (errno_ret > 0xffff)
                        return berth_error(err, 0, "%s: %" PRIu32 " is out of range (at most 65535)",
                                           errno_path, errno_ret);
                *ret = action | errno_ret;
                return 0;
        }
        return berth_error(err, 0, "%s: unknown seccomp action \"%s\"", path, name);
}

/* Adds the alternatives of one syscall name of one rule to every section. */
static int add_name(Compiler *c, const char *name, uint32_t action, const Cond *conds,
                    size_t n_conds, bool split, bool *found)
{
        for (size_t si = 0; si < c->n_sections; si++) {
                Section *s = &c->sections[si];

                for (size_t ai = 0; ai < s->n_archs; ai++) {
                        const ArchInfo *arch = s->archs[ai];
                        int nr = seccomp_syscall_resolve_name_arch(arch->token, name);
                        int direct = -1, mux_nr = -1, sub = -1;

                        if (nr == __NR_SCMP_ERROR)
                                continue;
                        *found = true;
                        if (nr >= 0)
                                direct = nr;
                        else if (arch->mux && nr <= -100 && nr >= -120) {
                                sub = (-nr) % 100;
                                mux_nr = arch->mux->socketcall;
                                direct = arch->mux->sock[sub] ? arch->mux->sock[sub] : -1;
                        } else if (arch->mux && nr <= -200 && nr >= -224) {
                                sub = (-nr) % 200;
                                mux_nr = arch->mux->ipc;
                                direct = arch->mux->ipc_direct[sub] ? arch->mux->ipc_direct[sub]
                                                                     : -1;
                        } else
                                continue; /* a syscall this arch does not have */

                        for (int form = 0; form < 2; form++) {
                                int this_nr = form == 0 ? direct : mux_nr;
                                if (this_nr < 0)
                                        continue;
                                /* Conditions on one argument repeated: one rule each (OR). */
                                size_t parts = split ? n_conds : 1;
                                for (size_t k = 0; k < parts; k++) {
                                        Alt a = {
                                                .nr = (uint32_t)this_nr,
                                                .seq = c->seq++,
                                                .action = action,
                                                .mux_sub = form == 1 ? (int16_t)sub : -1,
                                                .wide = arch->wide,
                                                .n_conds = split ? 1 : (uint8_t)n_conds,
                                                .conds = split ? &conds[k] : conds,
                                        };
                                        int r = section_add(s, &a);
                                        if (r < 0)
                                                return r;
                                }
                        }
                }
        }
        return 0;
}

static int add_syscall_rule(Compiler *c, const SpecSeccompSyscall *sc, size_t i, Cond *conds,
                            BerthError **err)
{
        char path[64], sub[96], errno_path[96];
        unsigned count[N_SYSCALL_ARGS] = {};
        bool split = false;
        uint32_t action;
        int r;

        snprintf(path, sizeof(path), SPEC_PATH ".syscalls[%zu]", i);
        snprintf(sub, sizeof(sub), "%s.action", path);
        snprintf(errno_path, sizeof(errno_path), "%s.errnoRet", path);
        r = parse_action(sc->action, sc->has_errno_ret, sc->errno_ret, sub, errno_path, &action,
                         err);
        if (r < 0)
                return r;

        for (size_t k = 0; k < sc->n_args; k++) {
                const SpecSeccompArg *a = &sc->args[k];
                size_t o;

                if (a->index >= N_SYSCALL_ARGS)
                        return berth_error(err, 0,
                                           "%s.args[%zu].index: must be between 0 and 5, got %" PRIu32,
                                           path, k, a->index);
                for (o = 0; o < ELEMENTSOF(operator_table); o++)
                        if (a->op && streq(a->op, operator_table[o].name))
                                break;
                if (o == ELEMENTSOF(operator_table))
                        return berth_error(err, 0, "%s.args[%zu].op: unknown seccomp operator \"%s\"",
                                           path, k, a->op ? a->op : "");
                /* MASKED_EQ: value is the mask, valueTwo the value, as in runc. Both are 64-bit
                 * all the way through. */
                conds[k] = (Cond){ .arg = (uint8_t)a->index, .op = operator_table[o].op,
                                   .a = a->value, .b = a->value_two };
                /* runc and crun: when two conditions test the same argument, AND-ing them is
                 * rarely what the profile means (libseccomp refused it before 2.4), so each
                 * condition of the rule becomes a rule of its own and they are OR-ed. */
                if (++count[a->index] > 1)
                        split = true;
        }

        for (size_t j = 0; sc->names && sc->names[j]; j++) {
                const char *name = sc->names[j];
                bool found = false;

                if (!name[0])
                        return berth_error(err, 0, "%s.names[%zu]: empty syscall name", path, j);
                /* The one syscall the init and exec's process make between loading the filter
                 * and the listener's fd reaching the runtime is the sendmsg() that hands it
                 * over (process.c): a notify rule for it would wait for a listener that never
                 * gets the fd. (runc hands it over by write(), and refuses that one.) */
                if (action == SCMP_ACT_NOTIFY && streq(name, "sendmsg"))
                        return berth_error(err, 0,
                                           "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for "
                                           "\"sendmsg\": the runtime receives the listener's "
                                           "fd with it",
                                           path, j);
                /* libseccomp refuses a rule that repeats the default action; runc skips it. */
                if (action == c->default_action)
                        continue;
                /* Names unknown to libseccomp (a newer kernel's syscall) are skipped, as runc
                 * and crun do, since shared profiles list syscalls of every kernel. */
                r = add_name(c, name, action, conds, sc->n_args, split, &found);
                if (r < 0)
                        return berth_error(err, r, "%s.names[%zu]", path, j);
                if (found && action == SCMP_ACT_NOTIFY)
                        c->notify = true;
        }
        return 0;
}

static int add_arch(Compiler *c, const ArchInfo *arch)
{
        for (size_t i = 0; i < c->n_sections; i++) {
                Section *s = &c->sections[i];
                if (s->token_bpf != arch->token_bpf)
                        continue;
                for (size_t k = 0; k < s->n_archs; k++)
                        if (s->archs[k] == arch)
                                return 0;
                if (s->n_archs == ELEMENTSOF(s->archs))
                        return -EINVAL; /* only x86_64 and x32 share an arch value */
                s->archs[s->n_archs++] = arch;
                return 0;
        }
        c->sections[c->n_sections++] = (Section){ .token_bpf = arch->token_bpf,
                                                  .archs = { arch },
                                                  .n_archs = 1 };
        return 0;
}

int seccomp_filter_build(const SpecSeccomp *s, SeccompFilter **ret, BerthError **err)
{
        __attribute__((cleanup(compiler_done))) Compiler c = {};
        _cleanup_seccomp_filter_ SeccompFilter *f = NULL;
        _cleanup_free_ Cond *conds = NULL;
        const ArchInfo *native;
        Prog p;
        int r;

        r = parse_action(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
                         SPEC_PATH ".defaultAction", SPEC_PATH ".defaultErrnoRet",
                         &c.default_action, err);
        if (r < 0)
                return r;
        /* runc refuses it too: the init's own syscalls until execve would wait on a listener
         * that only learns of the fd after them. */
        if (c.default_action == SCMP_ACT_NOTIFY)
                return berth_error(err, 0,
                                   SPEC_PATH ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

        f = calloc(1, sizeof(*f));
        if (!f)
                return berth_error(err, -ENOMEM, SPEC_PATH);

        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                size_t k;
                for (k = 0; k < ELEMENTSOF(flag_table); k++)
                        if (streq(s->flags[i], flag_table[k].name))
                                break;
                if (k == ELEMENTSOF(flag_table))
                        return berth_error(err, 0, SPEC_PATH ".flags[%zu]: unknown seccomp flag \"%s\"",
                                           i, s->flags[i]);
                f->flags |= flag_table[k].flag;
        }

        /* The native architecture is always there, and first: its syscalls take the shortest
         * path through the filter. */
        native = arch_by_token(seccomp_arch_native());
        if (!native)
                return berth_error(err, 0, SPEC_PATH ": the native architecture is not supported");
        add_arch(&c, native);
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                const ArchInfo *arch = NULL;
                for (size_t k = 0; k < ELEMENTSOF(arch_table); k++)
                        if (streq(s->architectures[i], arch_table[k].name))
                                arch = &arch_table[k];
                if (!arch)
                        return berth_error(err, 0,
                                           SPEC_PATH ".architectures[%zu]: unknown seccomp architecture \"%s\"",
                                           i, s->architectures[i]);
                /* One filter sees one byte order; libseccomp refuses the mix as well. */
                if ((arch->token & __AUDIT_ARCH_LE) != (native->token & __AUDIT_ARCH_LE))
                        return berth_error(err, 0,
                                           SPEC_PATH ".architectures[%zu]: \"%s\" has another byte order than the native %s",
                                           i, s->architectures[i], native->name);
                add_arch(&c, arch);
        }

        /* One array for all rules' conditions: alternatives point into it. */
        size_t total_args = 0;
        for (size_t i = 0; i < s->n_syscalls; i++)
                total_args += s->syscalls[i].n_args;
        conds = calloc(MAX(total_args, 1), sizeof(Cond));
        if (!conds)
                return berth_error(err, -ENOMEM, SPEC_PATH);
        for (size_t i = 0, off = 0; i < s->n_syscalls; off += s->syscalls[i].n_args, i++) {
                r = add_syscall_rule(&c, &s->syscalls[i], i, conds + off, err);
                if (r < 0)
                        return r;
        }

        f->insns = malloc(BPF_MAXINSNS * sizeof(struct sock_filter));
        if (!f->insns)
                return berth_error(err, -ENOMEM, SPEC_PATH);
        p = (Prog){ .insns = f->insns };
        r = compile(&c, &p);
        if (r < 0)
                return berth_error(err, r, SPEC_PATH ": generating the filter");
        if (p.n > BPF_MAXINSNS)
                return berth_error(err, 0,
                                   SPEC_PATH ": the filter needs %zu instructions, the kernel takes at most %d",
                                   p.n, BPF_MAXINSNS);
        f->n_insns = (unsigned short)p.n;
        f->notify = c.notify;
        struct sock_filter *shrunk = realloc(f->insns, p.n * sizeof(struct sock_filter));
        if (shrunk)
                f->insns = shrunk;
        *ret = TAKE_PTR(f);
        return 0;
}

int seccomp_filter_load(SeccompFilter *f, int *ret_notify_fd, BerthError **err)
{
        struct sock_fprog prog = { .len = f->n_insns, .filter = f->insns };
        unsigned long flags = f->flags;
        long r;

        if (f->notify) {
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
                /* TSYNC alone would report a failed sync by thread id, in the return value
                 * that NEW_LISTENER needs for the fd (kernel 5.7+). */
                if (flags & SECCOMP_FILTER_FLAG_TSYNC)
                        flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
        }
        r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (r < 0) {
                if (errno == EACCES)
                        return berth_error(err, errno,
                                           "loading the seccomp filter (needs CAP_SYS_ADMIN or no_new_privs)");
                if (errno == EINVAL && flags != 0)
                        return berth_error(err, errno,
                                           "loading the seccomp filter with flags 0x%lx (kernel too old for one of linux.seccomp.flags?)",
                                           flags);
                return berth_error(err, errno, "loading the seccomp filter");
        }
        if (!f->notify && r > 0) /* TSYNC: the thread that could not be synchronized */
                return berth_error(err, 0,
                                   "loading the seccomp filter: thread %ld could not be synchronized",
                                   r);
        if (ret_notify_fd)
                *ret_notify_fd = f->notify ? (int)r : -1;
        else if (f->notify)
                safe_close((int)r);
        return 0;
}

const struct sock_filter *seccomp_filter_program(const SeccompFilter *f, size_t *ret_n)
{
        *ret_n = f->n_insns;
        return f->insns;
}

void seccomp_filter_free(SeccompFilter *f)
{
        if (!f)
                return;
        free(f->insns);
        free(f);
}

static void json_putp(struct json_object **o)
{
        if (*o)
                json_object_put(*o);
}

int seccomp_send_listener(const char *listener_path, const char *metadata, int notify_fd,
                          const char *state_json, BerthError **err)
{
        __attribute__((cleanup(json_putp))) struct json_object *state = NULL, *msg = NULL;
        _cleanup_close_ int sock = -1;
        struct json_object *v, *fds;
        const char *text;
        size_t len;
        int r;

        state = json_tokener_parse(state_json);
        if (!state || !json_object_is_type(state, json_type_object))
                return berth_error(err, 0, "seccomp listener: the container state is not a JSON object");

        /* specs.ContainerProcessState, members in runc's order. */
        msg = json_object_new_object();
        fds = json_object_new_array();
        if (!msg || !fds) {
                json_object_put(fds);
                return berth_error(err, -ENOMEM, "seccomp listener message");
        }
        v = json_object_object_get(state, "ociVersion");
        json_object_object_add(msg, "ociVersion", v ? json_object_get(v)
                                                    : json_object_new_string("1.2.0"));
        json_object_array_add(fds, json_object_new_string("seccompFd"));
        json_object_object_add(msg, "fds", fds);
        v = json_object_object_get(state, "pid");
        json_object_object_add(msg, "pid", v ? json_object_get(v) : json_object_new_int(0));
        if (metadata && metadata[0])
                json_object_object_add(msg, "metadata", json_object_new_string(metadata));
        json_object_object_add(msg, "state", json_object_get(state));

        text = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
        if (!text)
                return berth_error(err, -ENOMEM, "seccomp listener message");

        sock = socket_connect_unix(SOCK_STREAM | SOCK_CLOEXEC, listener_path);
        if (sock < 0)
                return berth_error(err, sock, SPEC_PATH ".listenerPath: connecting to \"%s\"",
                                   listener_path);
        r = socket_send_fds(sock, text, len, &notify_fd, 1);
        if (r < 0)
                return berth_error(err, r, SPEC_PATH ".listenerPath: sending to \"%s\"",
                                   listener_path);
        return 0;
}

static bool action_allows(const char *action)
{
        return action && (streq(action, "SCMP_ACT_ALLOW") || streq(action, "SCMP_ACT_LOG"));
}

bool seccomp_spec_allows(const SpecSeccomp *s, const char *syscall)
{
        bool named = false;

        if (!s)
                return true;
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const SpecSeccompSyscall *r = &s->syscalls[i];
                if (!strv_contains(r->names, syscall))
                        continue;
                if (!action_allows(r->action) || r->n_args > 0)
                        return false;
                named = true;
        }
        return named || action_allows(s->default_action);
}
