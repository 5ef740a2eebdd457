#!/usr/bin/env bash
# boot.sh "KERNEL ARGS" COMMAND... - run COMMAND as root with bash in a
# throwaway emulated arm64 VM and exit with its status.
#
# The VM boots Debian 12's stock arm64 kernel (the version the host's
# linux-headers-amd64 is for) with KERNEL ARGS, on the arm64 Debian root
# that setup.sh in this directory made; both are under build/vm-arm64. The
# guest sees that root and this checkout (at the same absolute path as here,
# so arm64 programs built under the repo run as they are) read-only through
# 9p, each under a tmpfs overlay: it writes nothing back. This machine has
# no KVM, and the guest is another architecture anyway: qemu emulates it
# (TCG), so everything in the guest runs many times slower than native.
#
# GG_VM_TIMEOUT (seconds, default 1800) bounds the whole VM, GG_VM_CPU
# picks the emulated CPU (default cortex-a72: "max" emulates pointer
# authentication, which costs a lot under TCG), GG_VM_KEEP keeps the run's
# directory (console log) under build/vm-arm64.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
vm="$repo/build/vm-arm64"
export PATH=/usr/local/go/bin:$PATH

source "$here/../vmjob.sh"
vm_usage $#
kargs=$1
shift
command -v qemu-system-aarch64 >/dev/null ||
	{ echo "boot.sh: qemu-system-aarch64 missing: run tests/vm/arm64/setup.sh" >&2; exit 2; }
kernel=$(ls "$vm"/kernel/boot/vmlinuz-* 2>/dev/null | head -1)
[[ -n "$kernel" ]] || { echo "boot.sh: no kernel in $vm/kernel: run tests/vm/arm64/setup.sh" >&2; exit 2; }
kver=${kernel##*/vmlinuz-}
[[ -e "$vm/root/.gogrpctrace-setup-$kver" ]] ||
	{ echo "boot.sh: no arm64 root for $kver in $vm/root: run tests/vm/arm64/setup.sh" >&2; exit 2; }

# The init is the amd64 VM's, cross-compiled (static, so it needs nothing
# from the root); the initramfs writer runs here. On the
# virt machine PCI, virtio, 9p and overlayfs are modules in Debian's arm64
# kernel; the initramfs carries them.
(cd "$here/.." && CGO_ENABLED=0 GOARCH=arm64 go build -o "$vm/guestinit" ./guestinit &&
	go build -o "$vm/initramfs" ./initramfs)
"$vm/initramfs" -init "$vm/guestinit" -modules "$vm/kernel/lib/modules/$kver" \
	-o "$vm/initramfs.cpio" 9p 9pnet_virtio virtio_pci virtio_console overlay

# The job runs from a file the guest reads through the shared checkout.
vm_job_start "$vm" "$@"

# The one PL011 UART is the kernel's console; the job's output goes to a
# virtio console (hvc0), which the guest's init opens.
timeout "${GG_VM_TIMEOUT:-1800}" qemu-system-aarch64 -machine virt -accel tcg,thread=multi \
	-cpu "${GG_VM_CPU:-cortex-a72}" -m 3072 -smp 2 \
	-nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$vm/initramfs.cpio" \
	-append "console=ttyAMA0 quiet panic=-1 $kargs ggjob=$run/job.sh ggout=/dev/hvc0 ggshare=$repo" \
	-fsdev local,id=hostroot,path="$vm/root",security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-fsdev local,id=share,path="$repo",security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=share,mount_tag=share \
	-device virtio-serial-pci -chardev file,id=job,path="$run/job.log" -device virtconsole,chardev=job \
	-serial "file:$run/console.log" || true

vm_job_end
