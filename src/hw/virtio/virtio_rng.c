// SPDX-License-Identifier: MIT
/*
 * virtio-rng: fills the driver's writable buffers with getrandom(2)
 * bytes, within QEMU's max-bytes-per-period quota (a timerfd on the main
 * loop starts each period). Also the virtio-rng-pci -device glue.
 * Context: dm_lock held (queue handler, timer, machine build).
 */
#include "hw/virtio/virtio_rng.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "config/opts.h"
#include "core/event_loop.h"
#include "core/vm.h"
#include "hw/virtio/virtio_pci.h"
#include "monitor/qom.h"

static struct virtio_rng *to_rng(struct virtio_device *vdev)
{
	return container_of(vdev, struct virtio_rng, vdev);
}

static ssize_t virtio_rng_getrandom(void *buf, size_t len)
{
	return getrandom(buf, len, 0);
}

/* As QEMU: indirect descriptors and event idx are offered. */
static uint64_t virtio_rng_host_features(struct virtio_device *vdev)
{
	(void)vdev;
	return 1ULL << VIRTIO_RING_F_INDIRECT_DESC |
	       1ULL << VIRTIO_RING_F_EVENT_IDX;
}

static void virtio_rng_queue_notify(struct virtio_device *vdev, unsigned qidx)
{
	(void)qidx;
	virtio_rng_process(to_rng(vdev));
}

static const struct virtio_device_ops virtio_rng_ops = {
	.host_features = virtio_rng_host_features,
	.queue_notify = virtio_rng_queue_notify,
};

void virtio_rng_init(struct virtio_rng *rng, const struct guest_mem *gm,
		     uint64_t max_bytes, uint32_t period_ms)
{
	memset(rng, 0, sizeof(*rng));
	virtio_init(&rng->vdev, "virtio-rng", VIRTIO_ID_RNG, &virtio_rng_ops,
		    0, gm);
	(void)virtio_add_queue(&rng->vdev, VIRTIO_RNG_QUEUE_SIZE);
	rng->max_bytes = max_bytes;
	rng->period_ms = period_ms;
	rng->quota = max_bytes;
	rng->entropy = virtio_rng_getrandom;
	rng->rl = (struct ratelimit){ .burst = 1, .interval_ms = 10000 };
}

/*
 * Writes up to @want random bytes into the writable part of @elem.
 * Returns how many were written: fewer only if the entropy source fails.
 */
static uint32_t virtio_rng_fill(struct virtio_rng *rng,
				const struct virtqueue_elem *elem,
				uint32_t want)
{
	uint8_t buf[4096];
	uint32_t done = 0;
	ssize_t got;

	while (done < want) {
		got = rng->entropy(buf, MIN(sizeof(buf),
					    (size_t)(want - done)));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			log_ratelimited(&rng->rl, "virtio-rng: no entropy: %s",
					got ? strerror(errno) : "end of data");
			break;
		}
		/* Cannot fail: want <= the element's writable length. */
		if (virtqueue_elem_write(elem, done, buf, (size_t)got))
			break;
		done += (uint32_t)got;
	}
	explicit_bzero(buf, sizeof(buf));
	return done;
}

void virtio_rng_process(struct virtio_rng *rng)
{
	struct virtqueue_elem elem;
	bool pushed = false;
	uint32_t want, done;

	while (rng->quota && virtio_is_live(&rng->vdev)) {
		if (virtio_queue_pop(&rng->vdev, 0, &elem) <= 0)
			break;
		want = (uint32_t)MIN(MIN(elem.writable_len, rng->quota),
				     (uint64_t)VIRTIO_RNG_MAX_REQUEST);
		done = virtio_rng_fill(rng, &elem, want);
		if (virtio_queue_push(&rng->vdev, 0, &elem, done))
			break;
		rng->quota -= done;
		pushed = true;
	}
	if (pushed)
		virtio_notify(&rng->vdev, 0);
}

void virtio_rng_new_period(struct virtio_rng *rng)
{
	rng->quota = rng->max_bytes;
	virtio_rng_process(rng);
}

/* ---- virtio-rng-pci (-device) ---- */

struct virtio_rng_pci {
	struct virtio_pci vp;
	struct virtio_rng rng;
	struct event_timer *period_timer;	/* NULL: no rate limit */
	char *id;
	char *qom_path;
};

static const char *const virtio_rng_pci_props[] = {
	"driver", "id", "max-bytes", "period", NULL,
};

/* A keyval unsigned property, in QEMU's visitor wording. */
static int virtio_rng_parse_uint(const struct opts *o, const char *key,
				 uint64_t max, const char *type,
				 uint64_t *out, struct error *err)
{
	const char *s = opts_get(o, key);
	char *end;
	uint64_t v;

	if (!s)
		return 0;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (!*s || *end || errno) {
		error_setg(err, "Parameter '%s' expects integer", key);
		return -EINVAL;
	}
	if (v > max) {
		error_setg(err, "Parameter '%s' expects %s", key, type);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* QEMU's id_wellformed(): a letter, then letters, digits, '-', '.', '_'. */
static bool virtio_rng_id_ok(const char *id)
{
	if (!((*id >= 'a' && *id <= 'z') || (*id >= 'A' && *id <= 'Z')))
		return false;
	return id[strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			 "WXYZ0123456789-._")] == '\0';
}

/*
 * QEMU 7.2 applies -device properties in hash order, not command-line
 * order; flexvm checks id, then the typed values, then unknown names,
 * then the realize-time rules, which matches QEMU on the common cases.
 */
int virtio_rng_pci_parse(const struct opts *o, struct virtio_rng_pci_props *p,
			 struct error *err)
{
	const char *unknown = opts_find_unknown(o, virtio_rng_pci_props);
	uint64_t period = VIRTIO_RNG_DEFAULT_PERIOD_MS;
	int ret;

	*p = (struct virtio_rng_pci_props){
		.id = opts_get(o, "id"),
		.max_bytes = VIRTIO_RNG_DEFAULT_MAX_BYTES,
	};
	if (p->id && !virtio_rng_id_ok(p->id)) {
		error_setg(err, "Parameter 'id' expects an identifier");
		return -EINVAL;
	}
	ret = virtio_rng_parse_uint(o, "max-bytes", UINT64_MAX, "uint64",
				    &p->max_bytes, err);
	if (!ret)
		ret = virtio_rng_parse_uint(o, "period", UINT32_MAX,
					    "uint32_t", &period, err);
	if (ret)
		return ret;
	if (unknown) {
		error_setg(err, "Property 'virtio-rng-pci.%s' not found",
			   unknown);
		return -EINVAL;
	}
	p->period_ms = (uint32_t)period;
	/* QEMU's realize checks, in its order. */
	if (!p->period_ms) {
		error_setg(err, "'period' parameter expects a positive "
			   "integer");
		return -EINVAL;
	}
	if (p->max_bytes > (uint64_t)INT64_MAX) {
		error_setg(err, "'max-bytes' parameter must be non-negative, "
			   "and less than 2^63");
		return -EINVAL;
	}
	return 0;
}

/* Main loop, dm_lock held: a new rate-limit period starts. */
static void virtio_rng_pci_period(void *opaque)
{
	struct virtio_rng_pci *d = opaque;

	(void)event_loop_mod_timer(d->period_timer,
				   d->rng.period_ms * 1000000ULL);
	virtio_rng_new_period(&d->rng);
}

static int virtio_rng_pci_get_max_bytes(struct qom_object *obj, void *opaque,
					struct qom_value *out,
					struct error *err)
{
	(void)obj;
	(void)err;
	out->type = QOM_TYPE_UINT;
	out->u = ((struct virtio_rng_pci *)opaque)->rng.max_bytes;
	return 0;
}

static int virtio_rng_pci_get_period(struct qom_object *obj, void *opaque,
				     struct qom_value *out, struct error *err)
{
	(void)obj;
	(void)err;
	out->type = QOM_TYPE_UINT;
	out->u = ((struct virtio_rng_pci *)opaque)->rng.period_ms;
	return 0;
}

static int virtio_rng_pci_add_qom(struct virtio_rng_pci *d, struct error *err)
{
	const struct qom_prop props[] = {
		{ .name = "max-bytes", .type_name = "uint64",
		  .type = QOM_TYPE_UINT, .get = virtio_rng_pci_get_max_bytes,
		  .opaque = d },
		{ .name = "period", .type_name = "uint32",
		  .type = QOM_TYPE_UINT, .get = virtio_rng_pci_get_period,
		  .opaque = d },
	};

	if (!d->id)
		return 0;	/* QEMU's peripheral-anon: not modelled */
	if (asprintf(&d->qom_path, "/machine/peripheral/%s", d->id) < 0) {
		d->qom_path = NULL;
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	if (!qom_add(d->qom_path, "virtio-rng-pci", props, ARRAY_SIZE(props),
		     err))
		return -EEXIST;
	return 0;
}

static int virtio_rng_pci_start_timer(struct virtio_rng_pci *d,
				      struct event_loop *loop,
				      struct error *err)
{
	/* Unlimited by default: QEMU's timer would never matter then. */
	if (d->rng.max_bytes == VIRTIO_RNG_DEFAULT_MAX_BYTES)
		return 0;
	d->period_timer = event_loop_add_timer(loop, virtio_rng_pci_period,
					       d);
	if (!d->period_timer ||
	    event_loop_mod_timer(d->period_timer,
				 d->rng.period_ms * 1000000ULL)) {
		error_setg(err, "virtio-rng-pci: cannot create the rate-limit "
			   "timer");
		return -ENOMEM;
	}
	return 0;
}

int virtio_rng_pci_create(struct vm *vm, const struct opts *o, void **dev,
			  struct error *err)
{
	struct virtio_rng_pci_props p;
	struct virtio_pci_config cfg;
	struct virtio_rng_pci *d;
	int ret = virtio_rng_pci_parse(o, &p, err);

	if (ret)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d || (p.id && !(d->id = strdup(p.id)))) {
		free(d);
		error_setg(err, "out of memory");
		return -ENOMEM;
	}
	virtio_rng_init(&d->rng, &vm->gm, p.max_bytes, p.period_ms);
	cfg = (struct virtio_pci_config){
		.type_name = "virtio-rng-pci", .qdev_id = d->id,
		/* QEMU stores PCI_CLASS_OTHERS (0xff) as class/subclass, so
		 * query-pci shows class 255: base 0x00, subclass 0xff. */
		.class_code = 0x00ff00,
		.devfn = PCI_DEVFN_AUTO, .vectors = 2,	/* queues + 1 */
		.loop = vm->loop, .vm_fd = vm->vm_fd,
	};
	ret = virtio_pci_init(&d->vp, &d->rng.vdev, &cfg);
	if (ret)
		error_setg_errno(err, -ret, "virtio-rng-pci: cannot build the "
				 "PCI function");
	else
		ret = virtio_rng_pci_add_qom(d, err);
	if (ret)
		goto err_free;
	ret = virtio_pci_plug(&d->vp, &vm->pci, &cfg, err);
	if (ret)
		goto err_qom;
	/* The PCI bus refers to @d: virtio_rng_pci_destroy() frees it. */
	*dev = d;
	return virtio_rng_pci_start_timer(d, vm->loop, err);

err_qom:
	if (d->qom_path)
		qom_remove(d->qom_path);
err_free:
	free(d->qom_path);
	free(d->id);
	free(d);
	return ret;
}

void virtio_rng_pci_destroy(struct vm *vm, void *dev)
{
	struct virtio_rng_pci *d = dev;

	(void)vm;
	/* The QOM tree may be gone already (monitor_destroy). */
	virtio_pci_unplug(&d->vp);
	event_loop_del_timer(d->period_timer);
	free(d->qom_path);
	free(d->id);
	free(d);
}
