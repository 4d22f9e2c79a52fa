// SPDX-License-Identifier: MIT
/*
 * i8042 PS/2 controller: status and command port, the one-byte output
 * buffer, the configuration byte, the output port (CPU reset, A20), an
 * always-ready keyboard that answers the commands Linux's atkbd sends,
 * and an AUX port with no mouse behind it. vCPU threads call it with the
 * device-model lock held.
 */
#include "hw/i8042.h"

#include <string.h>

/* Status register (port 0x64, read). */
#define I8042_STR_OBF 0x01	/* output buffer full */
#define I8042_STR_SYSFLAG 0x04	/* copy of CTR bit 2 */
#define I8042_STR_CMDDAT 0x08	/* last write was a command */
#define I8042_STR_UNLOCKED 0x10	/* keyboard not inhibited by keylock */
#define I8042_STR_AUXDATA 0x20	/* the output byte is from the AUX side */
#define I8042_STR_TIMEOUT 0x40	/* the device did not answer */

/* Configuration byte (CTR). */
#define I8042_CTR_KBDINT 0x01
#define I8042_CTR_AUXINT 0x02
#define I8042_CTR_SYSFLAG 0x04
#define I8042_CTR_KBDDIS 0x10
#define I8042_CTR_AUXDIS 0x20
#define I8042_CTR_XLATE 0x40
#define I8042_CTR_RESET 0x65	/* XLATE | AUXDIS | SYSFLAG | KBDINT */

/* Output port: bit 0 drives the CPU reset line (active low). */
#define I8042_OUT_RESET 0x01
#define I8042_OUT_A20 0x02
#define I8042_OUT_RESET_VALUE 0xcf	/* idle lines high, A20 on */

/* Controller commands (port 0x64). */
#define I8042_CMD_READ_CTR 0x20
#define I8042_CMD_WRITE_CTR 0x60
#define I8042_CMD_AUX_DISABLE 0xa7
#define I8042_CMD_AUX_ENABLE 0xa8
#define I8042_CMD_AUX_TEST 0xa9
#define I8042_CMD_SELF_TEST 0xaa
#define I8042_CMD_KBD_TEST 0xab
#define I8042_CMD_KBD_DISABLE 0xad
#define I8042_CMD_KBD_ENABLE 0xae
#define I8042_CMD_READ_OUTPORT 0xd0
#define I8042_CMD_WRITE_OUTPORT 0xd1
#define I8042_CMD_KBD_LOOP 0xd2	/* next byte appears as keyboard data */
#define I8042_CMD_AUX_LOOP 0xd3	/* next byte appears as AUX data */
#define I8042_CMD_AUX_SEND 0xd4	/* next byte goes to the AUX device */
#define I8042_CMD_A20_OFF 0xdd
#define I8042_CMD_A20_ON 0xdf
#define I8042_CMD_PULSE 0xf0	/* 0xf0-0xff: pulse output bits 0-3 low */

#define I8042_RET_SELF_TEST 0x55
#define I8042_RET_TEST_OK 0x00

/* Keyboard commands and answers. */
#define KBD_CMD_SET_LEDS 0xed
#define KBD_CMD_ECHO 0xee
#define KBD_CMD_SCAN_SET 0xf0
#define KBD_CMD_GET_ID 0xf2
#define KBD_CMD_SET_REPEAT 0xf3
#define KBD_CMD_RESET 0xff
#define KBD_RET_ACK 0xfa
#define KBD_RET_BAT_OK 0xaa
#define KBD_RET_ERROR 0xfe	/* also the controller's "no answer" byte */
#define KBD_ID_FIRST 0xab
#define KBD_ID_SECOND 0x83	/* an MF2 keyboard ... */
#define KBD_ID_SECOND_XLATED 0x41	/* ... as translation delivers it */
#define KBD_SCAN_SET 0x02

static void i8042_update_irq(struct i8042 *k)
{
	bool kbd = k->obf && !k->out_aux && (k->ctr & I8042_CTR_KBDINT);
	bool aux = k->obf && k->out_aux && (k->ctr & I8042_CTR_AUXINT);

	if (kbd != k->irq_kbd) {
		k->irq_kbd = kbd;
		if (k->set_irq)
			k->set_irq(k->opaque, I8042_KBD_IRQ, kbd);
	}
	if (aux != k->irq_aux) {
		k->irq_aux = aux;
		if (k->set_irq)
			k->set_irq(k->opaque, I8042_AUX_IRQ, aux);
	}
}

/* The keyboard sends its next byte once the buffer is free and it may. */
static void i8042_refill(struct i8042 *k)
{
	if (k->obf || !k->kbd_count || (k->ctr & I8042_CTR_KBDDIS))
		return;
	k->out = k->kbd_queue[k->kbd_head];
	k->kbd_head = (k->kbd_head + 1) % I8042_KBD_QUEUE_SIZE;
	k->kbd_count--;
	k->obf = true;
	k->out_aux = false;
	k->out_timeout = false;
	k->out_from_kbd = true;
}

/* A full keyboard buffer drops the byte; only a flooding guest gets here. */
static void i8042_kbd_push(struct i8042 *k, uint8_t byte)
{
	if (k->kbd_count == I8042_KBD_QUEUE_SIZE)
		return;
	k->kbd_queue[(k->kbd_head + k->kbd_count) % I8042_KBD_QUEUE_SIZE] =
		byte;
	k->kbd_count++;
}

/*
 * A byte the controller itself produces. Its answers go ahead of the
 * keyboard's: a keyboard byte still unread in the buffer is handed back
 * to the keyboard, which sends it again later, so nothing is lost.
 */
static void i8042_output(struct i8042 *k, uint8_t byte, bool aux, bool timeout)
{
	if (k->obf && k->out_from_kbd &&
	    k->kbd_count < I8042_KBD_QUEUE_SIZE) {
		k->kbd_head = (k->kbd_head + I8042_KBD_QUEUE_SIZE - 1) %
			      I8042_KBD_QUEUE_SIZE;
		k->kbd_queue[k->kbd_head] = k->out;
		k->kbd_count++;
	}
	k->out = byte;
	k->obf = true;
	k->out_aux = aux;
	k->out_timeout = timeout;
	k->out_from_kbd = false;
	i8042_update_irq(k);
}

static void i8042_set_ctr(struct i8042 *k, uint8_t ctr)
{
	k->ctr = ctr;
	i8042_refill(k);
	i8042_update_irq(k);
}

static void i8042_write_outport(struct i8042 *k, uint8_t val)
{
	k->outport = val;
	if (!(val & I8042_OUT_RESET) && k->reset_request)
		k->reset_request(k->opaque);
}

/*
 * The keyboard: it acknowledges every command, answers RESET with its
 * self-test result and GET ID with an MF2 id (translated like the
 * controller would when CTR.XLATE is set, as atkbd expects), and takes
 * one parameter byte after SET LEDS, SCAN SET and SET REPEAT.
 */
static void i8042_kbd_command(struct i8042 *k, uint8_t byte)
{
	uint8_t cmd = k->kbd_pending;

	k->kbd_pending = 0;
	if (cmd) {
		i8042_kbd_push(k, KBD_RET_ACK);
		if (cmd == KBD_CMD_SCAN_SET && byte == 0)
			i8042_kbd_push(k, KBD_SCAN_SET);
		return;
	}
	switch (byte) {
	case KBD_CMD_RESET:
		k->kbd_count = 0;
		i8042_kbd_push(k, KBD_RET_ACK);
		i8042_kbd_push(k, KBD_RET_BAT_OK);
		break;
	case KBD_CMD_GET_ID:
		i8042_kbd_push(k, KBD_RET_ACK);
		i8042_kbd_push(k, KBD_ID_FIRST);
		i8042_kbd_push(k, (k->ctr & I8042_CTR_XLATE) ?
				  KBD_ID_SECOND_XLATED : KBD_ID_SECOND);
		break;
	case KBD_CMD_ECHO:
		i8042_kbd_push(k, KBD_CMD_ECHO);
		break;
	case KBD_CMD_SET_LEDS:
	case KBD_CMD_SCAN_SET:
	case KBD_CMD_SET_REPEAT:
		k->kbd_pending = byte;
		i8042_kbd_push(k, KBD_RET_ACK);
		break;
	default:
		i8042_kbd_push(k, KBD_RET_ACK);
		break;
	}
}

/* A data byte: the operand of a pending command, else for the keyboard. */
static void i8042_write_data(struct i8042 *k, uint8_t val)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case I8042_CMD_WRITE_CTR:
		i8042_set_ctr(k, val);
		break;
	case I8042_CMD_WRITE_OUTPORT:
		i8042_write_outport(k, val);
		break;
	case I8042_CMD_KBD_LOOP:
		i8042_output(k, val, false, false);
		break;
	case I8042_CMD_AUX_LOOP:
		i8042_output(k, val, true, false);
		break;
	case I8042_CMD_AUX_SEND:
		/* No mouse: report a timeout at once, not silence. */
		k->ctr &= ~I8042_CTR_AUXDIS;
		i8042_output(k, KBD_RET_ERROR, true, true);
		break;
	default:
		/* Writing to the keyboard enables its interface (QEMU too). */
		i8042_kbd_command(k, val);
		i8042_set_ctr(k, k->ctr & ~I8042_CTR_KBDDIS);
		break;
	}
}

/* Commands that only change a bit of the CTR or of the output port. */
static bool i8042_simple_command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case I8042_CMD_AUX_DISABLE:
		i8042_set_ctr(k, k->ctr | I8042_CTR_AUXDIS);
		return true;
	case I8042_CMD_AUX_ENABLE:
		i8042_set_ctr(k, k->ctr & ~I8042_CTR_AUXDIS);
		return true;
	case I8042_CMD_KBD_DISABLE:
		i8042_set_ctr(k, k->ctr | I8042_CTR_KBDDIS);
		return true;
	case I8042_CMD_KBD_ENABLE:
		i8042_set_ctr(k, k->ctr & ~I8042_CTR_KBDDIS);
		return true;
	case I8042_CMD_A20_OFF:
		k->outport &= ~I8042_OUT_A20;
		return true;
	case I8042_CMD_A20_ON:
		k->outport |= I8042_OUT_A20;
		return true;
	default:
		return false;
	}
}

static void i8042_write_command(struct i8042 *k, uint8_t cmd)
{
	k->pending = 0;
	if (i8042_simple_command(k, cmd))
		return;
	switch (cmd) {
	case I8042_CMD_READ_CTR:
		i8042_output(k, k->ctr, false, false);
		break;
	case I8042_CMD_AUX_TEST:
	case I8042_CMD_KBD_TEST:
		i8042_output(k, I8042_RET_TEST_OK, false, false);
		break;
	case I8042_CMD_SELF_TEST:
		k->ctr |= I8042_CTR_SYSFLAG;
		i8042_output(k, I8042_RET_SELF_TEST, false, false);
		break;
	case I8042_CMD_READ_OUTPORT:
		i8042_output(k, k->outport, false, false);
		break;
	case I8042_CMD_WRITE_CTR:
	case I8042_CMD_WRITE_OUTPORT:
	case I8042_CMD_KBD_LOOP:
	case I8042_CMD_AUX_LOOP:
	case I8042_CMD_AUX_SEND:
		k->pending = cmd;
		break;
	default:
		/* A pulse with bit 0 low is the classic reset (0xfe). */
		if ((cmd & 0xf0) == I8042_CMD_PULSE &&
		    !(cmd & I8042_OUT_RESET) && k->reset_request)
			k->reset_request(k->opaque);
		break;		/* other commands: ignored, as by QEMU */
	}
}

static uint8_t i8042_status(const struct i8042 *k)
{
	uint8_t st = I8042_STR_UNLOCKED;

	if (k->ctr & I8042_CTR_SYSFLAG)
		st |= I8042_STR_SYSFLAG;
	if (k->last_was_cmd)
		st |= I8042_STR_CMDDAT;
	if (k->obf)
		st |= I8042_STR_OBF;
	if (k->obf && k->out_aux)
		st |= I8042_STR_AUXDATA;
	if (k->obf && k->out_timeout)
		st |= I8042_STR_TIMEOUT;
	return st;
}

/*
 * Reading empties the buffer (an empty one returns its last byte again).
 * The interrupt is lowered before the next keyboard byte comes in, so an
 * edge-triggered IOAPIC pin sees a fresh edge for every byte.
 */
static uint8_t i8042_read_data(struct i8042 *k)
{
	uint8_t val = k->out;

	if (!k->obf)
		return val;
	k->obf = false;
	k->out_from_kbd = false;
	i8042_update_irq(k);
	i8042_refill(k);
	i8042_update_irq(k);
	return val;
}

uint8_t i8042_read(struct i8042 *k, uint16_t port)
{
	if (port == I8042_DATA_PORT)
		return i8042_read_data(k);
	if (port == I8042_COMMAND_PORT)
		return i8042_status(k);
	return 0xff;
}

void i8042_write(struct i8042 *k, uint16_t port, uint8_t val)
{
	if (port == I8042_DATA_PORT) {
		k->last_was_cmd = false;
		i8042_write_data(k, val);
	} else if (port == I8042_COMMAND_PORT) {
		k->last_was_cmd = true;
		i8042_write_command(k, val);
	}
}

void i8042_reset(struct i8042 *k)
{
	k->ctr = I8042_CTR_RESET;
	k->outport = I8042_OUT_RESET_VALUE;
	k->pending = 0;
	k->last_was_cmd = false;
	k->obf = false;
	k->out = 0;
	k->out_aux = false;
	k->out_timeout = false;
	k->out_from_kbd = false;
	k->kbd_head = 0;
	k->kbd_count = 0;
	k->kbd_pending = 0;
	i8042_update_irq(k);
}

void i8042_set_irq_handler(struct i8042 *k, i8042_set_irq_fn *set_irq)
{
	k->set_irq = set_irq;
}

/* Bus glue: two one-byte regions, so offset is 0 and size is 1. */
static uint64_t i8042_data_io_read(void *opaque, uint64_t offset,
				   unsigned size)
{
	(void)offset;
	(void)size;
	return i8042_read(opaque, I8042_DATA_PORT);
}

static void i8042_data_io_write(void *opaque, uint64_t offset, uint64_t value,
				unsigned size)
{
	(void)offset;
	(void)size;
	i8042_write(opaque, I8042_DATA_PORT, (uint8_t)value);
}

static uint64_t i8042_cmd_io_read(void *opaque, uint64_t offset, unsigned size)
{
	(void)offset;
	(void)size;
	return i8042_read(opaque, I8042_COMMAND_PORT);
}

static void i8042_cmd_io_write(void *opaque, uint64_t offset, uint64_t value,
			       unsigned size)
{
	(void)offset;
	(void)size;
	i8042_write(opaque, I8042_COMMAND_PORT, (uint8_t)value);
}

static const struct io_ops i8042_data_ops = {
	.read = i8042_data_io_read,
	.write = i8042_data_io_write,
};

static const struct io_ops i8042_cmd_ops = {
	.read = i8042_cmd_io_read,
	.write = i8042_cmd_io_write,
};

int i8042_init(struct i8042 *k, struct bus *pio, i8042_reset_fn *reset_request,
	       void *opaque)
{
	int ret;

	memset(k, 0, sizeof(*k));
	k->reset_request = reset_request;
	k->opaque = opaque;
	i8042_reset(k);
	ret = bus_add(pio, I8042_DATA_PORT, 1, &i8042_data_ops, k,
		      "i8042-data");
	if (ret)
		return ret;
	ret = bus_add(pio, I8042_COMMAND_PORT, 1, &i8042_cmd_ops, k,
		      "i8042-cmd");
	if (ret)
		bus_remove(pio, I8042_DATA_PORT);
	return ret;
}
