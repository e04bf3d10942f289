/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libarchive, loaded with dlopen() by the commands that read or write a tar stream (layer
 * unpack, save/load, cp). Linked directly, it and what it links (libxml2, ICU, libstdc++,
 * nettle, lzma, lz4, bz2, acl) cost every berth command ~10 ms of loading, also run, ps and
 * stop, which never touch a tar. The calls go through sym_<name>, typed from archive.h.
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "basic/error.h"

#define LIBARCHIVE_SYMBOLS(X) \
        X(archive_entry_atime) \
        X(archive_entry_atime_is_set) \
        X(archive_entry_atime_nsec) \
        X(archive_entry_copy_stat) \
        X(archive_entry_filetype) \
        X(archive_entry_free) \
        X(archive_entry_gid) \
        X(archive_entry_hardlink) \
        X(archive_entry_mtime) \
        X(archive_entry_mtime_nsec) \
        X(archive_entry_new) \
        X(archive_entry_pathname) \
        X(archive_entry_perm) \
        X(archive_entry_rdevmajor) \
        X(archive_entry_rdevminor) \
        X(archive_entry_set_mode) \
        X(archive_entry_set_mtime) \
        X(archive_entry_set_pathname) \
        X(archive_entry_set_size) \
        X(archive_entry_set_symlink) \
        X(archive_entry_size) \
        X(archive_entry_symlink) \
        X(archive_entry_uid) \
        X(archive_entry_xattr_next) \
        X(archive_entry_xattr_reset) \
        X(archive_error_string) \
        X(archive_filter_bytes) \
        X(archive_read_data_block) \
        X(archive_read_free) \
        X(archive_read_new) \
        X(archive_read_next_header) \
        X(archive_read_open) \
        X(archive_read_support_format_gnutar) \
        X(archive_read_support_format_tar) \
        X(archive_set_error) \
        X(archive_write_close) \
        X(archive_write_data) \
        X(archive_write_free) \
        X(archive_write_header) \
        X(archive_write_new) \
        X(archive_write_open_fd) \
        X(archive_write_set_bytes_in_last_block) \
        X(archive_write_set_format_pax_restricted) \
        /* end */

#define LIBARCHIVE_DECLARE(name) extern typeof(name) *sym_##name;
LIBARCHIVE_SYMBOLS(LIBARCHIVE_DECLARE)
#undef LIBARCHIVE_DECLARE

/* Loads libarchive, once per process (thread-safe); every sym_ pointer is set after it. */
int libarchive_load(BerthError **err);
