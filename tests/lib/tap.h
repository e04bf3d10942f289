/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small TAP harness: TEST(name) { ... } defines a test, ASSERT_* print both sides on failure,
 * main() runs every test in the file. A test may return TEST_SKIP; a file whose tests all skip
 * exits 77, which meson reports as skipped.
 */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*TestFunc)(void);
typedef struct TestCase {
        const char *name;
        TestFunc func;
} TestCase;

#define TEST_SKIP 77
#define TEST_MAX 256

extern TestCase tap_tests[TEST_MAX];
extern int tap_n_tests;

#define TEST(name)                                                                                 \
        static int test_##name(void);                                                              \
        __attribute__((constructor)) static void register_##name(void)                             \
        {                                                                                          \
                if (tap_n_tests < TEST_MAX)                                                        \
                        tap_tests[tap_n_tests++] = (TestCase){ #name, test_##name };               \
        }                                                                                          \
        static int test_##name(void)

#define TAP_FAIL(fmt, ...)                                                                         \
        do {                                                                                       \
                printf("# %s:%d: " fmt "\n", __FILE__, __LINE__, __VA_ARGS__);                     \
                return 1;                                                                          \
        } while (0)

#define ASSERT_TRUE(e)                                                                             \
        do {                                                                                       \
                if (!(e))                                                                          \
                        TAP_FAIL("expected true: %s", #e);                                         \
        } while (0)
#define ASSERT_FALSE(e) ASSERT_TRUE(!(e))
#define ASSERT_NULL(e)                                                                             \
        do {                                                                                       \
                const void *_v = (e);                                                              \
                if (_v)                                                                            \
                        TAP_FAIL("expected NULL: %s = %p", #e, _v);                                \
        } while (0)
#define ASSERT_NOT_NULL(e)                                                                         \
        do {                                                                                       \
                if (!(e))                                                                          \
                        TAP_FAIL("expected non-NULL: %s", #e);                                     \
        } while (0)
#define ASSERT_EQ(a, b)                                                                            \
        do {                                                                                       \
                intmax_t _a = (intmax_t)(a), _b = (intmax_t)(b);                                   \
                if (_a != _b)                                                                      \
                        TAP_FAIL("%s == %s: %jd != %jd", #a, #b, _a, _b);                          \
        } while (0)
#define ASSERT_EQ_U64(a, b)                                                                        \
        do {                                                                                       \
                uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b);                                   \
                if (_a != _b)                                                                      \
                        TAP_FAIL("%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, _a, _b);             \
        } while (0)
#define ASSERT_OK(e)                                                                               \
        do {                                                                                       \
                intmax_t _r = (intmax_t)(e);                                                       \
                if (_r < 0)                                                                        \
                        TAP_FAIL("%s failed: %jd (%s)", #e, _r, strerror((int)-_r));               \
        } while (0)
#define ASSERT_FAIL(e)                                                                             \
        do {                                                                                       \
                intmax_t _r = (intmax_t)(e);                                                       \
                if (_r >= 0)                                                                       \
                        TAP_FAIL("%s succeeded (%jd), expected failure", #e, _r);                  \
        } while (0)
#define ASSERT_STREQ(a, b)                                                                         \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                if (!_a || !_b || strcmp(_a, _b) != 0)                                             \
                        TAP_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b, _a ? _a : "(null)",         \
                                 _b ? _b : "(null)");                                              \
        } while (0)
#define ASSERT_CONTAINS(haystack, needle)                                                          \
        do {                                                                                       \
                const char *_h = (haystack), *_n = (needle);                                       \
                if (!_h || !strstr(_h, _n))                                                        \
                        TAP_FAIL("%s contains \"%s\": got \"%s\"", #haystack, _n,                  \
                                 _h ? _h : "(null)");                                              \
        } while (0)
