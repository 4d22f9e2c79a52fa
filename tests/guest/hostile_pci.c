// SPDX-License-Identifier: MIT
/*
 * Hostile attacks on PCI: the table of hostile_pci_attacks (the attacks
 * themselves are here for config space, and in hostile_bar.c,
 * hostile_msix.c and hostile_vpci.c), the helpers they share, and the
 * configuration-space attacks through 0xCF8/0xCFC: read-only fields,
 * command and status, every access width at every offset, the address
 * latch and functions that do not exist. What flexvm must answer is in
 * docs/pci.md. CPL3, BSP.
 */
#include "guest.h"
#include "cpu.h"
#include "hostile.h"
#include "hostile_pci.h"
#include "io.h"

#define CONF_ADDR 0xcf8
#define CONF_DATA 0xcfc
#define CONF_ENABLE 0x80000000u
#define MAX_FAIL_LINES 12
#define CMD_WRITABLE                                                       \
	(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |        \
	 PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE)

static const char *hp_attack;
static unsigned int hp_fails;

void hp_begin(const char *attack)
{
	hp_attack = attack;
	hp_fails = 0;
}

bool hp_check(bool ok, const char *fmt, ...)
{
	char line[200];
	va_list ap;

	if (ok)
		return true;
	if (hp_fails++ >= MAX_FAIL_LINES)
		return false;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fail("hostile: %s: %s", hp_attack, line);
	return false;
}

int hp_end(void)
{
	if (hp_fails > MAX_FAIL_LINES)
		fail("hostile: %s: %u more mismatches", hp_attack,
		     hp_fails - MAX_FAIL_LINES);
	return hp_fails ? -1 : 0;
}

struct pci_dev *hp_find(uint16_t virtio_id)
{
	struct pci_dev *d = virtio_pci_find(virtio_id, 0);

	if (!hp_check(d != NULL, "no virtio-pci function of type %u",
		      virtio_id))
		return NULL;
	if (!d->bars_sized)
		pci_size_bars(d);
	return d;
}

uint64_t hp_bar_get(const struct pci_dev *d, unsigned int i)
{
	uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
	uint64_t a = pci_read32(d, reg) & PCI_BASE_ADDRESS_MEM_MASK;

	if (d->bar[i].type == PCI_BAR_MEM64)
		a |= (uint64_t)pci_read32(d, reg + 4) << 32;
	return a;
}

void hp_bar_set(const struct pci_dev *d, unsigned int i, uint64_t addr)
{
	uint8_t reg = PCI_BASE_ADDRESS_0 + 4 * i;

	pci_write32(d, reg, (uint32_t)addr);
	if (d->bar[i].type == PCI_BAR_MEM64)
		pci_write32(d, reg + 4, (uint32_t)(addr >> 32));
}

/* ---- the polled virtio-rng driver ---- */

int hp_rng_probe(struct hp_rng *r)
{
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	const char *why = "";

	memset(r, 0, sizeof(*r));
	if (!d)
		return -1;
	if (virtio_pci_probe(&r->vp, d, &why) ||
	    virtio_pci_negotiate(&r->vp, 0, &why)) {
		hp_check(false, "virtio-rng set-up: %s", why);
		return -1;
	}
	return 0;
}

int hp_rng_live(struct hp_rng *r, enum virtio_irq_mode mode, bool irq_off)
{
	const char *why = "";
	uint16_t vec;

	if (hp_rng_probe(r))
		return -1;
	if (virtio_irq_setup(&r->irq, &r->vp, mode, &why))
		goto failed;
	vec = virtio_irq_queue_vector(&r->irq, 0, mode != VIRTIO_IRQ_POLL);
	if (virtio_pci_setup_queue(&r->vp, &r->vq, 0, HP_RNG_QUEUE_SIZE, vec,
				   &why))
		goto failed;
	vq_set_no_interrupt(&r->vq, irq_off);
	virtio_pci_driver_ok(&r->vp);
	virtio_irq_start(&r->irq);
	return 0;
failed:
	hp_check(false, "virtio-rng set-up: %s", why);
	return -1;
}

int hp_rng_add(struct hp_rng *r)
{
	static unsigned int next;
	struct vq_buf b = {
		.addr = (uintptr_t)r->buf[next++ % HP_RNG_QUEUE_SIZE],
		.len = sizeof(r->buf[0]),
	};

	return vq_add(&r->vq, &b, 0, 1);
}

int hp_rng_wait(struct hp_rng *r, int head, uint64_t ms)
{
	const char *why = "";
	struct vq_used u;
	int ret = vq_poll(&r->vq, &u, tsc_deadline_ms(ms), &why);

	if (ret < 0) {
		hp_check(false, "virtio-rng used ring: %s", why);
		return -1;
	}
	if (ret == 1 && !hp_check(u.head == head && u.len > 0,
				  "completion of head %u (%u bytes), expected "
				  "head %d", u.head, u.len, head))
		return -1;
	return ret;
}

bool hp_rng_works(struct hp_rng *r)
{
	int head = hp_rng_add(r);

	if (!hp_check(head >= 0, "no free descriptor"))
		return false;
	vq_kick(&r->vq);
	return hp_check(hp_rng_wait(r, head, HP_REQUEST_MS) == 1,
			"a good virtio-rng request did not complete");
}

void hp_rng_down(struct hp_rng *r)
{
	if (r->vp.common.addr)
		hp_check(virtio_pci_reset(&r->vp) == 0,
			 "virtio-rng reset did not complete");
	virtio_irq_teardown(&r->irq);
	if (r->vq.desc)
		vq_release(&r->vq);
}

uint16_t hp_used_idx(const struct virtqueue *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
}

/* ---- configuration space ---- */

static uint32_t conf_addr(const struct pci_dev *d, uint8_t reg)
{
	return CONF_ENABLE | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
	       (uint32_t)d->fn << 8 | reg;
}

static void snapshot(const struct pci_dev *d, uint8_t cfg[256])
{
	for (unsigned int o = 0; o < 256; o += 4) {
		uint32_t v = pci_read32(d, (uint8_t)o);

		memcpy(&cfg[o], &v, 4);
	}
}

/*
 * Bytes the guest may write (docs/pci.md): command, status (W1C), cache
 * line, BARs, interrupt line, MSI-X enable/mask and the PCI_CFG window.
 */
static void writable_bytes(const struct pci_dev *d, bool w[256])
{
	uint8_t pos = 0;

	memset(w, 0, 256);
	for (unsigned int o = PCI_COMMAND; o < PCI_CLASS_REVISION; o++)
		w[o] = true;
	w[PCI_CACHE_LINE_SIZE] = w[PCI_INTERRUPT_LINE] = true;
	for (unsigned int o = PCI_BASE_ADDRESS_0; o < PCI_CARDBUS_CIS; o++)
		w[o] = true;
	pos = pci_find_cap(d, PCI_CAP_ID_MSIX, 0);
	if (pos)
		w[pos + PCI_MSIX_FLAGS + 1] = true;
	for (pos = 0; (pos = pci_find_cap(d, PCI_CAP_ID_VNDR, pos));) {
		if (pci_read8(d, pos + VIRTIO_PCI_CAP_CFG_TYPE) !=
		    VIRTIO_PCI_CAP_PCI_CFG)
			continue;
		w[pos + VIRTIO_PCI_CAP_BAR] = true;
		for (unsigned int o = 8; o < 20; o++)
			w[pos + o] = true;
	}
}

static bool all_readonly(const bool w[256], unsigned int o, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (w[o + i])
			return false;
	}
	return true;
}

/* Inverts every read-only byte with byte, word and dword writes. */
static void write_readonly(const struct pci_dev *d, const uint8_t *cfg,
			   const bool *w)
{
	for (unsigned int n = 1; n <= 4; n *= 2) {
		for (unsigned int o = 0; o < 256; o += n) {
			uint32_t v = 0;

			if (!all_readonly(w, o, n))
				continue;
			memcpy(&v, &cfg[o], 4 < 256 - o ? 4 : 256 - o);
			v = ~v;
			if (n == 1)
				pci_write8(d, (uint8_t)o, (uint8_t)v);
			else if (n == 2)
				pci_write16(d, (uint8_t)o, (uint16_t)v);
			else
				pci_write32(d, (uint8_t)o, v);
		}
	}
}

int hp_cfg_readonly_header(void)
{
	static uint8_t before[256], after[256];
	static bool w[256];
	struct pci_dev *d;

	hp_begin("cfg-readonly-header");
	for (unsigned int k = 0; (d = pci_dev_at(k)); k++) {
		unsigned int ro = 0;

		writable_bytes(d, w);
		snapshot(d, before);
		write_readonly(d, before, w);
		snapshot(d, after);
		for (unsigned int o = 0; o < 256; o++) {
			if (w[o])
				continue;
			ro++;
			hp_check(after[o] == before[o], "%02x:%02x.%x config "
				 "byte 0x%02x changed from 0x%02x to 0x%02x",
				 d->bus, d->dev, d->fn, o, before[o],
				 after[o]);
		}
		printf("hostile: %02x:%02x.%x: %u read-only config bytes "
		       "written at widths 1, 2 and 4\n", d->bus, d->dev,
		       d->fn, ro);
	}
	return hp_end();
}

int hp_cfg_command_status(void)
{
	static struct hp_rng r;
	struct pci_dev *d;
	uint16_t cmd, st;

	hp_begin("cfg-command-status");
	if (hp_rng_probe(&r))
		return hp_end();
	d = r.vp.pci;
	cmd = pci_read16(d, PCI_COMMAND);
	st = pci_read16(d, PCI_STATUS);
	hp_check(st & PCI_STATUS_CAP_LIST, "status 0x%04x lacks the "
		 "capability list bit", st);
	pci_write16(d, PCI_COMMAND, 0xffff);
	hp_check(pci_read16(d, PCI_COMMAND) == CMD_WRITABLE, "command after "
		 "0xffff reads 0x%04x, expected 0x%04x",
		 pci_read16(d, PCI_COMMAND), CMD_WRITABLE);
	pci_write16(d, PCI_COMMAND, 0);
	hp_check(pci_read16(d, PCI_COMMAND) == 0, "command after 0 reads "
		 "0x%04x", pci_read16(d, PCI_COMMAND));
	hp_check(mmio_read16(r.vp.common.addr + HP_CC(NUMQ)) == 0xffff,
		 "BAR 4 still answers with memory decoding off");
	/* One dword over command and status: all ones into status is W1C. */
	pci_write32(d, PCI_COMMAND, 0xffff0000u | cmd);
	hp_check(pci_read16(d, PCI_COMMAND) == cmd, "command after a dword "
		 "write reads 0x%04x, expected 0x%04x",
		 pci_read16(d, PCI_COMMAND), cmd);
	pci_write8(d, PCI_COMMAND + 1, 0xff);
	hp_check(pci_read16(d, PCI_COMMAND) ==
			 (cmd | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE),
		 "command high byte write reads 0x%04x",
		 pci_read16(d, PCI_COMMAND));
	pci_write8(d, PCI_STATUS, 0xff);
	pci_write8(d, PCI_STATUS + 1, 0xff);
	pci_write16(d, PCI_STATUS, 0xffff);
	hp_check(pci_read16(d, PCI_STATUS) == st, "status 0x%04x became "
		 "0x%04x after all-ones writes", st, pci_read16(d, PCI_STATUS));
	pci_write16(d, PCI_COMMAND, cmd);
	hp_check(mmio_read16(r.vp.common.addr + HP_CC(NUMQ)) == 1,
		 "BAR 4 does not answer after the command is restored");
	hp_rng_down(&r);
	return hp_end();
}

/* Reads through the data ports with the latch set to @reg. */
static uint32_t port_read(const struct pci_dev *d, uint8_t reg, uint16_t port,
			  unsigned int size)
{
	outl(CONF_ADDR, conf_addr(d, reg));
	if (size == 1)
		return inb(port);
	return size == 2 ? inw(port) : inl(port);
}

static void port_write(const struct pci_dev *d, uint8_t reg, uint16_t port,
		       unsigned int size, uint32_t val)
{
	outl(CONF_ADDR, conf_addr(d, reg));
	if (size == 1)
		outb(port, (uint8_t)val);
	else if (size == 2)
		outw(port, (uint16_t)val);
	else
		outl(port, val);
}

/* Every lane and width of the data window against a dword snapshot. */
static void check_lanes(const struct pci_dev *d, const uint8_t *cfg)
{
	for (unsigned int o = 0; o < 256; o++) {
		uint8_t reg = (uint8_t)(o & 0xfc);
		uint16_t port = (uint16_t)(CONF_DATA + (o & 3));
		uint16_t w;

		hp_check(port_read(d, reg, port, 1) == cfg[o],
			 "byte at 0x%02x differs from its dword", o);
		memcpy(&w, &cfg[o & 0xfe], 2);
		if (!(o & 1))
			hp_check(port_read(d, reg, port, 2) == w,
				 "word at 0x%02x differs from its dword", o);
		else
			hp_check(port_read(d, reg, port, 2) == 0xffff,
				 "misaligned word at port 0x%x does not read "
				 "all ones", port);
		if (o & 3)
			hp_check(port_read(d, reg, port, 4) == 0xffffffffu,
				 "dword at port 0x%x does not read all ones",
				 port);
	}
}

int hp_cfg_access_widths(void)
{
	static uint8_t cfg[256];
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	uint16_t cmd;

	hp_begin("cfg-access-widths");
	if (!d)
		return hp_end();
	snapshot(d, cfg);
	check_lanes(d, cfg);
	/* Bits 1:0 of the latch are ignored. */
	outl(CONF_ADDR, conf_addr(d, PCI_VENDOR_ID) | 3);
	hp_check(inl(CONF_DATA) == pci_read32(d, PCI_VENDOR_ID),
		 "latch bits 1:0 were not ignored");
	hp_check(port_read(d, 0xfc, CONF_DATA, 4) == 0 &&
			 port_read(d, 0xfc, CONF_DATA + 3, 1) == 0,
		 "the last dword of config space is not 0");
	/* Misaligned and straddling writes are dropped. */
	cmd = pci_read16(d, PCI_COMMAND);
	port_write(d, PCI_COMMAND, CONF_DATA + 1, 2, 0);
	port_write(d, PCI_COMMAND, CONF_DATA + 2, 4, 0);
	port_write(d, PCI_COMMAND, CONF_DATA + 3, 2, 0);
	port_write(d, PCI_COMMAND, CONF_DATA + 1, 4, 0);
	hp_check(pci_read16(d, PCI_COMMAND) == cmd, "a misaligned write "
		 "changed the command register to 0x%04x",
		 pci_read16(d, PCI_COMMAND));
	return hp_end();
}

int hp_cfg_latch_abuse(void)
{
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	uint32_t id, l;
	uint16_t cmd;

	hp_begin("cfg-latch-abuse");
	if (!d)
		return hp_end();
	id = pci_read32(d, PCI_VENDOR_ID);
	cmd = pci_read16(d, PCI_COMMAND);
	outl(CONF_ADDR, 0xffffffffu);
	hp_check(inl(CONF_ADDR) == 0xffffffffu, "the latch does not keep "
		 "all 32 bits");
	l = conf_addr(d, 0);
	outl(CONF_ADDR, l);
	outb(CONF_ADDR + 1, 0x55);
	outw(CONF_ADDR + 2, 0x1234);
	outb(CONF_ADDR + 3, 0x01);
	hp_check(inl(CONF_ADDR) == l, "byte/word writes changed the latch to "
		 "0x%08x", inl(CONF_ADDR));
	hp_check(inb(CONF_ADDR + 1) == (uint8_t)(l >> 8) &&
			 inw(CONF_ADDR + 2) == (uint16_t)(l >> 16),
		 "narrow latch reads are not its lanes");
	/* Enable bit clear, or AMD's extended register bits: no device. */
	for (int i = 0; i < 2; i++) {
		uint32_t a = i ? conf_addr(d, 0) | 0x0f000000u
			       : conf_addr(d, 0) & ~CONF_ENABLE;

		outl(CONF_ADDR, a);
		hp_check(inl(CONF_DATA) == 0xffffffffu, "latch 0x%08x reads "
			 "0x%08x, expected all ones", a, inl(CONF_DATA));
		outl(CONF_ADDR, a | PCI_COMMAND);
		outw(CONF_DATA, 0);
	}
	hp_check(pci_read16(d, PCI_COMMAND) == cmd, "a write through a dead "
		 "latch reached the command register");
	/* Reserved bits 30:28 are ignored, as by QEMU. */
	outl(CONF_ADDR, conf_addr(d, 0) | 0x70000000u);
	hp_check(inl(CONF_DATA) == id, "reserved latch bits 30:28 were not "
		 "ignored");
	outl(CONF_ADDR, 0);
	return hp_end();
}

static uint32_t raw_read(uint32_t bus, uint32_t dev, uint32_t fn,
			 uint8_t reg)
{
	outl(CONF_ADDR, CONF_ENABLE | bus << 16 | dev << 11 | fn << 8 | reg);
	return inl(CONF_DATA);
}

static void raw_write(uint32_t bus, uint32_t dev, uint32_t fn, uint8_t reg)
{
	outl(CONF_ADDR, CONF_ENABLE | bus << 16 | dev << 11 | fn << 8 | reg);
	outl(CONF_DATA, 0xffffffffu);
}

static bool present(uint32_t dev, uint32_t fn)
{
	const struct pci_dev *d;

	for (unsigned int k = 0; (d = pci_dev_at(k)); k++) {
		if (d->bus == 0 && d->dev == dev && d->fn == fn)
			return true;
	}
	return false;
}

int hp_cfg_absent_functions(void)
{
	static const uint32_t buses[] = { 1, 2, 0x80, 0xff };
	static uint8_t before[256], after[256];
	struct pci_dev *d = hp_find(VIRTIO_ID_RNG);
	unsigned int absent = 0;

	hp_begin("cfg-absent-functions");
	if (!d)
		return hp_end();
	snapshot(d, before);
	for (uint32_t dev = 0; dev < 32; dev++) {
		for (uint32_t fn = 0; fn < 8; fn++) {
			if (present(dev, fn))
				continue;
			absent++;
			hp_check(raw_read(0, dev, fn, 0) == 0xffffffffu,
				 "absent 00:%02x.%x does not read all ones",
				 dev, fn);
			raw_write(0, dev, fn, PCI_COMMAND);
			raw_write(0, dev, fn, PCI_BASE_ADDRESS_4);
		}
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(buses); i++) {
		for (uint8_t reg = 0; reg < 0x40; reg += 4) {
			hp_check(raw_read(buses[i], d->dev, 0, reg) ==
					 0xffffffffu,
				 "bus %u reads a device", buses[i]);
			raw_write(buses[i], d->dev, 0, reg);
		}
	}
	snapshot(d, after);
	hp_check(!memcmp(before, after, sizeof(before)), "writes to absent "
		 "functions changed 00:%02x.0's config space", d->dev);
	printf("hostile: %u absent functions on bus 0 and 4 absent buses "
	       "read all ones\n", absent);
	outl(CONF_ADDR, 0);
	return hp_end();
}

const struct hostile_attack hostile_pci_attacks[] = {
	{ "cfg-readonly-header", "invert every read-only config byte of "
	  "every function at widths 1, 2, 4", hp_cfg_readonly_header },
	{ "cfg-command-status", "all ones and zeros into command and status",
	  hp_cfg_command_status },
	{ "cfg-access-widths", "every width at every offset and lane of "
	  "0xCFC, misaligned and straddling", hp_cfg_access_widths },
	{ "cfg-latch-abuse", "0xCF8 with reserved, extended and enable bits "
	  "abused, narrow writes", hp_cfg_latch_abuse },
	{ "cfg-absent-functions", "read and write every absent function and "
	  "other buses", hp_cfg_absent_functions },
	{ "bar-over-ram", "BARs placed over guest RAM and at 0",
	  hp_bar_over_ram },
	{ "bar-over-device-memory", "BAR over plugged and unplugged "
	  "virtio-mem memory", hp_bar_over_device_memory },
	{ "bar-over-other-bar", "BARs over the other device's BARs",
	  hp_bar_over_other_bar },
	{ "bar-over-apic", "BARs over the LAPIC, IOAPIC and the area up to "
	  "4 GiB", hp_bar_over_apic },
	{ "bar-out-of-reach", "BARs wrapping, past MAXPHYADDR, at its edge",
	  hp_bar_out_of_reach },
	{ "bar-high-dword", "a 64-bit BAR moved by its upper half only",
	  hp_bar_high_dword },
	{ "bar-sizing-live", "BAR sizing with decoding on while the driver "
	  "runs", hp_bar_sizing_live },
	{ "bar-move-live", "BAR 4 moved while the driver runs: notify "
	  "follows", hp_bar_move_live },
	{ "decode-off", "memory decoding off while the driver runs",
	  hp_decode_off },
	{ "bus-master-off", "bus mastering off while the driver runs",
	  hp_bus_master_off },
	{ "msix-vector-range", "out-of-range config and queue MSI-X vectors",
	  hp_msix_vector_range },
	{ "msix-table-widths", "MSI-X table accesses of every width, "
	  "misaligned and beyond the table", hp_msix_table_widths },
	{ "msix-pba-readonly", "writes to the PBA, with a vector pending",
	  hp_msix_pba_readonly },
	{ "msix-mask-storm", "vector and function mask toggled thousands "
	  "of times", hp_msix_mask_storm },
	{ "msix-bad-address", "MSI-X messages to RAM, high addresses and "
	  "absent APICs", hp_msix_bad_address },
	{ "msix-intx-exclusive", "MSI-X enabled with INTx left on",
	  hp_msix_intx_exclusive },
	{ "vpci-queue-select", "queue_select beyond num_queues",
	  hp_vpci_queue_select },
	{ "vpci-readonly-fields", "writes to read-only common config fields "
	  "and huge feature selects", hp_vpci_readonly_fields },
	{ "vpci-access-widths", "common config fields at the wrong widths "
	  "and offsets", hp_vpci_access_widths },
	{ "vpci-renegotiation", "features changed after FEATURES_OK and "
	  "DRIVER_OK", hp_vpci_renegotiation },
	{ "vpci-status-abuse", "status bits cleared, NEEDS_RESET, FAILED, "
	  "DRIVER_OK early", hp_vpci_status_abuse },
	{ "vpci-bad-ring", "queue_enable with rings outside RAM, misaligned, "
	  "bad sizes", hp_vpci_bad_ring },
	{ "vpci-notify-abuse", "notify writes of every width, absent queues, "
	  "odd offsets, storm", hp_vpci_notify_abuse },
	{ "vpci-isr-abuse", "ISR writes and reads of every width and offset",
	  hp_vpci_isr_abuse },
	{ "vpci-devcfg-readonly", "writes to virtio-mem's read-only device "
	  "config", hp_vpci_devcfg_readonly },
	{ "vpci-cfg-window", "the PCI_CFG window pointed at other BARs, "
	  "bad lengths and offsets", hp_vpci_cfg_window },
};
const unsigned int hostile_pci_count = ARRAY_SIZE(hostile_pci_attacks);
