/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one way userspace grows an array: `struct x *e = ARRAY_PUSH(arr, n);`
 * appends a zeroed element to arr[0..n) and returns it, or returns NULL
 * (out of memory) with arr and n unchanged. The arrays here hold Pods,
 * links and rows, tens to thousands of them, filled once or a few at a
 * time: growing by one keeps them exactly sized.
 */
#ifndef MTUGUARD_ARRAY_H
#define MTUGUARD_ARRAY_H

#include <stdlib.h>
#include <string.h>

/* @items (n elements of @size bytes) reallocated to n + 1, the last one
 * zeroed; NULL when out of memory (@items is still valid then). */
static inline void *array_grow(void *items, size_t n, size_t size)
{
	char *grown = realloc(items, (n + 1) * size);

	if (grown)
		memset(grown + n * size, 0, size);
	return grown;
}

#define ARRAY_PUSH(arr, n)                                                                         \
	({                                                                                         \
		__typeof__(arr) grown_ = array_grow((arr), (n), sizeof(*(arr)));                   \
		grown_ ? ((arr) = grown_, &(arr)[(n)++]) : NULL;                                   \
	})

#endif
