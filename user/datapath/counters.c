// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "datapath/counters.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/array.h"

/* Per-CPU map values come as one slot per possible CPU, each rounded up to
 * 8 bytes. */
static size_t percpu_stride(size_t value_size)
{
	return (value_size + 7) & ~(size_t)7;
}

static void *percpu_buffer(size_t value_size, int *ncpus)
{
	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus <= 0)
		return NULL;
	return calloc((size_t)*ncpus, percpu_stride(value_size));
}

static int row_cmp(const void *a, const void *b)
{
	const struct mg_counters *x = a, *y = b;

	if (x->id.ifindex != y->id.ifindex)
		return x->id.ifindex < y->id.ifindex ? -1 : 1;
	return (int)x->id.hook - (int)y->id.hook;
}

int counters_reset(int map_fd, unsigned int slot, int ifindex, const enum mg_hook *hooks,
		   int nhooks)
{
	size_t stride = percpu_stride(sizeof(struct mg_counters));
	__u32 first = mg_counter_index(slot, MG_HOOK_POD_INGRESS);
	int ncpus, cpu, h, err = 0;
	char *values;
	__u32 i;

	values = percpu_buffer(sizeof(struct mg_counters), &ncpus);
	if (!values)
		return -ENOMEM;
	for (i = first; i < first + MG_COUNTERS_PER_IFACE && !err; i++) {
		struct mg_counter_key id = {};

		for (h = 0; h < nhooks; h++) {
			if (mg_counter_index(slot, hooks[h]) == i)
				id = (struct mg_counter_key){ .ifindex = (__u32)ifindex,
							      .hook = hooks[h] };
		}
		/* Every CPU's copy: the programs add, userspace sums. */
		for (cpu = 0; cpu < ncpus; cpu++)
			((struct mg_counters *)(values + cpu * stride))->id = id;
		if (bpf_map_update_elem(map_fd, &i, values, BPF_ANY))
			err = -errno;
	}
	free(values);
	return err;
}

/* Sums the per-CPU copies in @values into @sum (id from the first). */
static void sum_cpus(const char *values, int ncpus, struct mg_counters *sum)
{
	size_t stride = percpu_stride(sizeof(struct mg_counters));
	int cpu, c;

	memset(sum, 0, sizeof(*sum));
	sum->id = ((const struct mg_counters *)(const void *)values)->id;
	for (cpu = 0; cpu < ncpus; cpu++) {
		const struct mg_counters *v = (const void *)(values + cpu * stride);

		for (c = 0; c < MG_CLASS_MAX; c++) {
			sum->packets[c] += v->packets[c];
			sum->bytes[c] += v->bytes[c];
		}
	}
}

/* Adds what the fast path counted of @row's interface and hook (fast.bpf.h)
 * to its "fits", when the interface owns its entry of mg_fast_counts. */
static int add_fast(int fast_fd, struct mg_counters *row)
{
	size_t stride = percpu_stride(sizeof(struct mg_fast_count));
	__u32 spot = row->id.ifindex % MG_MAX_IFACES, dir = mg_hook_dir(row->id.hook);
	int ncpus, cpu, err = 0;
	char *values;

	if (fast_fd < 0 || !row->id.ifindex)
		return 0;
	values = percpu_buffer(sizeof(struct mg_fast_count), &ncpus);
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fast_fd, &spot, values)) {
		err = -errno;
	} else if (((const struct mg_fast_count *)(const void *)values)->ifindex ==
		   row->id.ifindex) {
		for (cpu = 0; cpu < ncpus; cpu++) {
			const struct mg_fast_count *v = (const void *)(values + cpu * stride);

			row->packets[MG_CLASS_FITS] += v->packets[dir];
			row->bytes[MG_CLASS_FITS] += v->bytes[dir];
		}
	}
	free(values);
	return err;
}

int counters_fast_claim(int fast_fd, __u32 ifindex)
{
	size_t stride = percpu_stride(sizeof(struct mg_fast_count));
	__u32 spot = ifindex % MG_MAX_IFACES;
	int ncpus, cpu, err = 0;
	char *values;

	values = percpu_buffer(sizeof(struct mg_fast_count), &ncpus);
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fast_fd, &spot, values)) {
		err = -errno;
	} else if (((const struct mg_fast_count *)(const void *)values)->ifindex != ifindex) {
		/* A new owner starts from zero (the last one's counts were
		 * folded into its slot when it was forgotten). */
		memset(values, 0, (size_t)ncpus * stride);
		for (cpu = 0; cpu < ncpus; cpu++)
			((struct mg_fast_count *)(values + cpu * stride))->ifindex = ifindex;
		if (bpf_map_update_elem(fast_fd, &spot, values, BPF_ANY))
			err = -errno;
	}
	free(values);
	return err;
}

int counters_fast_release(int fast_fd, int counters_fd, __u32 ifindex, __u32 slot)
{
	size_t fstride = percpu_stride(sizeof(struct mg_fast_count));
	size_t cstride = percpu_stride(sizeof(struct mg_counters));
	__u32 spot = ifindex % MG_MAX_IFACES, dir;
	char *fast = NULL, *counters = NULL, *zero = NULL;
	int ncpus, cpu, err = 0;

	fast = percpu_buffer(sizeof(struct mg_fast_count), &ncpus);
	counters = percpu_buffer(sizeof(struct mg_counters), &ncpus);
	if (!fast || !counters) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_lookup_elem(fast_fd, &spot, fast)) {
		err = -errno;
		goto out;
	}
	if (((const struct mg_fast_count *)(const void *)fast)->ifindex != ifindex)
		goto out; /* not its entry: nothing counted there */
	/* Unowned and cleared first, so that the fast path stops counting
	 * into it; what it counted goes into the interface's own "fits", CPU
	 * by CPU. An interface being forgotten has (next to) no traffic left. */
	zero = percpu_buffer(sizeof(struct mg_fast_count), &ncpus);
	if (!zero || bpf_map_update_elem(fast_fd, &spot, zero, BPF_ANY)) {
		err = zero ? -errno : -ENOMEM;
		goto out;
	}
	for (dir = 0; dir < MG_DIR_MAX && counters_fd >= 0; dir++) {
		__u32 index = slot * MG_COUNTERS_PER_IFACE + dir;

		if (bpf_map_lookup_elem(counters_fd, &index, counters))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++) {
			const struct mg_fast_count *f = (const void *)(fast + cpu * fstride);
			struct mg_counters *c = (void *)(counters + cpu * cstride);

			c->packets[MG_CLASS_FITS] += f->packets[dir];
			c->bytes[MG_CLASS_FITS] += f->bytes[dir];
		}
		if (bpf_map_update_elem(counters_fd, &index, counters, BPF_ANY))
			err = -errno;
	}
out:
	free(fast);
	free(counters);
	free(zero);
	return err;
}

int counters_sum(int map_fd, int fast_fd, __u32 index, struct mg_counters *sum)
{
	int ncpus, err = 0;
	char *values;

	values = percpu_buffer(sizeof(struct mg_counters), &ncpus);
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &index, values))
		err = -errno;
	else
		sum_cpus(values, ncpus, sum);
	free(values);
	return err ? err : add_fast(fast_fd, sum);
}

int counters_read(int map_fd, int fast_fd, unsigned int entries, struct mg_counters **rows,
		  size_t *n)
{
	struct mg_counters *out = NULL;
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	size_t count = 0;
	int ncpus, err = 0;
	char *values;
	__u32 i;

	if (bpf_obj_get_info_by_fd(map_fd, &info, &info_len))
		return -errno;
	if (!entries || entries > info.max_entries)
		entries = info.max_entries;
	values = percpu_buffer(sizeof(struct mg_counters), &ncpus);
	if (!values)
		return -ENOMEM;
	for (i = 0; i < entries; i++) {
		const struct mg_counters *first = (const void *)values;
		struct mg_counters *row;

		if (bpf_map_lookup_elem(map_fd, &i, values) || !first->id.ifindex)
			continue; /* unused */
		row = ARRAY_PUSH(out, count);
		if (!row) {
			err = -ENOMEM;
			break;
		}
		sum_cpus(values, ncpus, row);
		err = add_fast(fast_fd, row);
		if (err)
			break;
	}
	free(values);
	if (err) {
		free(out);
		return err;
	}
	if (count)
		qsort(out, count, sizeof(*out), row_cmp);
	*rows = out;
	*n = count;
	return 0;
}

int assist_rows_read(int assist_fd, int counters_fd, struct assist_row **rows, size_t *n)
{
	size_t stride = percpu_stride(sizeof(struct mg_assist_counts));
	struct assist_row *out = NULL;
	size_t count = 0;
	int ncpus, cpu, err = 0;
	char *values;
	__u32 slot;

	values = percpu_buffer(sizeof(struct mg_assist_counts), &ncpus);
	if (!values)
		return -ENOMEM;
	for (slot = 0; slot < MG_MAX_IFACES; slot++) {
		struct mg_assist_counts sum = {};
		struct mg_counters owner;
		struct assist_row *row;

		if (bpf_map_lookup_elem(assist_fd, &slot, values))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++) {
			const struct mg_assist_counts *v = (const void *)(values + cpu * stride);

			sum.answered += v->answered;
			sum.rate_limited += v->rate_limited;
			sum.mss_clamped += v->mss_clamped;
		}
		if (!sum.answered && !sum.rate_limited && !sum.mss_clamped)
			continue;
		if (counters_sum(counters_fd, -1, mg_counter_index(slot, MG_HOOK_POD_INGRESS),
				 &owner) ||
		    !owner.id.ifindex)
			continue;
		row = ARRAY_PUSH(out, count);
		if (!row) {
			err = -ENOMEM;
			break;
		}
		row->ifindex = owner.id.ifindex;
		row->counts = sum;
	}
	free(values);
	if (err) {
		free(out);
		return err;
	}
	*rows = out;
	*n = count;
	return 0;
}

int stats_read(int map_fd, __u64 out[MG_STAT_MAX])
{
	__u64 *values;
	__u32 i;
	int ncpus, cpu;

	values = percpu_buffer(sizeof(__u64), &ncpus);
	if (!values)
		return -ENOMEM;
	for (i = 0; i < MG_STAT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(map_fd, &i, values))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			out[i] += values[cpu];
	}
	free(values);
	return 0;
}

int drops_read(int map_fd, __u32 ifindex, __u64 *total)
{
	__u64 *values;
	int ncpus, cpu, err = 0;

	values = percpu_buffer(sizeof(__u64), &ncpus);
	if (!values)
		return -ENOMEM;
	*total = 0;
	if (bpf_map_lookup_elem(map_fd, &ifindex, values))
		err = -errno;
	for (cpu = 0; cpu < ncpus && !err; cpu++)
		*total += values[cpu];
	free(values);
	return err;
}

int drops_rows(int map_fd, struct drop_row **rows, size_t *n)
{
	__u32 key, next, *prev = NULL;
	struct drop_row *out = NULL;
	size_t count = 0;

	while (!bpf_map_get_next_key(map_fd, prev, &next)) {
		struct drop_row *row;
		__u64 total;

		key = next;
		prev = &key;
		if (drops_read(map_fd, key, &total))
			continue;
		row = ARRAY_PUSH(out, count);
		if (!row) {
			free(out);
			return -ENOMEM;
		}
		if (!if_indextoname(key, row->iface))
			snprintf(row->iface, sizeof(row->iface), "ifindex %u", key);
		row->packets = total;
	}
	*rows = out;
	*n = count;
	return 0;
}

int flows_flush(int map_fd, flush_cb cb, void *ctx)
{
	struct mg_flow_key key, next, *prev = NULL;
	size_t stride = percpu_stride(sizeof(struct mg_flow_state));
	int ncpus, cpu;
	char *values;

	values = percpu_buffer(sizeof(struct mg_flow_state), &ncpus);
	if (!values)
		return -ENOMEM;
	while (!bpf_map_get_next_key(map_fd, prev, &next)) {
		const struct mg_flow_state *latest = NULL;
		struct mg_event ev;
		__u64 pending = 0;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(map_fd, &key, values))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++) {
			struct mg_flow_state *st = (void *)(values + cpu * stride);

			if (!st->pending)
				continue;
			pending += st->pending;
			if (!latest || st->last.ts_ns > latest->last.ts_ns)
				latest = st;
			st->pending = 0;
		}
		if (!pending)
			continue;
		ev = latest->last;
		ev.count = (__u32)pending;
		cb(&ev, ctx);
		/* Cleared, so a second flush (or a later stats) does not
		 * report these packets again. */
		bpf_map_update_elem(map_fd, &key, values, BPF_EXIST);
	}
	free(values);
	return 0;
}
