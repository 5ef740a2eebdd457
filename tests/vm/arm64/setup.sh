#!/usr/bin/env bash
# setup.sh - prepare an emulated arm64 VM for gogrpctrace (run as root).
#
# It makes, under build/vm-arm64/:
#   kernel/  Debian 12's stock arm64 kernel, unpacked (not installed): the
#            linux-image-<ver>-arm64 whose <ver> is the one the host's
#            linux-headers-amd64 is for, so both architectures test one kernel.
#   root/    an arm64 Debian 12 userspace (packages extracted by mmdebstrap)
#            with the libraries the tool links, the kernel's own header
#            tree for bcc, and the -dev files the host's cross compiler
#            builds the tool against.
# boot.sh in this directory boots them. Idempotent: a stamp file marks each
# finished step, so a second run takes seconds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
vm="$repo/build/vm-arm64"
export DEBIAN_FRONTEND=noninteractive
[[ $(id -u) == 0 ]] || { echo "setup: run as root" >&2; exit 2; }
mkdir -p "$vm"

# Each step reports how long it took.
timings=()
step_start() { step_name=$1; step_t0=$(date +%s); echo "setup: $step_name"; }
step_end() { timings+=("$(printf '%-36s %4ds' "$step_name" $(($(date +%s) - step_t0)))"); }
t_all=$(date +%s)

# 1. Host packages: the emulator, the foreign-architecture bootstrapper,
# the user-mode emulator that runs arm64 programs (the root's ldconfig) on
# this amd64 host through binfmt_misc, and the cross compiler.
packages=(qemu-system-arm qemu-user-static binfmt-support mmdebstrap arch-test
	kmod                 # depmod, for the guest's modules
	gcc-aarch64-linux-gnu) # the tool, cross-compiled against root/
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	step_start "install ${missing[*]}"
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	step_end
fi
# binfmt_misc may not be mounted (no systemd here); qemu-user-static's
# registration has the F flag, so it keeps working inside a chroot.
if [[ ! -e /proc/sys/fs/binfmt_misc/status ]]; then
	mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
	update-binfmts --enable qemu-aarch64
fi

# 2. Which kernel: the amd64 VM's release (tests/vm/stockkernel.sh).
source "$here/../stockkernel.sh"
stock_kernel || exit 1
kver="$kabi-arm64"
echo "setup: kernel $kver (Debian $ksrcver)"

# The Debian mirrors apt uses here, as one-line sources entries (one suite
# each), read from apt's configuration at run time: both the one-line
# sources.list format and deb822 .sources files.
sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f "$f" ]] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+\(.*\)$/deb \1/p' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f "$f" ]] || continue
		# A stanza ends at a blank line; print one line per suite.
		awk 'function flush() {
			if (types ~ /(^| )deb( |$)/ && enabled != "no")
				for (i = 1; i <= ns; i++)
					printf "deb%s %s %s %s\n", (key != "" ? " [signed-by=" key "]" : ""), uri, s[i], comp
			types = uri = comp = key = enabled = ""; ns = 0 }
			/^[[:space:]]*#/ { next }
			/^[[:space:]]*$/ { flush(); next }
			{ k = tolower($1); sub(/:$/, "", k); $1 = ""; sub(/^ +/, "") }
			k == "types" { types = $0 } k == "uris" { split($0, u, " "); uri = u[1] }
			k == "suites" { ns = split($0, s, " ") } k == "components" { comp = $0 }
			k == "signed-by" { key = $0 } k == "enabled" { enabled = tolower($0) }
			END { flush() }' "$f"
	done
}
# Only the entries for Debian 12 (bookworm, -updates, -security).
mapfile -t mirrors < <(sources | grep -E '[[:space:]]bookworm(-updates|-security)?[[:space:]]' | sort -u)
((${#mirrors[@]})) || { echo "setup: no bookworm entry in apt's sources" >&2; exit 1; }

# 3. The kernel: downloaded with a throwaway arm64-only apt state (so the
# host needs no foreign architecture) and unpacked into kernel/.
if [[ ! -e "$vm/kernel/boot/vmlinuz-$kver" ]]; then
	step_start "unpack linux-image-$kver"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/etc/preferences.d"
	: >"$tmp/status"
	printf '%s\n' "${mirrors[@]}" >"$tmp/sources.list"
	aptopt=(-o "APT::Sandbox::User=root" -o "APT::Architecture=arm64" -o "APT::Architectures=arm64"
		-o "Dir::State::Lists=$tmp/lists" -o "Dir::State::status=$tmp/status"
		-o "Dir::Cache=$tmp/cache" -o "Dir::Etc::SourceList=$tmp/sources.list"
		-o "Dir::Etc::SourceParts=-" -o "Dir::Etc::Preferences=$tmp/etc/preferences"
		-o "Dir::Etc::PreferencesParts=$tmp/etc/preferences.d")
	apt-get "${aptopt[@]}" -q update >/dev/null
	(cd "$tmp" && apt-get "${aptopt[@]}" -q download "linux-image-$kver=$ksrcver" >/dev/null)
	rm -rf "$vm/kernel"
	mkdir -p "$vm/kernel"
	dpkg-deb -x "$tmp"/linux-image-"$kver"_*.deb "$vm/kernel"
	rm -rf "$tmp"
	step_end
fi

# 4. The root filesystem: the packages the tool links and the guest runs,
# with their dependencies, extracted (mmdebstrap's "extract" variant) and
# not installed: no maintainer script runs under qemu-user, which took 11
# minutes where extracting takes under one. What installing would have
# done and the guest needs is done here: merged /usr (the hook), the
# users, the loader's cache. The tool is cross-compiled on the host with
# this root as its sysroot (tests/vm/arm64/build.sh), hence the -dev
# packages. mmdebstrap takes several mirrors at once: the kernel's headers
# may be only in bookworm-security.
guest_packages=(
	base-files base-passwd bash coreutils libc-bin mount util-linux iproute2 kmod procps
	libbpfcc-dev libelf-dev libdw-dev libcapstone-dev libdebuginfod-dev
	libprotobuf-c-dev zlib1g-dev libc6-dev
	"linux-headers-arm64=$ksrcver" # pins the header tree to the booted kernel's
)
stamp="$vm/root/.gogrpctrace-setup-$kver"
if [[ ! -e "$stamp" ]]; then
	step_start "mmdebstrap arm64 root"
	# An interrupted run may leave mounts inside: never rm -rf through them.
	if findmnt -rn -o TARGET | grep -q "^$vm/root/"; then
		echo "setup: mounts left under $vm/root (findmnt): unmount them first" >&2
		exit 1
	fi
	rm -rf "$vm/root"
	mmdebstrap --arch=arm64 --variant=extract --aptopt='APT::Install-Recommends "false"' \
		--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh \
		--include="$(IFS=,; echo "${guest_packages[*]}")" \
		bookworm "$vm/root" "${mirrors[@]}" >"$vm/mmdebstrap.log" 2>&1 ||
		{ tail -30 "$vm/mmdebstrap.log" >&2; echo "setup: mmdebstrap failed, log: $vm/mmdebstrap.log" >&2; exit 1; }
	cp "$vm/root/usr/share/base-passwd/passwd.master" "$vm/root/etc/passwd"
	cp "$vm/root/usr/share/base-passwd/group.master" "$vm/root/etc/group"
	chroot "$vm/root" /sbin/ldconfig # arm64 code: through the binfmt handler
	# bcc finds the headers through /lib/modules/<running kernel>/build.
	[[ -d "$vm/root/usr/src/linux-headers-$kver/include" ]] ||
		{ echo "setup: the guest has no headers for $kver" >&2; exit 1; }
	# The booted kernel's modules, so that modprobe works in the guest:
	# hard links (no space) to the unpacked package, indexed by the host's
	# depmod (it reads arm64 modules as well).
	mkdir -p "$vm/root/lib/modules/$kver"
	cp -al "$vm/kernel/lib/modules/$kver/." "$vm/root/lib/modules/$kver/"
	depmod -b "$vm/root" "$kver"
	touch "$stamp"
	step_end
fi

echo "setup: done in $(($(date +%s) - t_all))s"
for t in "${timings[@]}"; do echo "  $t"; done
