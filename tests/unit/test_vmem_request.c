// SPDX-License-Identifier: MIT
/*
 * vmem_request: decoding of the 24-byte virtio-mem request (little endian,
 * padding ignored, QEMU's order of protocol checks: request size, response
 * room, type), the exact bytes of the 10-byte response, and QEMU's
 * virtio_error texts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hw/virtio/vmem_request.h"

#define U(f) cmocka_unit_test(f)

/* A request as the guest lays it out, with chosen padding bytes. */
static void make_req(uint8_t b[32], uint16_t type, uint64_t addr,
		     uint16_t nb, uint8_t pad)
{
	memset(b, pad, 32);
	b[0] = type & 0xff;
	b[1] = type >> 8;
	for (int i = 0; i < 8; i++)
		b[8 + i] = (uint8_t)(addr >> (8 * i));
	b[16] = nb & 0xff;
	b[17] = nb >> 8;
}

static void test_vmem_request_parse_plug_fields_decoded(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, VIRTIO_MEM_REQ_PLUG, 0x0000000140200000ULL, 0x1234, 0);

	assert_int_equal(vmem_request_parse(b, 24, 10, &req),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(req.type, VIRTIO_MEM_REQ_PLUG);
	assert_int_equal(req.addr, 0x0000000140200000ULL);
	assert_int_equal(req.nb_blocks, 0x1234);
}

static void test_vmem_request_parse_little_endian_byte_order(void **state)
{
	const uint8_t b[24] = {
		0x03, 0x00, 0, 0, 0, 0, 0, 0,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x34, 0x12, 0, 0, 0, 0, 0, 0,
	};
	struct vmem_request req;

	(void)state;
	assert_int_equal(vmem_request_parse(b, sizeof(b), 10, &req),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(req.type, VIRTIO_MEM_REQ_STATE);
	assert_int_equal(req.addr, 0x0807060504030201ULL);
	assert_int_equal(req.nb_blocks, 0x1234);
}

static void test_vmem_request_parse_short_buffers_req_size(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, VIRTIO_MEM_REQ_PLUG, 0x100000000ULL, 1, 0);
	for (size_t len = 0; len < VMEM_REQ_SIZE; len++)
		assert_int_equal(vmem_request_parse(b, len, 10, &req),
				 VMEM_VIOLATION_REQ_SIZE);
}

static void test_vmem_request_parse_longer_buffer_tail_ignored(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, VIRTIO_MEM_REQ_UNPLUG, 0x200000ULL, 7, 0xee);

	assert_int_equal(vmem_request_parse(b, 4096, 10, &req),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(req.type, VIRTIO_MEM_REQ_UNPLUG);
	assert_int_equal(req.addr, 0x200000ULL);
	assert_int_equal(req.nb_blocks, 7);
}

static void test_vmem_request_parse_padding_ignored(void **state)
{
	uint8_t zero[32], ones[32];
	struct vmem_request a, b;

	(void)state;
	make_req(zero, VIRTIO_MEM_REQ_PLUG, 0x40000000ULL, 3, 0x00);
	make_req(ones, VIRTIO_MEM_REQ_PLUG, 0x40000000ULL, 3, 0xff);

	assert_int_equal(vmem_request_parse(zero, 24, 10, &a),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(vmem_request_parse(ones, 24, 10, &b),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(b.type, a.type);
	assert_int_equal(b.addr, a.addr);
	assert_int_equal(b.nb_blocks, 3);
}

static void test_vmem_request_parse_unknown_type_violation(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, 4, 0, 1, 0);
	assert_int_equal(vmem_request_parse(b, 24, 10, &req),
			 VMEM_VIOLATION_TYPE);
	assert_int_equal(req.type, 4);

	make_req(b, 0xffff, 0, 1, 0);
	assert_int_equal(vmem_request_parse(b, 24, 10, &req),
			 VMEM_VIOLATION_TYPE);
	assert_int_equal(req.type, 0xffff);
}

static void test_vmem_request_parse_no_room_resp_size(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, VIRTIO_MEM_REQ_STATE, 0, 1, 0);
	assert_int_equal(vmem_request_parse(b, 24, 9, &req),
			 VMEM_VIOLATION_RESP_SIZE);
	assert_int_equal(vmem_request_parse(b, 24, 0, &req),
			 VMEM_VIOLATION_RESP_SIZE);
}

static void test_vmem_request_parse_resp_checked_before_type(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, 9, 0, 1, 0);
	assert_int_equal(vmem_request_parse(b, 24, 2, &req),
			 VMEM_VIOLATION_RESP_SIZE);
}

static void test_vmem_request_parse_req_checked_before_resp(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, 9, 0, 1, 0);
	assert_int_equal(vmem_request_parse(b, 23, 0, &req),
			 VMEM_VIOLATION_REQ_SIZE);
}

static void test_vmem_request_parse_unplug_all_ignores_data(void **state)
{
	uint8_t b[32];
	struct vmem_request req;

	(void)state;
	make_req(b, VIRTIO_MEM_REQ_UNPLUG_ALL, 0xdeadbeef000ULL, 99, 0x5a);

	assert_int_equal(vmem_request_parse(b, 24, 10, &req),
			 VMEM_VIOLATION_NONE);
	assert_int_equal(req.type, VIRTIO_MEM_REQ_UNPLUG_ALL);
	assert_int_equal(req.addr, 0);
	assert_int_equal(req.nb_blocks, 0);
}

static void test_vmem_response_build_error_exact_bytes(void **state)
{
	uint8_t out[VMEM_RESP_SIZE];
	const uint8_t want[VMEM_RESP_SIZE] = { 3, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	(void)state;
	memset(out, 0xaa, sizeof(out));
	vmem_response_build(out, VIRTIO_MEM_RESP_ERROR, 0);
	assert_memory_equal(out, want, sizeof(want));
}

static void test_vmem_response_build_state_mixed_exact_bytes(void **state)
{
	uint8_t out[VMEM_RESP_SIZE];
	const uint8_t want[VMEM_RESP_SIZE] = { 0, 0, 0, 0, 0, 0, 0, 0, 2, 0 };

	(void)state;
	memset(out, 0xaa, sizeof(out));
	vmem_response_build(out, VIRTIO_MEM_RESP_ACK, VIRTIO_MEM_STATE_MIXED);
	assert_memory_equal(out, want, sizeof(want));
}

static void test_vmem_response_build_high_byte_little_endian(void **state)
{
	uint8_t out[VMEM_RESP_SIZE];
	const uint8_t want[VMEM_RESP_SIZE] = {
		0x02, 0x01, 0, 0, 0, 0, 0, 0, 0x04, 0x03
	};

	(void)state;
	vmem_response_build(out, 0x0102, 0x0304);
	assert_memory_equal(out, want, sizeof(want));
}

static void test_vmem_violation_format_req_size_qemu_text(void **state)
{
	char buf[128];

	(void)state;
	vmem_violation_format(buf, sizeof(buf), VMEM_VIOLATION_REQ_SIZE, NULL,
			      0);
	assert_string_equal(buf, "virtio-mem protocol violation: invalid "
			    "request size: 24");
}

static void test_vmem_violation_format_resp_size_qemu_text(void **state)
{
	char buf[128];

	(void)state;
	vmem_violation_format(buf, sizeof(buf), VMEM_VIOLATION_RESP_SIZE,
			      NULL, 4);
	assert_string_equal(buf, "virtio-mem protocol violation: not enough "
			    "space for response: 4");
}

static void test_vmem_violation_format_type_qemu_text(void **state)
{
	struct vmem_request req = { .type = 65535 };
	char buf[128];

	(void)state;
	vmem_violation_format(buf, sizeof(buf), VMEM_VIOLATION_TYPE, &req, 0);
	assert_string_equal(buf, "virtio-mem protocol violation: unknown "
			    "request type: 65535");
}

static void test_vmem_violation_format_none_empty(void **state)
{
	char buf[8] = "junk";

	(void)state;
	assert_int_equal(vmem_violation_format(buf, sizeof(buf),
					       VMEM_VIOLATION_NONE, NULL, 0),
			 0);
	assert_string_equal(buf, "");
}

static void test_vmem_type_names_known_and_unknown(void **state)
{
	(void)state;
	assert_string_equal(vmem_request_type_name(VIRTIO_MEM_REQ_PLUG),
			    "PLUG");
	assert_string_equal(vmem_request_type_name(VIRTIO_MEM_REQ_UNPLUG_ALL),
			    "UNPLUG_ALL");
	assert_string_equal(vmem_request_type_name(4), "?");
	assert_string_equal(vmem_response_type_name(VIRTIO_MEM_RESP_NACK),
			    "NACK");
	assert_string_equal(vmem_response_type_name(VIRTIO_MEM_RESP_ERROR),
			    "ERROR");
	assert_string_equal(vmem_response_type_name(4), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		U(test_vmem_request_parse_plug_fields_decoded),
		U(test_vmem_request_parse_little_endian_byte_order),
		U(test_vmem_request_parse_short_buffers_req_size),
		U(test_vmem_request_parse_longer_buffer_tail_ignored),
		U(test_vmem_request_parse_padding_ignored),
		U(test_vmem_request_parse_unknown_type_violation),
		U(test_vmem_request_parse_no_room_resp_size),
		U(test_vmem_request_parse_resp_checked_before_type),
		U(test_vmem_request_parse_req_checked_before_resp),
		U(test_vmem_request_parse_unplug_all_ignores_data),
		U(test_vmem_response_build_error_exact_bytes),
		U(test_vmem_response_build_state_mixed_exact_bytes),
		U(test_vmem_response_build_high_byte_little_endian),
		U(test_vmem_violation_format_req_size_qemu_text),
		U(test_vmem_violation_format_resp_size_qemu_text),
		U(test_vmem_violation_format_type_qemu_text),
		U(test_vmem_violation_format_none_empty),
		U(test_vmem_type_names_known_and_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
