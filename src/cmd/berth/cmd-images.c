/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* berth images [--format table|json] [-q] [REPOSITORY[:TAG]]: the stored images and their
 * names, all or those of one repository (or one name). */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "basic/macro.h"
#include "basic/string-util.h"
#include "cmd/berth/berth.h"
#include "image/image-store.h"
#include "image/reference.h"

static json_object *image_json(const ImageRecord *rec)
{
        json_object *o = json_object_new_object(), *tags = json_object_new_array(),
                    *digests = json_object_new_array();

        json_object_object_add(o, "Id", json_object_new_string(rec->id));
        STRV_FOREACH(t, rec->tags)
        json_object_array_add(tags, json_object_new_string(*t));
        json_object_object_add(o, "RepoTags", tags);
        STRV_FOREACH(t, rec->tags)
        {
                _cleanup_free_ char *d = NULL;
                char *colon = strrchr(*t, ':');
                if (colon && !strchr(colon, '/') &&
                    asprintf(&d, "%.*s@%s", (int)(colon - *t), *t, rec->manifest_digest) >= 0)
                        json_object_array_add(digests, json_object_new_string(d));
        }
        json_object_object_add(o, "RepoDigests", digests);
        json_object_object_add(o, "ManifestDigest", json_object_new_string(rec->manifest_digest));
        json_object_object_add(o, "Size", json_object_new_int64(rec->size));
        json_object_object_add(o, "Created", json_object_new_string(rec->created ?: ""));
        json_object_object_add(o, "Os", json_object_new_string(rec->os ?: ""));
        json_object_object_add(o, "Architecture",
                               json_object_new_string(rec->architecture ?: ""));
        json_object_object_add(o, "Layers", json_object_new_int64((int64_t)rec->n_layers));
        return o;
}

static void split_tag(const char *name, char *repo, size_t rsize, const char **tag)
{
        const char *colon = strrchr(name, ':');
        if (!colon || strchr(colon, '/'))
                colon = NULL;
        snprintf(repo, rsize, "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
        *tag = colon ? colon + 1 : "<none>";
}

int cmd_images(BerthContext *ctx, int argc, char **argv, BerthError **err)
{
        static const struct option options[] = {
                { "format", required_argument, NULL, 'f' },
                { "quiet", no_argument, NULL, 'q' },
                { "no-trunc", no_argument, NULL, 'n' },
                {},
        };
        _cleanup_image_record_list_ ImageRecord **list = NULL;
        const char *format = "table";
        bool quiet = false, no_trunc = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "qf:", options, NULL)) >= 0) {
                if (c == 'f')
                        format = optarg;
                else if (c == 'q')
                        quiet = true;
                else if (c == 'n')
                        no_trunc = true;
                else
                        return berth_error_plain(err, EINVAL,
                                           "usage: berth images [--format json] [-q] [REPOSITORY]");
        }
        _cleanup_free_ char *filter = NULL;
        bool filter_tag = false;
        if (optind < argc) {
                _cleanup_reference_ Reference *ref = NULL;
                r = reference_parse(argv[optind], &ref, err);
                if (r < 0)
                        return r;
                /* "busybox" lists every tag of the repository, "busybox:1" only that one */
                filter_tag = strchr(strrchr(argv[optind], '/') ?: argv[optind], ':') != NULL;
                r = filter_tag ? reference_name(ref, &filter) : reference_repo_name(ref, &filter);
                if (r < 0)
                        return berth_error(err, ENOMEM, "images");
        }
        if (!streq(format, "table") && !streq(format, "json"))
                return berth_error_plain(err, EINVAL, "unknown --format `%s` (table or json)",
                                         format);
        r = berth_context_open(ctx, err);
        if (r < 0)
                return r;
        r = image_store_list(ctx->md, &list, err);
        if (r < 0)
                return r;
        if (filter) {
                /* keep the matching names of matching images only */
                size_t k = 0;
                for (ImageRecord **i = list; *i; i++) {
                        char **kept = NULL;
                        STRV_FOREACH(t, (*i)->tags)
                        {
                                const char *rest = startswith(*t, filter);
                                if (rest && (filter_tag ? *rest == 0 : *rest == ':') &&
                                    strv_extend(&kept, *t) < 0) {
                                        strv_free(kept);
                                        return berth_error(err, ENOMEM, "images");
                                }
                        }
                        if (!kept) {
                                image_record_free(*i);
                                continue;
                        }
                        strv_free((*i)->tags);
                        (*i)->tags = kept;
                        list[k++] = *i;
                }
                list[k] = NULL;
        }

        if (streq(format, "json")) {
                json_object *a = json_object_new_array();
                for (ImageRecord **i = list; *i; i++)
                        json_object_array_add(a, image_json(*i));
                printf("%s\n", json_object_to_json_string_ext(
                                   a, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(a);
                return 0;
        }
        if (!quiet)
                printf("%-40s %-16s %-14s %-22s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED",
                       "SIZE");
        for (ImageRecord **i = list; *i; i++) {
                const ImageRecord *rec = *i;
                char size[32], id[80];
                snprintf(id, sizeof(id), "%.*s", no_trunc ? 71 : 12, rec->id + (no_trunc ? 0 : 7));
                if (quiet) {
                        printf("%s\n", id);
                        continue;
                }
                format_size((uint64_t)rec->size, size, sizeof(size));
                char created[32];
                snprintf(created, sizeof(created), "%.19s", rec->created ?: "");
                if (strv_length(rec->tags) == 0)
                        printf("%-40s %-16s %-14s %-22s %s\n", "<none>", "<none>", id, created,
                               size);
                STRV_FOREACH(t, rec->tags)
                {
                        char repo[512];
                        const char *tag;
                        split_tag(*t, repo, sizeof(repo), &tag);
                        printf("%-40s %-16s %-14s %-22s %s\n", repo, tag, id, created, size);
                }
        }
        return 0;
}
