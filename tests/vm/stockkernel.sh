# stockkernel.sh - which Debian kernel the VMs boot (sourced by
# tests/setup.sh and tests/vm/arm64/setup.sh): the one the host's
# linux-headers-amd64 depends on, so that the tool's header tree and the
# booted kernel are one release and both machines test the same one.

# stock_kernel: sets kabi ("6.1.0-48") and ksrcver ("6.1.172-1") from the
# installed linux-headers-amd64 or, when it is not installed, the one apt
# would install. Returns 1 (and says why) when neither tells.
stock_kernel() {
	local deps cand
	deps=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null || true)
	if [[ -z "$deps" ]]; then
		cand=$(apt-cache policy linux-headers-amd64 | sed -n 's/^ *Candidate: //p')
		deps=$(apt-cache show "linux-headers-amd64=$cand" | sed -n 's/^Depends: //p' | head -1)
	fi
	# deps looks like "linux-headers-6.1.0-48-amd64 (= 6.1.172-1)".
	kabi=$(sed -n 's/.*linux-headers-\([^ ,]*\)-amd64.*/\1/p' <<<"$deps")
	ksrcver=$(sed -n 's/.*(= \([^)]*\)).*/\1/p' <<<"$deps")
	if [[ -z "$kabi" || -z "$ksrcver" ]]; then
		echo "stock_kernel: cannot tell the kernel from '$deps'" >&2
		return 1
	fi
}
