/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A network's static iptables rules (firewall.h) as iptables-restore input, from what
 * iptables-save printed: the hooks only when missing, the network's chains always declared (so
 * rewritten whole), none of nat for an internal network, and a removal that takes Berth's hooks
 * away with the last network's chain only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "network/firewall.h"
#include "tap.h"

static NetworkConf conf(const char *bridge, const char *subnet, bool internal)
{
        NetworkConf c = { .name = "n1", .bridge = bridge, .internal = internal, .n_subnets = 1 };
        if (network_subnet_parse(subnet, &c.subnets[0], NULL) < 0)
                abort();
        return c;
}

static const char saved_empty[] = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                                  ":OUTPUT ACCEPT [0:0]\nCOMMIT\n";

TEST(apply_on_an_empty_firewall)
{
        NetworkConf c = conf("br-1", "10.88.1.0/24", false);
        _cleanup_free_ char *s = NULL, *s6 = NULL;

        ASSERT_OK(network_firewall_apply_script(&c, AF_INET, saved_empty, &s));
        ASSERT_STREQ(s, "*filter\n"
                        ":BERTH-FORWARD - [0:0]\n"
                        ":BERTH-F-br-1 - [0:0]\n"
                        "-I FORWARD -j BERTH-FORWARD\n"
                        "-A BERTH-FORWARD -j BERTH-F-br-1\n"
                        "-A BERTH-F-br-1 -o br-1 -m conntrack --ctstate RELATED,ESTABLISHED "
                        "-j ACCEPT\n"
                        "-A BERTH-F-br-1 -o br-1 -m conntrack --ctstate DNAT -j ACCEPT\n"
                        "-A BERTH-F-br-1 -i br-1 -j ACCEPT\n"
                        "COMMIT\n"
                        "*nat\n"
                        ":BERTH-POSTROUTING - [0:0]\n"
                        ":BERTH-N-br-1 - [0:0]\n"
                        "-A POSTROUTING -j BERTH-POSTROUTING\n"
                        "-A BERTH-POSTROUTING -j BERTH-N-br-1\n"
                        "-A BERTH-N-br-1 -s 10.88.1.0/24 ! -d 224.0.0.0/4 ! -o br-1 "
                        "-j MASQUERADE\n"
                        "-A BERTH-N-br-1 -s 10.88.1.0/24 -o br-1 -m conntrack --ctstate DNAT "
                        "-j MASQUERADE\n"
                        "-A BERTH-N-br-1 -s 127.0.0.0/8 -o br-1 -j MASQUERADE\n"
                        "COMMIT\n");
        /* no IPv6 subnet: nothing for ip6tables */
        ASSERT_OK(network_firewall_apply_script(&c, AF_INET6, saved_empty, &s6));
        ASSERT_NULL(s6);
        return 0;
}

TEST(apply_again_only_rewrites_the_chains)
{
        NetworkConf c = conf("br-1", "10.88.1.0/24", false);
        _cleanup_free_ char *s = NULL;
        const char *saved = "*filter\n:FORWARD ACCEPT [0:0]\n:BERTH-F-br-1 - [0:0]\n"
                            ":BERTH-FORWARD - [0:0]\n-A FORWARD -j BERTH-FORWARD\n"
                            "-A BERTH-FORWARD -j BERTH-F-br-1\nCOMMIT\n"
                            "*nat\n:POSTROUTING ACCEPT [0:0]\n:BERTH-POSTROUTING - [0:0]\n"
                            "-A POSTROUTING -j BERTH-POSTROUTING\nCOMMIT\n";

        ASSERT_OK(network_firewall_apply_script(&c, AF_INET, saved, &s));
        ASSERT_TRUE(strstr(s, ":BERTH-FORWARD ") == NULL);
        ASSERT_TRUE(strstr(s, "-I FORWARD") == NULL);
        ASSERT_TRUE(strstr(s, "-A BERTH-FORWARD -j BERTH-F-br-1") == NULL);
        ASSERT_CONTAINS(s, ":BERTH-F-br-1 - [0:0]\n");
        ASSERT_TRUE(strstr(s, ":BERTH-POSTROUTING ") == NULL);
        ASSERT_TRUE(strstr(s, "-A POSTROUTING -j BERTH-POSTROUTING") == NULL);
        /* the nat jump was lost (a flush of the chain): back */
        ASSERT_CONTAINS(s, "-A BERTH-POSTROUTING -j BERTH-N-br-1\n");
        return 0;
}

TEST(internal_and_ipv6)
{
        NetworkConf c = conf("br-2", "10.88.2.0/24", true);
        _cleanup_free_ char *s = NULL, *s6 = NULL;

        ASSERT_OK(network_firewall_apply_script(&c, AF_INET, saved_empty, &s));
        ASSERT_TRUE(strstr(s, "*nat") == NULL);
        ASSERT_CONTAINS(s, "-A BERTH-F-br-2 -i br-2 -o br-2 -j ACCEPT\n"
                           "-A BERTH-F-br-2 -i br-2 -j DROP\n"
                           "-A BERTH-F-br-2 -o br-2 -j DROP\n");

        NetworkConf d = conf("br-3", "10.88.3.0/24", false);
        ASSERT_OK(network_subnet_parse("fd00:88::/64", &d.subnets[1], NULL));
        d.n_subnets = 2;
        ASSERT_OK(network_firewall_apply_script(&d, AF_INET6, "", &s6));
        ASSERT_CONTAINS(s6, "-A BERTH-N-br-3 -s fd00:88::/64 ! -d ff00::/8 ! -o br-3 "
                            "-j MASQUERADE\n");
        ASSERT_TRUE(strstr(s6, "10.88.3.0") == NULL);
        ASSERT_TRUE(strstr(s6, "127.0.0.0/8") == NULL);
        return 0;
}

TEST(remove)
{
        NetworkConf c = conf("br-1", "10.88.1.0/24", false);
        _cleanup_free_ char *s = NULL, *last = NULL, *none = NULL;
        const char *two = "*filter\n:BERTH-F-br-1 - [0:0]\n:BERTH-F-br-9 - [0:0]\n"
                          ":BERTH-FORWARD - [0:0]\n-A FORWARD -j BERTH-FORWARD\n"
                          "-A BERTH-FORWARD -j BERTH-F-br-1\n-A BERTH-FORWARD -j BERTH-F-br-9\n"
                          "-A BERTH-F-br-1 -i br-1 -j ACCEPT\nCOMMIT\n";
        const char *one = "*filter\n:BERTH-F-br-1 - [0:0]\n:BERTH-FORWARD - [0:0]\n"
                          "-A FORWARD -j BERTH-FORWARD\n-A BERTH-FORWARD -j BERTH-F-br-1\n"
                          "-A BERTH-FORWARD -j BERTH-F-br-1\nCOMMIT\n"
                          "*nat\n:BERTH-N-br-1 - [0:0]\n:BERTH-POSTROUTING - [0:0]\n"
                          "-A POSTROUTING -j BERTH-POSTROUTING\n"
                          "-A BERTH-POSTROUTING -j BERTH-N-br-1\nCOMMIT\n";

        /* another network's chain stays, and the hook with it */
        ASSERT_OK(network_firewall_remove_script(&c, AF_INET, two, &s));
        ASSERT_STREQ(s, "*filter\n-D BERTH-FORWARD -j BERTH-F-br-1\n-F BERTH-F-br-1\n"
                        "-X BERTH-F-br-1\nCOMMIT\n");
        /* the last one: the hooks go too; a jump made twice is deleted twice */
        ASSERT_OK(network_firewall_remove_script(&c, AF_INET, one, &last));
        ASSERT_STREQ(last, "*filter\n-D BERTH-FORWARD -j BERTH-F-br-1\n"
                           "-D BERTH-FORWARD -j BERTH-F-br-1\n-F BERTH-F-br-1\n"
                           "-X BERTH-F-br-1\n-D FORWARD -j BERTH-FORWARD\n-X BERTH-FORWARD\n"
                           "COMMIT\n"
                           "*nat\n-D BERTH-POSTROUTING -j BERTH-N-br-1\n-F BERTH-N-br-1\n"
                           "-X BERTH-N-br-1\n-D POSTROUTING -j BERTH-POSTROUTING\n"
                           "-X BERTH-POSTROUTING\nCOMMIT\n");
        /* nothing of it there: nothing to run */
        ASSERT_OK(network_firewall_remove_script(&c, AF_INET, saved_empty, &none));
        ASSERT_NULL(none);
        return 0;
}
