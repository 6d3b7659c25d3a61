/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Reading the node's JSON files (json-c): one member at a time. */
#ifndef MTUGUARD_JSON_FIELD_H
#define MTUGUARD_JSON_FIELD_H

#include <json-c/json.h>

/* The string member @key of @o; NULL when it is absent, not a string, or
 * holds a NUL ("a\u0000b" would be cut into another name). */
const char *json_string_field(struct json_object *o, const char *key);

#endif
