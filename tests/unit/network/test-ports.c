/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker's -p grammar (ports.h) and the subnet arithmetic and conflist of a bridge network
 * (network-conf.h): the forms Docker takes, what it refuses and how the message names it, and
 * the portMappings document in and out.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"
#include "network/network-conf.h"
#include "network/ports.h"
#include "tap.h"

static int parse_one(const char *spec, PortMapping **list, size_t *n, char **msg)
{
        BerthError *err = NULL;
        int r = ports_parse(spec, list, n, &err);

        if (msg)
                *msg = err ? strdup(err->msg) : NULL;
        berth_error_free(&err);
        return r;
}

TEST(publish_forms)
{
        PortMapping *l = NULL;
        size_t n = 0;

        ASSERT_OK(parse_one("80", &l, &n, NULL));
        ASSERT_OK(parse_one("8080:80", &l, &n, NULL));
        ASSERT_OK(parse_one("127.0.0.1:8081:81/udp", &l, &n, NULL));
        ASSERT_OK(parse_one("127.0.0.1::82", &l, &n, NULL));
        ASSERT_OK(parse_one(":84", &l, &n, NULL));
        ASSERT_OK(parse_one("[::1]:8083:83", &l, &n, NULL));
        ASSERT_OK(parse_one("9000-9002:7000-7002/tcp", &l, &n, NULL));
        ASSERT_EQ(n, 9u);
        ASSERT_EQ(l[0].host_port, 0);
        ASSERT_EQ(l[0].container_port, 80);
        ASSERT_STREQ(l[0].proto, "tcp");
        ASSERT_STREQ(l[0].host_ip, "");
        ASSERT_EQ(l[1].host_port, 8080);
        ASSERT_STREQ(l[2].host_ip, "127.0.0.1");
        ASSERT_STREQ(l[2].proto, "udp");
        ASSERT_EQ(l[3].host_port, 0);
        ASSERT_STREQ(l[3].host_ip, "127.0.0.1");
        ASSERT_EQ(l[4].host_port, 0);
        ASSERT_EQ(l[4].container_port, 84);
        ASSERT_STREQ(l[5].host_ip, "::1");
        ASSERT_EQ(l[5].host_port, 8083);
        ASSERT_EQ(l[8].host_port, 9002);
        ASSERT_EQ(l[8].container_port, 7002);

        struct json_object *j = ports_to_json(l, n);
        PortMapping *back = NULL;
        size_t m = 0;
        ASSERT_OK(ports_from_json(j, &back, &m, NULL));
        ASSERT_EQ(m, n);
        ASSERT_TRUE(memcmp(back, l, n * sizeof(*l)) == 0);
        json_object_put(j);
        free(back);
        free(l);
        return 0;
}

TEST(publish_refusals_name_the_problem)
{
        static const struct {
                const char *spec, *msg;
        } bad[] = {
                { "", "container port ``" },
                { "80:", "container port ``" },
                { "0:80", "host port `0`" },
                { "65536:80", "host port `65536`" },
                { "80:0", "container port `0`" },
                { "8080:80/sctp", "protocol `sctp`" },
                { "1.2.3.4.5:80:80", "`1.2.3.4.5` is no IP address" },
                { "::1:80:80", "too many `:`" },
                { "[::1:80:80", "`]:` expected" },
                { "90-80:80", "host port `90-80`" },
                { "8000-8002:80-81", "differ in size" },
                { "80-", "container port `80-`" },
                { "x", "container port `x`" },
                { "1-65535:1-65535", NULL },    /* too many mappings */
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                PortMapping *l = NULL;
                size_t n = 0;
                char *msg = NULL;
                ASSERT_FAIL(parse_one(bad[i].spec, &l, &n, &msg));
                if (bad[i].msg)
                        ASSERT_CONTAINS(msg, bad[i].msg);
                free(msg);
                free(l);
        }
        char long_spec[300];
        memset(long_spec, '1', sizeof(long_spec) - 1);
        long_spec[sizeof(long_spec) - 1] = 0;
        PortMapping *l = NULL;
        size_t n = 0;
        char *msg = NULL;
        ASSERT_FAIL(parse_one(long_spec, &l, &n, &msg));
        ASSERT_CONTAINS(msg, "too long");
        free(msg);
        free(l);
        return 0;
}

TEST(exposed_and_json_refusals)
{
        PortMapping m;
        ASSERT_OK(ports_parse_exposed("80/tcp", &m, NULL));
        ASSERT_EQ(m.container_port, 80);
        ASSERT_OK(ports_parse_exposed("53/udp", &m, NULL));
        ASSERT_STREQ(m.proto, "udp");
        ASSERT_OK(ports_parse_exposed("8080", &m, NULL));
        ASSERT_FAIL(ports_parse_exposed("80/sctp", &m, NULL));
        ASSERT_FAIL(ports_parse_exposed("80-90/tcp", &m, NULL));
        ASSERT_FAIL(ports_parse_exposed("nope", &m, NULL));

        static const char *const bad[] = {
                "{}", "[1]", "[{\"hostPort\":\"80\",\"containerPort\":80,\"protocol\":\"tcp\"}]",
                "[{\"hostPort\":80,\"containerPort\":0,\"protocol\":\"tcp\"}]",
                "[{\"hostPort\":70000,\"containerPort\":80,\"protocol\":\"tcp\"}]",
                "[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcpudp\"}]",
                "[{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":7}]",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct json_object *j = json_tokener_parse(bad[i]);
                PortMapping *l = NULL;
                size_t n = 0;
                ASSERT_FAIL(ports_from_json(j, &l, &n, NULL));
                json_object_put(j);
        }
        return 0;
}

TEST(subnets)
{
        NetworkSubnet a, b;
        char buf[64];
        BerthError *err = NULL;

        ASSERT_OK(network_subnet_parse("10.88.0.0/16", &a, NULL));
        network_gateway_format(&a, buf, sizeof(buf));
        ASSERT_STREQ(buf, "10.88.0.1");
        ASSERT_OK(network_subnet_parse("10.88.7.0/24", &b, NULL));
        ASSERT_TRUE(network_subnets_overlap(&a, &b));
        ASSERT_OK(network_subnet_parse("10.89.0.0/24", &b, NULL));
        ASSERT_FALSE(network_subnets_overlap(&a, &b));
        ASSERT_TRUE(network_subnet_contains(&a, "10.88.200.3"));
        ASSERT_FALSE(network_subnet_contains(&a, "10.89.0.3"));
        ASSERT_FALSE(network_subnet_contains(&a, "fd00::1"));
        ASSERT_OK(network_subnet_set_gateway(&b, "10.89.0.254", NULL));
        network_gateway_format(&b, buf, sizeof(buf));
        ASSERT_STREQ(buf, "10.89.0.254");
        ASSERT_FAIL(network_subnet_set_gateway(&b, "10.89.1.1", &err));
        ASSERT_STREQ(err->msg, "gateway `10.89.1.1` is no host address of subnet `10.89.0.0/24`");
        berth_error_free(&err);
        ASSERT_FAIL(network_subnet_set_gateway(&b, "10.89.0.0", NULL));

        ASSERT_OK(network_subnet_parse("fd00:88::/64", &a, NULL));
        network_subnet_format(&a, buf, sizeof(buf));
        ASSERT_STREQ(buf, "fd00:88::/64");
        network_gateway_format(&a, buf, sizeof(buf));
        ASSERT_STREQ(buf, "fd00:88::1");

        ASSERT_FAIL(network_subnet_parse("10.88.0.1/16", &a, &err));
        ASSERT_CONTAINS(err->msg, "host bits are set");
        berth_error_free(&err);
        static const char *const bad[] = { "10.88.0.0", "10.88.0.0/", "10.88.0.0/33",
                                           "10.88.0.0/31", "10.0.0.0/7", "x/16", "10.88.0.0/1x",
                                           "fd00::/127" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                ASSERT_FAIL(network_subnet_parse(bad[i], &a, NULL));
        return 0;
}

TEST(conflist)
{
        NetworkConf c = { .name = "n1", .bridge = "br-n1" };
        struct json_object *doc, *plugins;
        char *text = NULL;

        ASSERT_OK(network_subnet_parse("10.88.0.0/24", &c.subnets[0], NULL));
        ASSERT_OK(network_subnet_parse("fd00:88::/64", &c.subnets[1], NULL));
        c.n_subnets = 2;
        ASSERT_OK(network_conflist_build(&c, &text, NULL));
        doc = json_tokener_parse(text);
        ASSERT_TRUE(json_object_object_get_ex(doc, "plugins", &plugins));
        ASSERT_EQ(json_object_array_length(plugins), 2u);
        ASSERT_CONTAINS(text, "\"portmap\"");
        /* masquerade and forwarding are the network's static rules, not the plugins' */
        ASSERT_TRUE(strstr(text, "\"firewall\"") == NULL);
        ASSERT_CONTAINS(text, "\"ipMasq\":false");
        ASSERT_CONTAINS(text, "\"::/0\"");
        json_object_put(doc);
        free(text);

        c.internal = true;
        ASSERT_OK(network_conflist_build(&c, &text, NULL));
        doc = json_tokener_parse(text);
        ASSERT_TRUE(json_object_object_get_ex(doc, "plugins", &plugins));
        ASSERT_EQ(json_object_array_length(plugins), 1u);
        ASSERT_TRUE(strstr(text, "0.0.0.0/0") == NULL);
        ASSERT_CONTAINS(text, "\"isGateway\":false");
        json_object_put(doc);
        free(text);
        return 0;
}
