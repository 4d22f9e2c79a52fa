# SPDX-License-Identifier: MIT
# A package, so that this directory's conftest.py and test modules get
# names of their own (qmp.conftest) next to tests/kvm's and tests/boot's.
