// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/json_field.h"

#include <string.h>

const char *json_string_field(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	if ((size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v)))
		return NULL;
	return json_object_get_string(v);
}
