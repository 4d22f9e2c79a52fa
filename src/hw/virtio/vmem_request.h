// SPDX-License-Identifier: MIT
/*
 * virtio-mem wire format: the 24-byte request the driver writes and the
 * 10-byte response the device returns (virtio 1.2 "Memory Device").
 * Pure byte-level code: the caller copies the request out of guest memory
 * first and copies the response back, so nothing here ever points into
 * guest memory. No locking: it touches only the caller's buffers.
 */
#ifndef FLEXVM_HW_VIRTIO_VMEM_REQUEST_H
#define FLEXVM_HW_VIRTIO_VMEM_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_mem.h>

/* Sizes fixed by the spec; Linux asserts the same at build time. */
#define VMEM_REQ_SIZE 24
#define VMEM_RESP_SIZE 10

_Static_assert(sizeof(struct virtio_mem_req) == VMEM_REQ_SIZE,
	       "virtio-mem request is 24 bytes");
_Static_assert(sizeof(struct virtio_mem_resp) == VMEM_RESP_SIZE,
	       "virtio-mem response is 10 bytes");
_Static_assert(offsetof(struct virtio_mem_req, u.plug.addr) == 8,
	       "request addr at offset 8");
_Static_assert(offsetof(struct virtio_mem_req, u.plug.nb_blocks) == 16,
	       "request nb_blocks at offset 16");
_Static_assert(offsetof(struct virtio_mem_resp, u.state.state) == 8,
	       "response state at offset 8");

/* A request decoded to host byte order; padding is dropped. */
struct vmem_request {
	uint16_t type;		/* VIRTIO_MEM_REQ_* */
	uint64_t addr;		/* gpa of the first block */
	uint16_t nb_blocks;	/* PLUG, UNPLUG, STATE */
};

/*
 * Guest protocol violations. QEMU answers them with virtio_error() (the
 * device enters DEVICE_NEEDS_RESET and the element is not completed) rather
 * than with a response, so they are kept apart from ACK/NACK/BUSY/ERROR.
 */
enum vmem_violation {
	VMEM_VIOLATION_NONE = 0,
	VMEM_VIOLATION_REQ_SIZE,	/* device-readable part < 24 bytes */
	VMEM_VIOLATION_RESP_SIZE,	/* device-writable part < 10 bytes */
	VMEM_VIOLATION_TYPE,		/* type is not PLUG..STATE */
};

/**
 * vmem_request_parse - decode a request in QEMU's order of checks.
 * @buf: the first min(@len, 24) device-readable bytes, already copied out
 *	of guest memory.
 * @len: total size of the device-readable descriptors.
 * @resp_space: total size of the device-writable descriptors.
 * @req: filled with the decoded fields whenever @len >= 24 (also for an
 *	unknown type, so its value can be reported); for UNPLUG_ALL, whose
 *	other fields the spec says to ignore, addr and nb_blocks are 0.
 *
 * Checks the request size, then the room for the response, then the type.
 * Padding and everything past byte 24 are ignored, as the spec requires.
 * Return: VMEM_VIOLATION_NONE, or the first violation found.
 */
enum vmem_violation vmem_request_parse(const void *buf, size_t len,
				       size_t resp_space,
				       struct vmem_request *req);

/**
 * vmem_response_build - encode a response (little endian, zero padding).
 * @out: VMEM_RESP_SIZE bytes.
 * @type: VIRTIO_MEM_RESP_*.
 * @state: VIRTIO_MEM_STATE_* for an acknowledged STATE request, else 0.
 */
void vmem_response_build(uint8_t out[VMEM_RESP_SIZE], uint16_t type,
			 uint16_t state);

/**
 * vmem_violation_format - QEMU's virtio_error() text for a violation, e.g.
 * "virtio-mem protocol violation: unknown request type: 7".
 * @v: the violation; VMEM_VIOLATION_NONE gives an empty string.
 * @req: the parsed request (its type is printed for VMEM_VIOLATION_TYPE).
 * @resp_space: printed for VMEM_VIOLATION_RESP_SIZE.
 *
 * As in QEMU, the request-size message prints the expected size (24), not
 * the size the driver gave.
 * Return: snprintf's result (the length the full text needs).
 */
int vmem_violation_format(char *buf, size_t size, enum vmem_violation v,
			  const struct vmem_request *req, size_t resp_space);

/* "PLUG", "UNPLUG", "UNPLUG_ALL", "STATE", or "?" (for logs and traces). */
const char *vmem_request_type_name(uint16_t type);
/* "ACK", "NACK", "BUSY", "ERROR", or "?". */
const char *vmem_response_type_name(uint16_t type);

#endif
