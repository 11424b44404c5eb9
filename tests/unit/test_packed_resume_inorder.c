/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 virtio-container authors
 */

/*
 * Where a device resumes on a packed ring with VIRTIO_F_IN_ORDER after its
 * backend died: devsim_vring_packed_scan_in_order() + _repair().  There a
 * device may write one used descriptor for a batch (at the batch's first
 * slot, with its last buffer's id) and leave the batch's other slots as the
 * driver wrote them, so the flags alone no longer tell where it was: the
 * driver publishes its read position in a resume word and the scan walks
 * from there.  A wrong answer loses or repeats frames, or desyncs the
 * driver, so every answer is checked against a model, never a hand guess.
 *
 * Model.  The driver adds buffers in ring order (id = slot), reads used
 * descriptors in order, possibly stopping inside a batch, and publishes
 * its word after each read.  The device uses buffers in order: one used
 * descriptor per batch, id then flags (DPDK vhost transmit, in-order), or
 * one per buffer as a burst whose first flags go last (DPDK vhost
 * receive).  Random interleavings for many seeds and sizes end in a kill,
 * possibly between two stores; the scan + repair must give the model
 * device's position; then a new device from the returned base and the
 * same driver drain the ring, each buffer used and freed exactly once and
 * the driver never meeting a used descriptor it does not expect.  The
 * driver may read and add between the caller's read of the word and the
 * scan: the word then changed (the caller scans again) or the answer is
 * still right.  Refused rings by hand, garbage by fuzzing.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <devsim/virtio_resume.h>
#include "vring_packed_scan.h"

#define A ((uint16_t)(1u << VRING_PACKED_DESC_F_AVAIL))
#define U ((uint16_t)(1u << VRING_PACKED_DESC_F_USED))
#define W ((uint16_t)VRING_DESC_F_WRITE)
#define NEXT ((uint16_t)VRING_DESC_F_NEXT)
#define NMAX 32768u

enum kind { TX_HEADS, TX_MIXED, RX_BURSTS, RX_CLEAN, RX_HEADS, KINDS };
static const char *const kind_name[] = {
	"tx heads", "tx heads+bursts", "rx bursts", "rx clean", "rx heads" };

enum pend { P_NONE, P_HEAD, P_BURST };

/* Buffers are counted from 0 (t); buffer t sits in slot t % n. */
struct sim {
	unsigned int n;
	enum kind kind;
	bool rx, heads, bursts, kill_mid;
	struct vring_packed_desc *d;
	/* driver: buffers added, buffers freed, end of the batch it is in */
	unsigned int drv, rd, bend;
	bool in_batch;
	uint16_t blast;
	uint32_t word;
	/* device: buffers used; half written when it died: pk buffers from
	 * ph, and for a burst the flags of pj after the first */
	unsigned int dev;
	enum pend pend;
	unsigned int ph, pk, pj;
	/* per slot: its buffer (-1u once freed), times a device used it */
	struct { unsigned int t, done; } *b;
};

static struct {
	unsigned long runs, scans, in_batch, half_tx, holes, refused, same, retry;
} st;
static uint64_t rng_state, seed_now;
static struct vring_packed_desc tmp[2][NMAX];

static void
rng_seed(uint64_t seed)
{
	seed_now = seed;
	rng_state = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
}

static unsigned int
rnd(unsigned int m)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return m ? (unsigned int)(rng_state % m) : 0;
}

static bool
lap(const struct sim *s, unsigned int t)
{
	return (t / s->n) % 2 == 0;
}

static uint16_t
fl(const struct vring_packed_desc *d, unsigned int slot)
{
	return le16toh(__atomic_load_n(&d[slot].flags, __ATOMIC_ACQUIRE));
}

/* Used in lap @l: AVAIL = USED = l; available: AVAIL = l, USED = !l. */
static bool
f_is(uint16_t f, bool l, bool used)
{
	return !!(f & A) == l && !!(f & U) == (used ? l : !l);
}

static void
dump(const struct sim *s, const struct vring_packed_desc *d, uint32_t word,
     const char *why)
{
	unsigned int i;

	print_error("FAIL: %s\n seed %llu, %s, n %u, word 0x%08x (pos %u wrap %d in_batch %d last %u)\n"
		    " model: drv %u rd %u dev %u pend %d h %u k %u j %u\n",
		    why, (unsigned long long)seed_now, kind_name[s->kind], s->n,
		    word, devsim_resume_pos(word), devsim_resume_wrap(word),
		    devsim_resume_in_batch(word), devsim_resume_batch_last(word),
		    s->drv, s->rd, s->dev, s->pend, s->ph, s->pk, s->pj);
	for (i = 0; i < s->n && i < 64; i++)
		print_error("  [%2u] %c%c%c%s id %u len %u\n", i,
			    fl(d, i) & A ? 'A' : '-', fl(d, i) & U ? 'U' : '-',
			    fl(d, i) & W ? 'W' : '-', fl(d, i) & NEXT ? " NEXT" : "",
			    le16toh(d[i].id), le32toh(d[i].len));
}

#define CHECK(s, d, word, cond, why) do {				\
		if (!(cond)) {						\
			dump((s), (d), (word), (why));			\
			fail_msg("%s", (why));				\
		}							\
	} while (0)

static void
sim_init(struct sim *s, unsigned int n, enum kind kind)
{
	*s = (struct sim){ .n = n, .kind = kind, .rx = kind >= RX_BURSTS,
			   .heads = kind <= TX_MIXED || kind == RX_HEADS,
			   .bursts = kind >= TX_MIXED && kind <= RX_CLEAN,
			   .kill_mid = kind != RX_CLEAN,
			   .word = devsim_resume_word(0, true, 0, false) };
	s->d = calloc(n, sizeof(*s->d));
	s->b = calloc(n, sizeof(*s->b));
	assert_true(s->d != NULL && s->b != NULL);
}

static void
sim_free(struct sim *s)
{
	free(s->d);
	free(s->b);
}

/* ---- the driver ------------------------------------------------------ */

static void
drv_add(struct sim *s, unsigned int k)
{
	for (; k > 0 && s->drv < s->rd + s->n; k--, s->drv++) {
		unsigned int slot = s->drv % s->n;
		struct vring_packed_desc *d = &s->d[slot];

		d->addr = htole64(0x10000 + (uint64_t)s->drv * 0x800);
		d->len = htole32(s->rx ? 2048 : 60);
		d->id = htole16((uint16_t)slot);
		__atomic_store_n(&d->flags, htole16((lap(s, s->drv) ? A : U) |
				 (s->rx ? W : 0)), __ATOMIC_RELEASE);
		s->b[slot].t = s->drv;
		s->b[slot].done = 0;
	}
}

/* Read up to @max buffers, as vc_ring_packed_dequeue_in_order() does. */
static unsigned int
drv_read(struct sim *s, unsigned int max)
{
	unsigned int got = 0, n = s->n;

	for (; got < max && s->rd < s->drv; got++) {
		unsigned int slot = s->rd % n, dist;
		uint16_t id;

		if (!s->in_batch) {
			if (!f_is(fl(s->d, slot), lap(s, s->rd), true))
				break;
			id = le16toh(s->d[slot].id);
			dist = (id + n - slot) % n;
			CHECK(s, s->d, s->word, id < n && dist < s->drv - s->rd,
			      "driver: used id outside the buffers it offered");
			s->in_batch = true;
			s->bend = s->rd + dist + 1;
			s->blast = id;
		}
		CHECK(s, s->d, s->word, s->b[slot].t == s->rd &&
		      s->b[slot].done == 1,
		      "driver: buffer freed twice or not used exactly once");
		s->b[slot].t = -1u;
		if (++s->rd == s->bend)
			s->in_batch = false;
	}
	s->word = devsim_resume_word((uint16_t)(s->rd % n), lap(s, s->rd),
				     s->blast, s->in_batch);
	return got;
}

/* ---- the device -------------------------------------------------------- */

/* Available buffers at the device's position, as the device sees them. */
static unsigned int
dev_avail(struct sim *s)
{
	unsigned int t;

	for (t = s->dev; t < s->dev + s->n; t++) {
		unsigned int slot = t % s->n;

		if (!f_is(fl(s->d, slot), lap(s, t), false))
			break;
		CHECK(s, s->d, s->word, t < s->drv && s->b[slot].t == t &&
		      s->b[slot].done == 0,
		      "device: a slot looks available that was not offered");
	}
	return t - s->dev;
}

/* Used flags of buffer @t, standing for @k buffers. */
static void
used(struct sim *s, unsigned int t, unsigned int k)
{
	__atomic_store_n(&s->d[t % s->n].flags,
			 htole16((lap(s, t) ? A | U : 0) | (s->rx ? W : 0)),
			 __ATOMIC_RELEASE);
	while (k-- > 0)
		s->b[t++ % s->n].done++;
}

/*
 * The device uses @k buffers: one used descriptor for all (@head: len and
 * id, then the flags), or one each (lens, then the flags of 2..k, then the
 * first).  @kill >= 0: it dies before the first flags, after those of
 * 2..kill+1 (a head: after its id).
 */
static void
dev_use(struct sim *s, unsigned int k, bool head, int kill)
{
	unsigned int n = s->n, i, j = head ? 0 : kill >= 0 ? (unsigned int)kill : k - 1;

	for (i = 0; i < (head ? 1 : k); i++)
		s->d[(s->dev + i) % n].len = htole32(s->rx ? 100 : 0);
	if (head)
		s->d[s->dev % n].id = s->d[(s->dev + k - 1) % n].id;
	for (i = 1; i <= j; i++)
		used(s, s->dev + i, 1);
	if (kill >= 0) {
		s->pend = head ? P_HEAD : P_BURST;
		s->ph = s->dev;
		s->pk = k;
		s->pj = j;
		return;
	}
	used(s, s->dev, head ? k : 1);
	s->dev += k;
}

/* The device uses some of what is available (@a if known). */
static void
dev_step(struct sim *s, bool kill, unsigned int a)
{
	unsigned int k;

	if (a == 0 && (a = dev_avail(s)) == 0)
		return;
	k = rnd(2) ? 1 + rnd(a < 3 ? a : 3) : 1 + rnd(a);
	dev_use(s, k, s->heads && (!s->bursts || rnd(2)), kill ? (int)rnd(k) : -1);
}

static void
step(struct sim *s)
{
	unsigned int r = rnd(3);

	if (r == 0)
		drv_add(s, 1 + rnd(s->n));
	else if (r == 1)
		dev_step(s, false, 0);
	else
		drv_read(s, rnd(2) ? 1 + rnd(2) : 1 + rnd(s->n + 1));
}

/* ---- scan, repair, check against the model ---------------------------- */

struct expect {
	int ret;
	unsigned int pos, hole_t, base;	/* buffer counts, not slots */
	bool hole;
};

static struct expect
expect(const struct sim *s)
{
	struct expect e = { .pos = s->dev, .base = s->dev };

	if (s->pend == P_HEAD && s->pk > 1) {
		/* The id is in place, the flags not: refused on receive. */
		e = (struct expect){ s->rx ? -EPROTO : 0, s->ph + s->pk, s->ph,
				     s->ph + s->pk, true };
	} else if (s->pend == P_BURST && s->pj > 0) {
		e = (struct expect){ 0, s->ph + 1 + s->pj, s->ph,
				     s->rx ? s->ph : s->ph + 1 + s->pj, true };
	}
	return e;
}

static void
sane(int ret, const struct devsim_packed_resume *r, unsigned int n)
{
	assert_true(ret == 0 || ret == -EINVAL || ret == -ENOTSUP ||
		    ret == -EPROTO);
	assert_true(ret != 0 || (r->pos < n && (!r->hole || r->hole_pos < n)));
}

/* Scan @d with @word; must be the model's answer.  Return: the result. */
static int
check_scan(struct sim *s, const struct vring_packed_desc *d, uint32_t word,
	   struct devsim_packed_resume *r)
{
	struct expect e = expect(s);
	unsigned int n = s->n;
	int ret;
	bool ok;

	ret = devsim_vring_packed_scan_in_order(d, n, word, r);
	st.scans++;
	st.in_batch += devsim_resume_in_batch(word);
	sane(ret, r, n);
	ok = ret == e.ret && (ret != 0 || (r->pos == e.pos % n &&
	     r->wrap == lap(s, e.pos) && r->hole == e.hole && (!e.hole ||
	     (r->hole_pos == e.hole_t % n && r->hole_wrap == lap(s, e.hole_t)))));
	if (!ok)
		print_error(" expected: ret %d pos %u wrap %d hole %d (slot %u wrap %d)\n"
			    " got:      ret %d pos %u wrap %d hole %d (slot %u wrap %d)\n",
			    e.ret, e.pos % n, lap(s, e.pos), e.hole,
			    e.hole_t % n, lap(s, e.hole_t), ret, r->pos,
			    r->wrap, r->hole, r->hole_pos, r->hole_wrap);
	CHECK(s, d, word, ok, "scan: not the model's answer");
	return ret;
}

/* The caller's scan + repair; then the model device takes the base. */
static int
check_resume(struct sim *s)
{
	struct vring_packed_desc *before = tmp[0];
	struct expect e = expect(s);
	struct devsim_packed_resume r;
	unsigned int n = s->n, i, h = s->ph % n;
	uint32_t base;

	if (check_scan(s, s->d, s->word, &r) != 0) {
		st.refused++;
		return -1;
	}
	memcpy(before, s->d, n * sizeof(*before));
	base = devsim_vring_packed_repair(s->d, n, &r);
	CHECK(s, s->d, s->word, base == DEVSIM_PACKED_BASE(e.base % n,
	      lap(s, e.base)), "repair: not the model's vring base");
	if (e.hole && !s->rx) {
		/* Completed as the device would have: same id, len 0. */
		CHECK(s, s->d, s->word, fl(s->d, h) == (lap(s, s->ph) ? A | U : 0)
		      && s->d[h].len == 0 && le16toh(s->d[h].id) ==
		      (s->pend == P_HEAD ? (s->ph + s->pk - 1) % n : h),
		      "repair: transmit hole not completed");
		before[h] = s->d[h];
		for (i = 0; i < (s->pend == P_HEAD ? s->pk : 1); i++)
			s->b[(s->ph + i) % n].done++;	/* the repair's */
		st.half_tx += s->pend == P_HEAD;
	}
	for (i = s->ph + 1; e.hole && s->rx && i <= s->ph + s->pj; i++) {
		/* Receive: the used slots after the hole offered again. */
		CHECK(s, s->d, s->word, fl(s->d, i % n) == ((lap(s, i) ? A : U) | W)
		      && le16toh(s->d[i % n].id) == i % n,
		      "repair: receive slot not offered again");
		before[i % n] = s->d[i % n];
		s->b[i % n].done--;
	}
	CHECK(s, s->d, s->word, !memcmp(before, s->d, n * sizeof(*before)),
	      "repair: wrote a slot the device does not own");
	st.holes += e.hole;
	s->dev = e.base;
	s->pend = P_NONE;
	return 0;
}

/*
 * The driver reads and adds after the caller read the word.  The scan
 * sees, per slot, the old descriptor, the new one, or a new id under the
 * old flags (it loads the flags first, with acquire; the driver stores
 * the id first and the flags with release).
 */
static void
concurrent(struct sim *s)
{
	struct vring_packed_desc *old = tmp[0], *mix = tmp[1];
	struct devsim_packed_resume r;
	uint32_t w1 = s->word;
	unsigned int i;

	memcpy(old, s->d, s->n * sizeof(*old));
	for (i = 1 + rnd(3); i > 0; i--)
		if (rnd(2))
			drv_add(s, 1 + rnd(s->n));
		else
			drv_read(s, 1 + rnd(s->n));
	for (i = 0; i < s->n; i++) {
		unsigned int c = rnd(3);

		mix[i] = c == 1 ? s->d[i] : old[i];
		if (c == 2)
			mix[i].id = s->d[i].id;
	}
	if (s->word == w1) {
		st.same++;
		check_scan(s, mix, w1, &r);
	} else {
		/* Stale: the caller scans again; this answer is dropped. */
		st.retry++;
		sane(devsim_vring_packed_scan_in_order(mix, s->n, w1, &r),
		     &r, s->n);
	}
}

/* A new device from the model's base and the driver use everything up. */
static void
drain(struct sim *s)
{
	while (s->rd < s->drv) {
		bool progress = false;
		unsigned int a;

		for (; (a = dev_avail(s)) > 0; progress = true)
			dev_step(s, false, a);
		progress |= drv_read(s, s->n + 1) > 0;
		CHECK(s, s->d, s->word, progress, "drain: stuck");
	}
}

static void
run(unsigned int n, enum kind kind, uint64_t seed)
{
	unsigned int deaths, i;
	struct sim s;

	rng_seed(seed);
	sim_init(&s, n, kind);
	st.runs++;
	for (deaths = 1 + rnd(3); deaths > 0; deaths--) {
		for (i = rnd(4 * n + 4); i > 0; i--)
			step(&s);
		if (s.kill_mid && rnd(2))
			dev_step(&s, true, 0);	/* dies in the middle */
		if (rnd(3) == 0)
			concurrent(&s);
		if (check_resume(&s) != 0)
			goto out;		/* refused, as it must be */
	}
	for (i = rnd(2 * n); i > 0; i--)
		step(&s);
	drain(&s);
out:
	sim_free(&s);
}

static void
test_random(void **state)
{
	static const unsigned int big[] = { 31, 64, 100, 256 };
	unsigned int n, k, seed, z;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (k = 0; k < KINDS; k++) {
		for (n = 1; n <= 16; n++)
			for (seed = 0; seed < 400; seed++)
				run(n, k, (uint64_t)n << 32 | k << 24 | seed);
		for (z = 0; z < 4; z++)
			for (seed = 0; seed < 40; seed++)
				run(big[z], k, (uint64_t)big[z] << 32 | k << 24 | seed);
	}
	print_message("runs %lu, scans %lu (in a batch %lu), half-written tx heads %lu, holes %lu, refused %lu, concurrent: same word %lu, changed %lu\n",
		      st.runs, st.scans, st.in_batch, st.half_tx, st.holes,
		      st.refused, st.same, st.retry);
	assert_true(st.in_batch > 1000 && st.half_tx > 1000 && st.holes > 1000);
	assert_true(st.refused > 1000 && st.same > 1000 && st.retry > 1000);
}

/* ---- named cases -------------------------------------------------------- */

/*
 * A ring built by @ops, a letter and a count each: aN the driver adds N,
 * rN reads up to N; hN the device writes one used descriptor for N
 * buffers, xN dies between its id and its flags; bN writes one per buffer,
 * bN/J dies after the flags of 2..J+1.
 */
static void
play(struct sim *s, const char *ops)
{
	char *p = (char *)ops;

	while (*p != '\0') {
		char op = *p++;
		unsigned int k = (unsigned int)strtoul(p, &p, 10);

		if (op == 'a')
			drv_add(s, k);
		else if (op == 'r')
			drv_read(s, k);
		else if (op == 'h' || op == 'x')
			dev_use(s, k, true, op == 'x' ? 0 : -1);
		else if (op == 'b')
			dev_use(s, k, false, *p == '/' ? (int)strtoul(p + 1, &p, 10) : -1);
	}
}

static int
scan(const struct sim *s, struct devsim_packed_resume *r)
{
	return devsim_vring_packed_scan_in_order(s->d, s->n, s->word, r);
}

/* The model's answer, and the numbers by hand; then repair and drain. */
static void
resume_case(unsigned int n, enum kind kind, const char *ops,
	    unsigned int pos, bool wrap, bool hole)
{
	struct devsim_packed_resume r;
	struct sim s;

	sim_init(&s, n, kind);
	play(&s, ops);
	assert_int_equal(scan(&s, &r), 0);
	assert_int_equal(r.pos, pos);
	assert_int_equal(r.wrap, wrap);
	assert_int_equal(r.hole, hole);
	assert_int_equal(check_resume(&s), 0);
	drain(&s);
	sim_free(&s);
}

static void
test_named(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 8, NMAX };
	unsigned int z;
	struct sim s;

	(void)state;
	rng_seed(1);
	for (z = 0; z < 4; z++) {		/* fresh ring, word 0x8000 */
		resume_case(sizes[z], TX_HEADS, "", 0, true, false);
		resume_case(sizes[z], RX_BURSTS, "a1", 0, true, false);
	}
	/* The whole ring as one batch, unread: the device a lap on. */
	resume_case(NMAX, TX_HEADS, "a32768 h32768", 0, false, false);
	/* Every batch read, none outstanding. */
	resume_case(8, TX_HEADS, "a8 h5 h3 r8 a4", 0, false, false);
	/* Unread batch heads after the driver's position. */
	resume_case(16, TX_HEADS, "a14 h3 h1 h4 h2", 10, true, false);
	resume_case(16, TX_HEADS, "a14 h3 h1 h4 r3", 8, true, false);
	/* The driver in the middle of a batch. */
	sim_init(&s, 16, TX_HEADS);
	play(&s, "a10 h6 h3 r2");
	assert_int_equal(s.word, devsim_resume_word(2, true, 5, true));
	sim_free(&s);
	resume_case(16, TX_HEADS, "a10 h6 h3 r2", 9, true, false);
	/* Batches across the end of the ring, read in part or not. */
	resume_case(8, TX_HEADS, "a8 h6 r8 a6 h5 r1", 3, false, false);
	resume_case(8, TX_HEADS, "a8 h7 r8 a7 h4", 3, false, false);
	/* Half-written transmit head: completed, resume after its batch. */
	resume_case(8, TX_HEADS, "a8 h2 x4", 6, true, true);
	resume_case(8, TX_HEADS, "a8 h6 r3 a3 x4", 2, false, true);
	/* ... of a batch of one: nothing to tell, the device redoes it. */
	resume_case(8, TX_HEADS, "a8 h1 x1", 1, true, false);
	/* Per-buffer burst, first flags missing: receive resumes at the
	 * hole (the scan reports after the burst), transmit completes it. */
	resume_case(8, RX_BURSTS, "a7 b2 b4/2 r8", 5, true, true);
	resume_case(8, RX_BURSTS, "a7 b4/0", 0, true, false);
	resume_case(8, TX_MIXED, "a8 h6 r8 a4 b4/3", 2, false, true);
}

/*
 * A burst hole whose used run ends exactly one lap after the driver's
 * position: every outstanding buffer used, e.g. a receive ring the driver
 * keeps full and the device caught up with.
 */
static void
test_hole_full_ring(void **state)
{
	(void)state;
	rng_seed(2);
	resume_case(8, RX_BURSTS, "a8 b5 b3/2", 0, false, true);
	resume_case(8, RX_BURSTS, "a8 b3 r3 a3 b5 b3/2", 3, false, true);
	resume_case(8, TX_MIXED, "a8 b8/7", 0, false, true);
	resume_case(2, TX_MIXED, "a2 b2/1", 0, false, true);
}

static void
test_refused(void **state)
{
	struct devsim_packed_resume r;
	struct sim s;

	(void)state;
	/* A chain where the device is, or on an unread used head. */
	sim_init(&s, 8, TX_HEADS);
	play(&s, "a4 h2");
	s.d[2].flags |= htole16(NEXT);
	assert_int_equal(scan(&s, &r), -ENOTSUP);
	s.d[2].flags ^= htole16(NEXT);
	s.d[0].flags |= htole16(NEXT);
	assert_int_equal(scan(&s, &r), -ENOTSUP);
	s.d[0].flags ^= htole16(NEXT);
	assert_int_equal(scan(&s, &r), 0);
	/* Inside a batch whose last id no available slot holds. */
	s.word = devsim_resume_word(1, true, 6, true);
	assert_int_equal(scan(&s, &r), -EPROTO);
	sim_free(&s);
	/* Receive, half-written batch head: the buffer's own id is lost. */
	sim_init(&s, 8, RX_HEADS);
	play(&s, "a6 h1 x3");
	assert_int_equal(scan(&s, &r), -EPROTO);
	sim_free(&s);
	/* The contract: a used descriptor the driver has not reached that is
	 * neither a batch nor after a hole (two unwritten slots before it). */
	sim_init(&s, 8, RX_BURSTS);
	play(&s, "a6");
	s.d[2].flags = htole16(A | U | W);
	assert_int_equal(scan(&s, &r), -EPROTO);
	sim_free(&s);
}

static void
test_bad_args(void **state)
{
	static const struct { unsigned int n; uint32_t w; } bad[] = {
		{ 0, 0x8000 }, { NMAX + 1, 0x8000 }, { 8, 0x8008 }, { 8, 0x7fff },
	};
	struct vring_packed_desc d[8] = { 0 };
	struct devsim_packed_resume r;
	unsigned int i;
	int ret;

	(void)state;
	assert_int_equal(devsim_vring_packed_scan_in_order(NULL, 8, 0x8000, &r), -EINVAL);
	assert_int_equal(devsim_vring_packed_scan_in_order(d, 8, 0x8000, NULL), -EINVAL);
	for (i = 0; i < 4; i++)
		assert_int_equal(devsim_vring_packed_scan_in_order(d, bad[i].n,
				 bad[i].w, &r), -EINVAL);
	/* A batch's last id outside the ring: a bad word either way. */
	ret = devsim_vring_packed_scan_in_order(d, 8,
			devsim_resume_word(0, true, 9, true), &r);
	assert_true(ret == -EINVAL || ret == -EPROTO);
}

/*
 * Garbage: random rings and words, and model rings with a few bits or ids
 * broken.  Any answer but a crash, a write, or a position out of the ring.
 */
static void
test_garbage(void **state)
{
	static const unsigned int sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 64, 256 };
	struct vring_packed_desc *d = tmp[0], *c = tmp[1];
	struct devsim_packed_resume r;
	unsigned int it, i, n;
	struct sim s;
	uint32_t w;
	int ret;

	(void)state;
	rng_seed(42);
	for (it = 0; it < 300000; it++) {
		n = sizes[rnd(12)];
		if (it % 4 == 0) {		/* a model ring, broken */
			sim_init(&s, n, (enum kind)rnd(KINDS));
			for (i = rnd(4 * n + 4); i > 0; i--)
				step(&s);
			if (rnd(2))
				dev_step(&s, true, 0);
			memcpy(d, s.d, n * sizeof(*d));
			w = rnd(4) ? s.word : s.word ^ 1u << rnd(32);
			sim_free(&s);
			for (i = 1 + rnd(3); i > 0; i--)
				if (rnd(2))
					d[rnd(n)].flags ^= htole16((uint16_t)(1u << rnd(16)));
				else
					d[rnd(n)].id = htole16((uint16_t)(rnd(3) ? rnd(n) : rnd(65536)));
		} else {
			for (i = 0; i < n; i++) {
				d[i].flags = htole16(rnd(4) ? (rnd(2) ? A : 0) |
					(rnd(2) ? U : 0) | (rnd(3) ? 0 : W) |
					(rnd(40) ? 0 : NEXT) : rnd(65536));
				d[i].id = htole16(rnd(8) ? rnd(n) : rnd(65536));
			}
			w = devsim_resume_word(rnd(8) ? rnd(n) : rnd(32768), rnd(2),
					       rnd(8) ? rnd(n) : rnd(32768), rnd(3) == 0);
		}
		memcpy(c, d, n * sizeof(*d));
		ret = devsim_vring_packed_scan_in_order(d, n, w, &r);
		sane(ret, &r, n);
		assert_memory_equal(c, d, n * sizeof(*d));
		if (devsim_resume_pos(w) >= n)
			assert_int_equal(ret, -EINVAL);
		if (ret == 0)
			assert_true((devsim_vring_packed_repair(c, n, &r) & ~0x8000u) < n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_hole_full_ring),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
