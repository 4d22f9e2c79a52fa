# SPDX-License-Identifier: MIT
"""PCI, virtio-pci and virtio-rng-pci through the test guest's own drivers
(tests/guest: pci.c, virtio_pci.c, virtqueue.c, virtio_rng.c), under
flexvm and under QEMU 7.2 with the same guest; and the memtest scenario
over the RAM of flexvm's memory map.

The rng scenario prints "rng: <n> bytes in <k> requests, irq=<mode>,
<count> interrupts". Under PVM (our development hosts) a level-triggered
INTx line may be delivered twice per request: PVM EOIs at delivery,
before the guest's handler has read the ISR (tests/guest/README.md)."""
import os
import re

import pytest

import flexvm_layout
from conftest import debug_exit_status, qmp_client

BANNER = "flexvm-test-guest: scenario="
RNG_LINE = re.compile(
    r"^rng: (\d+) bytes in (\d+) requests, irq=(\w+), (\d+) interrupts$", re.M)
PCI_DEV = re.compile(
    r"^pci: (\w\w):(\w\w)\.(\d) (\w{4}):(\w{4}) class (\w{4}) ", re.M)
PCI_BAR = re.compile(
    r"^pci: (\w\w):(\w\w)\.(\d) bar (\d) (io|mem32|mem64)( pref)? "
    r"addr 0x(\w+) size 0x(\w+)$", re.M)
ON_PVM = os.path.exists("/sys/module/kvm_pvm")
RNG = ["-device", "virtio-rng-pci"]
MODES = ["poll", "msix", "intx"]


def assert_passed(r, scenario):
    assert f"{BANNER}{scenario}" in r.out, r
    assert r.lines("FAIL:") == [], r
    assert r.lines("PASS:"), r
    assert r.status == debug_exit_status(0), r


def check_rng(r, mode, nbytes):
    assert_passed(r, "rng")
    m = RNG_LINE.search(r.out)
    assert m, r
    got, requests, irq, interrupts = (int(m[1]), int(m[2]), m[3], int(m[4]))
    assert (got, irq) == (nbytes, mode), r
    assert requests >= 2, r
    if mode == "poll":
        assert interrupts == 0, r
    elif mode == "msix" or not ON_PVM:
        assert interrupts == requests, r
    else:
        assert requests <= interrupts <= 2 * requests, r


@pytest.mark.parametrize("mode", MODES)
def test_rng_flexvm(run_guest, mode):
    r = run_guest(f"scenario=rng irq={mode} bytes=4096", extra=RNG)
    check_rng(r, mode, 4096)


@pytest.mark.parametrize("mode", MODES)
def test_rng_qemu(run_guest_qemu, mode):
    r = run_guest_qemu(f"scenario=rng irq={mode} bytes=4096", extra=RNG)
    check_rng(r, mode, 4096)


def test_rng_flexvm_many_small_requests(run_guest):
    # 64 requests of 16 bytes, one in flight at a time.
    r = run_guest("scenario=rng irq=msix bytes=1024 chunk=16", extra=RNG)
    check_rng(r, "msix", 1024)
    assert "rng: 1024 bytes in 64 requests" in r.out, r


def test_rng_bad_irq_mode_is_a_usage_error(run_guest):
    r = run_guest("scenario=rng irq=nmi")
    assert "FAIL: bad irq= value 'nmi'" in r.out, r
    assert r.status == debug_exit_status(2), r


def test_rng_without_the_device_fails(run_guest):
    r = run_guest("scenario=rng irq=poll")
    assert "FAIL: virtio-rng-pci found" in r.out, r
    assert r.status == debug_exit_status(1), r




def pci_listing(out):
    """The guest's "pci:" lines as {(slot, fn): (vendor, device, class)} and
    {(slot, fn, bar): (type, address, size)}."""
    devs = {(int(m[2], 16), int(m[3])): (int(m[4], 16), int(m[5], 16), int(m[6], 16))
            for m in PCI_DEV.finditer(out)}
    bars = {(int(m[2], 16), int(m[3]), int(m[4])): (m[5], int(m[7], 16), int(m[8], 16))
            for m in PCI_BAR.finditer(out)}
    return devs, bars


def query_pci_listing(buses):
    """query-pci's bus 0 in the shape of pci_listing()."""
    devs, bars = {}, {}
    for d in buses[0]["devices"]:
        key = (d["slot"], d["function"])
        devs[key] = (d["id"]["vendor"], d["id"]["device"], d["class_info"]["class"])
        for reg in d["regions"]:
            if reg["type"] == "io":
                kind = "io"
            else:
                kind = "mem64" if reg["mem_type_64"] else "mem32"
            bars[key + (reg["bar"],)] = (kind, reg["address"], reg["size"])
    return devs, bars


def test_pci_listing_qemu(run_guest_qemu):
    r = run_guest_qemu("scenario=pci", extra=RNG)
    assert_passed(r, "pci")
    devs, bars = pci_listing(r.out)
    assert devs[(0, 0)] == (0x8086, 0x1237, 0x0600), r
    # QEMU's virtio-rng-pci is transitional: device 0x1005, subsystem 4.
    assert (0x1AF4, 0x1005, 0x00FF) in devs.values(), r
    assert ("mem64", 0x4000) in [(t, s) for t, _, s in bars.values()], r
    assert re.search(r"INTA# -> ioapic \d+ pin \d+ level", r.out), r


def test_pci_listing_flexvm(run_guest):
    r = run_guest("scenario=pci", extra=RNG)
    assert_passed(r, "pci")
    devs, _ = pci_listing(r.out)
    assert devs[(0, 0)] == (0x8086, 0x1237, 0x0600), r
    rng = [k for k, v in devs.items() if v[:2] == (0x1AF4, 0x1044)]
    assert len(rng) == 1, r
    assert "virtio id 4, 1 queues" in r.out, r
    # docs/pci.md: slot s's INTA# is IOAPIC pin 16 + (s mod 8).
    slot = rng[0][0]
    assert re.search(rf"INTA# -> ioapic \d+ pin {16 + slot % 8} level active-low "
                     r"\(MP table PCI interrupt entry\)", r.out), r


def test_pci_listing_flexvm_without_devices(run_guest):
    r = run_guest("scenario=pci")
    assert_passed(r, "pci")
    devs, bars = pci_listing(r.out)
    assert devs == {(0, 0): (0x8086, 0x1237, 0x0600)}, r
    assert bars == {}, r


@pytest.mark.parametrize("kind", ["qemu", "flexvm"])
def test_pci_listing_matches_query_pci(request, kind, guest, kvm):
    """The guest's view of bus 0 (ids, class, BARs) is what query-pci says."""
    qmp = qmp_client()
    binary = request.getfixturevalue(kind)
    with qmp.QmpVm(kind, binary, guest, append="scenario=pci wait=1",
                   extra=RNG, stdin=True, timeout=90) as vm:
        vm.expect(r"pci: waiting for a line")
        q = vm.connect()
        reply = q.cmd("query-pci")
        if reply.get("error", {}).get("class") == "CommandNotFound":
            pytest.skip(f"{kind} has no query-pci yet")
        assert "return" in reply, reply
        buses = reply["return"]
        vm.send_serial("\n")
        assert vm.wait(30) == debug_exit_status(0), vm.describe()
        out = vm.proc.transcript()
    assert pci_listing(out) == query_pci_listing(buses), (out, buses)


def memtest_pages(r):
    m = re.search(r"memtest: image 0x(\w+)-0x(\w+) excluded", r.out)
    image = int(m[2], 16) - int(m[1], 16)
    m = re.search(r"memtest: (\d+) MiB in (\d+) ranges, (\d+) pages, "
                  r"fill (\d+) ms, verify (\d+) ms", r.out)
    assert m, r
    return image, int(m[3])


@pytest.mark.parametrize("ram", ["512M", "5G"])
def test_memtest_flexvm(run_guest, ram):
    # 5G touches 1.3 M pages: about a minute on PVM hosts.
    r = run_guest("scenario=memtest", extra=["-m", ram], timeout=300)
    assert_passed(r, "memtest")
    image, pages = memtest_pages(r)
    above_1m = sum(e.end + 1 - max(e.start, flexvm_layout.HIGH_RAM_START)
                   for e in flexvm_layout.e820_map(flexvm_layout.parse_size(ram))
                   if e.type == flexvm_layout.E820_RAM and e.end >= flexvm_layout.HIGH_RAM_START)
    assert pages == (above_1m - image) // 4096, r
    if ram == "5G":
        assert "memtest: range 0x0000000100000000-" in r.out, r


def test_memtest_qemu(run_guest_qemu):
    r = run_guest_qemu("scenario=memtest", extra=["-m", "512M"])
    assert_passed(r, "memtest")
