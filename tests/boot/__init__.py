# A package, so that pytest imports tests/boot/conftest.py as "boot.conftest" and leaves
# the top-level name "conftest" to tests/kvm, whose test modules import from it.
