/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one way userspace grows an array: `struct x *e = ARRAY_PUSH(arr, n);`
 * appends a zeroed element to arr[0..n) and returns it, or returns NULL
 * (out of memory) with arr and n unchanged. The capacity is implicit: the
 * array is reallocated only when n is 0 or a power of two, to twice that,
 * so that filling it costs amortised O(1) per element (growing by one made
 * 20,000 cache entries quadratic where realloc copies). An array may shrink
 * by lowering n (its capacity stays at least what n implies), but must
 * start NULL and be grown only here.
 */
#ifndef MTUGUARD_ARRAY_H
#define MTUGUARD_ARRAY_H

#include <stdlib.h>
#include <string.h>

/* Room for element @n of @items (n elements of @size bytes), zeroed: the
 * same pointer while the capacity n implies lasts, else reallocated to
 * twice n; NULL when out of memory (@items is still valid then). */
static inline void *array_grow(void *items, size_t n, size_t size)
{
	char *grown = items;

	if (!n || !(n & (n - 1))) {
		grown = realloc(items, (n ? 2 * n : 1) * size);
		if (!grown)
			return NULL;
	}
	memset(grown + n * size, 0, size);
	return grown;
}

#define ARRAY_PUSH(arr, n)                                                                         \
	({                                                                                         \
		__typeof__(arr) grown_ = array_grow((arr), (n), sizeof(*(arr)));                   \
		grown_ ? ((arr) = grown_, &(arr)[(n)++]) : NULL;                                   \
	})

#endif
