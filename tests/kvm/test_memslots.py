# SPDX-License-Identifier: MIT
"""Dynamic memslots as the monitor reports them: a huge virtio-mem device
maps nothing until blocks are plugged, then only slots that hold plugged
blocks, within the bound the flexvm policy promises (docs/memslots.md);
plus the memory QMP commands in QEMU 7.2's shape. Host kernel memory is
checked through x-query-memslots' cost model, which bench/memslots.py
compares with VmallocUsed; timings are the benchmark's business."""
import re
import subprocess
import time

import pytest

from conftest import qmp_client

GiB, MiB, TiB = 1 << 30, 1 << 20, 1 << 40


def floor_cost(plugged):
    """KVM metadata of one slot covering exactly `plugged` bytes (the same
    model as src/mem/memslot_policy.c), the floor of target (b)."""
    def arr(n, size):
        return -(-n * size // 4096) * 4096
    p4k, p2m, p1g = plugged // 4096, -(-plugged // (2 * MiB)), -(-plugged // GiB)
    return (arr(p4k, 8) + arr(p2m, 8) + arr(p1g, 8) + arr(p4k, 2)
            + arr(p2m, 4) + arr(p1g, 4))


@pytest.fixture
def vm(flexvm, guest, kvm, tmp_path):
    procs = []

    def start(size, policy="flexvm", requested=0, extra=()):
        sock = str(tmp_path / f"qmp{len(procs)}.sock")
        cmd = [flexvm, "-m", f"512M,maxmem={(size + 512 * MiB) // MiB}M",
               "-object", f"memory-backend-ram,id=mem0,size={size},reserve=off",
               "-device", f"virtio-mem-pci,id=vm0,memdev=mem0,"
                          f"requested-size={requested},x-memslot-policy={policy}",
               "-kernel", guest, "-append", "scenario=vmem mode=follow pattern=none",
               "-qmp", f"unix:{sock},server=on,wait=off", "-display", "none",
               "-serial", f"file:{tmp_path}/serial{len(procs)}.log"] + list(extra)
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(p)
        q = qmp_client().QmpClient.connect(sock, timeout=30,
                                         alive=lambda: p.poll() is None).negotiate()
        q.serial = tmp_path / f"serial{len(procs) - 1}.log"
        return q

    yield start
    for p in procs:
        p.kill()
        p.wait()


def settle(q, size, timeout=60):
    """qom-set requested-size and wait for the guest's settle line."""
    q.ok("qom-set", path="vm0", property="requested-size", value=size)
    want = re.compile(rf"^vmem: requested={size} plugged={size} ", re.M)
    deadline = time.monotonic() + timeout
    while not want.search(q.serial.read_text(errors="replace")):
        assert time.monotonic() < deadline, q.serial.read_text()[-2000:]
        time.sleep(0.05)


def device_slots(q):
    r = q.ok("x-query-memslots")
    (dev,) = r["devices"]
    owned = [s for s in r["slots"] if s["owner"] == "/machine/peripheral/vm0"]
    return dev, owned


def test_huge_device_with_nothing_plugged_maps_no_memslot(vm):
    q = vm(TiB)
    dev, owned = device_slots(q)
    assert owned == []
    assert dev["mapped-slots"] == 0 and dev["kernel-cost"] == 0
    assert dev["layout-slots"] <= dev["slot-limit"] <= 256


@pytest.mark.parametrize("plugged", [1 * GiB, 16 * GiB])
def test_plugged_memory_costs_within_bound_of_the_floor(vm, plugged):
    q = vm(TiB)
    settle(q, plugged)
    dev, owned = device_slots(q)
    assert dev["plugged-bytes"] == plugged
    # Every mapped slot holds plugged blocks: the mapped range is the
    # plugged prefix rounded up to one slot end, at most 1/16 beyond.
    assert plugged <= dev["mapped-bytes"] <= plugged + max(128 * MiB, plugged // 16)
    assert sum(s["kernel-cost"] for s in owned) == dev["kernel-cost"]
    assert dev["kernel-cost"] <= 1.1 * floor_cost(plugged) + MiB


def test_unplug_to_zero_removes_every_slot(vm):
    q = vm(TiB)
    settle(q, 2 * GiB)
    settle(q, 0)
    dev, owned = device_slots(q)
    assert owned == [] and dev["mapped-slots"] == 0
    assert dev["slot-adds"] == dev["slot-removes"] > 0


def test_qemu_policy_maps_four_gib_slots_on_a_1tib_device(vm):
    q = vm(TiB, policy="qemu")
    settle(q, 1 * GiB)
    dev, owned = device_slots(q)
    assert [s["size"] for s in owned] == [4 * GiB]


def test_memslot_budget_is_respected(vm):
    q = vm(TiB, extra=["-machine", "x-memslot-budget=64"])
    dev, _ = device_slots(q)
    assert dev["layout-slots"] <= dev["slot-limit"] <= 64


def test_query_memory_devices_has_qemus_fields(vm):
    q = vm(16 * GiB, requested=1 * GiB)
    (d,) = q.ok("query-memory-devices")
    assert d["type"] == "virtio-mem"
    assert set(d["data"]) == {"id", "memaddr", "requested-size", "size", "max-size",
                              "block-size", "node", "memdev"}
    assert d["data"]["memdev"] == "/objects/mem0"
    assert d["data"]["requested-size"] == 1 * GiB
    s = q.ok("query-memory-size-summary")
    assert s["base-memory"] == 512 * MiB and "plugged-memory" in s


def test_hmp_info_memory_devices(vm):
    q = vm(16 * GiB)
    text = q.ok("human-monitor-command", {"command-line": "info memory-devices"})
    assert text.startswith('Memory device [virtio-mem]: "vm0"\r\n  memaddr: 0x')
    assert "  max-size: 17179869184\r\n" in text
    assert text.endswith("  memdev: /objects/mem0\r\n")
