// guestinit is PID 1 of the throwaway VM in which tests meet a kernel this
// machine cannot become (lockdown=confidentiality is one-way: once entered it
// holds until reboot). It loads the modules the initramfs carries, mounts the
// host's root read-only through 9p with a tmpfs overlay on top (the guest
// writes nothing to the host), runs the job script named by ggjob= on the
// kernel command line with its output on the second serial port, reports the
// exit status there and powers off.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"syscall"
	"time"
	"unsafe"
)

var out *os.File // the job's serial port; the console until it exists

func say(format string, a ...any) {
	fmt.Fprintf(out, "gogrpctrace-vm: "+format+"\n", a...)
}

func main() {
	out = os.Stderr
	rc := run()
	say("exit %d", rc)
	// The UART drains after write() returns: let the last line reach the host.
	time.Sleep(500 * time.Millisecond)
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
}

func run() int {
	if err := mountEarly(); err != nil {
		say("%v", err)
		return 100
	}
	if f, err := os.OpenFile("/dev/ttyS1", os.O_WRONLY, 0); err == nil {
		out = f
	}
	if err := loadModules("/modules"); err != nil {
		say("%v", err)
		return 101
	}
	if err := mountRoot("/newroot"); err != nil {
		say("%v", err)
		return 102
	}
	if err := syscall.Chroot("/newroot"); err != nil {
		say("chroot: %v", err)
		return 103
	}
	os.Chdir("/")
	if err := exec.Command("/usr/sbin/ip", "link", "set", "lo", "up").Run(); err != nil {
		say("ip link set lo up: %v", err)
		return 104
	}
	job := os.Getenv("ggjob")
	if job == "" {
		say("no ggjob= on the kernel command line")
		return 105
	}
	cmd := exec.Command("/bin/bash", job)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = []string{"PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root", "TMPDIR=/tmp", "GOCACHE=/tmp/gocache", "GOFLAGS=-mod=mod", "CI=" + os.Getenv("CI")}
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		say("%s: %v", job, err)
		return 106
	}
	return 0
}

type mount struct{ src, dir, fs string }

var kernelFilesystems = []mount{
	{"proc", "/proc", "proc"}, {"sysfs", "/sys", "sysfs"}, {"devtmpfs", "/dev", "devtmpfs"},
	{"tracefs", "/sys/kernel/tracing", "tracefs"}, {"securityfs", "/sys/kernel/security", "securityfs"},
}

// mountAll mounts each of ms below root, in order.
func mountAll(root string, ms []mount) error {
	for _, m := range ms {
		target := filepath.Join(root, m.dir)
		os.MkdirAll(target, 0755)
		if err := syscall.Mount(m.src, target, m.fs, 0, ""); err != nil {
			return fmt.Errorf("mount %s: %v", target, err)
		}
	}
	return nil
}

// mountEarly gives the init what it needs before the root: /proc, /sys, /dev.
func mountEarly() error { return mountAll("/", kernelFilesystems[:3]) }

// loadModules loads every .ko in dir in name order: the initramfs builder
// numbered them so that each comes after the modules it depends on.
func loadModules(dir string) error {
	names, _ := filepath.Glob(filepath.Join(dir, "*.ko"))
	sort.Strings(names)
	empty := []byte{0}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		_, _, errno := syscall.Syscall(sysFinitModule, f.Fd(), uintptr(unsafe.Pointer(&empty[0])), 0)
		f.Close()
		if errno != 0 && errno != syscall.EEXIST {
			return fmt.Errorf("load %s: %v", filepath.Base(name), errno)
		}
	}
	return nil
}

// mountRoot puts the host's root (read-only 9p) under a tmpfs overlay at
// dir, then the guest's own kernel filesystems inside it. /tmp stays the
// overlay's: the host's checkout may live there.
func mountRoot(dir string) error {
	for _, d := range []string{"/lower", "/rw", dir} {
		os.MkdirAll(d, 0755)
	}
	var err error
	// The 9p device appears when virtio-pci has probed it; give it a moment.
	for i := 0; i < 50; i++ {
		err = syscall.Mount("hostroot", "/lower", "9p", syscall.MS_RDONLY,
			"trans=virtio,version=9p2000.L,cache=loose,msize=512000")
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("mount the host's root (9p): %v", err)
	}
	if err := syscall.Mount("tmpfs", "/rw", "tmpfs", 0, "size=4g"); err != nil {
		return fmt.Errorf("mount tmpfs: %v", err)
	}
	os.MkdirAll("/rw/upper", 0755)
	os.MkdirAll("/rw/work", 0755)
	if err := syscall.Mount("overlay", dir, "overlay", 0,
		"lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work"); err != nil {
		return fmt.Errorf("mount overlay: %v", err)
	}
	return mountAll(dir, kernelFilesystems)
}

// sysFinitModule is finit_module(2) on x86-64; the syscall package predates it.
const sysFinitModule = 313
