// SPDX-License-Identifier: MIT
/*
 * virtio-mem request decoding and response encoding. Called by the
 * virtio-mem queue handler (main loop, device-model lock held) and by the
 * fuzzer; it only reads and writes the caller's buffers.
 */
#include "hw/virtio/vmem_request.h"

#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "util/compiler.h"

/* Field offsets in the request and the response (spec, checked in the .h). */
#define REQ_OFF_TYPE 0
#define REQ_OFF_ADDR 8
#define REQ_OFF_NB_BLOCKS 16
#define RESP_OFF_TYPE 0
#define RESP_OFF_STATE 8

static uint16_t get_le16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

enum vmem_violation vmem_request_parse(const void *buf, size_t len,
				       size_t resp_space,
				       struct vmem_request *req)
{
	const uint8_t *b = buf;

	memset(req, 0, sizeof(*req));
	if (len < VMEM_REQ_SIZE)
		return VMEM_VIOLATION_REQ_SIZE;

	req->type = get_le16(b + REQ_OFF_TYPE);
	req->addr = get_le64(b + REQ_OFF_ADDR);
	req->nb_blocks = get_le16(b + REQ_OFF_NB_BLOCKS);

	/* QEMU checks the response room before it looks at the type. */
	if (resp_space < VMEM_RESP_SIZE)
		return VMEM_VIOLATION_RESP_SIZE;
	if (req->type > VIRTIO_MEM_REQ_STATE)
		return VMEM_VIOLATION_TYPE;
	if (req->type == VIRTIO_MEM_REQ_UNPLUG_ALL) {
		/* The spec: ignore everything but the type. */
		req->addr = 0;
		req->nb_blocks = 0;
	}
	return VMEM_VIOLATION_NONE;
}

void vmem_response_build(uint8_t out[VMEM_RESP_SIZE], uint16_t type,
			 uint16_t state)
{
	memset(out, 0, VMEM_RESP_SIZE);
	put_le16(out + RESP_OFF_TYPE, type);
	put_le16(out + RESP_OFF_STATE, state);
}

int vmem_violation_format(char *buf, size_t size, enum vmem_violation v,
			  const struct vmem_request *req, size_t resp_space)
{
	static const char prefix[] = "virtio-mem protocol violation: ";

	switch (v) {
	case VMEM_VIOLATION_REQ_SIZE:
		return snprintf(buf, size, "%sinvalid request size: %d",
				prefix, VMEM_REQ_SIZE);
	case VMEM_VIOLATION_RESP_SIZE:
		return snprintf(buf, size,
				"%snot enough space for response: %zu",
				prefix, resp_space);
	case VMEM_VIOLATION_TYPE:
		return snprintf(buf, size, "%sunknown request type: %d",
				prefix, req ? req->type : 0);
	case VMEM_VIOLATION_NONE:
		break;
	}
	return snprintf(buf, size, "%s", "");
}

const char *vmem_request_type_name(uint16_t type)
{
	static const char *const names[] = {
		[VIRTIO_MEM_REQ_PLUG] = "PLUG",
		[VIRTIO_MEM_REQ_UNPLUG] = "UNPLUG",
		[VIRTIO_MEM_REQ_UNPLUG_ALL] = "UNPLUG_ALL",
		[VIRTIO_MEM_REQ_STATE] = "STATE",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}

const char *vmem_response_type_name(uint16_t type)
{
	static const char *const names[] = {
		[VIRTIO_MEM_RESP_ACK] = "ACK",
		[VIRTIO_MEM_RESP_NACK] = "NACK",
		[VIRTIO_MEM_RESP_BUSY] = "BUSY",
		[VIRTIO_MEM_RESP_ERROR] = "ERROR",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}
