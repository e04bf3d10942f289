/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The config.json parser: a full document with every Linux area of runtime-spec 1.2, the
 * 64-bit extremes, each class of error with the JSON path it must name, and the default spec.
 * Documents are written with ' for " to keep them readable; sq() turns them into JSON.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "basic/error.h"
#include "basic/fs-util.h"
#include "basic/string-util.h"
#include "spec/runtime-spec.h"
#include "tap.h"

static char *sq(const char *s)
{
        char *d = strdup(s);

        for (char *p = d; p && *p; p++)
                if (*p == '\'')
                        *p = '"';
        return d;
}

/* A minimal valid document with extra top-level members x (a fragment starting with ','). */
#define DOC(x) "{'ociVersion':'1.2.0','root':{'path':'rootfs'}" x "}"
#define PROC(x) DOC(",'process':{'args':['sh'],'cwd':'/'" x "}")
#define LINUX(x) DOC(",'linux':{" x "}")

#define ASSERT_PARSE_ERROR(doc, expected)                                                          \
        do {                                                                                       \
                _cleanup_free_ char *_d = sq(doc);                                                 \
                _cleanup_error_ BerthError *_e = NULL;                                             \
                Spec *_s = NULL;                                                                   \
                ASSERT_NOT_NULL(_d);                                                               \
                ASSERT_EQ(spec_parse(_d, strlen(_d), &_s, &_e), -EINVAL);                          \
                ASSERT_NULL(_s);                                                                   \
                ASSERT_NOT_NULL(_e);                                                               \
                ASSERT_STREQ(_e->msg, expected);                                                   \
        } while (0)

#define ASSERT_PARSE_RAW_ERROR(data, len, expected)                                                \
        do {                                                                                       \
                _cleanup_error_ BerthError *_e = NULL;                                             \
                Spec *_s = NULL;                                                                   \
                ASSERT_FAIL(spec_parse((data), (len), &_s, &_e));                                  \
                ASSERT_NULL(_s);                                                                   \
                ASSERT_NOT_NULL(_e);                                                               \
                ASSERT_STREQ(_e->msg, expected);                                                   \
        } while (0)

static int parse_sq(const char *doc, Spec **ret)
{
        _cleanup_free_ char *d = sq(doc);
        _cleanup_error_ BerthError *err = NULL;
        int r;

        if (!d)
                return -ENOMEM;
        r = spec_parse(d, strlen(d), ret, &err);
        if (r < 0)
                printf("# unexpected parse error: %s\n", err ? err->msg : "(none)");
        return r;
}

static const char full_config[] =
        "{'ociVersion':'1.2.0',"
        " 'root':{'path':'/var/lib/c1/rootfs','readonly':true},"
        " 'hostname':'box','domainname':'example.org',"
        " 'mounts':["
        "   {'destination':'/proc','type':'proc','source':'proc'},"
        "   {'destination':'/data','type':'bind','source':'/srv/data','options':['rbind','ro'],"
        "    'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
        "    'gidMappings':[{'containerID':0,'hostID':200000,'size':1000}]}],"
        " 'process':{'terminal':true,'consoleSize':{'height':25,'width':80},"
        "   'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,4294967295]},"
        "   'args':['/bin/app','--flag'],'env':['PATH=/bin','A=b'],'cwd':'/work',"
        "   'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN'],'effective':['CAP_KILL'],"
        "     'inheritable':[],'permitted':['CAP_KILL'],'ambient':['CAP_KILL']},"
        "   'rlimits':[{'type':'RLIMIT_NOFILE','hard':4096,'soft':1024},"
        "              {'type':'RLIMIT_CORE','hard':18446744073709551615,'soft':0}],"
        "   'noNewPrivileges':true,'apparmorProfile':'berth-default','oomScoreAdj':-500,"
        "   'selinuxLabel':'system_u:system_r:container_t:s0',"
        "   'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':4},"
        "   'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':3,"
        "     'flags':['SCHED_FLAG_RESET_ON_FORK'],'runtime':10000,'deadline':20000,"
        "     'period':30000},"
        "   'execCPUAffinity':{'initial':'0-1','final':'2'}},"
        " 'hooks':{"
        "   'prestart':[{'path':'/usr/bin/p','args':['p','-x'],'env':['K=V'],'timeout':5}],"
        "   'createRuntime':[{'path':'/bin/cr'},{'path':'/bin/cr2'}],"
        "   'createContainer':[{'path':'/bin/cc'}],"
        "   'startContainer':[{'path':'/bin/sc'}],"
        "   'poststart':[{'path':'/bin/ps'}],"
        "   'poststop':[{'path':'/bin/pt','timeout':1}]},"
        " 'annotations':{'org.example.key':'value','x':''},"
        " 'linux':{"
        "   'uidMappings':[{'containerID':0,'hostID':1000,'size':1}],"
        "   'gidMappings':[{'containerID':0,'hostID':1001,'size':1},"
        "                  {'containerID':1,'hostID':300000,'size':65535}],"
        "   'timeOffsets':{'monotonic':{'secs':-86400,'nanosecs':5},'boottime':{'secs':7}},"
        "   'sysctl':{'net.ipv4.ip_forward':'1','kernel.msgmax':'65536'},"
        "   'resources':{"
        "     'devices':[{'allow':false,'access':'rwm'},"
        "                {'allow':true,'type':'c','major':1,'minor':-1,'access':'rw'}],"
        "     'memory':{'limit':536870912,'reservation':268435456,'swap':-1,'kernel':-1,"
        "       'kernelTCP':1048576,'swappiness':60,'disableOOMKiller':true,"
        "       'useHierarchy':false,'checkBeforeUpdate':true},"
        "     'cpu':{'shares':1024,'quota':-1,'burst':1000,'period':100000,"
        "       'realtimeRuntime':950000,'realtimePeriod':1000000,'cpus':'0-3','mems':'0',"
        "       'idle':1},"
        "     'pids':{'limit':32768},"
        "     'blockIO':{'weight':500,'leafWeight':300,"
        "       'weightDevice':[{'major':8,'minor':0,'weight':600},"
        "                       {'major':8,'minor':16,'leafWeight':100}],"
        "       'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':104857600}],"
        "       'throttleWriteBpsDevice':[{'major':8,'minor':0,'rate':52428800}],"
        "       'throttleReadIOPSDevice':[{'major':8,'minor':0,'rate':1000}],"
        "       'throttleWriteIOPSDevice':[{'major':8,'minor':0,'rate':500},"
        "                                  {'major':8,'minor':16,'rate':600}]},"
        "     'hugepageLimits':[{'pageSize':'2MB','limit':209715200},"
        "                       {'pageSize':'1GB','limit':0}],"
        "     'network':{'classID':1048577,'priorities':[{'name':'eth0','priority':500}]},"
        "     'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000},'mlx4_0':{'hcaObjects':5}},"
        "     'unified':{'io.weight':'default 100','memory.high':'max'}},"
        "   'cgroupsPath':'/berth/c1',"
        "   'namespaces':[{'type':'pid'},{'type':'network','path':'/var/run/netns/n1'},"
        "     {'type':'mount'},{'type':'ipc'},{'type':'uts'},{'type':'user'},"
        "     {'type':'cgroup'},{'type':'time'}],"
        "   'devices':[{'path':'/dev/fuse','type':'c','major':10,'minor':229,"
        "     'fileMode':438,'uid':0,'gid':0},{'path':'/dev/fifo','type':'p'}],"
        "   'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':1,"
        "     'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
        "     'flags':['SECCOMP_FILTER_FLAG_LOG'],'listenerPath':'/run/seccomp.sock',"
        "     'listenerMetadata':'meta',"
        "     'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
        "       {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':38,"
        "        'args':[{'index':0,'value':18446744073709551615,'op':'SCMP_CMP_EQ'},"
        "                {'index':5,'value':255,'valueTwo':9223372036854775808,"
        "                 'op':'SCMP_CMP_MASKED_EQ'}]}]},"
        "   'rootfsPropagation':'rslave',"
        "   'maskedPaths':['/proc/kcore','/sys/firmware'],"
        "   'readonlyPaths':['/proc/sys'],"
        "   'mountLabel':'system_u:object_r:container_file_t:s0',"
        "   'intelRdt':{'closID':'guaranteed','l3CacheSchema':'L3:0=ff',"
        "     'memBwSchema':'MB:0=50','enableCMT':true,'enableMBM':false},"
        "   'personality':{'domain':'LINUX32','flags':[]}}}";

TEST(full_config_top_and_mounts)
{
        _cleanup_spec_ Spec *s = NULL;

        ASSERT_OK(parse_sq(full_config, &s));
        ASSERT_STREQ(s->oci_version, "1.2.0");
        ASSERT_STREQ(s->root_path, "/var/lib/c1/rootfs");
        ASSERT_TRUE(s->root_readonly);
        ASSERT_STREQ(s->hostname, "box");
        ASSERT_STREQ(s->domainname, "example.org");
        ASSERT_NOT_NULL(s->json);
        ASSERT_TRUE(json_object_is_type(s->json, json_type_object));

        ASSERT_EQ(s->n_mounts, 2);
        ASSERT_STREQ(s->mounts[0].destination, "/proc");
        ASSERT_STREQ(s->mounts[0].type, "proc");
        ASSERT_STREQ(s->mounts[0].source, "proc");
        ASSERT_NULL(s->mounts[0].options);
        ASSERT_EQ(s->mounts[0].n_uid_mappings, 0);
        ASSERT_STREQ(s->mounts[1].options[0], "rbind");
        ASSERT_STREQ(s->mounts[1].options[1], "ro");
        ASSERT_NULL(s->mounts[1].options[2]);
        ASSERT_EQ(s->mounts[1].n_uid_mappings, 1);
        ASSERT_EQ(s->mounts[1].uid_mappings[0].host_id, 100000);
        ASSERT_EQ(s->mounts[1].uid_mappings[0].size, 65536);
        ASSERT_EQ(s->mounts[1].n_gid_mappings, 1);
        ASSERT_EQ(s->mounts[1].gid_mappings[0].host_id, 200000);
        ASSERT_EQ(s->mounts[1].gid_mappings[0].size, 1000);

        ASSERT_EQ(s->n_annotations, 2);
        ASSERT_STREQ(s->annotations[0].key, "org.example.key");
        ASSERT_STREQ(s->annotations[0].value, "value");
        ASSERT_STREQ(s->annotations[1].key, "x");
        ASSERT_STREQ(s->annotations[1].value, "");
        return 0;
}

TEST(full_config_process)
{
        _cleanup_spec_ Spec *s = NULL;
        SpecProcess *p;

        ASSERT_OK(parse_sq(full_config, &s));
        p = s->process;
        ASSERT_NOT_NULL(p);
        ASSERT_TRUE(p->terminal);
        ASSERT_TRUE(p->has_console_size);
        ASSERT_EQ(p->console_height, 25);
        ASSERT_EQ(p->console_width, 80);
        ASSERT_EQ(p->user.uid, 1000);
        ASSERT_EQ(p->user.gid, 1001);
        ASSERT_TRUE(p->user.has_umask);
        ASSERT_EQ(p->user.umask, 18);
        ASSERT_EQ(p->user.n_additional_gids, 2);
        ASSERT_EQ(p->user.additional_gids[0], 5);
        ASSERT_EQ_U64(p->user.additional_gids[1], UINT32_MAX);
        ASSERT_STREQ(p->args[0], "/bin/app");
        ASSERT_STREQ(p->args[1], "--flag");
        ASSERT_NULL(p->args[2]);
        ASSERT_EQ(strv_length(p->env), 2);
        ASSERT_STREQ(p->cwd, "/work");

        ASSERT_NOT_NULL(p->capabilities);
        ASSERT_EQ(strv_length(p->capabilities->bounding), 2);
        ASSERT_STREQ(p->capabilities->bounding[1], "CAP_CHOWN");
        ASSERT_STREQ(p->capabilities->effective[0], "CAP_KILL");
        ASSERT_NOT_NULL(p->capabilities->inheritable); /* present but empty */
        ASSERT_EQ(strv_length(p->capabilities->inheritable), 0);
        ASSERT_STREQ(p->capabilities->permitted[0], "CAP_KILL");
        ASSERT_STREQ(p->capabilities->ambient[0], "CAP_KILL");

        ASSERT_EQ(p->n_rlimits, 2);
        ASSERT_STREQ(p->rlimits[0].type, "RLIMIT_NOFILE");
        ASSERT_EQ(p->rlimits[0].resource, RLIMIT_NOFILE);
        ASSERT_EQ_U64(p->rlimits[0].hard, 4096);
        ASSERT_EQ_U64(p->rlimits[0].soft, 1024);
        ASSERT_EQ(p->rlimits[1].resource, RLIMIT_CORE);
        ASSERT_EQ_U64(p->rlimits[1].hard, UINT64_MAX);

        ASSERT_TRUE(p->no_new_privileges);
        ASSERT_STREQ(p->apparmor_profile, "berth-default");
        ASSERT_TRUE(p->has_oom_score_adj);
        ASSERT_EQ(p->oom_score_adj, -500);
        ASSERT_STREQ(p->selinux_label, "system_u:system_r:container_t:s0");
        ASSERT_TRUE(p->has_io_priority);
        ASSERT_STREQ(p->io_priority_class, "IOPRIO_CLASS_BE");
        ASSERT_EQ(p->io_priority, 4);

        ASSERT_NOT_NULL(p->scheduler);
        ASSERT_STREQ(p->scheduler->policy, "SCHED_DEADLINE");
        ASSERT_EQ(p->scheduler->nice, -5);
        ASSERT_EQ(p->scheduler->priority, 3);
        ASSERT_STREQ(p->scheduler->flags[0], "SCHED_FLAG_RESET_ON_FORK");
        ASSERT_EQ_U64(p->scheduler->runtime, 10000);
        ASSERT_EQ_U64(p->scheduler->deadline, 20000);
        ASSERT_EQ_U64(p->scheduler->period, 30000);
        ASSERT_STREQ(p->exec_cpu_affinity_initial, "0-1");
        ASSERT_STREQ(p->exec_cpu_affinity_final, "2");
        return 0;
}

TEST(full_config_hooks)
{
        _cleanup_spec_ Spec *s = NULL;

        ASSERT_OK(parse_sq(full_config, &s));
        ASSERT_EQ(s->hooks[SPEC_HOOK_PRESTART].n, 1);
        ASSERT_STREQ(s->hooks[SPEC_HOOK_PRESTART].hooks[0].path, "/usr/bin/p");
        ASSERT_STREQ(s->hooks[SPEC_HOOK_PRESTART].hooks[0].args[1], "-x");
        ASSERT_STREQ(s->hooks[SPEC_HOOK_PRESTART].hooks[0].env[0], "K=V");
        ASSERT_TRUE(s->hooks[SPEC_HOOK_PRESTART].hooks[0].has_timeout);
        ASSERT_EQ(s->hooks[SPEC_HOOK_PRESTART].hooks[0].timeout, 5);
        ASSERT_EQ(s->hooks[SPEC_HOOK_CREATE_RUNTIME].n, 2);
        ASSERT_STREQ(s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[1].path, "/bin/cr2");
        ASSERT_FALSE(s->hooks[SPEC_HOOK_CREATE_RUNTIME].hooks[1].has_timeout);
        ASSERT_STREQ(s->hooks[SPEC_HOOK_CREATE_CONTAINER].hooks[0].path, "/bin/cc");
        ASSERT_STREQ(s->hooks[SPEC_HOOK_START_CONTAINER].hooks[0].path, "/bin/sc");
        ASSERT_STREQ(s->hooks[SPEC_HOOK_POSTSTART].hooks[0].path, "/bin/ps");
        ASSERT_STREQ(s->hooks[SPEC_HOOK_POSTSTOP].hooks[0].path, "/bin/pt");
        ASSERT_EQ(s->hooks[SPEC_HOOK_POSTSTOP].hooks[0].timeout, 1);
        return 0;
}

TEST(full_config_linux)
{
        _cleanup_spec_ Spec *s = NULL;
        SpecLinux *l;

        ASSERT_OK(parse_sq(full_config, &s));
        l = s->linux_;
        ASSERT_NOT_NULL(l);
        ASSERT_EQ(l->n_uid_mappings, 1);
        ASSERT_EQ(l->uid_mappings[0].host_id, 1000);
        ASSERT_EQ(l->n_gid_mappings, 2);
        ASSERT_EQ(l->gid_mappings[1].container_id, 1);
        ASSERT_EQ(l->gid_mappings[1].host_id, 300000);
        ASSERT_EQ(l->gid_mappings[1].size, 65535);
        ASSERT_TRUE(l->time_offsets.has_monotonic);
        ASSERT_EQ(l->time_offsets.monotonic_secs, -86400);
        ASSERT_EQ(l->time_offsets.monotonic_nanosecs, 5);
        ASSERT_TRUE(l->time_offsets.has_boottime);
        ASSERT_EQ(l->time_offsets.boottime_secs, 7);
        ASSERT_EQ(l->time_offsets.boottime_nanosecs, 0);
        ASSERT_EQ(l->n_sysctl, 2);
        ASSERT_STREQ(l->sysctl[0].key, "net.ipv4.ip_forward");
        ASSERT_STREQ(l->sysctl[0].value, "1");
        ASSERT_STREQ(l->cgroups_path, "/berth/c1");

        for (int t = 0; t < _SPEC_NS_MAX; t++)
                ASSERT_TRUE(l->namespaces[t].present);
        ASSERT_STREQ(l->namespaces[SPEC_NS_NETWORK].path, "/var/run/netns/n1");
        ASSERT_NULL(l->namespaces[SPEC_NS_PID].path);

        ASSERT_EQ(l->n_devices, 2);
        ASSERT_STREQ(l->devices[0].path, "/dev/fuse");
        ASSERT_STREQ(l->devices[0].type, "c");
        ASSERT_EQ(l->devices[0].major, 10);
        ASSERT_EQ(l->devices[0].minor, 229);
        ASSERT_TRUE(l->devices[0].has_file_mode);
        ASSERT_EQ(l->devices[0].file_mode, 0666);
        ASSERT_TRUE(l->devices[0].has_uid);
        ASSERT_TRUE(l->devices[0].has_gid);
        ASSERT_STREQ(l->devices[1].type, "p");
        ASSERT_FALSE(l->devices[1].has_file_mode);

        ASSERT_STREQ(l->rootfs_propagation, "rslave");
        ASSERT_STREQ(l->masked_paths[1], "/sys/firmware");
        ASSERT_STREQ(l->readonly_paths[0], "/proc/sys");
        ASSERT_STREQ(l->mount_label, "system_u:object_r:container_file_t:s0");
        ASSERT_TRUE(l->intel_rdt.present);
        ASSERT_STREQ(l->intel_rdt.clos_id, "guaranteed");
        ASSERT_STREQ(l->intel_rdt.l3_cache_schema, "L3:0=ff");
        ASSERT_STREQ(l->intel_rdt.mem_bw_schema, "MB:0=50");
        ASSERT_TRUE(l->intel_rdt.enable_cmt);
        ASSERT_FALSE(l->intel_rdt.enable_mbm);
        ASSERT_TRUE(l->personality.present);
        ASSERT_STREQ(l->personality.domain, "LINUX32");
        ASSERT_NOT_NULL(l->personality.flags);
        ASSERT_NULL(l->personality.flags[0]);
        return 0;
}

TEST(full_config_resources)
{
        _cleanup_spec_ Spec *s = NULL;
        SpecResources *r;

        ASSERT_OK(parse_sq(full_config, &s));
        r = s->linux_->resources;
        ASSERT_NOT_NULL(r);
        ASSERT_EQ(r->n_devices, 2);
        ASSERT_FALSE(r->devices[0].allow);
        ASSERT_NULL(r->devices[0].type);
        ASSERT_FALSE(r->devices[0].has_major);
        ASSERT_STREQ(r->devices[0].access, "rwm");
        ASSERT_TRUE(r->devices[1].allow);
        ASSERT_STREQ(r->devices[1].type, "c");
        ASSERT_TRUE(r->devices[1].has_major);
        ASSERT_EQ(r->devices[1].major, 1);
        ASSERT_TRUE(r->devices[1].has_minor);
        ASSERT_EQ(r->devices[1].minor, -1);

        ASSERT_TRUE(r->memory.present);
        ASSERT_TRUE(r->memory.has_limit);
        ASSERT_EQ(r->memory.limit, 536870912);
        ASSERT_EQ(r->memory.reservation, 268435456);
        ASSERT_TRUE(r->memory.has_swap);
        ASSERT_EQ(r->memory.swap, -1);
        ASSERT_EQ(r->memory.kernel, -1);
        ASSERT_EQ(r->memory.kernel_tcp, 1048576);
        ASSERT_TRUE(r->memory.has_swappiness);
        ASSERT_EQ_U64(r->memory.swappiness, 60);
        ASSERT_TRUE(r->memory.has_disable_oom_killer);
        ASSERT_TRUE(r->memory.disable_oom_killer);
        ASSERT_TRUE(r->memory.has_use_hierarchy);
        ASSERT_FALSE(r->memory.use_hierarchy);
        ASSERT_TRUE(r->memory.check_before_update);

        ASSERT_TRUE(r->cpu.present);
        ASSERT_EQ_U64(r->cpu.shares, 1024);
        ASSERT_TRUE(r->cpu.has_quota);
        ASSERT_EQ(r->cpu.quota, -1);
        ASSERT_EQ_U64(r->cpu.burst, 1000);
        ASSERT_EQ_U64(r->cpu.period, 100000);
        ASSERT_EQ(r->cpu.realtime_runtime, 950000);
        ASSERT_EQ_U64(r->cpu.realtime_period, 1000000);
        ASSERT_STREQ(r->cpu.cpus, "0-3");
        ASSERT_STREQ(r->cpu.mems, "0");
        ASSERT_TRUE(r->cpu.has_idle);
        ASSERT_EQ(r->cpu.idle, 1);

        ASSERT_TRUE(r->pids.present);
        ASSERT_TRUE(r->pids.has_limit);
        ASSERT_EQ(r->pids.limit, 32768);

        ASSERT_TRUE(r->block_io.present);
        ASSERT_EQ(r->block_io.weight, 500);
        ASSERT_EQ(r->block_io.leaf_weight, 300);
        ASSERT_EQ(r->block_io.n_weight_device, 2);
        ASSERT_TRUE(r->block_io.weight_device[0].has_weight);
        ASSERT_FALSE(r->block_io.weight_device[0].has_leaf_weight);
        ASSERT_EQ(r->block_io.weight_device[0].weight, 600);
        ASSERT_EQ(r->block_io.weight_device[1].minor, 16);
        ASSERT_EQ(r->block_io.weight_device[1].leaf_weight, 100);
        ASSERT_EQ(r->block_io.n_throttle_read_bps, 1);
        ASSERT_EQ_U64(r->block_io.throttle_read_bps[0].rate, 104857600);
        ASSERT_EQ_U64(r->block_io.throttle_write_bps[0].rate, 52428800);
        ASSERT_EQ_U64(r->block_io.throttle_read_iops[0].rate, 1000);
        ASSERT_EQ(r->block_io.n_throttle_write_iops, 2);
        ASSERT_EQ_U64(r->block_io.throttle_write_iops[1].rate, 600);

        ASSERT_EQ(r->n_hugepage_limits, 2);
        ASSERT_STREQ(r->hugepage_limits[0].page_size, "2MB");
        ASSERT_EQ_U64(r->hugepage_limits[0].limit, 209715200);
        ASSERT_STREQ(r->hugepage_limits[1].page_size, "1GB");

        ASSERT_TRUE(r->network.present);
        ASSERT_TRUE(r->network.has_class_id);
        ASSERT_EQ(r->network.class_id, 1048577);
        ASSERT_EQ(r->network.n_priorities, 1);
        ASSERT_STREQ(r->network.priorities[0].name, "eth0");
        ASSERT_EQ(r->network.priorities[0].priority, 500);

        ASSERT_EQ(r->n_rdma, 2);
        ASSERT_STREQ(r->rdma[0].device, "mlx5_1");
        ASSERT_TRUE(r->rdma[0].has_hca_handles);
        ASSERT_EQ(r->rdma[0].hca_handles, 3);
        ASSERT_EQ(r->rdma[0].hca_objects, 10000);
        ASSERT_STREQ(r->rdma[1].device, "mlx4_0");
        ASSERT_FALSE(r->rdma[1].has_hca_handles);
        ASSERT_TRUE(r->rdma[1].has_hca_objects);

        ASSERT_EQ(r->n_unified, 2);
        ASSERT_STREQ(r->unified[0].key, "io.weight");
        ASSERT_STREQ(r->unified[0].value, "default 100");
        return 0;
}

TEST(full_config_seccomp)
{
        _cleanup_spec_ Spec *s = NULL;
        SpecSeccomp *sc;

        ASSERT_OK(parse_sq(full_config, &s));
        sc = s->linux_->seccomp;
        ASSERT_NOT_NULL(sc);
        ASSERT_STREQ(sc->default_action, "SCMP_ACT_ERRNO");
        ASSERT_TRUE(sc->has_default_errno_ret);
        ASSERT_EQ(sc->default_errno_ret, 1);
        ASSERT_STREQ(sc->architectures[1], "SCMP_ARCH_X86");
        ASSERT_STREQ(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
        ASSERT_STREQ(sc->listener_path, "/run/seccomp.sock");
        ASSERT_STREQ(sc->listener_metadata, "meta");
        ASSERT_EQ(sc->n_syscalls, 2);
        ASSERT_STREQ(sc->syscalls[0].names[1], "write");
        ASSERT_STREQ(sc->syscalls[0].action, "SCMP_ACT_ALLOW");
        ASSERT_FALSE(sc->syscalls[0].has_errno_ret);
        ASSERT_EQ(sc->syscalls[0].n_args, 0);
        ASSERT_TRUE(sc->syscalls[1].has_errno_ret);
        ASSERT_EQ(sc->syscalls[1].errno_ret, 38);
        ASSERT_EQ(sc->syscalls[1].n_args, 2);
        ASSERT_EQ(sc->syscalls[1].args[0].index, 0);
        ASSERT_EQ_U64(sc->syscalls[1].args[0].value, UINT64_MAX);
        ASSERT_STREQ(sc->syscalls[1].args[0].op, "SCMP_CMP_EQ");
        ASSERT_EQ(sc->syscalls[1].args[1].index, 5);
        ASSERT_EQ_U64(sc->syscalls[1].args[1].value, 255);
        ASSERT_EQ_U64(sc->syscalls[1].args[1].value_two, UINT64_C(9223372036854775808));
        ASSERT_STREQ(sc->syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
        return 0;
}

TEST(minimal_config_defaults)
{
        _cleanup_spec_ Spec *s = NULL;

        ASSERT_OK(parse_sq(DOC(""), &s));
        ASSERT_STREQ(s->root_path, "rootfs");
        ASSERT_FALSE(s->root_readonly);
        ASSERT_NULL(s->process);
        ASSERT_NULL(s->linux_);
        ASSERT_EQ(s->n_mounts, 0);
        ASSERT_NULL(s->hostname);
        for (int k = 0; k < _SPEC_HOOK_MAX; k++)
                ASSERT_EQ(s->hooks[k].n, 0);
        return 0;
}

TEST(uint64_extremes)
{
        _cleanup_spec_ Spec *s = NULL;
        SpecResources *r;

        ASSERT_OK(parse_sq(
                LINUX("'resources':{'memory':{'limit':9223372036854775807,'swap':-1,"
                      "'reservation':0,'swappiness':0},"
                      "'cpu':{'quota':-9223372036854775808,'shares':18446744073709551615},"
                      "'pids':{'limit':-1}},"
                      "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
                      "'action':'SCMP_ACT_ERRNO','args':[{'index':1,"
                      "'value':18446744073709551615,'valueTwo':18446744073709551614,"
                      "'op':'SCMP_CMP_NE'}]}]}"),
                &s));
        r = s->linux_->resources;
        ASSERT_EQ(r->memory.limit, INT64_MAX);
        ASSERT_EQ(r->memory.swap, -1);
        ASSERT_TRUE(r->memory.has_reservation);
        ASSERT_EQ(r->memory.reservation, 0);
        ASSERT_FALSE(r->memory.has_kernel);
        ASSERT_EQ(r->cpu.quota, INT64_MIN);
        ASSERT_EQ_U64(r->cpu.shares, UINT64_MAX);
        ASSERT_EQ(r->pids.limit, -1);
        ASSERT_EQ_U64(s->linux_->seccomp->syscalls[0].args[0].value, UINT64_MAX);
        ASSERT_EQ_U64(s->linux_->seccomp->syscalls[0].args[0].value_two, UINT64_MAX - 1);
        return 0;
}

TEST(integer_range_errors)
{
        ASSERT_PARSE_ERROR(PROC(",'user':{'uid':-1}"),
                           "process.user.uid: expected an unsigned 32-bit integer, got -1");
        ASSERT_PARSE_ERROR(PROC(",'user':{'uid':4294967296}"),
                           "process.user.uid: expected an unsigned 32-bit integer, got 4294967296");
        ASSERT_PARSE_ERROR(PROC(",'user':{'gid':1.5}"),
                           "process.user.gid: expected an unsigned 32-bit integer, got "
                           "floating-point number");
        ASSERT_PARSE_ERROR(PROC(",'user':{'gid':1e3}"),
                           "process.user.gid: expected an unsigned 32-bit integer, got "
                           "floating-point number");
        ASSERT_PARSE_ERROR(PROC(",'user':{'additionalGids':[1,-2]}"),
                           "process.user.additionalGids[1]: expected an unsigned 32-bit integer, "
                           "got -2");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'memory':{'limit':9223372036854775808}}"),
                           "linux.resources.memory.limit: expected -1 (unlimited) or a "
                           "non-negative 64-bit integer, got 9223372036854775808");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'memory':{'swap':-2}}"),
                           "linux.resources.memory.swap: expected -1 (unlimited) or a "
                           "non-negative 64-bit integer, got -2");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'memory':{'swappiness':101}}"),
                           "linux.resources.memory.swappiness: must be between 0 and 100, got 101");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'blockIO':{'weight':65536}}"),
                           "linux.resources.blockIO.weight: expected an unsigned 16-bit integer, "
                           "got 65536");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
                                 "'names':['x'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
                                 "'value':-1,'op':'SCMP_CMP_EQ'}]}]}"),
                           "linux.seccomp.syscalls[0].args[0].value: expected an unsigned 64-bit "
                           "integer, got -1");
        ASSERT_PARSE_ERROR(PROC(",'oomScoreAdj':2147483648"),
                           "process.oomScoreAdj: expected an integer, got 2147483648");
        ASSERT_PARSE_ERROR(PROC(",'oomScoreAdj':1001"),
                           "process.oomScoreAdj: must be between -1000 and 1000, got 1001");
        ASSERT_PARSE_ERROR(PROC(",'scheduler':{'policy':'SCHED_OTHER','nice':-2147483649}"),
                           "process.scheduler.nice: expected a 32-bit integer, got -2147483649");
        /* json-c 0.16 saturates integers beyond 64 bits; the parser must not. */
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
                                 "'names':['x'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
                                 "'value':18446744073709551616,'op':'SCMP_CMP_EQ'}]}]}"),
                           "config.json: malformed JSON at offset 180: integer above the 64-bit "
                           "range");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'cpu':{'quota':-9223372036854775809}}"),
                           "config.json: malformed JSON at offset 84: integer below the 64-bit "
                           "range");
        return 0;
}

TEST(wrong_types_at_every_depth)
{
        ASSERT_PARSE_ERROR("{'ociVersion':1,'root':{'path':'r'}}",
                           "ociVersion: expected a string, got integer");
        ASSERT_PARSE_ERROR(DOC(",'hostname':['a']"), "hostname: expected a string, got array");
        ASSERT_PARSE_ERROR(DOC(",'process':'sh'"), "process: expected an object, got string");
        ASSERT_PARSE_ERROR(PROC(",'user':{'uid':'0'}"),
                           "process.user.uid: expected an unsigned 32-bit integer, got string");
        ASSERT_PARSE_ERROR(PROC(",'terminal':'yes'"),
                           "process.terminal: expected a boolean, got string");
        ASSERT_PARSE_ERROR(PROC(",'env':['A=1',2]"),
                           "process.env[1]: expected a string, got integer");
        ASSERT_PARSE_ERROR(PROC(",'capabilities':{'bounding':'CAP_KILL'}"),
                           "process.capabilities.bounding: expected an array, got string");
        ASSERT_PARSE_ERROR(PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':true}]"),
                           "process.rlimits[0].soft: expected an unsigned 64-bit integer, got "
                           "boolean");
        ASSERT_PARSE_ERROR(DOC(",'mounts':[{'destination':'/a'},{'destination':'/b'},"
                               "{'destination':'c'}]"),
                           "mounts[2].destination: must be an absolute path");
        ASSERT_PARSE_ERROR(DOC(",'mounts':[{'destination':'/a','options':'ro'}]"),
                           "mounts[0].options: expected an array, got string");
        ASSERT_PARSE_ERROR(DOC(",'mounts':[{'destination':'/a','uidMappings':[{'containerID':0,"
                               "'hostID':1}]}]"),
                           "mounts[0].uidMappings[0].size: required field is missing");
        ASSERT_PARSE_ERROR(DOC(",'annotations':{'a.b':1}"),
                           "annotations[\"a.b\"]: expected a string, got integer");
        ASSERT_PARSE_ERROR(DOC(",'hooks':{'poststop':[{'path':'/x','timeout':0}]}"),
                           "hooks.poststop[0].timeout: must be greater than zero, got 0");
        ASSERT_PARSE_ERROR(DOC(",'hooks':{'prestart':[{'path':'x'}]}"),
                           "hooks.prestart[0].path: must be an absolute path");
        ASSERT_PARSE_ERROR(DOC(",'hooks':{'createRuntime':{}}"),
                           "hooks.createRuntime: expected an array, got object");
        ASSERT_PARSE_ERROR(LINUX("'sysctl':{'net.ipv4.ip_forward':1}"),
                           "linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string, got integer");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'memory':{'limit':'1g'}}"),
                           "linux.resources.memory.limit: expected -1 (unlimited) or a "
                           "non-negative 64-bit integer, got string");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'devices':[{'allow':'no'}]}"),
                           "linux.resources.devices[0].allow: expected a boolean, got string");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'blockIO':{'throttleReadBpsDevice':[{'major':8,"
                                 "'minor':0,'rate':'fast'}]}}"),
                           "linux.resources.blockIO.throttleReadBpsDevice[0].rate: expected an "
                           "unsigned 64-bit integer, got string");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'rdma':{'mlx':{'hcaHandles':'x'}}}"),
                           "linux.resources.rdma[\"mlx\"].hcaHandles: expected an unsigned 32-bit "
                           "integer, got string");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
                                 "'names':['x'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
                                 "'value':1,'op':'SCMP_CMP_EQ'},{'index':1,'value':'1',"
                                 "'op':'SCMP_CMP_EQ'}]}]}"),
                           "linux.seccomp.syscalls[0].args[1].value: expected an unsigned 64-bit "
                           "integer, got string");
        ASSERT_PARSE_ERROR(LINUX("'timeOffsets':{'monotonic':{'secs':'1'}}"),
                           "linux.timeOffsets[\"monotonic\"].secs: expected a 64-bit integer, got "
                           "string");
        ASSERT_PARSE_ERROR(LINUX("'namespaces':{'type':'pid'}"),
                           "linux.namespaces: expected an array, got object");
        return 0;
}

TEST(bad_values)
{
        ASSERT_PARSE_ERROR(LINUX("'namespaces':[{'type':'pid'},{'type':'foo'}]"),
                           "linux.namespaces[1].type: unknown namespace type \"foo\"");
        ASSERT_PARSE_ERROR(LINUX("'namespaces':[{'type':'pid'},{'type':'ipc'},{'type':'pid'}]"),
                           "linux.namespaces[2].type: duplicate namespace type \"pid\"");
        ASSERT_PARSE_ERROR(LINUX("'namespaces':[{'path':'/proc/1/ns/pid'}]"),
                           "linux.namespaces[0].type: required field is missing");
        ASSERT_PARSE_ERROR(LINUX("'namespaces':[{'type':'network','path':'netns'}]"),
                           "linux.namespaces[0].path: must be an absolute path");
        ASSERT_PARSE_ERROR(PROC(",'rlimits':[{'type':'RLIMIT_FOO','hard':1,'soft':1}]"),
                           "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
        ASSERT_PARSE_ERROR(PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','hard':1,'soft':1},"
                                "{'type':'RLIMIT_NOFILE','hard':2,'soft':2}]"),
                           "process.rlimits[1]: duplicate rlimit \"RLIMIT_NOFILE\"");
        ASSERT_PARSE_ERROR(PROC(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]"),
                           "process.rlimits[0].hard: required field is missing");
        ASSERT_PARSE_ERROR(PROC(",'ioPriority':{'class':'IOPRIO_CLASS_X','priority':1}"),
                           "process.ioPriority.class: unknown I/O priority class "
                           "\"IOPRIO_CLASS_X\"");
        ASSERT_PARSE_ERROR(PROC(",'ioPriority':{'class':'IOPRIO_CLASS_RT','priority':8}"),
                           "process.ioPriority.priority: must be between 0 and 7, got 8");
        ASSERT_PARSE_ERROR(PROC(",'scheduler':{'policy':'SCHED_NOPE'}"),
                           "process.scheduler.policy: unknown scheduler policy \"SCHED_NOPE\"");
        ASSERT_PARSE_ERROR(PROC(",'scheduler':{'nice':1}"),
                           "process.scheduler.policy: required field is missing");
        ASSERT_PARSE_ERROR(PROC(",'scheduler':{'policy':'SCHED_RR','flags':['X']}"),
                           "process.scheduler.flags[0]: unknown scheduler flag \"X\"");
        ASSERT_PARSE_ERROR(LINUX("'devices':[{'path':'/dev/x','type':'c','major':1}]"),
                           "linux.devices[0].minor: required field is missing (device type "
                           "\"c\")");
        ASSERT_PARSE_ERROR(LINUX("'devices':[{'path':'/dev/x','type':'z'}]"),
                           "linux.devices[0].type: unknown device type \"z\"");
        ASSERT_PARSE_ERROR(LINUX("'devices':[{'path':'dev/x','type':'p'}]"),
                           "linux.devices[0].path: must be an absolute path");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'devices':[{'allow':false,'access':'rwm'},"
                                 "{'allow':true,'type':'c','major':1,'minor':11,'access':''}]}"),
                           "linux.resources.devices[1].access: must not be empty: give one or "
                           "more of r, w and m");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'devices':[{'allow':false}]}"),
                           "linux.resources.devices[0].access: must not be empty: give one or "
                           "more of r, w and m");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'devices':[{'allow':true,'access':'rwx'}]}"),
                           "linux.resources.devices[0].access: must consist of the letters r, w "
                           "and m");
        ASSERT_PARSE_ERROR(
                LINUX("'resources':{'blockIO':{'weightDevice':[{'major':8,'minor':0}]}}"),
                "linux.resources.blockIO.weightDevice[0]: at least one of \"weight\" "
                "and \"leafWeight\" is required");
        ASSERT_PARSE_ERROR(LINUX("'resources':{'rdma':{'mlx':{}}}"),
                           "linux.resources.rdma[\"mlx\"]: at least one of \"hcaHandles\" and "
                           "\"hcaObjects\" is required");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_NOPE'}"),
                           "linux.seccomp.defaultAction: unknown seccomp action "
                           "\"SCMP_ACT_NOPE\"");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'syscalls':[]}"),
                           "linux.seccomp.defaultAction: required field is missing");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
                                 "'names':[],'action':'SCMP_ACT_ALLOW'}]}"),
                           "linux.seccomp.syscalls[0].names: must contain at least one element");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
                                 "'names':['x'],'action':'SCMP_ACT_ALLOW','args':[{'index':6,"
                                 "'value':1,'op':'SCMP_CMP_EQ'}]}]}"),
                           "linux.seccomp.syscalls[0].args[0].index: must be between 0 and 5, "
                           "got 6");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
                                 "'names':['x'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,"
                                 "'value':1,'op':'EQ'}]}]}"),
                           "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
                           "\"EQ\"");
        ASSERT_PARSE_ERROR(LINUX("'seccomp':{'defaultAction':'SCMP_ACT_ALLOW',"
                                 "'listenerMetadata':'m'}"),
                           "linux.seccomp.listenerMetadata: must not be set without listenerPath");
        ASSERT_PARSE_ERROR(LINUX("'rootfsPropagation':'sideways'"),
                           "linux.rootfsPropagation: unknown propagation \"sideways\"");
        ASSERT_PARSE_ERROR(LINUX("'maskedPaths':['/proc/kcore','proc/keys']"),
                           "linux.maskedPaths[1]: must be an absolute path");
        ASSERT_PARSE_ERROR(LINUX("'readonlyPaths':['sys']"),
                           "linux.readonlyPaths[0]: must be an absolute path");
        ASSERT_PARSE_ERROR(LINUX("'timeOffsets':{'monotonic':{'secs':1}},"
                                 "'namespaces':[{'type':'mount'}]"),
                           "linux.timeOffsets: needs a time namespace in linux.namespaces");
        ASSERT_PARSE_ERROR(LINUX("'timeOffsets':{},'namespaces':[{'type':'mount'}]"),
                           "linux.timeOffsets: needs a time namespace in linux.namespaces");
        ASSERT_PARSE_ERROR(LINUX("'timeOffsets':{'boottime':{'secs':1}},"
                                 "'namespaces':[{'type':'time','path':'/proc/1/ns/time'}]"),
                           "linux.timeOffsets: cannot be set for a time namespace that is "
                           "joined (it has a path)");
        ASSERT_PARSE_ERROR(LINUX("'timeOffsets':{'realtime':{'secs':1}}"),
                           "linux.timeOffsets[\"realtime\"]: unknown clock, expected "
                           "\"monotonic\" or \"boottime\"");
        ASSERT_PARSE_ERROR(LINUX("'intelRdt':{'closID':'../../x'}"),
                           "linux.intelRdt.closID: must be a plain directory name");
        ASSERT_PARSE_ERROR(LINUX("'personality':{'domain':'LINUX64'}"),
                           "linux.personality.domain: unknown personality domain \"LINUX64\"");
        ASSERT_PARSE_ERROR(PROC(",'user':{'username':'a\\u0000b'}"),
                           "process.user.username: string contains a NUL byte");
        return 0;
}

TEST(required_fields)
{
        ASSERT_PARSE_ERROR("{'root':{'path':'rootfs'}}", "ociVersion: required field is missing");
        ASSERT_PARSE_ERROR("{'ociVersion':'','root':{'path':'rootfs'}}",
                           "ociVersion: must not be empty");
        ASSERT_PARSE_ERROR("{'ociVersion':'1.2.0'}", "root: required field is missing");
        ASSERT_PARSE_ERROR("{'ociVersion':'1.2.0','root':null}", "root: required field is missing");
        ASSERT_PARSE_ERROR("{'ociVersion':'1.2.0','root':{}}",
                           "root.path: required field is missing");
        ASSERT_PARSE_ERROR("{'ociVersion':'1.2.0','root':{'path':''}}",
                           "root.path: must not be empty");
        ASSERT_PARSE_ERROR("{'ociVersion':'1.2.0','root':'rootfs'}",
                           "root: expected an object, got string");
        ASSERT_PARSE_ERROR(DOC(",'process':{'cwd':'/'}"),
                           "process.args: required field is missing");
        ASSERT_PARSE_ERROR(DOC(",'process':{'args':[],'cwd':'/'}"),
                           "process.args: must contain at least one element");
        ASSERT_PARSE_ERROR(DOC(",'process':{'args':['sh']}"),
                           "process.cwd: required field is missing");
        ASSERT_PARSE_ERROR(DOC(",'process':{'args':['sh'],'cwd':'work'}"),
                           "process.cwd: must be an absolute path");
        ASSERT_PARSE_ERROR(DOC(",'mounts':[{'type':'tmpfs'}]"),
                           "mounts[0].destination: required field is missing");
        ASSERT_PARSE_ERROR(PROC(",'consoleSize':{'height':1}"),
                           "process.consoleSize.width: required field is missing");
        ASSERT_PARSE_ERROR(DOC(",'hooks':{'prestart':[{'args':['x']}]}"),
                           "hooks.prestart[0].path: required field is missing");
        return 0;
}

TEST(malformed_documents)
{
        static const char nul_inside[] = "{\"ociVersion\":\"1.2.0\"\0}";
        static const char nul_after[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"}}\0x";

        ASSERT_PARSE_ERROR("", "config.json: empty document, expected a JSON object");
        ASSERT_PARSE_ERROR(" \n\t ", "config.json: empty document, expected a JSON object");
        ASSERT_PARSE_ERROR("{'ociVersion':'1.2.0',", "config.json: malformed JSON at offset 22: "
                                                     "unexpected end of data");
        ASSERT_PARSE_ERROR("{'ociVersion' '1.2.0'}",
                           "config.json: malformed JSON at offset 14: object property name "
                           "separator ':' expected");
        ASSERT_PARSE_ERROR("{'a':1,}", "config.json: malformed JSON at offset 7: unexpected "
                                       "character");
        ASSERT_PARSE_ERROR(DOC("") " x",
                           "config.json: malformed JSON at offset 48: trailing data after the "
                           "document");
        ASSERT_PARSE_ERROR(DOC("") DOC(""),
                           "config.json: malformed JSON at offset 47: trailing data after the "
                           "document");
        ASSERT_PARSE_ERROR("[]", "config.json: expected a JSON object at the top level, got array");
        ASSERT_PARSE_ERROR("42", "config.json: expected a JSON object at the top level, got "
                                 "integer");
        ASSERT_PARSE_ERROR("'x'", "config.json: expected a JSON object at the top level, got "
                                  "string");
        ASSERT_PARSE_ERROR("null",
                           "config.json: expected a JSON object at the top level, got null");
        /* json-c 0.16 takes single-quoted keys even in strict mode. */
        ASSERT_PARSE_RAW_ERROR("{'ociVersion':\"x\"}", 18,
                               "config.json: malformed JSON at offset 1: single-quoted strings "
                               "are not JSON");
        ASSERT_PARSE_RAW_ERROR("{\"ociVersion\":'x'}", 18,
                               "config.json: malformed JSON at offset 14: unexpected character");
        ASSERT_PARSE_RAW_ERROR("{\"a\":\"\xff\"}", 9,
                               "config.json: malformed JSON at offset 6: invalid utf-8 string");
        ASSERT_PARSE_RAW_ERROR(nul_inside, sizeof(nul_inside) - 1,
                               "config.json: malformed JSON at offset 21: unexpected end of data");
        ASSERT_PARSE_RAW_ERROR(nul_after, sizeof(nul_after) - 1,
                               "config.json: malformed JSON at offset 42: trailing data after the "
                               "document");
        return 0;
}

TEST(deep_nesting_refused)
{
        char buf[4096];
        size_t n = 0;
        _cleanup_error_ BerthError *err = NULL;
        Spec *s = NULL;

        n += (size_t)snprintf(buf, sizeof(buf), "{\"x\":");
        for (int i = 0; i < 1000; i++)
                buf[n++] = '[';
        for (int i = 0; i < 1000; i++)
                buf[n++] = ']';
        buf[n++] = '}';
        ASSERT_FAIL(spec_parse(buf, n, &s, &err));
        ASSERT_CONTAINS(err->msg, "config.json: malformed JSON at offset ");
        return 0;
}

TEST(unknown_fields_and_nulls_ignored)
{
        _cleanup_spec_ Spec *s = NULL;

        ASSERT_OK(parse_sq("{'ociVersion':'1.2.0','root':{'path':'r','future':1},"
                           "'solaris':{'milestone':'x'},'windows':{'layerFolders':[]},"
                           "'vm':{'kernel':{'path':'/k'}},'extra':[1,2.5,{'deep':null}],"
                           "'hostname':null,"
                           "'process':{'args':['sh'],'cwd':'/','user':{'uid':7,'sid':'x'},"
                           "  'shinyNewThing':{'a':[true]},'capabilities':null},"
                           "'linux':{'netDevices':{'eth0':{'name':'x'}},'memoryPolicy':{},"
                           "  'resources':{'memory':{'limit':1,'bogus':'x'}}},"
                           "'mounts':[{'destination':'/x','weird':false}]}",
                           &s));
        ASSERT_NULL(s->hostname);
        ASSERT_EQ(s->process->user.uid, 7);
        ASSERT_NULL(s->process->capabilities);
        ASSERT_EQ(s->linux_->resources->memory.limit, 1);
        ASSERT_EQ(s->n_mounts, 1);
        return 0;
}

TEST(empty_arrays_and_objects)
{
        _cleanup_spec_ Spec *s = NULL;

        ASSERT_OK(parse_sq(DOC(",'mounts':[],'annotations':{},'hooks':{'prestart':[]},"
                               "'linux':{'namespaces':[],'resources':{},'sysctl':{}}"),
                           &s));
        ASSERT_EQ(s->n_mounts, 0);
        ASSERT_NULL(s->mounts);
        ASSERT_EQ(s->n_annotations, 0);
        ASSERT_EQ(s->hooks[SPEC_HOOK_PRESTART].n, 0);
        ASSERT_NOT_NULL(s->linux_->resources);
        ASSERT_FALSE(s->linux_->resources->memory.present);
        ASSERT_FALSE(s->linux_->namespaces[SPEC_NS_PID].present);
        return 0;
}

static int check_default(bool rootless)
{
        _cleanup_free_ char *json = spec_default_json(rootless);
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_spec_ Spec *s = NULL;
        SpecLinux *l;

        ASSERT_NOT_NULL(json);
        ASSERT_OK(spec_parse(json, strlen(json), &s, &err));
        ASSERT_CONTAINS(json, "\n\t\"ociVersion\": \"1.2.0\",\n");
        ASSERT_STREQ(s->oci_version, "1.2.0");
        ASSERT_STREQ(s->root_path, "rootfs");
        ASSERT_TRUE(s->root_readonly);
        ASSERT_STREQ(s->hostname, "runc");
        ASSERT_NOT_NULL(s->process);
        ASSERT_TRUE(s->process->terminal);
        ASSERT_STREQ(s->process->args[0], "sh");
        ASSERT_NULL(s->process->args[1]);
        ASSERT_STREQ(s->process->env[1], "TERM=xterm");
        ASSERT_STREQ(s->process->cwd, "/");
        ASSERT_TRUE(s->process->no_new_privileges);
        ASSERT_EQ(strv_length(s->process->capabilities->bounding), 3);
        ASSERT_STREQ(s->process->capabilities->effective[2], "CAP_NET_BIND_SERVICE");
        ASSERT_NULL(s->process->capabilities->inheritable);
        ASSERT_NULL(s->process->capabilities->ambient);
        ASSERT_EQ(s->process->n_rlimits, 1);
        ASSERT_EQ(s->process->rlimits[0].resource, RLIMIT_NOFILE);
        ASSERT_EQ_U64(s->process->rlimits[0].hard, 1024);
        ASSERT_EQ_U64(s->process->rlimits[0].soft, 1024);

        ASSERT_EQ(s->n_mounts, 7);
        ASSERT_STREQ(s->mounts[0].destination, "/proc");
        ASSERT_STREQ(s->mounts[2].destination, "/dev/pts");
        ASSERT_STREQ(s->mounts[6].destination, "/sys/fs/cgroup");
        ASSERT_EQ(strv_contains(s->mounts[2].options, "gid=5"), !rootless);
        ASSERT_STREQ(s->mounts[5].type, rootless ? "none" : "sysfs");
        ASSERT_EQ(strv_contains(s->mounts[5].options, "rbind"), rootless);

        l = s->linux_;
        ASSERT_NOT_NULL(l);
        ASSERT_EQ(strv_length(l->masked_paths), 10);
        ASSERT_EQ(strv_length(l->readonly_paths), 5);
        ASSERT_TRUE(l->namespaces[SPEC_NS_PID].present);
        ASSERT_TRUE(l->namespaces[SPEC_NS_IPC].present);
        ASSERT_TRUE(l->namespaces[SPEC_NS_UTS].present);
        ASSERT_TRUE(l->namespaces[SPEC_NS_MOUNT].present);
        ASSERT_EQ(l->namespaces[SPEC_NS_NETWORK].present, !rootless);
        ASSERT_EQ(l->namespaces[SPEC_NS_USER].present, rootless);
        if (rootless) {
                ASSERT_NULL(l->resources);
                ASSERT_EQ(l->n_uid_mappings, 1);
                ASSERT_EQ(l->uid_mappings[0].container_id, 0);
                ASSERT_EQ(l->uid_mappings[0].host_id, geteuid());
                ASSERT_EQ(l->uid_mappings[0].size, 1);
                ASSERT_EQ(l->gid_mappings[0].host_id, getegid());
        } else {
                ASSERT_EQ(l->n_uid_mappings, 0);
                ASSERT_EQ(l->resources->n_devices, 1);
                ASSERT_FALSE(l->resources->devices[0].allow);
                ASSERT_STREQ(l->resources->devices[0].access, "rwm");
        }
        return 0;
}

TEST(default_spec_round_trips)
{
        return check_default(false);
}

TEST(default_spec_rootless_round_trips)
{
        return check_default(true);
}

TEST(load_file)
{
        char path[] = "/tmp/test-spec-XXXXXX";
        _cleanup_free_ char *json = spec_default_json(false);
        _cleanup_error_ BerthError *err = NULL;
        _cleanup_spec_ Spec *s = NULL;
        Spec *bad = NULL;
        int fd;

        fd = mkstemp(path);
        ASSERT_OK(fd);
        ASSERT_EQ(write(fd, json, strlen(json)), (ssize_t)strlen(json));
        close(fd);
        ASSERT_OK(spec_load_file(path, &s, &err));
        ASSERT_STREQ(s->hostname, "runc");

        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_OK(fd);
        ASSERT_EQ(write(fd, "{\"ociVersion\":2}", 16), 16);
        close(fd);
        ASSERT_FAIL(spec_load_file(path, &bad, &err));
        ASSERT_NULL(bad);
        ASSERT_CONTAINS(err->msg, path);
        ASSERT_CONTAINS(err->msg, ": ociVersion: expected a string, got integer");
        berth_error_free(&err);

        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_OK(fd);
        ASSERT_EQ(write(fd, "{", 1), 1);
        close(fd);
        ASSERT_FAIL(spec_load_file(path, &bad, &err));
        ASSERT_CONTAINS(err->msg, ": malformed JSON at offset 1: unexpected end of data");
        ASSERT_TRUE(strncmp(err->msg, path, strlen(path)) == 0);
        berth_error_free(&err);

        unlink(path);
        ASSERT_EQ(spec_load_file(path, &bad, &err), -ENOENT);
        ASSERT_CONTAINS(err->msg, path);
        return 0;
}

TEST(names)
{
        for (int t = 0; t < _SPEC_NS_MAX; t++)
                ASSERT_EQ(spec_namespace_from_name(spec_namespace_name(t)), t);
        ASSERT_STREQ(spec_namespace_name(SPEC_NS_NETWORK), "network");
        ASSERT_STREQ(spec_namespace_name(SPEC_NS_TIME), "time");
        ASSERT_NULL(spec_namespace_name(_SPEC_NS_MAX));
        ASSERT_EQ(spec_namespace_from_name("net"), -EINVAL);
        ASSERT_EQ(spec_namespace_from_name(NULL), -EINVAL);
        ASSERT_STREQ(spec_hook_kind_name(SPEC_HOOK_PRESTART), "prestart");
        ASSERT_STREQ(spec_hook_kind_name(SPEC_HOOK_CREATE_RUNTIME), "createRuntime");
        ASSERT_STREQ(spec_hook_kind_name(SPEC_HOOK_CREATE_CONTAINER), "createContainer");
        ASSERT_STREQ(spec_hook_kind_name(SPEC_HOOK_START_CONTAINER), "startContainer");
        ASSERT_STREQ(spec_hook_kind_name(SPEC_HOOK_POSTSTART), "poststart");
        ASSERT_STREQ(spec_hook_kind_name(SPEC_HOOK_POSTSTOP), "poststop");
        ASSERT_NULL(spec_hook_kind_name(_SPEC_HOOK_MAX));
        return 0;
}

