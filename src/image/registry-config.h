/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-registry settings, from the first of a list of files that exists (the CLI's list:
 * $BERTH_REGISTRIES_CONF, else $XDG_CONFIG_HOME/berth/registries.json, else
 * ~/.config/berth/registries.json, else /etc/berth/registries.json):
 *
 *   { "registries": { "myregistry.lan:5000": { "tls-verify": false } } }
 */
#pragma once

/* 1 or 0 when the file says whether to verify host's TLS certificate, -1 when it does not. */
int registry_config_tls_verify(const char *const *paths, const char *host);
