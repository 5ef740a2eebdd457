#!/usr/bin/env bash
# boot.sh "KERNEL ARGS" COMMAND... - run COMMAND as root in a throwaway VM
# of Debian's stock kernel (the one linux-headers-amd64 is for, unpacked by
# tests/setup.sh), booted with KERNEL ARGS, and exit with its status.
#
# Tests need it for kernels this machine cannot become: lockdown is one-way
# (a machine in confidentiality mode stays so until reboot), and the stock
# kernel's older verifier is what a Debian 12 server runs. The guest sees
# the host's root read-only under a tmpfs overlay, so it writes nothing
# here. Nested KVM does not boot on this machine's hypervisor, so the VM is
# emulated (TCG) unless GG_VM_ACCEL says otherwise; it boots in about 6 s.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm="$repo/build/vm"
export PATH=/usr/local/go/bin:$PATH

source "$here/vmjob.sh"
vm_usage $#
kargs=$1
shift
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "boot.sh: qemu-system-x86_64 missing: apt-get install qemu-system-x86" >&2; exit 2; }
kernel=$(ls "$vm"/kernel/boot/vmlinuz-* 2>/dev/null | head -1)
[[ -n "$kernel" ]] || { echo "boot.sh: no kernel in $vm/kernel: run tests/setup.sh" >&2; exit 2; }
kver=${kernel##*/vmlinuz-}

mkdir -p "$vm"
(cd "$here" && CGO_ENABLED=0 go build -o "$vm/guestinit" ./guestinit && go build -o "$vm/initramfs" ./initramfs)
"$vm/initramfs" -init "$vm/guestinit" -modules "$vm/kernel/lib/modules/$kver" \
	-o "$vm/initramfs.cpio" 9p 9pnet_virtio virtio_pci overlay

# The job runs from a file the guest reads through the shared root.
vm_job_start "$vm" "$@"

timeout "${GG_VM_TIMEOUT:-900}" qemu-system-x86_64 -accel "${GG_VM_ACCEL:-tcg}" -m 3072 -smp 2 \
	-nodefaults -display none -no-reboot \
	-kernel "$kernel" -initrd "$vm/initramfs.cpio" \
	-append "console=ttyS0 quiet panic=-1 $kargs ggjob=$run/job.sh ggout=/dev/ttyS1" \
	-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
	-serial "file:$run/console.log" -serial "file:$run/job.log" || true

vm_job_end
