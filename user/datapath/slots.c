// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/slots.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

void slots_init(struct slot_pool *pool)
{
	memset(pool, 0, sizeof(*pool));
}

static struct slot *find(struct slot_pool *pool, int ifindex)
{
	unsigned int i;

	for (i = 0; i < pool->used; i++) {
		if (pool->slots[i].state != SLOT_FREE && pool->slots[i].ifindex == ifindex)
			return &pool->slots[i];
	}
	return NULL;
}

/* A slot never used, else the one retired longest ago. */
static struct slot *take(struct slot_pool *pool)
{
	struct slot *oldest = NULL;
	unsigned int i;

	if (pool->used < MG_MAX_IFACES)
		return &pool->slots[pool->used++];
	for (i = 0; i < pool->used; i++) {
		struct slot *s = &pool->slots[i];

		if (s->state == SLOT_RETIRED && (!oldest || s->retired < oldest->retired))
			oldest = s;
	}
	return oldest;
}

int slots_claim(struct slot_pool *pool, int ifindex, unsigned int pod_limit, bool *fresh)
{
	struct slot *s = find(pool, ifindex);

	*fresh = !s;
	if (!s) {
		s = take(pool);
		if (!s)
			return -ENOSPC;
		s->ifindex = ifindex;
	}
	s->state = SLOT_LIVE;
	s->pod_limit = pod_limit;
	s->seen = true;
	return (int)(s - pool->slots);
}

void slots_retire(struct slot_pool *pool, int ifindex)
{
	struct slot *s = find(pool, ifindex);

	if (s && s->state == SLOT_LIVE) {
		s->state = SLOT_RETIRED;
		s->pod_limit = 0;
		s->path_limit = 0;
		s->retired = ++pool->retirements;
	}
}

unsigned int slots_pod_limit_min(const struct slot_pool *pool)
{
	unsigned int i, min = UINT32_MAX;

	for (i = 0; i < pool->used; i++) {
		const struct slot *s = &pool->slots[i];

		if (s->state == SLOT_LIVE && s->pod_limit && s->pod_limit < min)
			min = s->pod_limit;
	}
	return min;
}

void slots_set_path_limit(struct slot_pool *pool, int slot, unsigned int path_limit)
{
	if (slot >= 0 && (unsigned int)slot < pool->used)
		pool->slots[slot].path_limit = path_limit;
}

unsigned int slots_limit_min(const struct slot_pool *pool)
{
	unsigned int i, min = slots_pod_limit_min(pool);

	for (i = 0; i < pool->used; i++) {
		const struct slot *s = &pool->slots[i];

		if (s->state == SLOT_LIVE && s->path_limit && s->path_limit < min)
			min = s->path_limit;
	}
	return min;
}

void slots_sweep_begin(struct slot_pool *pool)
{
	unsigned int i;

	for (i = 0; i < pool->used; i++)
		pool->slots[i].seen = false;
}

void slots_sweep_end(struct slot_pool *pool, void (*retired)(int ifindex, void *ctx), void *ctx)
{
	unsigned int i;

	for (i = 0; i < pool->used; i++) {
		if (pool->slots[i].state != SLOT_LIVE || pool->slots[i].seen)
			continue;
		slots_retire(pool, pool->slots[i].ifindex);
		if (retired)
			retired(pool->slots[i].ifindex, ctx);
	}
}

void slots_seed(struct slot_pool *pool, unsigned int slot, int ifindex, bool live,
		unsigned int pod_limit)
{
	struct slot *s;

	if (slot >= MG_MAX_IFACES)
		return;
	s = &pool->slots[slot];
	s->ifindex = ifindex;
	s->state = live ? SLOT_LIVE : SLOT_RETIRED;
	s->pod_limit = live ? pod_limit : 0;
	s->path_limit = 0; /* set when the Pod is configured again */
	s->retired = live ? 0 : ++pool->retirements;
	s->seen = false;
	/* The earlier watch handed slots out in order, so those below are
	 * seeded too (takeover.c). */
	if (slot >= pool->used)
		pool->used = slot + 1;
}
