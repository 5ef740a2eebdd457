# vmjob.sh - what the VMs' boot scripts share (sourced by tests/vm/boot.sh
# and tests/vm/arm64/boot.sh): the job file the guest's init runs (ggjob=)
# and the status it reports at the end of the job's output.

# vm_usage COUNT: at least "KERNEL ARGS" and one word of a command.
vm_usage() {
	if (($1 < 2)); then
		echo "usage: boot.sh \"KERNEL ARGS\" COMMAND..." >&2
		exit 2
	fi
}

# vm_job_start VMDIR COMMAND...: the job file in a new run folder, $run,
# which the guest reads through its share of this machine's files.
vm_job_start() {
	local dir=$1
	shift
	run=$(mktemp -d "$dir/run.XXXXXX")
	[[ -n "${GG_VM_KEEP:-}" ]] || trap 'rm -rf "$run"' EXIT
	printf '%q ' "$@" >"$run/job.sh"
	echo >>"$run/job.sh"
	: >"$run/job.log"
}

# vm_job_end: print the job's output and exit with its status (3 when the
# VM ended without reporting one: its console's tail says why).
vm_job_end() {
	local status
	# The guest's ports end lines with CR LF.
	tr -d '\r' <"$run/job.log" >"$run/job.txt"
	grep -v '^gogrpctrace-vm: exit ' "$run/job.txt" || true
	status=$(sed -n 's/^gogrpctrace-vm: exit \([0-9]*\)$/\1/p' "$run/job.txt" | tail -1)
	if [[ -z "$status" ]]; then
		echo "boot.sh: the VM ended without the job's status; its console:" >&2
		tail -20 "$run/console.log" >&2
		exit 3
	fi
	exit "$status"
}
